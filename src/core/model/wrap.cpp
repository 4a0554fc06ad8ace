// Wrapped things and anonymous types: thing.wrap(..), wrap.unwrap(),
// &{...} / ano({...}), and the conversions thing.to_type(..) / to_thing().
#include "core/model/wrap.h"

#include <string>
#include <vector>

#include "core/lang/ast.h"
#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/schema/types.h"

namespace tdb {

// fn_thing.cpp: ThingsDB's ti_val_copy/ti_val_dup, and the `deep` argument.
Value thing_copy_value(Query& q, const Value& v, int deep, bool keep_type);
int thing_deep_arg(const Value& v);

namespace {

Value make_wrap(Thing* t, TypeDef& def, std::shared_ptr<TypeDef> ano) {
    auto* w = new WrapObj();
    w->thing = Ref<Thing>(t);
    w->type_id = def.id;
    w->ano = std::move(ano);
    w->label = "<" + (def.anonymous ? std::string("anonymous") : def.name) + ">";
    return Value::obj(VT::Wrap, w);
}

// An anonymous type from its definition thing: 'spec' strings, '#' for the
// id, {..} for a nested thing and [{..}] for a list of them.
std::shared_ptr<TypeDef> ano_from_thing(Query& q, const Value& defs) {
    auto def = std::make_shared<TypeDef>();
    def->anonymous = true;
    def->id = kNoType;
    def->name = "anonymous";
    Catalog& c = Catalog::of(q);
    for (const Prop& p : defs.thing()->props()) {
        Field f;
        f.name = p.key;
        if (p.val.is(VT::Str) && p.val.as_str() == "#") {
            def->idname = p.key;
            continue;
        }
        if (p.val.is(VT::Str)) {
            f.raw = p.val.as_str();
            f.spec = c.parse_spec(*def, f.name, f.raw);
        } else if (p.val.is(VT::Thing)) {
            f.raw = "thing";
            f.spec.kind = SK::Thing;
            f.ano = ano_from_thing(q, p.val);
        } else if (p.val.is(VT::List) && p.val.list()->items.size() == 1 && p.val.list()->items[0].is(VT::Thing)) {
            f.raw = "[thing]";
            f.spec.kind = SK::Arr;
            f.spec.nkind = SK::Thing;
            f.ano = ano_from_thing(q, p.val.list()->items[0]);
        } else if (p.val.is(VT::Closure)) {
            def->methods.push_back({p.key, closure_from_source(p.val.closure()->source)});
            continue;
        } else {
            raisef(TYPE_ERR,
                   "expecting a definition of type `str`, `thing` or `list` for property `%s` on an anonymous type "
                   "but got type `%s` instead",
                   p.key.c_str(), type_name(p.val));
        }
        def->fields.push_back(std::move(f));
    }
    return def;
}

void render_value(Query& q, std::string& out, const Field& f, bool nested, const Value& v, int deep);

void render_through(Query& q, std::string& out, Thing* t, TypeDef& def, int deep) {
    if (deep <= 0 || t->in_use) {
        if (t->id) out += "{\"#\":" + std::to_string(t->id) + "}";
        else out += "{}";
        return;
    }
    --deep;
    out.push_back('{');
    bool first = true;
    auto sep = [&]() {
        if (!first) out.push_back(',');
        first = false;
    };
    if (t->id && !def.hide_id && !(def.anonymous && def.idname.empty())) {
        sep();
        json_escape(out, def.anonymous ? def.idname : std::string("#"));
        out += ":" + std::to_string(t->id);
    }
    ++t->in_use;
    try {
        for (const Field& f : def.fields) {
            Value* pv = t->get(f.name);
            if (!pv || !field_maps(f, *pv)) continue;
            sep();
            json_escape(out, f.name);
            out.push_back(':');
            render_value(q, out, f, false, *pv, deep);
        }
    } catch (...) {
        --t->in_use;
        throw;
    }
    --t->in_use;
    for (const Method& m : def.methods) {
        sep();
        json_escape(out, m.name);
        out.push_back(':');
        if (m.closure.closure()->side_effects) {
            out += "{\"error_code\":-53,\"error_msg\":\"failed to compute property; method has side effects\"}";
            continue;
        }
        try {
            Value r = q.call(m.closure, {make_thing(t)});
            out += q.to_json(r, deep);
        } catch (const Error& e) {
            out += "{\"error_code\":" + std::to_string(e.code()) + ",\"error_msg\":";
            json_escape(out, e.msg());
            out.push_back('}');
        }
    }
    out.push_back('}');
}

// A field's value: things are shown through the field's Type (or nested
// anonymous type); list and set items the same.
void render_value(Query& q, std::string& out, const Field& f, bool nested, const Value& v, int deep) {
    SK kind = nested ? f.spec.nkind : f.spec.kind;
    uint32_t ref = nested ? f.spec.nref : f.spec.ref;
    if (v.is(VT::Thing) || v.is(VT::Wrap)) {
        Thing* t = v.is(VT::Thing) ? v.thing() : static_cast<WrapObj*>(v.object())->thing.get();
        if (f.ano) return render_through(q, out, t, *f.ano, deep);
        if (kind == SK::Type) {
            Catalog* c = Catalog::current();
            if (TypeDef* td = c ? c->type(ref) : nullptr) return render_through(q, out, t, *td, deep);
        }
        out += q.to_json(make_thing(t), deep);
        return;
    }
    if (v.is(VT::List) && !nested) {
        out.push_back('[');
        bool first = true;
        for (const Value& item : v.list()->items) {
            if (!first) out.push_back(',');
            first = false;
            render_value(q, out, f, true, item, deep);
        }
        out.push_back(']');
        return;
    }
    if (v.is(VT::Set) && !nested) {
        out.push_back('[');
        bool first = true;
        for (auto& t : v.set()->items) {
            if (!first) out.push_back(',');
            first = false;
            render_value(q, out, f, true, make_thing(t.get()), deep);
        }
        out.push_back(']');
        return;
    }
    out += q.to_json(v, deep);
}

WrapObj* W(Value* self) { return static_cast<WrapObj*>(self->object()); }

// The definition a wrap shows its thing through, or nullptr when its Type
// was deleted since.
TypeDef* wrap_def(Query& q, WrapObj* w) {
    if (w->ano) return w->ano.get();
    Catalog* c = Catalog::current();
    if (!c && q.collection()) c = &Catalog::of(q);
    return c ? c->type(w->type_id) : nullptr;
}

// wrapped.method(..): the methods of the wrapping type, called with the
// wrapped thing as their first argument (`this`; as for computed properties,
// all of its properties can be read, not only the type's fields).
Value hook_wrap_method(Query& q, Value& self, const Node* n, bool& handled) {
    if (!self.is(VT::Wrap)) return Value();
    handled = true;
    WrapObj* w = W(&self);
    TypeDef* def = wrap_def(q, w);
    const std::string& name = interned(n->name);
    Method* m = def ? def->method(name) : nullptr;
    if (!m) {
        if (n->optional) return Value();
        raisef(LOOKUP_ERR, "type `%s` has no method `%s`", w->label.c_str(), name.c_str());
    }
    Value c = m->closure;
    int np = static_cast<int>(c.closure()->params.size());
    std::vector<Value> args{make_thing(w->thing.get())};
    for (size_t i = 1; i < n->kids.size() && static_cast<int>(i) < np; ++i) args.push_back(q.eval(n->kids[i]));
    return q.call(c, args.data(), static_cast<int>(args.size()));
}

// ---- methods -----------------------------------------------------------------

Value m_wrap(Query& q, Value* self, Args& a) {
    a.at_most(1);
    Thing* t = self->thing();
    Catalog& c = Catalog::of(q);
    if (a.size() == 0) {
        TypeDef* own = t->type() != kNoType ? c.type(t->type_id) : nullptr;
        if (!own)
            raise(NUM_ARGUMENTS_ERR, "using `wrap` on a non-typed `thing` requires 1 argument but 0 were given");
        return make_wrap(t, *own, nullptr);
    }
    Value arg = a.eval(0);
    if (arg.is(VT::Ano)) {
        auto def = static_cast<AnoObj*>(arg.object())->def;
        return make_wrap(t, *def, def);
    }
    if (!arg.is(VT::Str)) a.bad_type(0, "str", arg);
    TypeDef* td = q.collection() ? c.type(arg.as_str()) : nullptr;
    if (!td) raisef(LOOKUP_ERR, "type `%s` not found", arg.as_str().c_str());
    return make_wrap(t, *td, nullptr);
}

Value m_unwrap(Query&, Value* self, Args& a) {
    a.exactly(0);
    return make_thing(W(self)->thing.get());
}

// wrapped.copy([deep]): a new plain thing with the wrapping type's fields
// the thing has (values copied `deep` - 1 levels further); when the type is
// gone, a copy of the whole thing.
Value m_wrap_copy(Query& q, Value* self, Args& a) {
    a.at_most(1);
    Value keep = *self;
    WrapObj* w = W(&keep);
    int deep = a.size() == 1 ? thing_deep_arg(a.eval(0)) : 1;
    if (deep == 0) return keep;
    Thing* t = w->thing.get();
    TypeDef* def = wrap_def(q, w);
    if (!def) return thing_copy_value(q, make_thing(t), deep, false);
    Value out = new_thing();
    Thing* o = out.thing();
    for (const Field& f : def->fields) {
        Value* v = t->get(f.name);
        if (!v || !field_maps(f, *v)) continue;
        o->props_.push_back({f.name, thing_copy_value(q, *v, deep - 1, false)});
        Value& c = o->props_.back().val;
        if (c.is(VT::List)) c.list()->owner = {o, f.name};
        else if (c.is(VT::Set)) c.set()->owner = {o, f.name};
    }
    return out;
}

// wrapped.dup([deep]): the same wrap around a dup of the thing.
Value m_wrap_dup(Query& q, Value* self, Args& a) {
    a.at_most(1);
    Value keep = *self;
    WrapObj* w = W(&keep);
    int deep = a.size() == 1 ? thing_deep_arg(a.eval(0)) : 1;
    if (deep == 0) return keep;
    Value d = thing_copy_value(q, make_thing(w->thing.get()), deep, true);
    auto* n = new WrapObj();
    n->thing = Ref<Thing>(d.thing());
    n->type_id = w->type_id;
    n->ano = w->ano;
    n->label = w->label;
    return Value::obj(VT::Wrap, n);
}

// wrapped.id(): the id of the wrapped thing (nil when it has none).
Value m_wrap_id(Query&, Value* self, Args& a) {
    a.exactly(0);
    Thing* t = W(self)->thing.get();
    return t->id ? Value::integer(static_cast<int64_t>(t->id)) : Value();
}

Value f_ano(Query& q, Value*, Args& a) {
    a.exactly(1);
    Value defs = a.eval(0);
    if (!defs.is(VT::Thing)) a.bad_type(0, "thing", defs);
    auto* o = new AnoObj();
    Value out = Value::obj(VT::Ano, o);
    o->def = ano_from_thing(q, defs);
    return out;
}

// thing.to_type('Type'): the thing becomes an instance in place.
Value m_to_type(Query& q, Value* self, Args& a) {
    Thing* t = self->thing();
    // Not a method of instances: ThingsDB's fallback lookup answers (fn_call_try).
    if (t->type() != kNoType)
        raisef(LOOKUP_ERR, "type `%s` has no property or method `to_type`", type_name(*self));
    a.exactly(1);
    q.check_not_in_use(*self);
    std::string name = a.str_arg(0);
    Catalog& c = Catalog::of(q);
    TypeDef* td = q.collection() ? c.type(name) : nullptr;
    if (!td) raisef(LOOKUP_ERR, "type `%s` not found", name.c_str());
    if (td->wrap_only) raisef(TYPE_ERR, "type `%s` has wrap-only mode enabled", td->name.c_str());
    std::vector<Value> vals(td->fields.size());
    std::vector<bool> has(td->fields.size(), false);
    for (Prop& p : t->props()) {
        int i = td->field_index(p.key);
        if (i < 0)
            raisef(TYPE_ERR,
                   "conversion failed; type `%s` has no property `%s` but the thing you are trying to convert has",
                   td->name.c_str(), p.key.c_str());
        const Field& f = td->fields[static_cast<size_t>(i)];
        if (!f.rel.empty())
            raisef(TYPE_ERR,
                   "conversion failed; property `%s` on type `%s` has a relation and can therefore not be used as a "
                   "type to convert to",
                   f.name.c_str(), td->name.c_str());
        Value v = p.val;
        c.check_field(*td, f, v);
        vals[static_cast<size_t>(i)] = std::move(v);
        has[static_cast<size_t>(i)] = true;
    }
    Props props;
    for (size_t i = 0; i < td->fields.size(); ++i) {
        Value v = has[i] ? std::move(vals[i]) : q.assignable(c.default_value(*td, td->fields[i]), t, false);
        props.push_back({td->fields[i].name, std::move(v)});
    }
    t->props_ = std::move(props);
    for (Prop& p : t->props_) {
        if (p.val.is(VT::List)) p.val.list()->owner = {t, p.key};
        else if (p.val.is(VT::Set)) p.val.set()->owner = {t, p.key};
    }
    t->type_id = td->id;
    t->restriction = 0;   // an instance has no value restriction (to_thing does not bring it back)
    if (!t->id) c.made.emplace_back(t);
    if (t->id && t->coll) {
        q.require_change();
        t->coll->mark_dirty(t);
        q.add_job(t->id, "{\"to_type\":" + std::to_string(td->id) + "}");
    }
    return Value();
}

// instance.to_thing(): the instance becomes a plain thing in place.
Value m_to_thing(Query& q, Value* self, Args& a) {
    Thing* t = self->thing();
    if (t->type() == kNoType)
        raisef(LOOKUP_ERR, "thing `#%llu` has no property or method `to_thing`", static_cast<unsigned long long>(t->id));
    a.exactly(0);
    q.check_not_in_use(*self);
    Catalog& c = Catalog::of(q);
    TypeDef* td = c.type(t->type_id);
    if (td) {
        for (auto& o : c.types)
            for (const Field& f : o->fields)
                if ((f.spec.kind == SK::Type && f.spec.ref == td->id) ||
                    (f.spec.nkind == SK::Type && f.spec.nref == td->id))
                    raisef(OPERATION_ERR,
                           "conversion `to_thing` has failed; type `%s` is used as restriction and therefore "
                           "ThingsDB is not able to guarantee the typed thing can be converted",
                           td->name.c_str());
    }
    t->type_id = kNoType;
    if (t->id && t->coll) {
        q.require_change();
        t->coll->mark_dirty(t);
        q.add_job(t->id, "{\"to_thing\":null}");
    }
    return Value();
}

// A Type by name for map_wrap/map_type/new ("type `%s` not found").
TypeDef& type_arg(Query& q, Args& a, int i) {
    Value n = a.eval(i);
    if (!n.is(VT::Str)) a.bad_type(i, "str", n);
    TypeDef* td = q.collection() ? Catalog::of(q).type(n.as_str()) : nullptr;
    if (!td) raisef(LOOKUP_ERR, "type `%s` not found", n.as_str().c_str());
    return *td;
}

// list.map_wrap(Type?) / set.map_wrap(Type?): a list of the things, each
// wrapped with Type (without one: each with its own Type).
Value m_map_wrap(Query& q, Value* self, Args& a) {
    a.at_most(1);
    bool is_set = self->is(VT::Set);
    Value keep = *self;
    uint32_t tid = kNoType;
    if (a.size() == 1) tid = type_arg(q, a, 0).id;
    std::vector<Thing*> things;
    if (is_set) {
        for (auto& t : self->set()->items) things.push_back(t.get());
    } else {
        for (const Value& v : self->list()->items) {
            if (!v.is(VT::Thing))
                raisef(TYPE_ERR,
                       "function `map_wrap` requires a list with items of type `thing` but found an item of type `%s` "
                       "instead",
                       type_name(v));
            things.push_back(v.thing());
        }
    }
    Catalog& c = Catalog::of(q);
    std::vector<Value> out;
    out.reserve(things.size());
    for (Thing* t : things) {
        uint32_t id = tid != kNoType ? tid : t->type();
        TypeDef* td = id != kNoType ? c.type(id) : nullptr;
        if (!td)
            raisef(TYPE_ERR, "function `map_wrap` on a %s with a non-typed `thing` requires 1 argument but 0 were given",
                   is_set ? "set" : "list");
        out.push_back(make_wrap(t, *td, nullptr));
    }
    return make_list(std::move(out));
}

// list.map_type(Type): a list of new instances of Type made from the items
// (things, or ids of instances of Type).
Value m_map_type(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    TypeDef& td0 = type_arg(q, a, 0);
    uint32_t tid = td0.id;
    Catalog& c = Catalog::of(q);
    std::vector<Value> out;
    out.reserve(self->list()->items.size());
    for (size_t i = 0; i < keep.list()->items.size(); ++i) {
        Value v = keep.list()->items[i];
        TypeDef* td = c.type(tid);
        if (!td) raisef(LOOKUP_ERR, "type `%s` not found", td0.name.c_str());
        if (v.is(VT::Int)) {
            Value t = q.need_collection().thing_by_id(static_cast<uint64_t>(v.as_int()));
            if (!t.is(VT::Thing))
                raisef(LOOKUP_ERR, "collection `%s` has no `thing` with id %lld",
                       q.need_collection().row().name.c_str(), static_cast<long long>(v.as_int()));
            if (t.thing()->type() != tid)
                raisef(TYPE_ERR, "`#%lld` is of type `%s`, not `%s`", static_cast<long long>(v.as_int()),
                       type_name(t), td->name.c_str());
            out.push_back(t);
        } else if (v.is(VT::Thing)) {
            out.push_back(c.instance_from(*td, v.thing()));
        } else {
            raisef(TYPE_ERR, "function `map_type` cannot convert type `%s` to `%s`", type_name(v), td->name.c_str());
        }
    }
    return make_list(std::move(out));
}

// new(Type) / new(Type, thing): a new instance at the defaults, or made from
// a thing like list.map_type does.
Value f_new(Query& q, Value*, Args& a) {
    a.between(1, 2);
    Value n = a.eval(0);
    if (!n.is(VT::Str)) a.bad_type(0, "str", n);
    Catalog& c = Catalog::of(q);
    TypeDef* td = c.type(n.as_str());
    if (!td) raisef(LOOKUP_ERR, "type `%s` not found", n.as_str().c_str());
    uint32_t tid = td->id;
    if (a.size() == 1) {
        if (td->wrap_only) raisef(TYPE_ERR, "type `%s` has wrap-only mode enabled", td->name.c_str());
        return c.new_instance(*td);
    }
    Value from = a.eval(1);
    if (!from.is(VT::Thing))
        raisef(TYPE_ERR, "new instances can be created from type `thing` but got type `%s` instead", type_name(from));
    td = c.type(tid);
    if (!td) raisef(LOOKUP_ERR, "type `%s` not found", n.as_str().c_str());
    return c.instance_from(*td, from.thing());
}

}  // namespace

Value wrap_prop(Query& q, const Value& wv, const std::string& name, bool optional) {
    WrapObj* w = static_cast<WrapObj*>(wv.object());
    Thing* t = w->thing.get();
    TypeDef* def = wrap_def(q, w);
    const Field* f = nullptr;
    if (def) {
        for (const Field& x : def->fields)
            if (x.name == name) f = &x;
    }
    Value* v = (!def || f) ? t->get(name) : nullptr;
    if (v && f && !field_maps(*f, *v)) v = nullptr;
    if (v) return *v;
    if (optional) return Value();
    raisef(LOOKUP_ERR, "type `%s` has no property `%s`", w->label.c_str(), name.c_str());
}

void render_wrap(Query& q, std::string& out, const Value& v, int deep) {
    WrapObj* w = static_cast<WrapObj*>(v.object());
    TypeDef* def = w->ano.get();
    if (!def) {
        Catalog* c = Catalog::current();
        if (!c && q.collection()) c = &Catalog::of(q);
        def = c ? c->type(w->type_id) : nullptr;
    }
    if (!def) {   // the type is gone: show the thing itself
        out += q.to_json(make_thing(w->thing.get()), deep);
        return;
    }
    render_through(q, out, w->thing.get(), *def, deep);
}

void register_wrap_functions() {
    register_functions({
        {"ano", f_ano, FN_ANY_SCOPE},
        {"new", f_new, FN_COLLECTION},
    });
    register_methods(VT::List, {
        {"map_wrap", m_map_wrap, FN_ANY_SCOPE},
        {"map_type", m_map_type, FN_COLLECTION},
    });
    register_methods(VT::Set, {
        {"map_wrap", m_map_wrap, FN_ANY_SCOPE},
    });
    register_methods(VT::Thing, {
        {"wrap", m_wrap, FN_ANY_SCOPE},
        {"to_type", m_to_type, FN_COLLECTION | FN_CHANGE},
        {"to_thing", m_to_thing, FN_COLLECTION | FN_CHANGE},
    });
    register_methods(VT::Wrap, {
        {"unwrap", m_unwrap, FN_ANY_SCOPE},
        {"id", m_wrap_id, FN_ANY_SCOPE},
        {"copy", m_wrap_copy, FN_ANY_SCOPE},
        {"dup", m_wrap_dup, FN_ANY_SCOPE},
    });
    method_hooks().push_back(hook_wrap_method);
}

}  // namespace tdb
