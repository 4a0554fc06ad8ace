// Enum functions (set_enum, mod_enum, enum_info, ...), Enum{MEMBER} and
// Enum{|| value} lookups, and the methods of enum members.
#include <algorithm>
#include <string>
#include <vector>

#include "core/lang/ast.h"
#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/names.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/thing.h"
#include "core/io/json_object.h"
#include "core/schema/types.h"

namespace tdb {

namespace {

EnumDef& need_enum(Catalog& c, const Args& a, int i, std::string& name) {
    name = a.str_arg(i);
    EnumDef* e = c.enum_(name);
    if (!e) raisef(LOOKUP_ERR, "enum `%s` not found", name.c_str());
    return *e;
}

VT kind_of(const Value& v) { return v.type(); }

// Enum values are all of one kind: int, float, str, bytes or thing.
void check_member_value(Query& q, const EnumDef& e, const Value& v) {
    VT k = kind_of(v);
    if (k != VT::Int && k != VT::Float && k != VT::Str && k != VT::Bytes && k != VT::Thing)
        raisef(TYPE_ERR,
               "enumerators must have values of type `int`, `float`, `str`, `bytes` or `thing` but "
               "got type `%s`",
               type_name(v));
    for (auto& m : e.members) {
        if (kind_of(m->val) != k)
            raisef(TYPE_ERR,
                   "enum `%s` is expecting a value of type `%s` but got type `%s` instead",
                   e.name.c_str(), type_name(m->val), type_name(v));
        if (k != VT::Thing && equals(m->val, v))
            raisef(LOOKUP_ERR, "enum member `%s{%s}` already exists with the same value",
                   e.name.c_str(), m->name.c_str());
        if (k == VT::Thing && m->val.thing() == v.thing())
            raisef(LOOKUP_ERR, "enum member `%s{%s}` already exists with the same value",
                   e.name.c_str(), m->name.c_str());
    }
    (void)q;
}

Value member_value(EnumMemberObj* m) { return Value::obj(VT::EnumMember, m); }

// A thing that is a member's value is a stored reference of the enum: it is
// counted (so nothing frees it while the member has it) and released when
// the member goes or gets another value.
void hold_value(Query& q, const Value& v, int64_t d) {
    if (v.is(VT::Thing) && v.thing()->id) q.need_collection().ref_delta(v.thing()->id, d);
}

EnumMemberObj* add_member(Query& q, EnumDef& e, const std::string& name, Value v) {
    if (!valid_name(name)) raise(VALUE_ERR, "member name must follow the naming rules");
    if (e.member(name))
        raisef(LOOKUP_ERR, "member `%s` already exists on enum `%s`", name.c_str(), e.name.c_str());
    check_member_value(q, e, v);
    if (v.is(VT::Thing)) {
        // A thing member lives in the collection (it needs an id).
        v = q.assignable(std::move(v), nullptr, false);
        q.need_collection().attach(v.thing());
    }
    auto* m = new EnumMemberObj();
    m->enum_id = e.id;
    m->mid = e.next_mid++;
    m->name = name;
    m->val = std::move(v);
    e.members.emplace_back(m);
    return m;
}

// [["NAME",value],...]
std::string members_json(Query& q, const EnumDef& e) {
    JsonArray out;
    for (auto& m : e.members) out.raw(JsonArray().str(m->name).raw(job_value(q, m->val)).text());
    return out.text();
}

void prop(Thing* t, const char* k, Value v) { t->props_.push_back({k, std::move(v)}); }

Value enum_info_value(const EnumDef& e) {
    Value out = new_thing();
    Thing* t = out.thing();
    prop(t, "enum_id", Value::integer(e.id));
    prop(t, "name", Value::str(e.name));
    prop(t, "default", e.members.empty() ? Value() : Value::str(e.members[0]->name));
    prop(t, "created_at", Value::integer(e.created_at));
    prop(t, "modified_at", e.modified_at ? Value::integer(e.modified_at) : Value());
    std::vector<Value> ms;
    for (auto& m : e.members) {
        Value pair = make_list({Value::str(m->name), m->val});
        pair.list()->tuple = true;
        ms.push_back(pair);
    }
    prop(t, "members", make_list(std::move(ms)));
    Value methods = new_thing();
    for (const Method& m : e.methods) prop(methods.thing(), m.name.c_str(), m.closure);
    prop(t, "methods", methods);
    return out;
}

}  // namespace

Value fn_set_enum(Query& q, Value*, Args& a) {
    a.exactly(2);
    Catalog& c = cat_of(q);
    std::string name = a.str_arg(0);
    if (!valid_name(name))
        raise(VALUE_ERR, "function `set_enum` expects argument 1 to follow the naming rules");
    if (c.enum_(name)) raisef(LOOKUP_ERR, "enum `%s` already exists", name.c_str());
    if (c.type(name)) raisef(LOOKUP_ERR, "type `%s` already exists", name.c_str());
    Value defs = a.eval(1);
    if (!defs.is(VT::Thing)) a.bad_type(1, "thing", defs);
    // Again: the code of argument 2 may have made either.
    if (c.enum_(name)) raisef(LOOKUP_ERR, "enum `%s` already exists", name.c_str());
    if (c.type(name)) raisef(LOOKUP_ERR, "type `%s` already exists", name.c_str());
    auto e = std::make_unique<EnumDef>();
    e->id = c.next_enum_id();
    e->name = name;
    e->created_at = now_seconds(q);
    for (const Prop& p : defs.thing()->props()) {
        if (p.val.is(VT::Closure)) {
            e->methods.push_back({p.key, closure_from_source(p.val.closure()->source)});
            continue;
        }
        if (!valid_name(p.key))
            raise(VALUE_ERR,
                  "enum member must follow the naming rules; see "
                  "https://docs.thingsdb.io/v1/collection-api/set_enum");
        add_member(q, *e, p.key, p.val);
    }
    if (e->members.empty())
        raisef(VALUE_ERR, "cannot create an empty enum type `%s`; at least one member is required",
               name.c_str());
    EnumDef& ref = *e;
    for (auto& m : ref.members) hold_value(q, m->val, +1);
    c.enums.push_back(std::move(e));
    c.save(ref);
    add_catalog_job(q, "set_enum",
                    JsonObject()
                        .num("created_at", ref.created_at)
                        .num("enum_id", ref.id)
                        .str("name", ref.name)
                        .raw("members", members_json(q, ref))
                        .text());
    return Value();
}

static bool enum_in_use(Catalog& c, uint32_t id) {
    for (auto& t : c.types)
        for (const Field& f : t->fields)
            if ((f.spec.kind == SK::Enum && f.spec.ref == id) ||
                (f.spec.nkind == SK::Enum && f.spec.nref == id))
                return true;
    return false;
}

Value fn_del_enum(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    std::string name;
    EnumDef& e = need_enum(c, a, 0, name);
    check_unlocked(e);
    if (enum_in_use(c, e.id))
        raisef(OPERATION_ERR, "enum `%s` is used by at least one type", name.c_str());
    uint32_t id = e.id;
    // A member held by a value (the catalog holds one reference) or by a
    // stored thing would outlive its enum (and come back as a member of a
    // later enum with the same id): refused as mod_enum's `del` is.
    for (auto& m : e.members)
        if (m->refs > 1 || q.storage().enum_member_used(c.coll_id, id, m->mid))
            raisef(OPERATION_ERR, "enum member `%s{%s}` is still in use", name.c_str(),
                   m->name.c_str());
    for (auto& m : e.members) hold_value(q, m->val, -1);
    c.enums.erase(
        std::remove_if(c.enums.begin(), c.enums.end(), [&](auto& p) { return p->id == id; }),
        c.enums.end());
    q.storage().delete_enum(c.coll_id, id);
    add_catalog_job(q, "del_enum", std::to_string(id));
    return Value();
}

Value fn_has_enum(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    return Value::boolean(c.enum_(a.str_arg(0)) != nullptr);
}

Value fn_rename_enum(Query& q, Value*, Args& a) {
    a.exactly(2);
    Catalog& c = cat_of(q);
    // Both arguments first: the second may change the catalog.
    std::string name = a.str_arg(0);
    std::string to = a.str_arg(1);
    EnumDef* e = c.enum_(name);
    if (!e) raisef(LOOKUP_ERR, "enum `%s` not found", name.c_str());
    check_unlocked(*e);
    check_rename_target(c, to, "rename_enum");
    e->name = to;
    e->modified_at = now_seconds(q);
    c.save(*e);
    rename_in_specs(c, name, to);
    add_catalog_job(q, "rename_enum",
                    JsonObject()
                        .num("enum_id", e->id)
                        .num("modified_at", e->modified_at)
                        .str("name", to)
                        .text());
    return Value();
}

Value fn_enum_info(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    std::string name;
    return enum_info_value(need_enum(c, a, 0, name));
}

Value fn_enums_info(Query& q, Value*, Args& a) {
    a.exactly(0);
    Catalog& c = cat_of(q);
    std::vector<Value> out;
    for (auto& e : c.enums) out.push_back(enum_info_value(*e));
    return make_list(std::move(out));
}

Value fn_enum_map(Query& q, Value*, Args& a) {
    a.exactly(1);
    Catalog& c = cat_of(q);
    std::string name;
    EnumDef& e = need_enum(c, a, 0, name);
    Value out = new_thing();
    for (auto& m : e.members) prop(out.thing(), m->name.c_str(), member_value(m.get()));
    return out;
}

// ---- mod_enum ----------------------------------------------------------------
// One function per task; f_mod_enum checks the first two arguments and picks
// one. A task looks the enum up again by id after each argument it evaluates:
// code in an argument may change the catalog.

namespace {
struct ModEnum {
    Query& q;
    Catalog& c;
    Args& a;
    const std::string& name;  // the enum's name as given
    uint32_t id;
    const std::string& prop;  // argument 3: the member or method, a valid name
};
}  // namespace

// The method `mname` of e, or nullptr.
static Method* enum_method(EnumDef& e, const std::string& mname) {
    for (Method& m : e.methods)
        if (m.name == mname) return &m;
    return nullptr;
}

// del, mod and ren work on a member or a method.
static void need_member_or_method(ModEnum& ctx) {
    EnumDef* e = ctx.c.enum_(ctx.id);
    if (!e->member(ctx.prop) && !enum_method(*e, ctx.prop))
        raisef(LOOKUP_ERR, "enum `%s` has no member or method `%s`", ctx.name.c_str(),
               ctx.prop.c_str());
}

static EnumMemberObj* need_member(ModEnum& ctx, const std::string& mname) {
    EnumMemberObj* m = ctx.c.enum_(ctx.id)->member(mname);
    if (!m) raisef(LOOKUP_ERR, "enum `%s` has no member `%s`", ctx.name.c_str(), mname.c_str());
    return m;
}

// Saves the enum as modified now; returns that time.
static int64_t touch(ModEnum& ctx) {
    EnumDef* e = ctx.c.enum_(ctx.id);
    e->modified_at = now_seconds(ctx.q);
    ctx.c.save(*e);
    return e->modified_at;
}

// A new member, or a method when the value is a closure.
static Value mod_enum_add(ModEnum& ctx) {
    auto& [q, c, a, name, id, mname] = ctx;
    a.exactly(4);
    Value v = a.eval(3);
    EnumDef* e = c.enum_(id);
    if (e->member(mname) || enum_method(*e, mname))
        raisef(VALUE_ERR, "member or method `%s` already exists on enum `%s`", mname.c_str(),
               name.c_str());
    if (v.is(VT::Closure)) {
        e->methods.push_back({mname, closure_from_source(v.closure()->source)});
        touch(ctx);
        return Value();
    }
    EnumMemberObj* m = add_member(q, *e, mname, v);
    hold_value(q, m->val, +1);
    int64_t at = touch(ctx);
    add_catalog_job(q, "mod_enum_add",
                    JsonObject()
                        .num("enum_id", id)
                        .num("modified_at", at)
                        .str("name", mname)
                        .raw("value", job_value(q, m->val))
                        .text());
    return Value();
}

// The member becomes the default (the first).
static Value mod_enum_def(ModEnum& ctx) {
    auto& [q, c, a, name, id, mname] = ctx;
    a.exactly(3);
    EnumMemberObj* m = need_member(ctx, mname);
    EnumDef* e = c.enum_(id);
    int idx = e->index_of(m);
    if (idx == 0) return Value();  // as ThingsDB: already the default
    std::swap(e->members[0], e->members[static_cast<size_t>(idx)]);
    int64_t at = touch(ctx);
    add_catalog_job(
        q, "mod_enum_def",
        JsonObject().num("enum_id", id).num("index", idx).num("modified_at", at).text());
    return Value();
}

static Value mod_enum_del(ModEnum& ctx) {
    auto& [q, c, a, name, id, mname] = ctx;
    a.exactly(3);
    need_member_or_method(ctx);
    EnumDef* e = c.enum_(id);
    if (Method* meth = enum_method(*e, mname)) {
        e->methods.erase(e->methods.begin() + (meth - e->methods.data()));
        touch(ctx);
        return Value();
    }
    EnumMemberObj* m = need_member(ctx, mname);
    if (e->members.size() == 1)
        raisef(LOOKUP_ERR, "cannot delete `%s{%s}` as this is the last enum member", name.c_str(),
               mname.c_str());
    // In use by a value of this query (the catalog holds one reference,
    // every other holder of the member object is a use), or by any
    // stored thing of the collection (the storage searches the stored
    // {"!m": [enum_id, member_id]}; a thing this query changed away from
    // the member still counts until the change is written).
    // A Type's definition with the member as default (`E{member}`) is a use too.
    if (m->refs > 1 || q.storage().enum_member_used(c.coll_id, id, m->mid) ||
        !member_default_user(c, *e, m->mid).empty())
        raisef(OPERATION_ERR, "enum member `%s{%s}` is still in use", name.c_str(),
               m->name.c_str());
    size_t idx = static_cast<size_t>(e->index_of(m));
    hold_value(q, m->val, -1);
    if (idx + 1 != e->members.size()) e->members[idx] = std::move(e->members.back());
    e->members.pop_back();
    int64_t at = touch(ctx);
    add_catalog_job(q, "mod_enum_del",
                    JsonObject()
                        .num("enum_id", id)
                        .num("index", static_cast<int64_t>(idx))
                        .num("modified_at", at)
                        .text());
    return Value();
}

// A new value for a member, or a new closure for a method.
static Value mod_enum_mod(ModEnum& ctx) {
    auto& [q, c, a, name, id, mname] = ctx;
    a.exactly(4);
    need_member_or_method(ctx);
    Value v = a.eval(3);
    EnumDef* e = c.enum_(id);
    if (v.is(VT::Closure) && e->member(mname))
        a.fail(TYPE_ERR, "cannot convert a member into a method");
    if (!v.is(VT::Closure) && enum_method(*e, mname))
        a.fail(TYPE_ERR, "cannot convert a method into a member");
    if (v.is(VT::Closure)) {
        const std::string& want = ctx.prop;  // clang 14 cannot capture a structured binding
        auto it = std::find_if(e->methods.begin(), e->methods.end(),
                               [&](const Method& x) { return x.name == want; });
        if (it == e->methods.end())
            raisef(LOOKUP_ERR, "enum `%s` has no method `%s`", name.c_str(), mname.c_str());
        it->closure = closure_from_source(v.closure()->source);
        touch(ctx);
        return Value();
    }
    EnumMemberObj* m = need_member(ctx, mname);
    // Check against the other members.
    Ref<EnumMemberObj> keep(m);
    size_t idx = static_cast<size_t>(e->index_of(m));
    e->members.erase(e->members.begin() + static_cast<long>(idx));
    try {
        check_member_value(q, *e, v);
    } catch (...) {
        e->members.insert(e->members.begin() + static_cast<long>(idx), keep);
        throw;
    }
    e->members.insert(e->members.begin() + static_cast<long>(idx), keep);
    if (v.is(VT::Thing)) {
        v = q.assignable(std::move(v), nullptr, false);
        q.need_collection().attach(v.thing());
    }
    hold_value(q, m->val, -1);
    m->val = v;
    hold_value(q, m->val, +1);
    int64_t at = touch(ctx);
    add_catalog_job(q, "mod_enum_mod",
                    JsonObject()
                        .num("enum_id", id)
                        .num("index", static_cast<int64_t>(idx))
                        .num("modified_at", at)
                        .raw("value", job_value(q, v))
                        .text());
    return Value();
}

static Value mod_enum_ren(ModEnum& ctx) {
    auto& [q, c, a, name, id, mname] = ctx;
    a.exactly(4);
    need_member_or_method(ctx);
    std::string to = a.str_arg(3);
    if (to == mname) return Value();  // as ThingsDB: nothing to do
    EnumDef* e = c.enum_(id);
    if (Method* meth = enum_method(*e, mname)) {
        if (!valid_name(to)) raise(VALUE_ERR, "method name must follow the naming rules");
        if (e->member(to) || enum_method(*e, to))
            raisef(VALUE_ERR, "member or method `%s` already exists on enum `%s`", to.c_str(),
                   name.c_str());
        meth->name = to;
        touch(ctx);
        return Value();
    }
    EnumMemberObj* m = need_member(ctx, mname);
    if (!valid_name(to)) raise(VALUE_ERR, "member name must follow the naming rules");
    if (e->member(to))
        raisef(LOOKUP_ERR, "member `%s` already exists on enum `%s`", to.c_str(), name.c_str());
    m->name = to;
    rename_member_in_specs(c, *e, mname, to);
    size_t idx = static_cast<size_t>(e->index_of(m));
    int64_t at = touch(ctx);
    add_catalog_job(q, "mod_enum_ren",
                    JsonObject()
                        .num("enum_id", id)
                        .num("index", static_cast<int64_t>(idx))
                        .num("modified_at", at)
                        .str("name", to)
                        .text());
    return Value();
}

Value fn_mod_enum(Query& q, Value*, Args& a) {
    a.at_least(3);
    // The lock of mod_type: a changed member changes what the other queries of the
    // collection read and write (Storage::lock_collection).
    q.storage().lock_collection(root_id(q), true);
    Catalog& c = cat_of(q);
    std::string name;
    EnumDef& e = need_enum(c, a, 0, name);
    uint32_t id = e.id;
    // Locked until the task ends: the code of its arguments cannot change
    // the enum under it (a task still looks it up by id).
    CatalogLock lock(c, e);
    std::string action = a.str_arg(1);
    // As ThingsDB: argument 3 (a member or method name) is checked before
    // the task; each task names itself in its messages and links its page.
    Value pv = a.eval(2);
    if (!pv.is(VT::Str)) a.bad_type(2, "str", pv);
    std::string prop = pv.as_str();
    if (!valid_name(prop))
        raise(VALUE_ERR,
              "function `mod_enum` expects argument 3 to follow the naming rules; see "
              "https://docs.thingsdb.io/v1/overview/names");
    static const struct {
        const char* name;
        Value (*run)(ModEnum&);
        const char* fnname;
        const char* page;
    } tasks[] = {
        {"add", mod_enum_add, "mod_enum` with task `add", "collection-api/mod_enum/add"},
        {"def", mod_enum_def, "mod_enum` with task `def", "collection-api/mod_enum/def"},
        {"del", mod_enum_del, "mod_enum` with task `del", "collection-api/mod_enum/del"},
        {"mod", mod_enum_mod, "mod_enum` with task `mod", "collection-api/mod_enum/mod"},
        {"ren", mod_enum_ren, "mod_enum` with task `ren", "collection-api/mod_enum/ren"},
    };
    for (const auto& task : tasks) {
        if (action != task.name) continue;
        Args ta = a.renamed(task.fnname, task.page);
        ModEnum ctx{q, c, ta, name, id, prop};
        try {
            return task.run(ctx);
        } catch (const Error& err) {
            std::string msg;
            if (documented_error(err, ta, msg)) throw Error(err.code(), std::move(msg), err.hint());
            throw;
        }
    }
    raisef(VALUE_ERR,
           "function `mod_enum` expects argument 2 to be `add`, `def`, `del`, `mod` or `ren` but "
           "got `%s` instead",
           action.c_str());
}

// ---- members ----------------------------------------------------------------

Value m_enum_name(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::str(self->member()->name);
}

Value m_enum_value(Query&, Value* self, Args& a) {
    a.exactly(0);
    return self->member()->val;
}

static EnumMemberObj* by_value(EnumDef& e, const Value& v) {
    for (auto& m : e.members) {
        if (m->val.is(VT::Thing) ? (v.is(VT::Thing) && v.thing() == m->val.thing())
                                 : equals(m->val, v))
            return m.get();
    }
    return nullptr;
}

// Enum{MEMBER} and Enum{|| value}.
Value hook_enum_member(Query& q, const Node* n, bool& handled) {
    if (n->kind != NK::EnumMember) return Value();
    if (!q.collection())
        raisef(LOOKUP_ERR,
               "no enumerators exists in the `%s` scope; you might want to query a `@collection` "
               "scope?",
               q.scope_kind_label());
    Catalog& c = Catalog::of(q);
    const std::string& name = interned(n->name);
    EnumDef* e = c.enum_(name);
    if (!e) return Value();
    handled = true;
    uint32_t id = e->id;
    if (!n->names.empty()) {
        const std::string& mname = interned(n->names[0]);
        EnumMemberObj* m = e->member(mname);
        if (!m) raisef(LOOKUP_ERR, "enum `%s` has no member `%s`", name.c_str(), mname.c_str());
        return member_value(m);
    }
    Value fn = q.eval(n->kids[0]);
    Value v = fn.is(VT::Closure) ? q.call(fn, nullptr, 0) : fn;
    e = c.enum_(id);
    if (!e) raisef(LOOKUP_ERR, "enum `%s` is undefined", name.c_str());
    if (fn.is(VT::Closure)) {
        // Enum{||..}: the closure gives the name of the member
        if (!v.is(VT::Str))
            raisef(TYPE_ERR, "enumerator lookup is expecting type `str` but got type `%s` instead",
                   type_name(v));
        EnumMemberObj* m = e->member(v.as_str());
        if (!m)
            raisef(LOOKUP_ERR, "enum `%s` has no member `%s`", name.c_str(), v.as_str().c_str());
        return member_value(m);
    }
    if (v.is(VT::Str)) {
        if (EnumMemberObj* m = e->member(v.as_str())) return member_value(m);
    }
    if (EnumMemberObj* m = by_value(*e, v)) return member_value(m);
    raisef(LOOKUP_ERR, "enum `%s` has no member with value %s", name.c_str(),
           to_display(v).c_str());
}

// member.method(..): a method of the member's enum, called with the member
// as its first argument (`this`).
Value hook_enum_method(Query& q, Value& self, const Node* n, bool& handled) {
    if (!self.is(VT::EnumMember) || !q.collection()) return Value();
    EnumDef* e = Catalog::of(q).enum_(self.member()->enum_id);
    if (!e) return Value();
    const std::string& name = interned(n->name);
    auto it = std::find_if(e->methods.begin(), e->methods.end(),
                           [&](const Method& m) { return m.name == name; });
    if (it == e->methods.end()) return Value();
    handled = true;
    return call_method(q, it->closure, self, n);
}

static Value member_by_value(EnumDef& er, const Value& v);

// enum(name) is the default member; enum(name, value) the member with that
// value (ThingsDB's messages when there is none).
Value fn_enum(Query& q, Value*, Args& a) {
    a.between(1, 2);
    Catalog& c = cat_of(q);
    Value n = a.eval(0);
    if (!n.is(VT::Str)) a.bad_type(0, "str", n);
    EnumDef* e = c.enum_(n.as_str());
    if (!e) raisef(LOOKUP_ERR, "enum `%s` not found", n.as_str().c_str());
    uint32_t id = e->id;
    if (a.size() == 1) return member_value(e->members[0].get());
    Value v = a.eval(1);
    e = c.enum_(id);
    if (!e) raisef(LOOKUP_ERR, "enum `%s` not found", n.as_str().c_str());
    return member_by_value(*e, v);
}

// Enum() is the default member, Enum(value) the member with that value.
Value hook_enum_call(Query& q, const Node* n, bool& handled) {
    Catalog& c = Catalog::of(q);
    const std::string& name = interned(n->name);
    EnumDef* e = c.enum_(name);
    if (!e) return Value();
    handled = true;
    int nargs = static_cast<int>(n->kids.size());
    if (nargs > 1)
        raisef(NUM_ARGUMENTS_ERR, "enum `%s` takes at most 1 argument but %d were given",
               name.c_str(), nargs);
    uint32_t id = e->id;
    if (nargs == 0) return member_value(e->members[0].get());
    Value v = q.eval(n->kids[0]);
    e = c.enum_(id);
    if (!e) raisef(LOOKUP_ERR, "enum `%s` is undefined", name.c_str());
    return member_by_value(*e, v);
}

// The member of e with value v (ThingsDB's messages when there is none).
static Value member_by_value(EnumDef& er, const Value& v) {
    EnumDef* e = &er;
    if (EnumMemberObj* m = by_value(*e, v)) return member_value(m);
    VT kind = e->members[0]->val.type();
    switch (v.type()) {
        case VT::Int:
            if (kind != VT::Int) break;
            raisef(LOOKUP_ERR, "enum `%s` has no member with value %lld", e->name.c_str(),
                   static_cast<long long>(v.as_int()));
        case VT::Float:
            if (kind != VT::Int) break;  // as ThingsDB: only an int enum says "no member"
            raisef(LOOKUP_ERR, "enum `%s` has no member with value %f", e->name.c_str(),
                   v.as_float());
        case VT::Str:
            if (kind != VT::Str) break;
            raisef(LOOKUP_ERR, "enum `%s` has no member with value `%.*s`", e->name.c_str(),
                   static_cast<int>(std::min<size_t>(v.as_str().size(), 20)), v.as_str().c_str());
        case VT::Bytes:
            if (kind != VT::Str) break;
            raisef(LOOKUP_ERR, "enum `%s` has no member with a value equal to the given bytes",
                   e->name.c_str());
        case VT::Thing:
            if (kind != VT::Thing) break;
            raisef(LOOKUP_ERR, "enum `%s` has no member with thing `#%llu` as value",
                   e->name.c_str(), static_cast<unsigned long long>(v.thing()->id));
        default:
            break;
    }
    raisef(TYPE_ERR, "enum `%s` is expecting a value of type `%s` but got type `%s` instead",
           e->name.c_str(), type_name(e->members[0]->val), type_name(v));
}

}  // namespace tdb
