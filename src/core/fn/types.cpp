// Type functions: new_type, set_type, del_type, mod_type, type_info, ...
#include <algorithm>
#include <string>
#include <vector>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/names.h"
#include "core/lang/query.h"
#include "core/model/thing.h"
#include "core/schema/types.h"
#include "core/model/wrap.h"

namespace tdb {

namespace {

Catalog& cat_of(Query& q) {
    q.need_collection();
    return Catalog::of(q);
}

uint64_t root_id(Query& q) { return q.need_collection().id(); }

TypeDef& need_type(Catalog& c, const Args& a, int i, std::string& name) {
    name = a.str_arg(i);
    TypeDef* t = c.type(name);
    if (!t) raisef(LOOKUP_ERR, "type `%s` not found", name.c_str());
    return *t;
}

void check_new_type_name(Catalog& c, const Args& a, const std::string& name) {
    if (!valid_name(name))
        raisef(VALUE_ERR, "function `%s` expects argument 1 to follow the naming rules", a.name());
    if (c.type(name)) raisef(LOOKUP_ERR, "type `%s` already exists", name.c_str());
    if (c.enum_(name)) raisef(LOOKUP_ERR, "enum `%s` already exists", name.c_str());
}

// Names ThingsDB keeps for its own definitions and keywords (new_type).
bool reserved_type_name(const std::string& n) {
    static const char* const words[] = {
        "any", "bool", "break", "bytes", "catch", "closure", "continue", "date", "datetime", "else",
        "enum", "error", "final", "float", "for", "if", "in", "int", "list", "nil", "nint", "number",
        "pint", "raw", "regex", "return", "room", "set", "str", "task", "thing", "time", "timeval",
        "try", "tuple", "uint", "union", "utf8"};
    for (const char* w : words)
        if (n == w) return true;
    return false;
}

TypeDef& create_type(Query& q, Catalog& c, const std::string& name, bool wrap_only) {
    auto t = std::make_unique<TypeDef>();
    t->id = c.next_type_id();
    t->name = name;
    t->created_at = now_seconds(q);
    t->wrap_only = wrap_only;
    TypeDef& ref = *t;
    c.types.push_back(std::move(t));
    c.save(ref);
    q.add_job(root_id(q), "{\"new_type\":{\"created_at\":" + std::to_string(ref.created_at) +
                              ",\"name\":" + json_str(ref.name) + ",\"type_id\":" + std::to_string(ref.id) +
                              ",\"wrap_only\":" + (wrap_only ? "true" : "false") + "}}");
    return ref;
}

std::string fields_json(const TypeDef& t) {
    std::string out = "[";
    for (size_t i = 0; i < t.fields.size(); ++i) {
        if (i) out += ",";
        out += "[" + json_str(t.fields[i].name) + "," + json_str(t.fields[i].raw) + "]";
    }
    return out + "]";
}

std::string methods_job_json(const TypeDef& t) {
    std::string out = "{";
    for (size_t i = 0; i < t.methods.size(); ++i) {
        if (i) out += ",";
        out += json_str(t.methods[i].name) + ":" + json_str(t.methods[i].closure.closure()->source);
    }
    return out + "}";
}

void prop(Thing* t, const char* k, Value v) { t->props_.push_back({k, std::move(v)}); }

Value method_info(const Method& m) {
    Value out = new_thing();
    Thing* t = out.thing();
    ClosureObj* c = m.closure.closure();
    prop(t, "doc", Value::str(""));
    prop(t, "definition", Value::str(c->source));
    prop(t, "with_side_effects", Value::boolean(c->side_effects));
    std::vector<Value> args;
    for (const auto& p : c->params) args.push_back(Value::str(p));
    prop(t, "arguments", make_list(std::move(args)));
    return out;
}

Value type_info_value(const TypeDef& td) {
    Value out = new_thing();
    Thing* t = out.thing();
    prop(t, "type_id", Value::integer(td.id));
    prop(t, "name", Value::str(td.name));
    prop(t, "wrap_only", Value::boolean(td.wrap_only));
    prop(t, "hide_id", Value::boolean(td.hide_id));
    prop(t, "created_at", Value::integer(td.created_at));
    prop(t, "modified_at", td.modified_at ? Value::integer(td.modified_at) : Value());
    std::vector<Value> fields;
    for (const Field& f : td.fields) {
        Value pair = make_list({Value::str(f.name), Value::str(f.raw)});
        pair.list()->tuple = true;
        fields.push_back(pair);
    }
    prop(t, "fields", make_list(std::move(fields)));
    Value methods = new_thing();
    for (const Method& m : td.methods) prop(methods.thing(), m.name.c_str(), method_info(m));
    prop(t, "methods", methods);
    Value rels = new_thing();
    for (const Field& f : td.fields) {
        if (f.rel.empty()) continue;
        Value r = new_thing();
        Catalog* c = Catalog::current();
        TypeDef* ot = c ? c->type(f.spec.kind == SK::Set ? f.spec.nref : f.spec.ref) : nullptr;
        prop(r.thing(), "type", Value::str(ot ? ot->name : ""));
        prop(r.thing(), "property", Value::str(f.rel));
        prop(rels.thing(), f.name.c_str(), r);
    }
    prop(t, "relations", rels);
    prop(t, "idx", Value::boolean(td.idx));
    return out;
}

// Applies a thing of definitions {name: 'spec' | closure} to a type.
void define(Catalog& c, TypeDef& t, const Value& defs) {
    std::vector<Field> fields;
    std::vector<Method> methods;
    // Parse against a copy so a failure leaves the type untouched.
    for (const Prop& p : defs.thing()->props()) {
        if (!valid_name(p.key)) raise(VALUE_ERR, "property name must follow the naming rules");
        if (p.val.is(VT::Closure)) {
            Value cl = closure_from_source(p.val.closure()->source);
            methods.push_back({p.key, cl});
        } else if (p.val.is(VT::Str)) {
            fields.push_back({p.key, p.val.as_str(), Spec(), {}, nullptr});
        } else {
            raisef(TYPE_ERR,
                   "expecting a method of type `closure` or a definition of type `str` for property `%s` on type "
                   "`%s` but got type `%s` instead",
                   p.key.c_str(), t.name.c_str(), type_name(p.val));
        }
    }
    std::vector<Field> old_fields = t.fields;
    t.fields.clear();
    try {
        for (Field& f : fields) {
            t.fields.push_back(f);
            t.fields.back().spec = c.parse_spec(t, f.name, f.raw);
        }
    } catch (...) {
        t.fields = std::move(old_fields);
        throw;
    }
    t.methods = std::move(methods);
}

}  // namespace

Value fn_new_type(Query& q, Value*, Args& a) {
    a.between(1, 3);
    Catalog& c = cat_of(q);
    std::string name = a.str_arg(0);
    if (valid_name(name) && reserved_type_name(name)) raisef(VALUE_ERR, "name `%s` is reserved", name.c_str());
    check_new_type_name(c, a, name);
    auto flag = [&](int i) {
        Value v = a.eval(i);
        if (!v.is(VT::Bool)) a.bad_type(i, "bool", v);
        return v.as_bool();
    };
    bool wpo = a.size() > 1 ? flag(1) : false;
    bool hid = a.size() > 2 ? flag(2) : false;
    TypeDef& t = create_type(q, c, name, wpo);
    t.hide_id = hid;
    c.save(t);
    return Value();
}

Value fn_set_type(Query& q, Value*, Args& a) {
    a.between(2, 3);
    Catalog& c = cat_of(q);
    std::string name = a.str_arg(0);
    TypeDef* t = c.type(name);
    if (!t) {
        if (reserved_type_name(name)) raisef(VALUE_ERR, "name `%s` is reserved", name.c_str());
        check_new_type_name(c, a, name);
    }
    Value defs = a.eval(1);
    if (!defs.is(VT::Thing)) a.bad_type(1, "thing", defs);
    bool wpo = a.size() > 2 ? truthy(a.eval(2)) : (t ? t->wrap_only : false);
    if (t && (!t->fields.empty() || !t->methods.empty()) && !c.instances(t->id).empty())
        raisef(OPERATION_ERR,
               "function `set_type` can only be used on a type without instances; use `mod_type(..)` to change "
               "the type `%s`",
               name.c_str());
    bool is_new = !t;
    size_t njobs = q.jobs.size();
    if (!t) t = &create_type(q, c, name, wpo);
    uint32_t tid = t->id;
    // A rejected definition changes nothing: a type made here goes again,
    // an existing one keeps its fields and methods.
    std::vector<Field> old_fields = t->fields;
    std::vector<Method> old_methods = t->methods;
    try {
        define(c, *t, defs);
    } catch (...) {
        if (is_new) {
            c.types.erase(std::remove_if(c.types.begin(), c.types.end(), [&](auto& p) { return p->id == tid; }),
                          c.types.end());
            q.storage().delete_type(c.coll_id, tid);
            q.jobs.resize(njobs);
        } else if (TypeDef* back = c.type(tid)) {
            back->fields = std::move(old_fields);
            back->methods = std::move(old_methods);
        }
        throw;
    }
    t = c.type(tid);
    t->wrap_only = wpo;
    t->modified_at = now_seconds(q);
    c.save(*t);
    q.add_job(root_id(q), "{\"set_type\":{\"fields\":" + fields_json(*t) + ",\"methods\":" + methods_job_json(*t) +
                              ",\"modified_at\":" + std::to_string(t->modified_at) +
                              ",\"type_id\":" + std::to_string(t->id) + "}}");
    return Value();
}

static bool type_used_by_other(Catalog& c, const TypeDef& t) {
    for (auto& o : c.types) {
        if (o.get() == &t) continue;
        for (const Field& f : o->fields)
            if ((f.spec.kind == SK::Type && f.spec.ref == t.id) || (f.spec.nkind == SK::Type && f.spec.nref == t.id))
                return true;
    }
    return false;
}

Value fn_del_type(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    std::string name;
    TypeDef& t = need_type(c, a, 0, name);
    if (type_used_by_other(c, t)) raisef(OPERATION_ERR, "type `%s` is used by at least one other type", name.c_str());
    uint32_t tid = t.id;
    bool idx = t.idx;   // t is gone after the erase below
    // Instances become plain things.
    for (Value& v : c.instances(tid)) {
        v.thing()->type_id = kNoType;
        q.prop_set(v.thing(), "");
    }
    c.types.erase(std::remove_if(c.types.begin(), c.types.end(), [&](auto& p) { return p->id == tid; }),
                  c.types.end());
    if (idx) q.storage().set_type_index(c.coll_id, tid, false);
    q.storage().delete_type(c.coll_id, tid);
    q.add_job(root_id(q), "{\"del_type\":" + std::to_string(tid) + "}");
    return Value();
}

Value fn_has_type(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    std::string name = a.str_arg(0);
    return Value::boolean(c.type(name) != nullptr);
}

// Replaces the name `from` in a definition by `to` ("[A?]" -> "[B?]").
static std::string rename_in_spec(const std::string& raw, const std::string& from, const std::string& to) {
    std::string core = raw;
    std::string pre, post;
    if (!core.empty() && core.back() == '?') { post = "?"; core.pop_back(); }
    if (core.size() >= 2 && (core[0] == '[' || core[0] == '{')) {
        pre = core.substr(0, 1);
        post = core.substr(core.size() - 1) + post;
        core = core.substr(1, core.size() - 2);
        if (!core.empty() && core.back() == '?') { post = "?" + post; core.pop_back(); }
    }
    return core == from ? pre + to + post : raw;
}

Value fn_rename_type(Query& q, Value*, Args& a) {
    a.exactly(2);
    Catalog& c = cat_of(q);
    std::string name;
    TypeDef& t = need_type(c, a, 0, name);
    std::string to = a.str_arg(1);
    if (!valid_name(to)) raisef(VALUE_ERR, "function `rename_type` expects argument 2 to follow the naming rules");
    if (to == name) return Value();
    if (c.type(to)) raisef(LOOKUP_ERR, "type `%s` already exists", to.c_str());
    if (c.enum_(to)) raisef(LOOKUP_ERR, "enum `%s` already exists", to.c_str());
    t.name = to;
    t.modified_at = now_seconds(q);
    c.save(t);
    for (auto& o : c.types) {
        bool changed = false;
        for (Field& f : o->fields) {
            std::string r = rename_in_spec(f.raw, name, to);
            if (r != f.raw) { f.raw = r; changed = true; }
        }
        if (changed && o.get() != &t) c.save(*o);
        else if (changed) c.save(t);
    }
    q.add_job(root_id(q), "{\"rename_type\":{\"modified_at\":" + std::to_string(t.modified_at) +
                              ",\"name\":" + json_str(to) + ",\"type_id\":" + std::to_string(t.id) + "}}");
    return Value();
}

Value fn_type_info(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    std::string name;
    return type_info_value(need_type(c, a, 0, name));
}

Value fn_types_info(Query& q, Value*, Args& a) {
    a.exactly(0);
    Catalog& c = cat_of(q);
    std::vector<Value> out;
    for (auto& t : c.types) out.push_back(type_info_value(*t));
    return make_list(std::move(out));
}

Value fn_type_count(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    std::string name;
    TypeDef& t = need_type(c, a, 0, name);
    int64_t n = 0;
    for (Value& v : c.instances(t.id))
        if (v.thing()->stored() || v.object()->refs > 2) ++n;   // unstored ones only while alive elsewhere
    return Value::integer(n);
}

Value fn_type_all(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    std::string name;
    TypeDef& t = need_type(c, a, 0, name);
    Value out = Value::obj(VT::Set, new SetObj());
    for (Value& v : c.instances(t.id))
        if (v.thing()->stored()) out.set()->add(v.thing());
    return out;
}

Value fn_type_assert(Query& q, Value*, Args& a) {
    a.between(2, 3);
    (void)q;
    Value v = a.eval(0);
    Value want = a.eval(1);
    // As ThingsDB: the value's type name against a name or a list of names.
    std::string got = type_name(v);
    if (want.is(VT::Str)) {
        if (want.as_str() == got) return Value();
    } else if (want.is(VT::List)) {
        for (const Value& n : want.list()->items) {
            if (!n.is(VT::Str))
                raisef(TYPE_ERR,
                       "function `type_assert` expects argument 2 to be a list or tuple of type `str` "
                       "but got type `%s` instead",
                       type_name(n));
            if (n.as_str() == got) return Value();
        }
    } else {
        raisef(TYPE_ERR,
               "function `type_assert` expects argument 2 to be of type `str`, type `list` or type `tuple` "
               "but got type `%s` instead",
               type_name(want));
    }
    if (a.size() > 2) {
        Value msg = a.eval(2);
        if (!msg.is(VT::Str)) a.bad_type(2, "str", msg);
        raise(TYPE_ERR, msg.as_str());
    }
    raisef(TYPE_ERR, "invalid type `%s`", got.c_str());
}

// ---- mod_type ----------------------------------------------------------------

static void bump(Query& q, Catalog& c, TypeDef& t) {
    t.modified_at = now_seconds(q);
    c.save(t);
}

static void set_on_instances(Query& q, std::vector<Value>& inst, const std::string& key, const Value& v, bool is_new) {
    for (Value& iv : inst) {
        Thing* th = iv.thing();
        Value nv = q.assignable(v, th, false);
        if (is_new) {
            th->props().push_back({key, std::move(nv)});
        } else if (Value* cur = th->get(key)) {
            *cur = std::move(nv);
        }
        Value* cur = th->get(key);
        if (cur->is(VT::List)) cur->list()->owner = {th, key};
        else if (cur->is(VT::Set)) cur->set()->owner = {th, key};
        q.prop_set(th, key);
    }
}

Value fn_mod_type(Query& q, Value*, Args& a) {
    a.at_least(3);
    // Exclusive before any instance is read: waits for the other queries of
    // the collection to end, and holds off new ones (Storage::lock_collection).
    q.storage().lock_collection(root_id(q), true);
    Catalog& c = cat_of(q);
    std::string name;
    TypeDef* t = &need_type(c, a, 0, name);
    uint32_t tid = t->id;
    std::string action = a.str_arg(1);
    std::string job_base = ",\"type_id\":" + std::to_string(tid);
    if (action == "add") {
        a.between(4, 5);
        std::string fname = a.str_arg(2);
        Value spec = a.eval(3);
        t = c.type(tid);
        if (!valid_name(fname)) raise(VALUE_ERR, "property name must follow the naming rules");
        if (t->field(fname) || t->method(fname))
            raisef(VALUE_ERR, "property or method `%s` already exists on type `%s`", fname.c_str(), name.c_str());
        std::vector<Value> inst = c.instances(tid);
        if (spec.is(VT::Closure)) {
            t->methods.push_back({fname, closure_from_source(spec.closure()->source)});
            bump(q, c, *t);
            q.add_job(root_id(q), "{\"mod_type_add\":{\"modified_at\":" + std::to_string(t->modified_at) +
                                      ",\"name\":" + json_str(fname) + ",\"closure\":" +
                                      json_str(spec.closure()->source) + job_base + "}}");
            return Value();
        }
        if (!spec.is(VT::Str)) a.bad_type(3, "str", spec);
        Field f{fname, spec.as_str(), Spec(), {}, nullptr};
        f.spec = c.parse_spec(*t, fname, f.raw);
        Value init;
        bool closure_init = false;
        if (a.size() == 5) {
            init = a.eval(4);
            closure_init = init.is(VT::Closure);
            if (!closure_init) c.check_field(*c.type(tid), f, init);
        } else {
            init = c.default_value(*t, f);
        }
        t = c.type(tid);
        t->fields.push_back(f);
        if (closure_init) {
            for (Value& iv : inst) {
                Value r = q.call(init, {iv});
                t = c.type(tid);
                c.check_field(*t, t->fields.back(), r);
                std::vector<Value> one{iv};
                set_on_instances(q, one, fname, r, true);
            }
        } else {
            set_on_instances(q, inst, fname, init, true);
        }
        t = c.type(tid);
        bump(q, c, *t);
        std::string j = "{\"mod_type_add\":{";
        if (!inst.empty() && !closure_init) j += "\"init\":" + job_value(q, init) + ",";
        j += "\"modified_at\":" + std::to_string(t->modified_at) + ",\"name\":" + json_str(fname) +
             ",\"spec\":" + json_str(f.raw) + job_base + "}}";
        q.add_job(root_id(q), j);
        return Value();
    }
    if (action == "del") {
        a.exactly(3);
        std::string fname = a.str_arg(2);
        t = c.type(tid);
        int idx = t->field_index(fname);
        if (idx < 0) {
            if (Method* m = t->method(fname)) {
                t->methods.erase(t->methods.begin() + (m - t->methods.data()));
            } else {
                raisef(LOOKUP_ERR, "type `%s` has no property or method `%s`", name.c_str(), fname.c_str());
            }
        } else {
            if (!t->fields[static_cast<size_t>(idx)].rel.empty())
                raisef(TYPE_ERR,
                       "cannot delete a property with a relation; you might want to remove the relation by using: "
                       "`mod_type(\"%s\", \"rel\", \"%s\", nil);`",
                       name.c_str(), fname.c_str());
            for (Value& iv : c.instances(tid)) {
                q.check_not_in_use(iv);
                auto& props = iv.thing()->props();
                for (size_t i = 0; i < props.size(); ++i) {
                    if (props[i].key != fname) continue;
                    if (i + 1 != props.size()) props[i] = std::move(props.back());
                    props.pop_back();
                    break;
                }
                q.prop_del(iv.thing(), fname);
            }
            size_t i = static_cast<size_t>(idx);
            if (i + 1 != t->fields.size()) t->fields[i] = std::move(t->fields.back());
            t->fields.pop_back();
        }
        bump(q, c, *t);
        q.add_job(root_id(q), "{\"mod_type_del\":{\"modified_at\":" + std::to_string(t->modified_at) +
                                  ",\"name\":" + json_str(fname) + job_base + "}}");
        return Value();
    }
    if (action == "ren") {
        a.exactly(4);
        std::string fname = a.str_arg(2);
        std::string to = a.str_arg(3);
        t = c.type(tid);
        if (!valid_name(to)) raise(VALUE_ERR, "property name must follow the naming rules");
        if (t->field(to) || t->method(to))
            raisef(VALUE_ERR, "property or method `%s` already exists on type `%s`", to.c_str(), name.c_str());
        if (Field* f = t->field(fname)) {
            f->name = to;
            for (Value& iv : c.instances(tid)) {
                for (Prop& p : iv.thing()->props())
                    if (p.key == fname) {
                        p.key = to;
                        if (p.val.is(VT::List)) p.val.list()->owner.key = to;
                        else if (p.val.is(VT::Set)) p.val.set()->owner.key = to;
                    }
                q.prop_set(iv.thing(), to);
            }
        } else if (Method* m = t->method(fname)) {
            m->name = to;
        } else {
            raisef(LOOKUP_ERR, "type `%s` has no property or method `%s`", name.c_str(), fname.c_str());
        }
        bump(q, c, *t);
        q.add_job(root_id(q), "{\"mod_type_ren\":{\"modified_at\":" + std::to_string(t->modified_at) +
                                  ",\"name\":" + json_str(fname) + ",\"to\":" + json_str(to) + job_base + "}}");
        return Value();
    }
    if (action == "mod") {
        a.between(4, 5);
        std::string fname = a.str_arg(2);
        Value spec = a.eval(3);
        t = c.type(tid);
        if (spec.is(VT::Closure)) {
            Method* m = t->method(fname);
            if (!m) raisef(LOOKUP_ERR, "type `%s` has no method `%s`", name.c_str(), fname.c_str());
            m->closure = closure_from_source(spec.closure()->source);
            bump(q, c, *t);
            return Value();
        }
        if (!spec.is(VT::Str)) a.bad_type(3, "str", spec);
        int idx = t->field_index(fname);
        if (idx < 0) raisef(LOOKUP_ERR, "type `%s` has no property `%s`", name.c_str(), fname.c_str());
        if (!t->fields[static_cast<size_t>(idx)].rel.empty())
            raisef(TYPE_ERR,
                   "cannot modify a property with a relation; you might want to remove the relation by using: "
                   "`mod_type(\"%s\", \"rel\", \"%s\", nil);`",
                   name.c_str(), fname.c_str());
        Field nf{fname, spec.as_str(), Spec(), {}, nullptr};
        nf.spec = c.parse_spec(*t, fname, nf.raw);
        Value migrate = a.size() == 5 ? a.eval(4) : Value();
        if (a.size() == 5 && !migrate.is(VT::Closure)) a.bad_type(4, "closure", migrate);
        std::vector<Value> inst = c.instances(tid);
        t = c.type(tid);
        size_t i = static_cast<size_t>(idx);
        Field old = t->fields[i];
        // Every instance value must fit; a migration closure gives new ones.
        for (Value& iv : inst) {
            Value* cur = iv.thing()->get(fname);
            Value v = cur ? *cur : Value();
            if (migrate.is(VT::Closure)) {
                Value r = q.call(migrate, {iv});
                t = c.type(tid);
                try {
                    c.check_field(*t, nf, r);
                } catch (const Error& e) {
                    raisef(OPERATION_ERR,
                           "field `%s` on type `%s` is modified but at least one instance got an inappropriate "
                           "value from the migration callback; callback response: %s",
                           fname.c_str(), name.c_str(), e.msg().c_str());
                }
                std::vector<Value> one{iv};
                set_on_instances(q, one, fname, r, false);
                continue;
            }
            try {
                c.check_field(*t, nf, v);
            } catch (const Error&) {
                size_t n = inst.size();
                raisef(OPERATION_ERR,
                       "cannot apply type declaration `%s` to `%s` on type `%s`; type `%s` has %zu active "
                       "instance%s and the old declaration `%s` is not compatible with the new declaration",
                       nf.raw.c_str(), fname.c_str(), name.c_str(), name.c_str(), n, n == 1 ? "" : "s",
                       old.raw.c_str());
            }
        }
        t = c.type(tid);
        t->fields[i] = nf;
        bump(q, c, *t);
        q.add_job(root_id(q), "{\"mod_type_mod\":{\"modified_at\":" + std::to_string(t->modified_at) +
                                  ",\"name\":" + json_str(fname) + ",\"spec\":" + json_str(nf.raw) + job_base + "}}");
        return Value();
    }
    if (action == "wpo") {
        a.exactly(3);
        bool on = truthy(a.eval(2));
        t = c.type(tid);
        if (on && !t->wrap_only) {
            size_t n = c.instances(tid).size();
            if (n)
                raisef(OPERATION_ERR,
                       "a type can only be changed to `wrap-only` mode without having active instances; %zu "
                       "active instance%s of type `%s` %s been found",
                       n, n == 1 ? "" : "s", name.c_str(), n == 1 ? "has" : "have");
            for (auto& o : c.types)
                if (!o->wrap_only && o->id != tid)
                    for (const Field& f : o->fields)
                        if (f.spec.kind == SK::Type && f.spec.ref == tid && !f.spec.nillable)
                            raisef(OPERATION_ERR,
                                   "type `%s` is required by at least one other type without having `wrap-only` "
                                   "mode enabled",
                                   name.c_str());
        }
        if (!on && t->wrap_only) {
            for (const Field& f : t->fields) {
                TypeDef* dep = f.spec.kind == SK::Type && !f.spec.nillable ? c.type(f.spec.ref) : nullptr;
                if (dep && dep->wrap_only)
                    raisef(OPERATION_ERR, "type `%s` is dependent on at least one type with `wrap-only` mode enabled",
                           name.c_str());
            }
        }
        t->wrap_only = on;
        bump(q, c, *t);
        q.add_job(root_id(q), "{\"mod_type_wpo\":{\"modified_at\":" + std::to_string(t->modified_at) +
                                  ",\"wrap_only\":" + (on ? "true" : "false") + job_base + "}}");
        return Value();
    }
    if (action == "hid") {
        a.exactly(3);
        t = c.type(tid);
        t->hide_id = truthy(a.eval(2));
        bump(q, c, *t);
        q.add_job(root_id(q), "{\"mod_type_hid\":{\"modified_at\":" + std::to_string(t->modified_at) +
                                  ",\"hide_id\":" + (t->hide_id ? "true" : "false") + job_base + "}}");
        return Value();
    }
    if (action == "all") {
        // As ThingsDB: calls the closure on every instance (migrations).
        a.exactly(3);
        Value cb = a.eval(2);
        if (!cb.is(VT::Closure))
            raisef(TYPE_ERR, "function `mod_type` expects argument 3 to be of type `closure` but got type `%s` instead",
                   type_name(cb));
        for (Value& iv : c.instances(tid)) q.call(cb, {iv});
        return Value();
    }
    if (action == "idx") {
        // ThingsDB v1.8: an index of the instances of a type, for type_all().
        // Here a partial index of thingsdb.things on (collection, type_id).
        a.exactly(3);
        Value on = a.eval(2);
        if (!on.is(VT::Bool))
            raisef(TYPE_ERR, "function `mod_type` expects argument 3 to be of type `bool` but got type `%s` instead",
                   type_name(on));
        t = c.type(tid);
        q.storage().set_type_index(c.coll_id, tid, on.as_bool());
        if (t->idx == on.as_bool()) return Value();
        t->idx = on.as_bool();
        bump(q, c, *t);
        q.add_job(root_id(q), "{\"mod_type_idx\":{\"idx\":" + std::string(t->idx ? "true" : "false") +
                                  ",\"modified_at\":" + std::to_string(t->modified_at) + job_base + "}}");
        return Value();
    }
    if (action == "rel") {
        a.exactly(4);
        std::string fname = a.str_arg(2);
        Value other = a.eval(3);
        t = c.type(tid);
        Field* f = t->field(fname);
        if (!f) raisef(LOOKUP_ERR, "type `%s` has no property `%s`", name.c_str(), fname.c_str());
        if (other.is_nil()) {
            if (f->rel.empty())
                raisef(TYPE_ERR, "missing relation for `%s` on type `%s`", fname.c_str(), name.c_str());
            TypeDef* ot = nullptr;
            Field* of = relation_peer(c, *f, &ot);
            f->rel.clear();
            if (of) of->rel.clear();
            bump(q, c, *t);
            if (ot && ot != t) {
                ot->modified_at = t->modified_at;
                c.save(*ot);
            }
            q.add_job(root_id(q), "{\"mod_type_rel_del\":{\"modified_at\":" + std::to_string(t->modified_at) +
                                      ",\"name\":" + json_str(fname) + job_base + "}}");
            return Value();
        }
        if (!other.is(VT::Str))
            raisef(TYPE_ERR,
                   "function `mod_type` with task `rel` expects argument 4 to be of type `str` or type `nil` but got "
                   "type `%s` instead",
                   type_name(other));
        auto type_from_field = [&](TypeDef& owner, Field& fd) -> TypeDef* {
            bool ok = (fd.spec.kind == SK::Type && fd.spec.nillable) ||
                      (fd.spec.kind == SK::Set && fd.spec.nkind == SK::Type && !fd.spec.nillable);
            if (!ok)
                raise(TYPE_ERR, "relations may only be configured between restricted sets and/or nillable typed");
            if (!fd.rel.empty())
                raisef(TYPE_ERR, "relation for `%s` on type `%s` already exists", fd.name.c_str(), owner.name.c_str());
            return c.type(fd.spec.kind == SK::Set ? fd.spec.nref : fd.spec.ref);
        };
        TypeDef* ot = type_from_field(*t, *f);
        if (!ot) raisef(LOOKUP_ERR, "type `%s` has no property `%s`", name.c_str(), fname.c_str());
        std::string oname = other.as_str();
        Field* of = ot->field(oname);
        if (!of) raisef(LOOKUP_ERR, "type `%s` has no property `%s`", ot->name.c_str(), oname.c_str());
        if (of == f && f->spec.kind == SK::Set)
            raise(TYPE_ERR, "relations may only be configured between restricted sets and/or nillable typed");
        TypeDef* back = type_from_field(*ot, *of);
        if (back != t)
            raisef(TYPE_ERR, "failed to create relation; property `%s` on type `%s` is referring to type `%s`",
                   oname.c_str(), ot->name.c_str(), back ? back->name.c_str() : "?");
        f->rel = oname;
        of->rel = fname;
        bump(q, c, *t);
        if (ot != t) {
            ot->modified_at = t->modified_at;
            c.save(*ot);
        }
        uint32_t otid = ot->id;
        q.add_job(root_id(q), "{\"mod_type_rel_add\":{\"modified_at\":" + std::to_string(t->modified_at) +
                                  ",\"name\":" + json_str(fname) + ",\"to_name\":" + json_str(oname) +
                                  ",\"to_type_id\":" + std::to_string(otid) + job_base + "}}");
        // Existing instances: the other side follows this side.
        relation_follow_all(c, *c.type(tid), fname);
        return Value();
    }
    raisef(VALUE_ERR,
           "function `mod_type` expects argument 2 to be `add`, `all`, `del`, `hid`, `idx`, `mod`, `rel`, `ren` or "
           "`wpo` but got `%s` instead",
           action.c_str());
}

}  // namespace tdb
