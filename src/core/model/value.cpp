// Value basics: type names, truthiness, container helpers.
#include "core/model/value.h"

#include <new>

#include "core/api/error.h"
#include "core/model/poll.h"
#include "core/model/regex.h"
#include "core/model/thing.h"

namespace tdb {

size_t max_str_size = 64 * 1024 * 1024;

void str_too_large(size_t) {
    raisef(MAX_QUOTA_ERR, "maximum string size quota of %zu bytes has been reached", max_str_size);
}

void free_obj(Obj* o) {
    // Never destroyed: values held by other statics (the procedure cache,
    // the type rows) are freed by their destructors at exit, in any order,
    // and come through here.
    static std::vector<Obj*>& pending = *new std::vector<Obj*>;
    static bool freeing = false;
    if (freeing) {
        try {
            pending.push_back(o);
        } catch (const std::bad_alloc&) {
            delete o;  // no memory to queue it: free it at once
        }
        return;
    }
    freeing = true;
    delete o;
    while (!pending.empty()) {
        Obj* next = pending.back();
        pending.pop_back();
        delete next;  // may queue more
    }
    freeing = false;
}

bool SetObj::add(Thing* t) {
    if (!index.insert(t).second) return false;
    items.emplace_back(t);
    return true;
}

bool SetObj::remove(const Thing* t) {
    if (!index.erase(t)) return false;
    for (auto it = items.begin(); it != items.end(); ++it) {
        if (it->get() == t) {
            items.erase(it);
            break;
        }
    }
    return true;
}

std::vector<Thing*> SetObj::remove_all(const std::vector<Ref<Thing>>& ts) {
    std::vector<Thing*> gone;
    for (const auto& t : ts)
        if (index.erase(t.get())) gone.push_back(t.get());
    if (gone.empty()) return gone;
    size_t keep = 0;
    for (size_t i = 0; i < items.size(); ++i)
        if (poll_tick(), index.count(items[i].get())) items[keep++] = std::move(items[i]);
    items.resize(keep);
    return gone;
}

Value make_list(std::vector<Value> items) {
    check_list_size(items.size());
    auto* l = new ListObj();
    l->items() = std::move(items);
    return Value::obj(VT::List, l);
}

Value make_error(int code, std::string msg) {
    return Value::obj(VT::Error, new ErrorObj(code, std::move(msg)));
}

// A hook for Type instances and enum members, whose names live in the
// collection's catalog (lang/query.h; installed by init_core()).
const char* (*type_name_hook)(const Value& v) = nullptr;

const char* kind_name(VT t) {
    switch (t) {
        case VT::Nil:
            return "nil";
        case VT::Bool:
            return "bool";
        case VT::Int:
            return "int";
        case VT::Float:
            return "float";
        case VT::Str:
            return "str";
        case VT::Bytes:
            return "bytes";
        case VT::List:
            return "list";
        case VT::Thing:
            return "thing";
        case VT::Set:
            return "set";
        case VT::Closure:
            return "closure";
        case VT::Regex:
            return "regex";
        case VT::Error:
            return "error";
        case VT::Datetime:
            return "datetime";
        case VT::Timeval:
            return "timeval";
        case VT::EnumMember:
            return "enum";
        case VT::Wrap:
            return "<thing>";
        case VT::Ano:
            return "anonymous";
        case VT::Future:
            return "future";
        case VT::Room:
            return "room";
        case VT::Task:
            return "task";
    }
    return "unknown";
}

const char* type_name(const Value& v) {
    switch (v.type()) {
        case VT::List:
            return v.list()->tuple ? "tuple" : "list";
        case VT::Thing:
            if (v.thing()->type() != kNoType && type_name_hook) return type_name_hook(v);
            return "thing";
        case VT::EnumMember:
        case VT::Wrap:
            if (type_name_hook) return type_name_hook(v);
            break;
        default:
            break;
    }
    return kind_name(v.type());
}

bool truthy(const Value& v) {
    switch (v.type()) {
        case VT::Nil:
            return false;
        case VT::Bool:
            return v.as_bool();
        case VT::Int:
            return v.as_int() != 0;
        case VT::Float:
            return v.as_float() != 0.0;
        case VT::Str:
        case VT::Bytes:
            return !v.as_str().empty();
        case VT::List:
            return !v.list()->items().empty();
        case VT::Thing:
            return !v.thing()->props().empty();
        case VT::Set:
            return !v.set()->items.empty();
        case VT::Error:
            return false;  // as ThingsDB's ti_val_as_bool
        default:
            return true;
    }
}

}  // namespace tdb
