// Wrapped things and anonymous types: making a wrap, an anonymous type from
// its definition thing, rendering a wrap and reading its properties, and the
// methods of the wrapping Type. The built-ins (thing.wrap(), wrap.unwrap(),
// ano(), new(), ...) are in fn/wrap.cpp and fn/thing.cpp.
#include "core/model/wrap.h"

#include <string>
#include <vector>

#include "core/lang/ast.h"
#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/lang/query.h"
#include "core/schema/types.h"

namespace tdb {

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
        } else if (p.val.is(VT::List) && p.val.list()->items().size() == 1 &&
                   p.val.list()->items()[0].is(VT::Thing)) {
            f.raw = "[thing]";
            f.spec.kind = SK::Arr;
            f.spec.nkind = SK::Thing;
            f.ano = ano_from_thing(q, p.val.list()->items()[0]);
        } else if (p.val.is(VT::Closure)) {
            def->methods.push_back({p.key, closure_from_source(p.val.closure()->source)});
            continue;
        } else {
            raisef(TYPE_ERR,
                   "expecting a definition of type `str`, `thing` or `list` for property `%s` on "
                   "an anonymous type "
                   "but got type `%s` instead",
                   p.key.c_str(), type_name(p.val));
        }
        def->fields.push_back(std::move(f));
    }
    return def;
}

namespace {

void render_value(Query& q, std::string& out, const Field& f, bool nested, const Value& v,
                  int deep);

void render_through(Query& q, std::string& out, Thing* t, TypeDef& def, int deep) {
    check_stack_depth();
    if (deep <= 0 || t->in_use) {
        if (t->id)
            out += "{\"#\":" + std::to_string(t->id) + "}";
        else
            out += "{}";
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
            if (!pv || !field_shows(f, t, *pv)) continue;
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
        // A method that fails shows its error message as the property's value.
        // ThingsDB refuses a method with side effects, then one that made
        // futures (discarded): here a method whose code calls future(),
        // whose closures may change data only when they run.
        const ClosureObj* mc = m.closure.closure();
        if (analyse_side_effects(mc->node->kids[0], false)) {
            out += "\"failed to compute property; method has side effects\"";
            continue;
        }
        if (analyse_calls_future(mc->node->kids[0])) {
            out += "\"failed to compute property; method contains futures\"";
            continue;
        }
        // A method renders its result at the collection's default depth,
        // or at the depth its own `return(.., deep)` asks for.
        struct DeepScope {
            Query& q;
            int saved;
            ~DeepScope() { q.set_deep(saved); }
        } scope{q, q.deep()};
        q.set_deep(q.collection() ? q.collection()->row().default_deep : 1);
        try {
            Value r = q.call(m.closure, {make_thing(t)});
            out += q.to_json(r, q.deep());
        } catch (const Error& e) {
            json_escape(out, e.msg());
        }
    }
    out.push_back('}');
}

// A field's value: things are shown through the field's Type (or nested
// anonymous type); list and set items the same.
void render_value(Query& q, std::string& out, const Field& f, bool nested, const Value& v,
                  int deep) {
    SK kind = nested ? f.spec.nkind : f.spec.kind;
    uint32_t ref = nested ? f.spec.nref : f.spec.ref;
    if (v.is(VT::EnumMember) && !nested && (f.spec.flags & kFlagName)) {
        json_escape(out, v.member()->name);
        return;
    }
    if (v.is(VT::Thing) || v.is(VT::Wrap)) {
        Thing* t = thing_or_wrapped(v);
        if (f.ano) return render_through(q, out, t, *f.ano, deep);
        if (kind == SK::Type) {
            Catalog* c = Catalog::current();
            if (TypeDef* td = c ? c->type(ref) : nullptr)
                return render_through(q, out, t, *td, deep);
        }
        out += q.to_json(make_thing(t), deep);
        return;
    }
    // The methods of things inside may run user code: the list or set is
    // marked in use while it is iterated.
    if (v.is(VT::List) && !nested) {
        InUseMark<ListObj> in_use(v.list());
        out.push_back('[');
        bool first = true;
        for (const Value& item : v.list()->items()) {
            if (!first) out.push_back(',');
            first = false;
            render_value(q, out, f, true, item, deep);
        }
        out.push_back(']');
        return;
    }
    if (v.is(VT::Set) && !nested) {
        InUseMark<SetObj> in_use(v.set());
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

}  // namespace

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
        raisef(LOOKUP_ERR, "type `%s` has no method `%s`",
               def && !def->anonymous ? def->name.c_str() : w->label.c_str(), name.c_str());
    }
    Value c = m->closure;
    int np = static_cast<int>(c.closure()->params.size());
    std::vector<Value> args{make_thing(w->thing.get())};
    for (size_t i = 1; i < n->kids.size() && static_cast<int>(i) < np; ++i)
        args.push_back(q.eval(n->kids[i]));
    return q.call(c, args.data(), static_cast<int>(args.size()));
}

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
    if (v && f && !field_shows(*f, t, *v)) v = nullptr;
    if (v) return *v;
    if (optional) return Value();
    raisef(LOOKUP_ERR, "type `%s` has no property `%s`", type_name(wv), name.c_str());
}

void render_wrap(Query& q, std::string& out, const Value& v, int deep) {
    WrapObj* w = static_cast<WrapObj*>(v.object());
    TypeDef* def = w->ano.get();
    if (!def) {
        Catalog* c = Catalog::current();
        if (!c && q.collection()) c = &Catalog::of(q);
        def = c ? c->type(w->type_id) : nullptr;
    }
    if (!def) {  // the type is gone: show the thing itself
        out += q.to_json(make_thing(w->thing.get()), deep);
        return;
    }
    render_through(q, out, w->thing.get(), *def, deep);
}

}  // namespace tdb
