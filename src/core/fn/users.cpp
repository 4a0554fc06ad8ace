// Users, tokens and access rights in the @thingsdb scope: new_user, del_user,
// rename_user, has_user, user_info, users_info, new_token, del_token,
// has_token, del_expired, grant and revoke, with ThingsDB's rules.
#include <cinttypes>
#include <cmath>
#include <ctime>
#include <string>
#include <vector>

#include "core/api/access.h"
#include "core/model/datetime.h"
#include "core/api/engine.h"
#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/api/storage.h"
#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

namespace {

constexpr size_t kMaxUserTokens = 128;  // ThingsDB's MAX_USER_TOKENS
constexpr size_t kTokenKeySize = 22;    // sizeof(ti_token_key_t)
constexpr double kMaxExpiration = 4294967295.0;
constexpr size_t kMaxName = 128;  // ti_max_name (127 characters + \0)

// GRANT on @thingsdb: what managing users and tokens takes.
void need_grant(Query& q) {
    check_access(q.storage(), q.identity, kThingsdbScopeId, "@thingsdb", AUTH_GRANT);
}

bool has_grant(Query& q) {
    return (rights(q.storage(), q.identity, kThingsdbScopeId) & AUTH_GRANT) == AUTH_GRANT;
}

bool is_self(Query& q, const UserRow& u) { return q.identity && q.identity->user_id == u.id; }

// ThingsDB names the user it did not find only when the name could be one
// (printable, no longer than a name may be); else "user not found".
[[noreturn]] void user_not_found(const std::string& name) {
    bool shown = name.size() < kMaxName;  // bounds the loop
    for (size_t i = 0; shown && i < name.size(); ++i)
        shown = static_cast<unsigned char>(name[i]) >= 0x20 && name[i] != 0x7f;
    if (!shown) raise(LOOKUP_ERR, "user not found");
    raisef(LOOKUP_ERR, "user `%s` not found", name.c_str());
}

UserRow need_user(Query& q, const std::string& name) {
    UserRow u;
    if (!q.storage().find_user(name, u)) user_not_found(name);
    return u;
}

// A user looked up before later arguments ran: those may have deleted (or
// renamed) it, so it is looked up again by id before anything is written.
UserRow user_again(Query& q, const UserRow& u) {
    UserRow now;
    if (!q.storage().find_user_by_id(u.id, now))
        raisef(LOOKUP_ERR, "user `%s` not found", u.name.c_str());
    return now;
}

// ti_user_name_check
void check_new_name(Query& q, const std::string& name) {
    if (name.empty() || name.size() >= kMaxName)
        raisef(VALUE_ERR, "username must be between 1 and %zu characters", kMaxName);
    for (unsigned char c : name)
        if (c <= 32 || c >= 127)
            raise(VALUE_ERR, "username should should only contain graphical characters");
    UserRow existing;
    if (q.storage().find_user(name, existing))
        raisef(LOOKUP_ERR, "user `%s` already exists", name.c_str());
}

std::string iso_time(int64_t ts) {
    time_t t = static_cast<time_t>(ts);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// "@node", "@thingsdb", "@collection:stuff" as user_info shows a scope;
// empty for a collection that no longer exists.
std::string info_scope(Storage& st, uint64_t scope_id) {
    if (scope_id == kThingsdbScopeId) return "@thingsdb";
    if (scope_id == kNodeScopeId) return "@node";
    CollectionRow row;
    if (st.find_collection_by_id(scope_id, row)) return "@collection:" + row.name;
    return "";
}

void put(Value& t, const char* key, Value v) {
    t.thing()->props().push_back(Prop{key, std::move(v)});
}

// ti_user_info_to_pk: the keys of ThingsDB v1. A token shows only the first
// characters of its key: the key itself is not stored.
Value user_info(Query& q, const UserRow& u) {
    Storage& st = q.storage();
    // ThingsDB returns the info as mpdata, shown whole whatever the deep.
    if (q.deep() < 3) q.set_deep(3);
    Value out = new_thing();
    put(out, "user_id", Value::integer(static_cast<int64_t>(u.id)));
    put(out, "name", Value::str(u.name));
    put(out, "created_at", Value::integer(u.created_at));
    put(out, "has_password", Value::boolean(false));

    std::vector<AccessRow> rows = st.user_access(u.id);
    std::vector<Value> access;
    auto add_access = [&](const AccessRow& r) {
        std::string scope = info_scope(st, r.scope_id);
        if (scope.empty() || !r.mask) return;
        Value a = new_thing();
        put(a, "scope", Value::str(scope));
        put(a, "privileges", Value::str(mask_to_str(r.mask)));
        access.push_back(a);
    };
    for (const AccessRow& r : rows)  // @node first, as ThingsDB
        if (r.scope_id == kNodeScopeId) add_access(r);
    for (const AccessRow& r : rows)
        if (r.scope_id != kNodeScopeId) add_access(r);
    put(out, "access", make_list(std::move(access)));

    int64_t now = static_cast<int64_t>(st.now());
    std::vector<Value> tokens;
    for (const TokenRow& tk : st.tokens(u.id)) {
        Value t = new_thing();
        std::string key = tk.key_hint;
        if (key.size() < kTokenKeySize) key.append(kTokenKeySize - key.size(), '*');
        put(t, "key", Value::str(key));
        put(t, "status", Value::str(tk.expiration && tk.expiration <= now ? "EXPIRED" : "OK"));
        put(t, "created_on", Value::str(iso_time(tk.created_at)));
        put(t, "expiration_time", Value::str(tk.expiration ? iso_time(tk.expiration) : "never"));
        if (!tk.description.empty()) put(t, "description", Value::str(tk.description));
        tokens.push_back(t);
    }
    put(out, "tokens", make_list(std::move(tokens)));
    return out;
}

// A token key as the argument of del_token/has_token.
std::string token_arg(Args& a) {
    std::string key = a.str_arg(0);
    bool ascii = key.size() == kTokenKeySize;
    for (unsigned char c : key) ascii = ascii && c < 128;
    if (!ascii) raisef(VALUE_ERR, "function `%s` expects argument 1 to be token string", a.name());
    return key;
}

// The scope of grant/revoke (ti_val_get_access): a scope string or a
// collection id. Sets scope_id and the label of forbidden messages.
void access_target(Query& q, const Value& v, uint64_t& scope_id, std::string& label) {
    CollectionRow row;
    if (v.is(VT::Str)) {
        Scope sc = parse_scope(v.as_str());
        if (sc.kind == Scope::THINGSDB) {
            scope_id = kThingsdbScopeId;
            label = "@thingsdb";
            return;
        }
        if (sc.kind == Scope::NODE) {
            scope_id = kNodeScopeId;
            label = "@node";
            return;
        }
        if (sc.name.empty() ? !q.storage().find_collection_by_id(sc.id, row)
                            : !q.storage().find_collection(sc.name, row)) {
            if (sc.name.empty()) raisef(LOOKUP_ERR, "`collection:%" PRIu64 "` not found", sc.id);
            raisef(LOOKUP_ERR, "collection `%s` not found", sc.name.c_str());
        }
    } else if (v.is(VT::Int)) {
        uint64_t id = static_cast<uint64_t>(v.as_int());
        if (!q.storage().find_collection_by_id(id, row))
            raisef(LOOKUP_ERR, "`collection:%" PRIu64 "` not found", id);
    } else {
        raisef(TYPE_ERR, "expecting a scope to be of type `str` or `int` but got type `%s` instead",
               type_name(v));
    }
    scope_id = row.id;
    label = "@:" + row.name;
}

}  // namespace

Value fn_new_user(Query& q, Value*, Args& a) {
    need_grant(q);
    a.exactly(1);
    std::string name = a.str_arg(0);
    check_new_name(q, name);
    UserRow u = q.storage().create_user(name);
    std::string job = "{\"new_user\":{\"id\":" + std::to_string(u.id) + ",\"username\":";
    json_escape(job, u.name);
    q.add_job(0, job + ",\"created_at\":" + std::to_string(u.created_at) + "}}");
    return Value::integer(static_cast<int64_t>(u.id));
}

Value fn_del_user(Query& q, Value*, Args& a) {
    need_grant(q);
    a.exactly(1);
    UserRow u = need_user(q, a.str_arg(0));
    if (is_self(q, u)) raise(OPERATION_ERR, "it is not possible to delete your own user account");
    q.storage().delete_user(u.id);
    q.add_job(0, "{\"del_user\":" + std::to_string(u.id) + "}");
    return Value::nil();
}

Value fn_rename_user(Query& q, Value*, Args& a) {
    need_grant(q);
    a.exactly(2);
    UserRow u = need_user(q, a.str_arg(0));
    std::string name = a.str_arg(1);
    check_new_name(q, name);
    u = user_again(q, u);
    q.storage().rename_user(u.id, name);
    std::string job = "{\"rename_user\":{\"id\":" + std::to_string(u.id) + ",\"name\":";
    json_escape(job, name);
    q.add_job(0, job + "}}");
    return Value::nil();
}

Value fn_has_user(Query& q, Value*, Args& a) {
    need_grant(q);
    a.exactly(1);
    UserRow u;
    return Value::boolean(q.storage().find_user(a.str_arg(0), u));
}

// user_info(): the calling user, from any scope; user_info(name): another
// user needs GRANT on @thingsdb.
Value fn_user_info(Query& q, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) {
        if (!q.identity || !q.identity->user_id)
            raisef(LOOKUP_ERR, "user `%s` not found", q.identity ? q.identity->name.c_str() : "");
        UserRow u;
        if (!q.storage().find_user_by_id(q.identity->user_id, u))
            raisef(LOOKUP_ERR, "user `%s` not found", q.identity->name.c_str());
        return user_info(q, u);
    }
    if (q.scope().kind != Scope::THINGSDB)
        raisef(LOOKUP_ERR,
               "function `user_info` is undefined in the `%s` scope; you might want to query the "
               "`@thingsdb` scope?",
               q.scope_kind_label());
    std::string name = a.str_arg(0);
    if (!q.identity || name != q.identity->name) need_grant(q);
    return user_info(q, need_user(q, name));
}

