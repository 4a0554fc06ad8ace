// mod_type(name, task, ...): one function per task. f_mod_type (fn/types.cpp)
// checks the first two arguments and picks the task; each task checks the
// rest, changes the type and its instances, and records its job.
#include "core/fn/mod_type.h"

#include <string>
#include <vector>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/lang/names.h"
#include "core/lang/query.h"
#include "core/model/thing.h"
#include "core/io/json_object.h"

namespace tdb {

namespace {

void bump(Query& q, Catalog& c, TypeDef& t) {
    t.modified_at = now_seconds(q);
    c.save(t);
}

// One call of a migration closure on an instance, as ThingsDB runs them: an
// error the language can catch (as try() does) is the instance's answer, in
// err, and the walk goes on; any other error (cancel, limits) ends the query.
bool call_migration(Query& q, const Value& cb, const Value& inst, Value& out, std::string& err) {
    try {
        out = q.call(cb, {inst});
        return true;
    } catch (const Error& e) {
        if (!catchable(e)) throw;
        err = e.msg();
        return false;
    }
}

// The step of a migration (add and mod with a closure) on one instance the
// type had: the closure's call, then the type and field as they are after it
// (the call ran code). field is null when the instance is to be skipped: the
// field or the type is gone, or the instance is no longer of the type.
struct MigrationStep {
    bool ok = false;  // the call returned its result (else err holds its error)
    Value result;
    std::string err;
    TypeDef* type = nullptr;
    const Field* field = nullptr;
};

MigrationStep migration_step(Query& q, Catalog& c, uint32_t tid, const std::string& fname,
                             const Value& cb, const Value& inst) {
    q.poll();
    MigrationStep s;
    s.ok = call_migration(q, cb, inst, s.result, s.err);
    s.type = c.type(tid);
    if (s.type && inst.thing()->type_id == tid) s.field = s.type->field(fname);
    return s;
}

// Whether v fits field f (its real definition, also while it is migrating);
// the message when not. v may be converted (tuple -> list).
bool fits(Catalog& c, const TypeDef& t, const Field& f, Value& v, std::string& err) {
    Field real = f;
    real.migrating = false;
    try {
        c.check_field(t, real, v);
        return true;
    } catch (const Error& e) {
        if (!catchable(e)) throw;
        err = e.msg();
        return false;
    }
}

// Gives every instance in inst property `key` (is_new) or a new value for it.
void set_on_instances(Query& q, std::vector<Value>& inst, const std::string& key, const Value& v,
                      bool is_new) {
    for (Value& iv : inst) {
        Thing* th = iv.thing();
        Value nv = q.assignable(v, th, false);
        Value* cur = is_new ? nullptr : th->get(key);
        if (cur) {
            *cur = std::move(nv);
        } else {
            th->props().push_back({key, std::move(nv)});
            cur = &th->props().back().val;
        }
        if (cur->is(VT::List))
            cur->list()->owner = {th, key};
        else if (cur->is(VT::Set))
            cur->set()->owner = {th, key};
        q.prop_set(th, key);
    }
}

// Whether a field may change from definition o to n without a migration
// closure (ThingsDB's spec check of mod_type 'mod'): every value o allows
// must be one n allows, judged by the definitions alone.
enum class ModCheck { Ok, Nillable, Incompatible };

ModCheck kind_mod_check(SK ok, bool onil, uint32_t oref, SK nk, bool nnil, uint32_t nref,
                        const Spec& o, const Spec& n, bool nested) {
    if (nk == SK::Any) return ModCheck::Ok;
    if (onil && !nnil) return ModCheck::Nillable;
    auto in = [&](std::initializer_list<SK> ks) {
        for (SK k : ks)
            if (k == ok) return true;
        return false;
    };
    bool r;
    switch (nk) {
        case SK::Thing:
            r = in({SK::Thing, SK::Type});
            break;
        case SK::Raw:
            r = in({SK::Raw, SK::Str, SK::Utf8, SK::Bytes, SK::Pattern, SK::StrRange});
            break;
        case SK::Str:
            r = in({SK::Str, SK::Utf8, SK::Pattern, SK::StrRange});
            break;
        case SK::Int:
            r = in({SK::Int, SK::UInt, SK::PInt, SK::NInt, SK::IntRange});
            break;
        case SK::UInt:
            r = in({SK::UInt, SK::PInt}) || (!nested && ok == SK::IntRange && o.imin >= 0);
            break;
        case SK::PInt:
            r = ok == SK::PInt || (!nested && ok == SK::IntRange && o.imin >= 1);
            break;
        case SK::NInt:
            r = ok == SK::NInt || (!nested && ok == SK::IntRange && o.imax <= -1);
            break;
        case SK::Float:
            r = in({SK::Float, SK::FloatRange});
            break;
        case SK::Number:
            r = in({SK::Number, SK::Float, SK::Int, SK::UInt, SK::PInt, SK::NInt, SK::IntRange,
                    SK::FloatRange});
            break;
        case SK::Arr:
        case SK::Set:
            if (ok != nk || nested) return ModCheck::Incompatible;
            return kind_mod_check(o.nkind, o.nnillable, o.nref, n.nkind, n.nnillable, n.nref, o, n,
                                  true);
        case SK::Pattern:
            r = false;
            break;
        case SK::IntRange:
            r = ok == SK::IntRange && o.imin >= n.imin && o.imax <= n.imax;
            break;
        case SK::FloatRange:
            r = ok == SK::FloatRange && o.fmin >= n.fmin && o.fmax <= n.fmax;
            break;
        case SK::StrRange:
            r = ok == SK::StrRange && o.imin >= n.imin && o.imax <= n.imax;
            break;
        case SK::Type:
        case SK::Enum:
            r = ok == nk && oref == nref;
            break;
        default:
            r = ok == nk;
            break;
    }
    return r ? ModCheck::Ok : ModCheck::Incompatible;
}

ModCheck spec_mod_check(const Spec& o, const Spec& n) {
    return kind_mod_check(o.kind, o.nillable, o.ref, n.kind, n.nillable, n.ref, o, n, false);
}

// Argument 4 of add and mod: a definition or a method.
[[noreturn]] void bad_definition(const Args& a, const Value& got) {
    raisef(TYPE_ERR,
           "function `%s` expects argument 4 to be of type `str` or type `closure` but got type "
           "`%s` instead",
           a.name(), type_name(got));
}

// A wrap-only type has no instances to give a value or to migrate.
[[noreturn]] void wrap_only_args(const Args& a) {
    raisef(NUM_ARGUMENTS_ERR,
           "function `%s` takes at most 4 arguments when used on a type with wrap-only mode "
           "enabled",
           a.name());
}

bool bool_arg(const Args& a, int i) {
    Value v = a.eval(i);
    if (!v.is(VT::Bool)) a.bad_type(i, "bool", v);
    return v.as_bool();
}

}  // namespace

Value mod_type_add(ModType& ctx) {
    auto& [q, c, a, name, tid, fname] = ctx;
    a.between(4, 5);
    TypeDef* t = c.type(tid);
    if (t->field(fname) || t->method(fname))
        raisef(LOOKUP_ERR, "property or method `%s` already exists on type `%s`", fname.c_str(),
               name.c_str());
    Value spec = a.eval(3);
    t = c.type(tid);  // the argument ran code
    if (t->field(fname) || t->method(fname))
        raisef(LOOKUP_ERR, "property or method `%s` already exists on type `%s`", fname.c_str(),
               name.c_str());
    if (spec.is(VT::Closure)) {
        if (a.size() == 5)
            raisef(NUM_ARGUMENTS_ERR,
                   "function `%s` takes at most 4 arguments when used to add a new method",
                   a.name());
        t->methods.push_back({fname, closure_from_source(spec.closure()->source)});
        bump(q, c, *t);
        add_catalog_job(q, "mod_type_add",
                        JsonObject()
                            .num("modified_at", t->modified_at)
                            .str("name", fname)
                            .str("closure", spec.closure()->source)
                            .num("type_id", tid)
                            .text());
        return Value();
    }
    if (!spec.is(VT::Str)) bad_definition(a, spec);
    if (a.size() == 5 && t->wrap_only) wrap_only_args(a);
    Field f{fname, spec.as_str(), Spec(), {}, nullptr};
    f.spec = c.parse_spec(*t, fname, f.raw);
    Value init, cb;
    if (a.size() == 5) init = a.eval(4);
    bool closure_init = init.is(VT::Closure);
    if (closure_init) cb = init;
    // The code of the argument may have changed the types and enums the
    // definition names: it is parsed again.
    t = c.type(tid);
    if (t->field(fname) || t->method(fname))
        raisef(LOOKUP_ERR, "property or method `%s` already exists on type `%s`", fname.c_str(),
               name.c_str());
    f.spec = c.parse_spec(*t, fname, f.raw);
    if (a.size() == 5 && !closure_init)
        c.check_field(*t, f, init);
    else
        init = c.default_value(*t, f);
    // As ThingsDB: the field is added first, every instance at the initial
    // value (a closure's instances at the default); then the closure runs
    // on each instance the type had, with the field in place, so the
    // instances its code makes have it too.
    std::vector<Value> inst = c.instances(tid);
    t->fields.push_back(f);
    set_on_instances(q, inst, fname, init, true);
    bump(q, c, *t);
    JsonObject j;
    if (!inst.empty()) j.raw("init", job_value(q, init));
    j.num("modified_at", t->modified_at).str("name", fname).str("spec", f.raw).num("type_id", tid);
    add_catalog_job(q, "mod_type_add", j.text());
    if (!closure_init) return Value();
    // An instance keeps the default when its call raises, gives nil or a
    // value that does not fit; the first such error is raised once every
    // instance had its turn (the field stays added).
    std::string first_bad;
    for (Value& iv : inst) {
        MigrationStep s = migration_step(q, c, tid, fname, cb, iv);
        if (!s.field) continue;
        Value* cur = iv.thing()->get(fname);
        Value& r = s.result;
        bool same = cur && r.is(VT::Thing) && cur->is(VT::Thing) && cur->thing() == r.thing();
        if (s.ok && (r.is_nil() || same)) continue;
        if (s.ok && fits(c, *s.type, *s.field, r, s.err)) {
            std::vector<Value> one{iv};
            set_on_instances(q, one, fname, r, false);
            continue;
        }
        if (first_bad.empty()) first_bad = s.err;
    }
    if (!first_bad.empty())
        raisef(OPERATION_ERR,
               "field `%s` is added to type `%s` but at least one error has occurred using the "
               "given callback; %s",
               fname.c_str(), name.c_str(), first_bad.c_str());
    return Value();
}

Value mod_type_del(ModType& ctx) {
    auto& [q, c, a, name, tid, fname] = ctx;
    a.exactly(3);
    TypeDef* t = c.type(tid);
    int idx = t->field_index(fname);
    if (idx < 0) {
        if (Method* m = t->method(fname)) {
            t->methods.erase(t->methods.begin() + (m - t->methods.data()));
        } else {
            raisef(LOOKUP_ERR, "type `%s` has no property or method `%s`", name.c_str(),
                   fname.c_str());
        }
    } else {
        if (!t->fields[static_cast<size_t>(idx)].rel.empty())
            raisef(TYPE_ERR,
                   "cannot delete a property with a relation; you might want to remove the "
                   "relation by using: "
                   "`mod_type(\"%s\", \"rel\", \"%s\", nil);`",
                   name.c_str(), fname.c_str());
        std::vector<Value> inst = c.instances(tid);
        for (Value& iv : inst) q.check_not_in_use(iv);  // all before any changes
        for (Value& iv : inst) {
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
    add_catalog_job(q, "mod_type_del",
                    JsonObject()
                        .num("modified_at", t->modified_at)
                        .str("name", fname)
                        .num("type_id", tid)
                        .text());
    return Value();
}

Value mod_type_ren(ModType& ctx) {
    auto& [q, c, a, name, tid, fname] = ctx;
    a.exactly(4);
    if (!c.type(tid)->field(fname) && !c.type(tid)->method(fname))
        raisef(LOOKUP_ERR, "type `%s` has no property or method `%s`", name.c_str(), fname.c_str());
    std::string to = a.str_arg(3);
    TypeDef* t = c.type(tid);
    if (to == fname) return Value();  // as ThingsDB: nothing to do
    if (!valid_name(to)) raise(VALUE_ERR, "property name must follow the naming rules");
    if (t->field(to) || t->method(to))
        raisef(VALUE_ERR, "property or method `%s` already exists on type `%s`", to.c_str(),
               name.c_str());
    if (Field* f = t->field(fname)) {
        f->name = to;
        for (Value& iv : c.instances(tid)) {
            for (Prop& p : iv.thing()->props())
                if (p.key == fname) {
                    p.key = to;
                    if (p.val.is(VT::List))
                        p.val.list()->owner.key = to;
                    else if (p.val.is(VT::Set))
                        p.val.set()->owner.key = to;
                }
            q.prop_set(iv.thing(), to);
        }
    } else if (Method* m = t->method(fname)) {
        m->name = to;
    } else {
        raisef(LOOKUP_ERR, "type `%s` has no property or method `%s`", name.c_str(), fname.c_str());
    }
    bump(q, c, *t);
    add_catalog_job(q, "mod_type_ren",
                    JsonObject()
                        .num("modified_at", t->modified_at)
                        .str("name", fname)
                        .str("to", to)
                        .num("type_id", tid)
                        .text());
    return Value();
}

namespace {

// mod_type 'mod' with a migration closure, in ThingsDB's order: the field
// takes its new definition but any value (Field::migrating) while the
// closure runs on each instance the type had. An instance whose call
// raises, gives nil or a value that does not fit keeps its value when that
// fits the new definition, else gets the default (one value for all). Then
// every instance's value must fit (the closure's code may have made
// instances or changed values meanwhile): a value that does not gets the
// default. The first error is raised after the change completed.
Value migrate_field(ModType& ctx, const std::string& fname, Field nf, const Value& cb) {
    Query& q = ctx.q;
    Catalog& c = ctx.c;
    const std::string& name = ctx.name;
    uint32_t tid = ctx.tid;
    std::vector<Value> inst = c.instances(tid);
    TypeDef* t = c.type(tid);
    nf.migrating = true;
    t->fields[static_cast<size_t>(t->field_index(fname))] = nf;
    std::string first_bad;
    Value dflt;
    bool have_dflt = false;
    auto to_default = [&](Value& iv) {
        TypeDef* now = c.type(tid);
        if (!have_dflt) {
            Field real = *now->field(fname);
            real.migrating = false;
            dflt = c.default_value(*now, real);
            have_dflt = true;
        }
        std::vector<Value> one{iv};
        set_on_instances(q, one, fname, dflt, false);
    };
    auto fail = [&](const char* what, const std::string& msg) {
        if (first_bad.empty())
            first_bad = fmt("field `%s` on type `%s` is modified but at least one %s: %s",
                            fname.c_str(), name.c_str(), what, msg.c_str());
    };
    for (Value& iv : inst) {
        MigrationStep s = migration_step(q, c, tid, fname, cb, iv);
        if (!s.field) continue;
        if (s.ok && !s.result.is_nil() && fits(c, *s.type, *s.field, s.result, s.err)) {
            std::vector<Value> one{iv};
            set_on_instances(q, one, fname, s.result, false);
            continue;
        }
        if (!s.ok || !s.result.is_nil()) fail("error has occurred using the given callback", s.err);
        Value* cur = iv.thing()->get(fname);
        Value keep = cur ? *cur : Value();
        if (fits(c, *s.type, *s.field, keep, s.err)) continue;
        to_default(iv);
        fail("failed attempt was made to keep the original value", s.err);
    }
    for (Value& iv : c.instances(tid)) {
        q.poll();
        TypeDef* now = c.type(tid);
        Value* cur = iv.thing()->get(fname);
        Value v = cur ? *cur : Value();
        std::string err;
        if (fits(c, *now, *now->field(fname), v, err)) continue;
        to_default(iv);
        if (first_bad.empty())
            first_bad = fmt(
                "field `%s` on type `%s` is modified but at least one instance got an "
                "inappropriate value from the migration callback; to be compliant, ThingsDB has "
                "used the default value for this instance; callback response: %s",
                fname.c_str(), name.c_str(), err.c_str());
    }
    t = c.type(tid);
    t->field(fname)->migrating = false;
    bump(q, c, *t);
    add_catalog_job(q, "mod_type_mod",
                    JsonObject()
                        .num("modified_at", t->modified_at)
                        .str("name", fname)
                        .str("spec", t->field(fname)->raw)
                        .num("type_id", tid)
                        .text());
    if (!first_bad.empty()) raise(OPERATION_ERR, first_bad);
    return Value();
}

}  // namespace

Value mod_type_mod(ModType& ctx) {
    // Its lambdas use these: clang 14 cannot capture a structured binding.
    auto& q = ctx.q;
    auto& c = ctx.c;
    auto& a = ctx.a;
    auto& name = ctx.name;
    auto& tid = ctx.tid;
    auto& fname = ctx.prop;
    a.between(4, 5);
    TypeDef* t = c.type(tid);
    auto no_relation = [&](const Field& f) {
        if (!f.rel.empty())
            raisef(TYPE_ERR,
                   "cannot modify a property with a relation; you might want to remove the "
                   "relation by using: `mod_type(\"%s\", \"rel\", \"%s\", nil);`",
                   name.c_str(), fname.c_str());
    };
    auto no_such = [&]() {
        raisef(LOOKUP_ERR, "type `%s` has no property or method `%s`", name.c_str(), fname.c_str());
    };
    if (!t->field(fname) && !t->method(fname)) no_such();
    if (const Field* f = t->field(fname)) no_relation(*f);
    Value spec = a.eval(3);
    t = c.type(tid);  // the argument ran code
    if (spec.is(VT::Closure)) {
        if (a.size() == 5)
            raisef(NUM_ARGUMENTS_ERR,
                   "function `%s` takes at most 4 arguments when used to modify a method",
                   a.name());
        Method* m = t->method(fname);
        if (!m) {
            if (!t->field(fname)) no_such();
            a.fail(TYPE_ERR, "cannot convert a property into a method");
        }
        m->closure = closure_from_source(spec.closure()->source);
        bump(q, c, *t);
        return Value();
    }
    if (!spec.is(VT::Str)) bad_definition(a, spec);
    int idx = t->field_index(fname);
    if (idx < 0) {
        if (!t->method(fname)) no_such();
        a.fail(TYPE_ERR, "cannot convert a method into a property");
    }
    no_relation(t->fields[static_cast<size_t>(idx)]);
    if (a.size() == 5 && t->wrap_only) wrap_only_args(a);
    Field nf{fname, spec.as_str(), Spec(), {}, nullptr};
    nf.spec = c.parse_spec(*t, fname, nf.raw);
    Value migrate = a.size() == 5 ? a.eval(4) : Value();
    if (a.size() == 5 && !migrate.is(VT::Closure)) a.bad_type(4, "closure", migrate);
    t = c.type(tid);  // the arguments ran code
    int oidx = t ? t->field_index(fname) : -1;
    if (!migrate.is(VT::Closure) && oidx >= 0 && !t->wrap_only) {
        const Field& of = t->fields[static_cast<size_t>(oidx)];
        ModCheck mc = spec_mod_check(of.spec, nf.spec);
        if (mc == ModCheck::Nillable)
            raisef(OPERATION_ERR,
                   "cannot apply type declaration `%s` to `%s` on type `%s` without a closure to "
                   "migrate existing instances; the old declaration was nillable while the new "
                   "declaration is not; see https://docs.thingsdb.io/v1/collection-api/mod_type",
                   nf.raw.c_str(), fname.c_str(), name.c_str());
        if (mc == ModCheck::Incompatible)
            raisef(OPERATION_ERR,
                   "cannot apply type declaration `%s` to `%s` on type `%s` without a closure to "
                   "migrate existing instances; the old declaration `%s` is not compatible with "
                   "the new declaration; see https://docs.thingsdb.io/v1/collection-api/mod_type",
                   nf.raw.c_str(), fname.c_str(), name.c_str(), of.raw.c_str());
    }
    idx = oidx;
    if (idx < 0) raisef(LOOKUP_ERR, "type `%s` has no property `%s`", name.c_str(), fname.c_str());
    size_t i = static_cast<size_t>(idx);
    no_relation(t->fields[i]);
    nf.spec = c.parse_spec(*t, fname, nf.raw);
    if (migrate.is(VT::Closure)) return migrate_field(ctx, fname, nf, migrate);
    // Without a closure the values stay: each must fit the new definition
    // before anything changes.
    for (Value& iv : c.instances(tid)) {
        q.poll();
        Value* cur = iv.thing()->get(fname);
        Value v = cur ? *cur : Value();
        try {
            c.check_field(*t, nf, v);
        } catch (const Error&) {
            raisef(OPERATION_ERR,
                   "cannot apply type declaration `%s` to `%s` on type `%s` without a closure to "
                   "migrate existing instances; the old declaration `%s` is not compatible with "
                   "the new declaration; see https://docs.thingsdb.io/v1/collection-api/mod_type",
                   nf.raw.c_str(), fname.c_str(), name.c_str(), t->fields[i].raw.c_str());
        }
    }
    t->fields[i] = nf;
    bump(q, c, *t);
    add_catalog_job(q, "mod_type_mod",
                    JsonObject()
                        .num("modified_at", t->modified_at)
                        .str("name", fname)
                        .str("spec", nf.raw)
                        .num("type_id", tid)
                        .text());
    return Value();
}

Value mod_type_wpo(ModType& ctx) {
    auto& [q, c, a, name, tid, fname] = ctx;
    a.exactly(3);
    bool on = bool_arg(a, 2);
    TypeDef* t = c.type(tid);
    if (on == t->wrap_only) return Value();  // as ThingsDB: nothing to do
    if (on && !t->wrap_only) {
        size_t n = c.instances(tid).size();
        if (n)
            raisef(OPERATION_ERR,
                   "a type can only be changed to `wrap-only` mode without having active "
                   "instances; %zu "
                   "active instance%s of type `%s` %s been found",
                   n, n == 1 ? "" : "s", name.c_str(), n == 1 ? "has" : "have");
        for (auto& o : c.types)
            if (!o->wrap_only && o->id != tid)
                for (const Field& f : o->fields)
                    if (f.spec.kind == SK::Type && f.spec.ref == tid && !f.spec.nillable)
                        raisef(OPERATION_ERR,
                               "type `%s` is required by at least one other type without having "
                               "`wrap-only` "
                               "mode enabled",
                               name.c_str());
    }
    if (!on && t->wrap_only) {
        for (const Field& f : t->fields) {
            TypeDef* dep =
                f.spec.kind == SK::Type && !f.spec.nillable ? c.type(f.spec.ref) : nullptr;
            if (dep && dep->wrap_only)
                raisef(OPERATION_ERR,
                       "type `%s` is dependent on at least one type with `wrap-only` mode enabled",
                       name.c_str());
        }
    }
    t->wrap_only = on;
    bump(q, c, *t);
    add_catalog_job(q, "mod_type_wpo",
                    JsonObject()
                        .num("modified_at", t->modified_at)
                        .boolean("wrap_only", on)
                        .num("type_id", tid)
                        .text());
    return Value();
}

Value mod_type_hid(ModType& ctx) {
    auto& [q, c, a, name, tid, fname] = ctx;
    a.exactly(3);
    bool on = bool_arg(a, 2);
    TypeDef* t = c.type(tid);
    if (on == t->hide_id) return Value();  // as ThingsDB: nothing to do
    t->hide_id = on;
    bump(q, c, *t);
    add_catalog_job(q, "mod_type_hid",
                    JsonObject()
                        .num("modified_at", t->modified_at)
                        .boolean("hide_id", t->hide_id)
                        .num("type_id", tid)
                        .text());
    return Value();
}

Value mod_type_all(ModType& ctx) {
    auto& [q, c, a, name, tid, fname] = ctx;
    // As ThingsDB: calls the closure on every instance (migrations).
    a.exactly(3);
    Value cb = a.eval(2);
    if (!cb.is(VT::Closure)) a.bad_type(2, "closure", cb);
    for (Value& iv : c.instances(tid)) q.call(cb, {iv});
    return Value();
}

Value mod_type_idx(ModType& ctx) {
    auto& [q, c, a, name, tid, fname] = ctx;
    // An index of the instances of a type, for type_all(): here a partial
    // index of thingsdb.things on (collection, type_id).
    a.exactly(3);
    bool on = bool_arg(a, 2);
    TypeDef* t = c.type(tid);
    q.storage().set_type_index(c.coll_id, tid, on);
    if (t->idx == on) return Value();
    t->idx = on;
    bump(q, c, *t);
    add_catalog_job(q, "mod_type_idx",
                    JsonObject()
                        .boolean("idx", t->idx)
                        .num("modified_at", t->modified_at)
                        .num("type_id", tid)
                        .text());
    return Value();
}

Value mod_type_rel(ModType& ctx) {
    // Its lambdas use these: clang 14 cannot capture a structured binding.
    auto& q = ctx.q;
    auto& c = ctx.c;
    auto& a = ctx.a;
    auto& name = ctx.name;
    auto& tid = ctx.tid;
    auto& fname = ctx.prop;
    a.exactly(4);
    if (!c.type(tid)->field(fname))
        raisef(LOOKUP_ERR, "type `%s` has no property `%s`", name.c_str(), fname.c_str());
    Value other = a.eval(3);
    TypeDef* t = c.type(tid);  // the argument ran code
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
        add_catalog_job(q, "mod_type_rel_del",
                        JsonObject()
                            .num("modified_at", t->modified_at)
                            .str("name", fname)
                            .num("type_id", tid)
                            .text());
        return Value();
    }
    if (!other.is(VT::Str))
        raisef(TYPE_ERR,
               "function `%s` expects argument 4 to be of type `str` or type `nil` but got type "
               "`%s` instead",
               a.name(), type_name(other));
    auto type_from_field = [&](TypeDef& owner, Field& fd) -> TypeDef* {
        bool ok = (fd.spec.kind == SK::Type && fd.spec.nillable) ||
                  (fd.spec.kind == SK::Set && fd.spec.nkind == SK::Type && !fd.spec.nillable);
        if (!ok)
            raise(TYPE_ERR,
                  "relations may only be configured between restricted sets and/or nillable typed");
        if (!fd.rel.empty())
            raisef(TYPE_ERR, "relation for `%s` on type `%s` already exists", fd.name.c_str(),
                   owner.name.c_str());
        return c.type(fd.spec.kind == SK::Set ? fd.spec.nref : fd.spec.ref);
    };
    TypeDef* ot = type_from_field(*t, *f);
    if (!ot) raisef(LOOKUP_ERR, "type `%s` has no property `%s`", name.c_str(), fname.c_str());
    std::string oname = other.as_str();
    Field* of = ot->field(oname);
    if (!of) raisef(LOOKUP_ERR, "type `%s` has no property `%s`", ot->name.c_str(), oname.c_str());
    TypeDef* back = type_from_field(*ot, *of);
    if (back != t)
        raisef(TYPE_ERR,
               "failed to create relation; property `%s` on type `%s` is referring to type `%s`",
               oname.c_str(), ot->name.c_str(), back ? back->name.c_str() : "?");
    // An instance without an id that already points somewhere through one of
    // the two properties cannot take part in a relation.
    auto unstored_use = [&](TypeDef& owner, const std::string& field) {
        for (Value& iv : c.instances(owner.id)) {
            Thing* th = iv.thing();
            Value* v = th->id ? nullptr : th->get(field);
            if (v && (v->is(VT::Thing) || (v->is(VT::Set) && !v->set()->items.empty())))
                return true;
        }
        return false;
    };
    if (unstored_use(*t, fname) || unstored_use(*ot, oname))
        raise(TYPE_ERR,
              "failed to create relation; relations must be created using a property on a stored "
              "thing (a thing with an Id)");
    relation_check(c, *t, *f, *ot, *of);
    f->rel = oname;
    of->rel = fname;
    bump(q, c, *t);
    if (ot != t) {
        ot->modified_at = t->modified_at;
        c.save(*ot);
    }
    add_catalog_job(q, "mod_type_rel_add",
                    JsonObject()
                        .num("modified_at", t->modified_at)
                        .str("name", fname)
                        .str("to_name", oname)
                        .num("to_type_id", ot->id)
                        .num("type_id", tid)
                        .text());
    // Existing instances: each side follows the other.
    relation_make(c, tid, fname, ot->id, oname);
    return Value();
}

}  // namespace tdb
