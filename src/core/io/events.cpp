// Watch events: jobs in ThingsDB's mutation format and the init event of a watch.
#include "core/api/events.h"

#include "core/lang/ast.h"

#include <cmath>
#include <utility>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/fn/fn.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/regex.h"
#include "core/model/thing.h"

namespace tdb {

namespace {

void thing_whole(Query& q, std::string& out, Thing* t);

void thing_value(Query& q, std::string& out, Thing* t) {
    if (!t->stored()) {   // not placed under a stored thing (emit arguments)
        thing_whole(q, out, t);
        return;
    }
    // ThingsDB packs a new thing completely once per change and refers to it
    // by id afterwards; a receiver has seen it by then.
    if (t->is_new && q.jobs_sent_whole.insert(t->id).second) {
        thing_whole(q, out, t);
        return;
    }
    out += "{\"#\":" + std::to_string(t->id) + "}";
}

void items(Query& q, std::string& out, const std::vector<Value>& v, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
        if (i != from) out.push_back(',');
        mutation_value(q, out, v[i]);
    }
}

// A thing with its properties: {"#": id, key: value, ...}, or for a Type
// instance {".": type_id, "#": id, "": [values in field order]}.
void thing_whole(Query& q, std::string& out, Thing* t) {
    // New things nested in one change are packed inside each other: deeper
    // than the nesting limit is an error, not a stack overflow.
    static thread_local int nesting = 0;
    NestingGuard guard(nesting);
    out.push_back('{');
    bool first = true;
    if (t->type_id != kNoType) {
        out += "\".\":" + std::to_string(t->type_id) + ",";
        if (t->id) out += "\"#\":" + std::to_string(t->id) + ",";
        out += "\"\":[";
        bool f = true;
        for (Prop& p : t->props()) {
            if (!f) out.push_back(',');
            f = false;
            mutation_value(q, out, p.val);
        }
        out += "]}";
        return;
    }
    if (t->id) {
        out += "\"#\":" + std::to_string(t->id);
        first = false;
    }
    for (Prop& p : t->props()) {
        if (!first) out.push_back(',');
        first = false;
        json_escape(out, p.key);
        out.push_back(':');
        mutation_value(q, out, p.val);
    }
    out.push_back('}');
}

std::string keyed(const char* kind, const std::string& key, const std::string& value) {
    std::string out = "{\"";
    out += kind;
    out += "\":{";
    json_escape(out, key);
    out.push_back(':');
    out += value;
    out += "}}";
    return out;
}

std::vector<std::pair<const char*, InitInfoFn>>& init_infos() {
    static std::vector<std::pair<const char*, InitInfoFn>> v;
    return v;
}

}  // namespace

void mutation_value(Query& q, std::string& out, const Value& v) {
    switch (v.type()) {
        case VT::Nil: out += "null"; return;
        case VT::Bool: out += v.as_bool() ? "true" : "false"; return;
        case VT::Int: out += std::to_string(v.as_int()); return;
        case VT::Float: {
            double d = v.as_float();
            if (std::isnan(d) || std::isinf(d)) json_escape(out, float_repr(d));
            else out += float_repr(d);
            return;
        }
        case VT::Str: json_escape(out, v.as_str()); return;
        case VT::Bytes: json_escape(out, base64_encode(v.as_str())); return;
        case VT::List: {
            static thread_local int nesting = 0;
            NestingGuard guard(nesting);
            out.push_back('[');
            items(q, out, v.list()->items, 0, v.list()->items.size());
            out.push_back(']');
            return;
        }
        case VT::Thing: thing_value(q, out, v.thing()); return;
        case VT::Set: {
            out += "{\"$\":[";
            bool first = true;
            for (auto& t : v.set()->items) {
                if (!first) out.push_back(',');
                first = false;
                thing_value(q, out, t.get());
            }
            out += "]}";
            return;
        }
        case VT::Closure:
            out += "{\"/\":";
            json_escape(out, compact_closure(v.closure()->source));
            out.push_back('}');
            return;
        case VT::Regex:
            out += "{\"*\":";
            json_escape(out, "/" + v.regex()->pattern + "/" + v.regex()->flags);
            out.push_back('}');
            return;
        case VT::Error:
            out += "{\"!\":[";
            json_escape(out, v.error()->msg);
            out += "," + std::to_string(v.error()->code) + "]}";
            return;
        default:   // datetime, enum members, ...: as in results
            out += q.to_json(v, 0);
            return;
    }
}

