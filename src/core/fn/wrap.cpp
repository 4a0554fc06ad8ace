// new(Type[, thing]) and ano({...}), the methods of wrapped things (unwrap,
// id, copy, dup), and what list.map_wrap/set.map_wrap and list.map_type share.
#include <string>
#include <vector>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/model/wrap.h"
#include "core/schema/types.h"

namespace tdb {

namespace {

WrapObj* W(Value* self) { return static_cast<WrapObj*>(self->object()); }

// A Type by name for map_wrap and map_type ("type `%s` not found").
TypeDef& type_arg(Query& q, Args& a, int i) {
    Value n = a.eval(i);
    if (!n.is(VT::Str)) a.bad_type(i, "str", n);
    TypeDef* td = q.collection() ? Catalog::of(q).type(n.as_str()) : nullptr;
    if (!td) raisef(LOOKUP_ERR, "type `%s` not found", n.as_str().c_str());
    return *td;
}

}  // namespace

// list.map_wrap(Type?) / set.map_wrap(Type?): a list of the things, each
// wrapped with Type (without one: each with its own Type).
Value map_wrap(Query& q, Value* self, Args& a) {
    a.at_most(1);
    bool is_set = self->is(VT::Set);
    Value keep = *self;
    uint32_t tid = kNoType;
    std::shared_ptr<TypeDef> ano;  // map_wrap(&{..}): an anonymous type
    if (a.size() == 1) {
        Value n = a.eval(0);
        if (n.is(VT::Ano)) {
            ano = static_cast<AnoObj*>(n.object())->def;
        } else {
            if (!n.is(VT::Str)) a.bad_type(0, "str` or `<anonymous>", n);
            TypeDef* td = Catalog::of(q).type(n.as_str());
            if (!td) raisef(LOOKUP_ERR, "type `%s` not found", n.as_str().c_str());
            tid = td->id;
        }
    }
    std::vector<Thing*> things;
    if (is_set) {
        for (auto& t : self->set()->items) things.push_back(t.get());
    } else {
        for (const Value& v : self->list()->items()) {
            if (!v.is(VT::Thing))
                raisef(TYPE_ERR,
                       "function `map_wrap` requires a list with items of type `thing` but found "
                       "an item of type `%s` "
                       "instead",
                       type_name(v));
            things.push_back(v.thing());
        }
    }
    Catalog& c = Catalog::of(q);
    std::vector<Value> out;
    out.reserve(things.size());
    for (Thing* t : things) {
        if (ano) {
            out.push_back(make_wrap(t, *ano, ano));
            continue;
        }
        uint32_t id = tid != kNoType ? tid : t->type();
        TypeDef* td = id != kNoType ? c.type(id) : nullptr;
        if (!td)
            raisef(TYPE_ERR,
                   "function `map_wrap` on a %s with a non-typed `thing` requires 1 argument but 0 "
                   "were given",
                   is_set ? "set" : "list");
        out.push_back(make_wrap(t, *td, nullptr));
    }
    return make_list(std::move(out));
}

// list.map_type(Type): a list of new instances of Type made from the items
// (things, or ids of instances of Type).
Value map_type(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    TypeDef& td0 = type_arg(q, a, 0);
    uint32_t tid = td0.id;
    Catalog& c = Catalog::of(q);
    std::vector<Value> out;
    out.reserve(self->list()->items().size());
    for (size_t i = 0; i < keep.list()->items().size(); ++i) {
        Value v = keep.list()->items()[i];
        TypeDef* td = c.type(tid);
        if (!td) raisef(LOOKUP_ERR, "type `%s` not found", td0.name.c_str());
        if (v.is(VT::Int)) {
            Value t = q.need_collection().thing_by_id(static_cast<uint64_t>(v.as_int()));
            if (!t.is(VT::Thing))
                raisef(LOOKUP_ERR, "collection `%s` has no `thing` with id %lld",
                       q.need_collection().row().name.c_str(), static_cast<long long>(v.as_int()));
            if (t.thing()->type() != tid)
                raisef(TYPE_ERR, "`#%lld` is of type `%s`, not `%s`",
                       static_cast<long long>(v.as_int()), type_name(t), td->name.c_str());
            out.push_back(t);
        } else if (v.is(VT::Thing)) {
            out.push_back(c.instance_from(*td, v.thing()));
        } else {
            raisef(TYPE_ERR, "function `map_type` cannot convert type `%s` to `%s`", type_name(v),
                   td->name.c_str());
        }
    }
    return make_list(std::move(out));
}

// ano({...}): an anonymous type from its definition thing.
Value fn_ano(Query& q, Value*, Args& a) {
    a.exactly(1);
    Value defs = a.eval(0);
    if (!defs.is(VT::Thing)) a.bad_type(0, "thing", defs);
    auto* o = new AnoObj();
    Value out = Value::obj(VT::Ano, o);
    o->def = ano_from_thing(q, defs);
    return out;
}

// new(Type) / new(Type, thing): a new instance at the defaults, or made from
// a thing like list.map_type does.
Value fn_new(Query& q, Value*, Args& a) {
    a.between(1, 2);
    Value n = a.eval(0);
    if (!n.is(VT::Str)) a.bad_type(0, "str", n);
    Catalog& c = Catalog::of(q);
    TypeDef* td = c.type(n.as_str());
    if (!td) raisef(LOOKUP_ERR, "type `%s` not found", n.as_str().c_str());
    uint32_t tid = td->id;
    if (a.size() == 1) {
        if (td->wrap_only)
            raisef(TYPE_ERR, "type `%s` has wrap-only mode enabled", td->name.c_str());
        return c.new_instance(*td);
    }
    Value from = a.eval(1);
    if (!from.is(VT::Thing))
        raisef(TYPE_ERR, "new instances can be created from type `thing` but got type `%s` instead",
               type_name(from));
    td = c.type(tid);
    if (!td) raisef(LOOKUP_ERR, "type `%s` not found", n.as_str().c_str());
    return c.instance_from(*td, from.thing());
}

// wrapped.copy([deep]): a new plain thing with the wrapping type's fields
// the thing has (values copied `deep` - 1 levels further); when the type is
// gone, a copy of the whole thing.
Value m_wrap_copy(Query& q, Value* self, Args& a) {
    a.at_most(1);
    Value keep = *self;
    WrapObj* w = W(&keep);
    int deep = a.size() == 1 ? deep_from_val(a.eval(0)) : 1;
    if (deep == 0) return keep;
    Thing* t = w->thing.get();
    TypeDef* def = wrap_def(q, w);
    if (!def) return copy_value(q, make_thing(t), deep, false);
    Value out = new_thing();
    Thing* o = out.thing();
    for (const Field& f : def->fields) {
        Value* v = t->get(f.name);
        if (!v || !field_shows(f, t, *v)) continue;
        o->props_.push_back({f.name, copy_value(q, *v, deep - 1, false)});
        Value& c = o->props_.back().val;
        if (c.is(VT::List))
            c.list()->owner = {o, f.name};
        else if (c.is(VT::Set))
            c.set()->owner = {o, f.name};
    }
    return out;
}

// wrapped.dup([deep]): the same wrap around a dup of the thing.
Value m_wrap_dup(Query& q, Value* self, Args& a) {
    a.at_most(1);
    Value keep = *self;
    WrapObj* w = W(&keep);
    int deep = a.size() == 1 ? deep_from_val(a.eval(0)) : 1;
    if (deep == 0) return keep;
    Value d = copy_value(q, make_thing(w->thing.get()), deep, true);
    auto* n = new WrapObj();
    n->thing = Ref<Thing>(d.thing());
    n->type_id = w->type_id;
    n->ano = w->ano;
    n->label = type_name(keep);
    return Value::obj(VT::Wrap, n);
}

// wrapped.id(): the id of the wrapped thing (nil when it has none).
Value m_wrap_id(Query&, Value* self, Args& a) {
    a.exactly(0);
    Thing* t = W(self)->thing.get();
    return t->id ? Value::integer(static_cast<int64_t>(t->id)) : Value();
}

// wrapped.unwrap(): the thing itself.
Value m_wrap_unwrap(Query&, Value* self, Args& a) {
    a.exactly(0);
    return make_thing(W(self)->thing.get());
}

}  // namespace tdb
