// Type functions: new_type, set_type, del_type, rename_type, type_info, ...;
// mod_type picks one of its tasks (fn/mod_type.cpp).
#include <algorithm>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/fn/mod_type.h"
#include "core/lang/ast.h"
#include "core/lang/names.h"
#include "core/lang/query.h"
#include "core/model/poll.h"
#include "core/model/thing.h"
#include "core/io/json_object.h"
#include "core/schema/types.h"
#include "core/model/wrap.h"

namespace tdb {

namespace {

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

TypeDef& create_type(Query& q, Catalog& c, const std::string& name, bool wrap_only) {
    auto t = std::make_unique<TypeDef>();
    t->id = c.next_type_id();
    t->name = name;
    t->created_at = now_seconds(q);
    t->wrap_only = wrap_only;
    TypeDef& ref = *t;
    c.types.push_back(std::move(t));
    c.save(ref);
    add_catalog_job(q, "new_type",
                    JsonObject()
                        .num("created_at", ref.created_at)
                        .str("name", ref.name)
                        .num("type_id", ref.id)
                        .boolean("wrap_only", wrap_only)
                        .text());
    return ref;
}

// {"name":"closure source",...}
std::string methods_job_json(const TypeDef& t) {
    JsonObject out;
    for (const Method& m : t.methods) out.str(m.name, m.closure.closure()->source);
    return out.text();
}

void prop(Thing* t, const char* k, Value v) { t->props_.push_back({k, std::move(v)}); }

Value method_info(const Method& m) {
    Value out = new_thing();
    Thing* t = out.thing();
    ClosureObj* c = m.closure.closure();
    prop(t, "doc", Value::str(""));
    prop(t, "definition", Value::str(format_closure(*c->prog, c->node)));  // ti_method_def
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
        if (!valid_name(p.key))
            raise(VALUE_ERR,
                  "type keys must follow the naming rules; see "
                  "https://docs.thingsdb.io/v1/collection-api/set_type");
        if (p.val.is(VT::Closure)) {
            Value cl = closure_from_source(p.val.closure()->source);
            methods.push_back({p.key, cl});
        } else if (p.val.is(VT::Str)) {
            fields.push_back({p.key, p.val.as_str(), Spec(), {}, nullptr});
        } else {
            raisef(TYPE_ERR,
                   "expecting a method of type `closure` or a definition of type `str` for "
                   "property `%s` on type "
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

void check_rename_target(Catalog& c, const std::string& to, const char* fn) {
    if (!valid_name(to))
        raisef(VALUE_ERR, "function `%s` expects argument 2 to follow the naming rules", fn);
    if (reserved_type_name(to)) raisef(VALUE_ERR, "name `%s` is reserved", to.c_str());
    if (c.type(to)) raisef(LOOKUP_ERR, "type `%s` already exists", to.c_str());
    if (c.enum_(to)) raisef(LOOKUP_ERR, "enum `%s` already exists", to.c_str());
}

// Names ThingsDB keeps for its own definitions and keywords (new_type,
// set_enum, rename_type, rename_enum).
bool reserved_type_name(const std::string& n) {
    static const char* const words[] = {
        "any",      "bool",   "break", "bytes", "catch", "closure", "continue", "date",
        "datetime", "else",   "enum",  "error", "final", "float",   "for",      "if",
        "in",       "int",    "list",  "nil",   "nint",  "number",  "pint",     "raw",
        "regex",    "return", "room",  "set",   "str",   "task",    "thing",    "time",
        "timeval",  "try",    "tuple", "uint",  "union", "utf8"};
    for (const char* w : words)
        if (n == w) return true;
    return false;
}

Value fn_new_type(Query& q, Value*, Args& a) {
    a.between(1, 3);
    Catalog& c = cat_of(q);
    std::string name = a.str_arg(0);
    if (valid_name(name) && reserved_type_name(name))
        raisef(VALUE_ERR, "name `%s` is reserved", name.c_str());
    check_new_type_name(c, a, name);
    auto flag = [&](int i) {
        Value v = a.eval(i);
        if (!v.is(VT::Bool)) a.bad_type(i, "bool", v);
        return v.as_bool();
    };
    bool wpo = a.size() > 1 ? flag(1) : false;
    bool hid = a.size() > 2 ? flag(2) : false;
    check_new_type_name(c, a, name);  // the arguments may have made it
    TypeDef& t = create_type(q, c, name, wpo);
    t.hide_id = hid;
    c.save(t);
    return Value::str(name);  // the name, so set_type(new_type('T'), {..}) works
}

Value fn_set_type(Query& q, Value*, Args& a) {
    a.between(2, 4);
    Catalog& c = cat_of(q);
    std::string name = a.str_arg(0);
    TypeDef* t = c.type(name);
    if (!t) {
        if (reserved_type_name(name)) raisef(VALUE_ERR, "name `%s` is reserved", name.c_str());
        check_new_type_name(c, a, name);
    }
    // An existing type stays locked while the arguments run; a new one is
    // made after them (and its name checked again).
    std::optional<CatalogLock> lock;
    if (t) lock.emplace(c, *t);
    uint32_t tid = t ? t->id : 0;
    bool is_new = !t;
    Value defs = a.eval(1);
    if (!defs.is(VT::Thing)) a.bad_type(1, "thing", defs);
    std::optional<bool> wpo_arg;
    if (a.size() > 2) wpo_arg = truthy(a.eval(2));
    // the 4th argument sets hide_id as mod_type's `hid` does
    std::optional<bool> hid_arg;
    if (a.size() > 3) hid_arg = truthy(a.eval(3));
    if (is_new) check_new_type_name(c, a, name);
    t = is_new ? nullptr : c.type(tid);
    bool wpo = wpo_arg ? *wpo_arg : (t ? t->wrap_only : false);
    if (t && !c.instances(t->id).empty())
        raisef(OPERATION_ERR,
               "function `set_type` can only be used on a type without instances; use "
               "`mod_type(..)` to change "
               "the type `%s`",
               name.c_str());
    size_t njobs = q.jobs.size();
    if (!t) t = &create_type(q, c, name, wpo);
    tid = t->id;
    // A rejected definition changes nothing: a type made here goes again,
    // an existing one keeps its fields and methods.
    std::vector<Field> old_fields = t->fields;
    std::vector<Method> old_methods = t->methods;
    try {
        define(c, *t, defs);
    } catch (...) {
        if (is_new) {
            c.types.erase(std::remove_if(c.types.begin(), c.types.end(),
                                         [&](auto& p) { return p->id == tid; }),
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
    if (hid_arg) t->hide_id = *hid_arg;
    t->modified_at = now_seconds(q);
    c.save(*t);
    add_catalog_job(q, "set_type",
                    JsonObject()
                        .raw("fields", fields_json(*t))
                        .raw("methods", methods_job_json(*t))
                        .num("modified_at", t->modified_at)
                        .num("type_id", t->id)
                        .text());
    if (hid_arg)
        add_catalog_job(q, "mod_type_hid",
                        JsonObject()
                            .num("modified_at", t->modified_at)
                            .boolean("hide_id", t->hide_id)
                            .num("type_id", t->id)
                            .text());
    return Value();
}

static bool type_used_by_other(Catalog& c, const TypeDef& t) {
    for (auto& o : c.types) {
        if (o.get() == &t) continue;
        for (const Field& f : o->fields)
            if ((f.spec.kind == SK::Type && f.spec.ref == t.id) ||
                (f.spec.nkind == SK::Type && f.spec.nref == t.id))
                return true;
    }
    return false;
}

Value fn_del_type(Query& q, Value*, Args& a) {
    a.exactly(1);
    // The lock of mod_type: deleting a Type changes what the other queries of the
    // collection read and write (Storage::lock_collection).
    q.storage().lock_collection(root_id(q), true);
    Catalog& c = cat_of(q);
    std::string name;
    TypeDef& t = need_type(c, a, 0, name);
    check_unlocked(t);
    if (type_used_by_other(c, t))
        raisef(OPERATION_ERR, "type `%s` is used by at least one other type", name.c_str());
    uint32_t tid = t.id;
    bool idx = t.idx;  // t is gone after the erase below
    std::vector<Value> inst = c.instances(tid);
    // Instances become plain things with the same properties: a stored one
    // is written again; watchers learn it from the del_type job (no property
    // of theirs changes, so no per-thing job).
    for (Value& v : inst) {
        Thing* th = v.thing();
        th->type_id = kNoType;
        if (th->id && th->coll) {
            q.require_change();
            th->coll->mark_dirty(th);
        }
    }
    c.types.erase(
        std::remove_if(c.types.begin(), c.types.end(), [&](auto& p) { return p->id == tid; }),
        c.types.end());
    if (idx) q.storage().set_type_index(c.coll_id, tid, false);
    q.storage().delete_type(c.coll_id, tid);
    add_catalog_job(q, "del_type", std::to_string(tid));
    return Value();
}

Value fn_has_type(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    std::string name = a.str_arg(0);
    return Value::boolean(c.type(name) != nullptr);
}

Value fn_rename_type(Query& q, Value*, Args& a) {
    a.exactly(2);
    Catalog& c = cat_of(q);
    // Both arguments first: the second may change the catalog.
    std::string name = a.str_arg(0);
    std::string to = a.str_arg(1);
    TypeDef* t = c.type(name);
    if (!t) raisef(LOOKUP_ERR, "type `%s` not found", name.c_str());
    check_unlocked(*t);
    check_rename_target(c, to, "rename_type");
    t->name = to;
    t->modified_at = now_seconds(q);
    c.save(*t);
    rename_in_specs(c, name, to);
    add_catalog_job(q, "rename_type",
                    JsonObject()
                        .num("modified_at", t->modified_at)
                        .str("name", to)
                        .num("type_id", t->id)
                        .text());
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

namespace {

// The new instances of type tid that v reaches through things without an id,
// lists, sets and wraps; `seen` ends the walk at a thing met before.
void reached_new(const Value& v, uint32_t tid, std::unordered_set<const Thing*>& seen,
                 std::vector<Value>& out) {
    check_stack_depth();
    const Thing* t = thing_or_wrapped(v);
    if (t) {
        if (t->stored() || !seen.insert(t).second) return;
        if (t->type_id == tid) out.push_back(make_thing(const_cast<Thing*>(t)));
        for (const Prop& p : const_cast<Thing*>(t)->props()) {
            poll_tick();
            reached_new(p.val, tid, seen, out);
        }
    } else if (v.is(VT::List)) {
        for (const Value& item : v.list()->items()) {
            poll_tick();
            reached_new(item, tid, seen, out);
        }
    } else if (v.is(VT::Set)) {
        for (const auto& item : v.set()->items) {
            poll_tick();
            reached_new(make_thing(item.get()), tid, seen, out);
        }
    }
}

// The instances of a type as ThingsDB counts them (type_count, type_all):
// the stored ones, and the new ones a variable of the query reaches; a new
// instance that no variable holds is gone, whatever else still refers to it.
std::vector<Value> live_instances(Query& q, Catalog& c, uint32_t tid) {
    std::vector<Value> out;
    for (Value& v : c.instances(tid))
        if (v.thing()->stored()) out.push_back(v);
    std::unordered_set<const Thing*> seen;
    // A copy: the walk may not hold an index into the variables.
    std::vector<Value> vals;
    vals.reserve(q.vars.size());
    for (const Query::Var& var : q.vars) vals.push_back(var.val);
    for (const Value& v : vals) reached_new(v, tid, seen, out);
    return out;
}

}  // namespace

Value fn_type_count(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    std::string name;
    TypeDef& t = need_type(c, a, 0, name);
    if (t.wrap_only) return Value::integer(0);
    return Value::integer(static_cast<int64_t>(live_instances(q, c, t.id).size()));
}

Value fn_type_all(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    std::string name;
    TypeDef& t = need_type(c, a, 0, name);
    Value out = Value::obj(VT::Set, new SetObj());
    if (t.wrap_only) return out;
    for (Value& v : live_instances(q, c, t.id)) out.set()->add(v.thing());
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
        for (const Value& n : want.list()->items()) {
            if (!n.is(VT::Str))
                raisef(
                    TYPE_ERR,
                    "function `type_assert` expects argument 2 to be a list or tuple of type `str` "
                    "but got type `%s` instead",
                    type_name(n));
            if (n.as_str() == got) return Value();
        }
    } else {
        raisef(TYPE_ERR,
               "function `type_assert` expects argument 2 to be of type `str`, type `list` or type "
               "`tuple` "
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

Value fn_mod_type(Query& q, Value*, Args& a) {
    a.at_least(3);
    // Exclusive before any instance is read: waits for the other queries of
    // the collection to end, and holds off new ones (Storage::lock_collection).
    q.storage().lock_collection(root_id(q), true);
    Catalog& c = cat_of(q);
    std::string name;
    TypeDef& t = need_type(c, a, 0, name);
    uint32_t tid = t.id;
    // Locked until the task ends: the code of its arguments and closures
    // cannot change the type under it (a task still looks it up by id).
    CatalogLock lock(c, t);
    std::string action = a.str_arg(1);
    // As ThingsDB: the tasks on a property take its name as argument 3, checked
    // before the task counts its arguments; each task names itself in its
    // messages and links its own page.
    static const struct {
        const char* name;
        Value (*run)(ModType&);
        bool on_prop;
        const char* fnname;
        const char* page;
    } tasks[] = {
        {"add", mod_type_add, true, "mod_type` with task `add", "collection-api/mod_type/add"},
        {"all", mod_type_all, false, "mod_type` with task `all", "collection-api/mod_type/all"},
        {"del", mod_type_del, true, "mod_type` with task `del", "collection-api/mod_type/del"},
        {"hid", mod_type_hid, false, "mod_type` with task `hid", "collection-api/mod_type/hid"},
        {"idx", mod_type_idx, false, "mod_type` with task `idx", "collection-api/mod_type/idx"},
        {"mod", mod_type_mod, true, "mod_type` with task `mod", "collection-api/mod_type/mod"},
        {"rel", mod_type_rel, true, "mod_type` with task `rel", "collection-api/mod_type/rel"},
        {"ren", mod_type_ren, true, "mod_type` with task `ren", "collection-api/mod_type/ren"},
        {"wpo", mod_type_wpo, false, "mod_type` with task `wpo", "collection-api/mod_type/wpo"},
    };
    for (const auto& task : tasks) {
        if (action != task.name) continue;
        std::string prop;
        if (task.on_prop) {
            Value v = a.eval(2);
            if (!v.is(VT::Str)) a.bad_type(2, "str", v);
            prop = v.as_str();
            if (!valid_name(prop))
                raise(VALUE_ERR,
                      "function `mod_type` expects argument 3 to follow the naming rules; see "
                      "https://docs.thingsdb.io/v1/overview/names");
        }
        Args ta = a.renamed(task.fnname, task.page);
        ModType ctx{q, c, ta, name, tid, prop};
        try {
            return task.run(ctx);
        } catch (const Error& e) {
            std::string msg;
            if (documented_error(e, ta, msg)) throw Error(e.code(), std::move(msg), e.hint());
            throw;
        }
    }
    raisef(VALUE_ERR,
           "function `mod_type` expects argument 2 to be `all`, `add`, `del`, `hid`, `mod`, "
           "`rel`, `ren` or `wpo` but got `%s` instead",
           action.c_str());
}

}  // namespace tdb