bool records_jobs(const Thing* t) { return t && t->stored() && t->coll && !t->is_new; }

std::string job_set(Query& q, const std::string& key, const Value& v) {
    std::string val;
    mutation_value(q, val, v);
    return keyed("set", key, val);
}

std::string job_del(const std::string& key) {
    std::string out = "{\"del\":";
    json_escape(out, key);
    out.push_back('}');
    return out;
}

std::string job_splice(Query& q, const std::string& key, const ListObj* l, size_t index, size_t ndel,
                       size_t nadd) {
    std::string val = "[" + std::to_string(index) + "," + std::to_string(ndel);
    if (nadd) {
        val.push_back(',');
        items(q, val, l->items, index, index + nadd);
    }
    val.push_back(']');
    return keyed("splice", key, val);
}

std::string job_add(Query& q, const std::string& key, const std::vector<Thing*>& added) {
    std::string val = "[";
    for (size_t i = 0; i < added.size(); ++i) {
        if (i) val.push_back(',');
        thing_value(q, val, added[i]);
    }
    val.push_back(']');
    return keyed("add", key, val);
}

std::string job_remove(const std::string& key, const std::vector<Thing*>& removed) {
    std::string val = "[";
    for (size_t i = 0; i < removed.size(); ++i) {
        if (i) val.push_back(',');
        val += std::to_string(removed[i]->id);
    }
    val.push_back(']');
    return keyed("remove", key, val);
}

std::string job_event(Query& q, const std::string& event, const std::vector<Value>& args) {
    std::string out = "{\"event\":[";
    json_escape(out, event);
    for (const Value& v : args) {
        out.push_back(',');
        mutation_value(q, out, v);
    }
    out += "]}";
    return out;
}

void register_init_info(const char* key, InitInfoFn fn) { init_infos().emplace_back(key, fn); }

std::string watch_init(Storage& st, std::string_view scope_text, uint64_t thing_id, int64_t change_id) {
    init_core();
    Scope scope = parse_scope(scope_text);
    std::string out = "{\"event\":" + std::to_string(change_id) + ",\"thing\":";
    if (thing_id == 0) {   // the @thingsdb scope's changes (users, collections, ...)
        out += "{\"#\":0},\"collection\":null}";
        return out;
    }
    if (scope.kind != Scope::COLLECTION)
        raise(LOOKUP_ERR, "things can only be watched in a collection scope");
    Query q(st, scope);
    Collection& c = q.need_collection();
    Value v = c.thing_by_id(thing_id);
    if (!v.is(VT::Thing))
        raisef(LOOKUP_ERR, "collection `%s` has no `thing` with id %llu", c.row().name.c_str(),
               static_cast<unsigned long long>(thing_id));
    thing_whole(q, out, v.thing());
    out += ",\"collection\":";
    json_escape(out, c.row().name);
    if (thing_id == c.id()) {
        // The collection's catalogs, as ThingsDB's init event has them: a
        // registered function, else the result of the built-in `<key>_info()`.
        for (const char* key : {"types", "enums", "procedures"}) {
            InitInfoFn fn = nullptr;
            for (auto& [k, f] : init_infos())
                if (std::string_view(k) == key) fn = f;
            std::string info = std::string(key) + "_info";
            if (!fn && !find_function(info)) continue;
            out += ",";
            json_escape(out, key);
            out += ":" + (fn ? fn(q) : q.to_json(q.run(info + "()"), 3));
        }
    }
    out.push_back('}');
    return out;
}

}  // namespace tdb