Value fn_users_info(Query& q, Value*, Args& a) {
    need_grant(q);
    a.exactly(0);
    std::vector<Value> out;
    for (const UserRow& u : q.storage().users()) {
        q.poll();
        out.push_back(user_info(q, u));
    }
    return make_list(std::move(out));
}

// new_token(user [, expiration [, description]]): for yourself CHANGE on
// @thingsdb is enough (the query is a change), for another user GRANT.
Value fn_new_token(Query& q, Value*, Args& a) {
    a.between(1, 3);
    UserRow u = need_user(q, a.str_arg(0));
    if (!is_self(q, u)) need_grant(q);
    if (q.storage().tokens(u.id).size() >= kMaxUserTokens)
        raisef(MAX_QUOTA_ERR, "user `%s` has reached the maximum of %zu tokens", u.name.c_str(),
               kMaxUserTokens);

    int64_t expiration = 0;
    if (a.size() > 1) {
        Value v = a.eval(1);
        double ts = 0;
        bool given = true;
        if (v.is(VT::Int))
            ts = static_cast<double>(v.as_int());
        else if (v.is(VT::Float))
            ts = v.as_float();
        else if (is_datetime_like(v))
            ts = static_cast<double>(v.datetime()->ts);
        else if (v.is_nil())
            given = false;
        else
            raisef(TYPE_ERR,
                   "function `new_token` expects argument 2 to be of type `datetime`, `timeval`, "
                   "`int`, `float` or `nil` but got type `%s` instead",
                   type_name(v));
        if (given) {
            if (std::isnan(ts) || ts < std::floor(q.storage().now()))
                raise(BAD_DATA_ERR, "cannot set an expiration time in the past");
            if (ts > kMaxExpiration)
                raise(BAD_DATA_ERR, "expiration time is too far in the future");
            expiration = static_cast<int64_t>(ts);
        }
    }
    std::string description;
    if (a.size() > 2) description = a.str_arg(2);
    u = user_again(q, u);
    Value key = Value::str(q.storage().create_token(u.id, expiration, description));
    // The event never carries the key: watchers learn that a token exists.
    std::string job = "{\"new_token\":{\"id\":" + std::to_string(u.id) + ",\"expiration_ts\":" +
                      (expiration ? std::to_string(expiration) : std::string("null")) +
                      ",\"description\":";
    json_escape(job, description);
    q.add_job(0, job + "}}");
    return key;
}

