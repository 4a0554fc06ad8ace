// Instances of Types: a new instance with its defaults or from given values
// (Type{...}, Type(), new(Type, thing)), Type(id) lookups, and the methods
// of types and enums called on an instance or member.
#include <utility>

#include "core/api/error.h"
#include "core/lang/ast.h"
#include "core/model/thing.h"
#include "core/schema/types.h"
#include "core/schema/types_internal.h"

namespace tdb {

// A Type being changed by mod_type still makes instances (its migration
// closures may make them): only to_type and to_thing refuse a locked Type.
Value Catalog::new_instance(TypeDef& t) {
    Thing* th = new Thing();
    Value out = make_thing(th);
    th->type_id = t.id;
    th->props_.reserve(t.fields.size());
    for (size_t i = 0; i < t.fields.size(); ++i) {
        Value v = q.assignable(default_value(t, t.fields[i]), th, false);
        th->props_.push_back({t.fields[i].name, std::move(v)});
        Value& stored = th->props_.back().val;
        if (stored.is(VT::List))
            stored.list()->owner = {th, t.fields[i].name};
        else if (stored.is(VT::Set))
            stored.set()->owner = {th, t.fields[i].name};
    }
    made.emplace_back(th);
    return out;
}

namespace {

// A new instance of t from checked values by field index; the other fields
// get their defaults. Relations follow the given values.
Value build_instance(Query& q, Catalog& cat, TypeDef& t0,
                     std::vector<std::pair<int, Value>>& given) {
    TypeDef* t = &t0;
    uint32_t tid = t->id;
    Thing* th = new Thing();
    Value out = make_thing(th);
    for (auto& g : given)
        relation_needs_id(*t, t->fields[static_cast<size_t>(g.first)], th, g.second);
    th->type_id = tid;
    th->props_.reserve(t->fields.size());
    for (size_t i = 0; i < t->fields.size(); ++i) {
        Value v;
        bool has = false;
        for (auto& g : given)
            if (g.first == static_cast<int>(i)) {
                v = g.second;
                has = true;
            }
        if (!has) v = cat.default_value(*t, t->fields[i]);
        v = q.assignable(std::move(v), th, false);
        th->props_.push_back({t->fields[i].name, std::move(v)});
        Value& stored = th->props_.back().val;
        if (stored.is(VT::List))
            stored.list()->owner = {th, t->fields[i].name};
        else if (stored.is(VT::Set))
            stored.set()->owner = {th, t->fields[i].name};
    }
    cat.made.emplace_back(th);
    for (auto& g : given) {
        t = cat.type(tid);
        if (t && !t->fields[static_cast<size_t>(g.first)].rel.empty())
            relation_follow(q, cat, th, t->fields[static_cast<size_t>(g.first)]);
    }
    return out;
}

}  // namespace

Value Catalog::instance_from(TypeDef& t, Thing* from) {
    if (t.wrap_only) raisef(TYPE_ERR, "type `%s` has wrap-only mode enabled", t.name.c_str());
    std::vector<std::pair<int, Value>> given;
    if (from->type() != kNoType) {
        if (from->type_id != t.id)
            raisef(TYPE_ERR, "cannot create an instance of type `%s` from type `%s`",
                   t.name.c_str(), type_name(make_thing(from)));
        for (size_t i = 0; i < t.fields.size(); ++i)
            if (Value* v = from->get(t.fields[i].name)) given.emplace_back(static_cast<int>(i), *v);
    } else {
        // Extra properties of the thing are left out; missing ones get defaults.
        for (size_t i = 0; i < t.fields.size(); ++i) {
            Value* v = from->get(t.fields[i].name);
            if (!v) continue;
            Value x = *v;
            check_field(t, t.fields[i], x);
            given.emplace_back(static_cast<int>(i), std::move(x));
        }
    }
    return build_instance(q, *this, t, given);
}

Value hook_instance(Query& q, const Node* n, bool& handled) {
    if (n->kind != NK::Instance) return Value();
    if (!q.collection())
        raisef(LOOKUP_ERR,
               "no types exists in the `%s` scope; you might want to query a `@collection` scope?",
               q.scope_kind_label());
    Catalog& cat = Catalog::of(q);
    const std::string& name = interned(n->name);
    TypeDef* t = cat.type(name);
    if (!t) return Value();
    handled = true;
    if (t->wrap_only) raisef(TYPE_ERR, "type `%s` has wrap-only mode enabled", t->name.c_str());
    uint32_t tid = t->id;
    std::vector<std::pair<int, Value>> given;
    for (size_t i = 0; i < n->kids.size(); ++i) {
        const std::string& key = interned(n->names[i]);
        if (cat.type(tid)->field_index(key) < 0)
            raisef(LOOKUP_ERR, "type `%s` has no property `%s`", name.c_str(), key.c_str());
        Value v = q.eval(n->kids[i]);
        t = cat.type(tid);
        if (!t) raisef(LOOKUP_ERR, "type `%s` is undefined", name.c_str());
        int idx = t->field_index(key);
        if (idx < 0)
            raisef(LOOKUP_ERR, "type `%s` has no property `%s`", name.c_str(), key.c_str());
        cat.check_field(*t, t->fields[static_cast<size_t>(idx)], v);
        given.emplace_back(idx, std::move(v));
    }
    return build_instance(q, cat, *t, given);
}

Value hook_call(Query& q, const Node* n, bool& handled) {
    if (!q.collection()) return Value();
    Catalog& cat = Catalog::of(q);
    const std::string& name = interned(n->name);
    TypeDef* t = cat.type(name);
    if (!t) return hook_enum_call(q, n, handled);
    handled = true;
    // As ThingsDB: Type() a new instance, Type(id) that instance, Type(thing)
    // a new instance from the thing's values (new(Type, thing)); never for a
    // wrap-only Type, whatever the arguments.
    if (t->wrap_only) raisef(TYPE_ERR, "type `%s` has wrap-only mode enabled", t->name.c_str());
    int nargs = static_cast<int>(n->kids.size());
    if (nargs > 1)
        raisef(NUM_ARGUMENTS_ERR, "type `%s` takes at most 1 argument but %d were given",
               name.c_str(), nargs);
    if (nargs == 0) return cat.new_instance(*t);
    uint32_t tid = t->id;
    Value idv = q.eval(n->kids[0]);
    if (idv.is(VT::Thing)) {
        if (idv.thing()->type() == tid) return idv;  // already one
        t = cat.type(tid);                           // the argument ran code
        if (!t) raisef(LOOKUP_ERR, "type `%s` is undefined", name.c_str());
        return cat.instance_from(*t, idv.thing());
    }
    if (!idv.is(VT::Int))
        raisef(TYPE_ERR, "cannot convert type `%s` to `%s`", type_name(idv), name.c_str());
    Value th = q.need_collection().thing_by_id(static_cast<uint64_t>(idv.as_int()));
    if (!th.is(VT::Thing))
        raisef(LOOKUP_ERR, "collection `%s` has no `thing` with id %lld",
               q.need_collection().row().name.c_str(), static_cast<long long>(idv.as_int()));
    if (th.thing()->type() != tid)
        raisef(TYPE_ERR, "`#%lld` is of type `%s`, not `%s`", static_cast<long long>(idv.as_int()),
               type_name(th), name.c_str());
    return th;
}

Value hook_method(Query& q, Value& self, const Node* n, bool& handled) {
    if (!self.is(VT::Thing)) return Value();  // wrapped values: wrap.cpp
    Catalog& cat = Catalog::of(q);
    TypeDef* t = cat.type(self.thing()->type_id);
    if (!t) return Value();
    const std::string& name = interned(n->name);
    Method* m = t->method(name);
    if (!m) {
        if (self.thing()->get(name)) return Value();
        handled = true;
        if (n->optional) return Value();
        raisef(LOOKUP_ERR, "type `%s` has no property or method `%s`", t->name.c_str(),
               name.c_str());
    }
    handled = true;
    return call_method(q, m->closure, self, n);
}

Value call_method(Query& q, const Value& closure, Value& self, const Node* n) {
    Value c = closure;
    int np = static_cast<int>(c.closure()->params.size());
    std::vector<Value> args{self};
    for (size_t i = 1; i < n->kids.size() && static_cast<int>(i) < np; ++i)
        args.push_back(q.eval(n->kids[i]));
    return q.call(c, args.data(), static_cast<int>(args.size()));
}

}  // namespace tdb