// del_token(key): any token with GRANT on @thingsdb, else only your own.
Value fn_del_token(Query& q, Value*, Args& a) {
    a.exactly(1);
    std::string key = token_arg(a);
    uint64_t user_id = 0;
    int64_t expiration = 0;
    bool found = q.storage().find_token(key, user_id, expiration);
    if (found && !has_grant(q) && !(q.identity && q.identity->user_id == user_id)) found = false;
    if (!found) raisef(LOOKUP_ERR, "token `%s` not found", key.c_str());
    q.storage().delete_token(key);
    q.add_job(0, "{\"del_token\":{\"id\":" + std::to_string(user_id) + "}}");
    return Value::nil();
}

Value fn_has_token(Query& q, Value*, Args& a) {
    need_grant(q);
    a.exactly(1);
    std::string key = token_arg(a);
    uint64_t user_id = 0;
    int64_t expiration = 0;
    return Value::boolean(q.storage().find_token(key, user_id, expiration));
}

Value fn_del_expired(Query& q, Value*, Args& a) {
    need_grant(q);
    a.exactly(0);
    q.storage().delete_expired_tokens(static_cast<int64_t>(q.storage().now()));
    return Value::nil();
}

namespace {

// grant and revoke: GRANT on the target scope (CHANGE on @thingsdb comes
// with the query being a change).
struct AccessArgs {
    uint64_t scope_id = 0;
    UserRow user;
    uint32_t mask = 0;
};

AccessArgs access_args(Query& q, Args& a) {
    a.exactly(3);
    AccessArgs r;
    std::string label;
    access_target(q, a.eval(0), r.scope_id, label);
    check_access(q.storage(), q.identity, r.scope_id, label, AUTH_GRANT);
    r.user = need_user(q, a.str_arg(1));
    r.mask = static_cast<uint32_t>(a.int_arg(2)) & AUTH_FULL;
    // The later arguments may have deleted the collection or the user.
    CollectionRow row;
    if (r.scope_id != kThingsdbScopeId && r.scope_id != kNodeScopeId &&
        !q.storage().find_collection_by_id(r.scope_id, row))
        raisef(LOOKUP_ERR, "`collection:%" PRIu64 "` not found", r.scope_id);
    r.user = user_again(q, r.user);
    return r;
}

void set_mask(Query& q, const AccessArgs& r, uint32_t mask, const char* kind, uint32_t changed) {
    q.storage().set_access(r.scope_id, r.user.id, mask);
    q.add_job(0, std::string("{\"") + kind + "\":{\"scope\":" + std::to_string(r.scope_id) +
                     ",\"user\":" + std::to_string(r.user.id) +
                     ",\"mask\":" + std::to_string(changed) + "}}");
    if (q.identity) q.identity->cache.clear();
}

}  // namespace

Value fn_grant(Query& q, Value*, Args& a) {
    AccessArgs r = access_args(q, a);
    uint32_t mask = r.mask;
    if (mask & AUTH_GRANT) mask |= AUTH_CHANGE;  // no GRANT without CHANGE
    set_mask(q, r, q.storage().access_mask(r.scope_id, r.user.id) | mask, "grant", mask);
    return Value::nil();
}

Value fn_revoke(Query& q, Value*, Args& a) {
    AccessArgs r = access_args(q, a);
    uint32_t mask = r.mask;
    // No CHANGE without QUERY, no GRANT without CHANGE (ThingsDB revokes the
    // rights that depend on a revoked one).
    if (mask & AUTH_QUERY) mask |= AUTH_CHANGE | AUTH_GRANT;
    if (mask & AUTH_CHANGE) mask |= AUTH_GRANT;
    if (is_self(q, r.user) && (mask & AUTH_GRANT))
        raise(OPERATION_ERR, "it is not possible to revoke your own `GRANT` privileges");
    set_mask(q, r, q.storage().access_mask(r.scope_id, r.user.id) & ~mask, "revoke", mask);
    return Value::nil();
}

}  // namespace tdb
