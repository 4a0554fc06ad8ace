// Identity of a call (the role or the session's token) and the owner's rights for the call.
// See auth.h for the model; tdb_authenticate is in sql_users.cpp.
#include "core/api/error.h"

#include "pg/auth.h"

#include <cstring>
#include <stdexcept>

#include "pg/storage/epochs.h"
#include "pg/storage/things.h"

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/syscache.h"
}

namespace tdb::pg {

namespace {

// The token the session presented (its hash, never the key), and whether it
// lasts only until the end of the current transaction.
struct SessionToken {
    bool active = false;
    bool local = false;
    Oid session_user = InvalidOid;  // the token ends when the session user changes
    unsigned char hash[PG_SHA256_DIGEST_LENGTH];
};
SessionToken session_token;
bool xact_callback_registered = false;
ProcessUtility_hook_type prev_process_utility = nullptr;

// DISCARD ALL resets a session for its next client (what poolers send), and
// SET/RESET SESSION AUTHORIZATION makes it another user's: the token ends
// with either, once the statement succeeded (a change of the session user by
// other means is seen by CallContext::identity). C code, no exception.
void discard_token_utility(PlannedStmt* pstmt, const char* query, bool read_only,
                           ProcessUtilityContext context, ParamListInfo params,
                           QueryEnvironment* env, DestReceiver* dest, QueryCompletion* qc) {
    Node* stmt = pstmt->utilityStmt;
    bool ends = (IsA(stmt, DiscardStmt) && castNode(DiscardStmt, stmt)->target == DISCARD_ALL) ||
                (IsA(stmt, VariableSetStmt) && castNode(VariableSetStmt, stmt)->name &&
                 strcmp(castNode(VariableSetStmt, stmt)->name, "session_authorization") == 0);
    if (prev_process_utility)
        prev_process_utility(pstmt, query, read_only, context, params, env, dest, qc);
    else
        standard_ProcessUtility(pstmt, query, read_only, context, params, env, dest, qc);
    if (ends) session_token = SessionToken{};
}

void forget_local_token(XactEvent event, void*) {
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
        event == XACT_EVENT_PREPARE) {
        if (session_token.local) session_token = SessionToken{};
    }
}

// The owner of schema thingsdb: the role that installed the extension and
// owns its tables. Must run inside pg_call.
// The owner of schema thingsdb, looked up again only after a schema or relation changed (an
// ALTER SCHEMA ... OWNER TO moves the names generation too): every call runs as it.
Oid known_owner = InvalidOid;
uint64_t owner_looked_up_at = 0;  // names generations start at 1

Oid extension_owner() {
    uint64_t gen = names_generation_applied();
    if (owner_looked_up_at == gen && OidIsValid(known_owner)) return known_owner;
    Oid nsp = get_namespace_oid("thingsdb", true);
    if (!OidIsValid(nsp)) ereport(ERROR, (errmsg("thingsdb: schema \"thingsdb\" does not exist")));
    HeapTuple tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
    if (!HeapTupleIsValid(tup)) elog(ERROR, "thingsdb: cache lookup failed for namespace %u", nsp);
    Oid owner = ((Form_pg_namespace)GETSTRUCT(tup))->nspowner;
    ReleaseSysCache(tup);
    known_owner = owner;
    owner_looked_up_at = gen;
    return owner;
}

// extension_owner() when it needs no lookup, else InvalidOid. Cannot fail: once an owner was
// looked up, names_generation_applied() only reads (its callbacks are registered).
Oid known_extension_owner() {
    if (!owner_looked_up_at || owner_looked_up_at != names_generation_applied()) return InvalidOid;
    return known_owner;
}

Oid owner_oid = InvalidOid;  // of the current call (set by CallContext)

// Admins: superusers and members of the installing role. Inside pg_call.
bool role_is_admin(Oid role) { return OidIsValid(role) && has_privs_of_role(role, owner_oid); }

std::string base64_key(const unsigned char* raw, size_t n) {
    static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += abc[(acc >> bits) & 63];
        }
    }
    if (bits) out += abc[(acc << (6 - bits)) & 63];
    return out;
}

}  // namespace

std::string token_hash(std::string_view key) {
    unsigned char digest[PG_SHA256_DIGEST_LENGTH];
    bool ok = false;
    pg_call([&] {
        pg_cryptohash_ctx* ctx = pg_cryptohash_create(PG_SHA256);
        ok = ctx && pg_cryptohash_init(ctx) == 0 &&
             pg_cryptohash_update(ctx, reinterpret_cast<const uint8*>(key.data()), key.size()) ==
                 0 &&
             pg_cryptohash_final(ctx, digest, sizeof digest) == 0;
        pg_cryptohash_free(ctx);
    });
    if (!ok) throw std::runtime_error("thingsdb: could not hash a token");
    return std::string(reinterpret_cast<char*>(digest), sizeof digest);
}

std::string new_token_key() {
    unsigned char raw[16];
    if (!pg_strong_random(raw, sizeof raw))
        throw std::runtime_error("thingsdb: could not generate a random token");
    return base64_key(raw, sizeof raw);  // 22 characters, as ThingsDB's keys
}

void auth_init() {
    prev_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = discard_token_utility;
}

void set_session_token(const std::string& hash, bool local) {
    Oid session_user = InvalidOid;
    pg_call([&] {
        if (!xact_callback_registered) {
            RegisterXactCallback(forget_local_token, nullptr);
            xact_callback_registered = true;
        }
        session_user = GetSessionUserId();
    });
    session_token.session_user = session_user;
    session_token.active = true;
    session_token.local = local;
    memcpy(session_token.hash, hash.data(), sizeof session_token.hash);
}

void clear_session_token() { session_token = SessionToken{}; }

std::string session_token_hash() {
    if (!session_token.active) return {};
    return std::string(reinterpret_cast<const char*>(session_token.hash),
                       sizeof session_token.hash);
}

namespace {
CallContext* innermost = nullptr;
}  // namespace

CallContext::CallContext() {
    Oid caller = InvalidOid, owner = known_extension_owner();
    int sec = 0;
    // Reading and setting the user id cannot fail; the owner's lookup can, and runs in pg_call
    // only when it is not known.
    GetUserIdAndSecContext(&caller, &sec);
    if (!OidIsValid(owner)) pg_call([&] { owner = extension_owner(); });
    // As a SECURITY DEFINER function does (fmgr_security_definer); its SET search_path =
    // pg_catalog is search_path() below.
    SetUserIdAndSecContext(owner, sec | SECURITY_LOCAL_USERID_CHANGE);
    caller_ = caller;
    sec_context_ = sec;
    owner_oid = owner;
    outer_ = innermost;
    innermost = this;
}

CallContext::~CallContext() {
    // Plain assignments, no ereport: safe while an exception unwinds.
    if (!restored_) SetUserIdAndSecContext(caller_, sec_context_);
    innermost = outer_;
}

CallContext* CallContext::current() { return innermost; }

void CallContext::search_path() {
    if (path_pushed_ || restored_) return;
    // Pushed as an override (namespace.h) instead of set as a GUC: popping a GUC nest level
    // walks every setting (AtEOXact_GUC). The abort of the (sub)transaction pops it when the
    // call fails. Only pg_catalog is searched: no temporary schema, no schema of the caller's.
    OverrideSearchPath path{};
    path.schemas = NIL;
    path.addCatalog = true;
    path.addTemp = false;
    PushOverrideSearchPath(&path);  // copies what it keeps
    path_pushed_ = true;
}

void owner_search_path() {
    if (innermost) innermost->search_path();
}

void CallContext::finish() {
    if (restored_) return;
    Oid caller = caller_;
    int sec = sec_context_;
    if (path_pushed_) pg_call([] { PopOverrideSearchPath(); });
    SetUserIdAndSecContext(caller, sec);  // cannot fail
    path_pushed_ = false;
    restored_ = true;
}

namespace {

// The identity of the role that called last, kept while nothing it was made of changed: the
// role's rows (pg_authid: superuser; pg_auth_members: membership of the owner's role), the
// owner, and ThingsDB's users (the epoch of Cache::ROWS). A warm call of the same role then
// looks up no name, no membership and no user. new'd once: nothing to destroy at exit.
struct RoleIdentity {
    Oid role = InvalidOid;
    Oid owner = InvalidOid;
    uint64_t roles_gen = 0;
    uint64_t rows_epoch = 0;
    std::string name;
    uint64_t user_id = 0;
    bool admin = false;
};
RoleIdentity* last_role = nullptr;
uint64_t roles_generation = 1;
bool roles_callbacks = false;

void roles_changed(Datum, int, uint32) { ++roles_generation; }

}  // namespace

const Identity& CallContext::identity(Storage& st) {
    if (resolved_) return identity_;
    Identity who;
    if (session_token.active) {
        Oid session_user = InvalidOid;
        pg_call([&] { session_user = GetSessionUserId(); });
        // SET SESSION AUTHORIZATION (or its reset) since the token was set.
        if (session_user != session_token.session_user) session_token = SessionToken{};
    }
    if (session_token.active) {
        uint64_t user_id = 0;
        int64_t expiration = 0;
        std::string hash(reinterpret_cast<const char*>(session_token.hash),
                         sizeof session_token.hash);
        if (!find_token_by_hash(hash, user_id, expiration)) raise(AUTH_ERR, "invalid token");
        if (expiration && expiration <= static_cast<int64_t>(st.now()))
            raise(AUTH_ERR, "token is expired");
        UserRow u;
        if (!st.find_user_by_id(user_id, u)) raise(AUTH_ERR, "invalid token");
        who.name = u.name;
        who.user_id = u.id;
        bool admin = false;
        const char* name = who.name.c_str();
        pg_call([&] { admin = role_is_admin(get_role_oid(name, true)); });
        who.admin = admin;
    } else {
        uint64_t epoch = cache_epoch(Cache::ROWS);  // takes in other sessions' changes; 0: none
        if (!roles_callbacks)
            pg_call([&] {
                CacheRegisterSyscacheCallback(AUTHOID, roles_changed, (Datum)0);
                CacheRegisterSyscacheCallback(AUTHMEMMEMROLE, roles_changed, (Datum)0);
                roles_callbacks = true;
            });
        const uint64_t gen = roles_generation;
        RoleIdentity* last = last_role;
        if (epoch && last && last->role == caller_ && last->owner == owner_oid &&
            last->roles_gen == gen && last->rows_epoch == epoch) {
            identity_.name = last->name;
            identity_.user_id = last->user_id;
            identity_.admin = last->admin;
            resolved_ = true;
            return identity_;
        }
        char* name = nullptr;
        bool admin = false;
        Oid caller = caller_;
        pg_call([&] {
            name = GetUserNameFromId(caller, false);
            admin = role_is_admin(caller);
        });
        who.name = name;
        who.admin = admin;
        UserRow u;
        if (st.find_user(who.name, u))
            who.user_id = u.id;
        else if (!admin)
            throw Error(AUTH_ERR, fmt("role `%s` is not a ThingsDB user", who.name.c_str()),
                        fmt("An admin makes it one with SELECT tdb_query($$new_user('%s')$$, "
                            "'@thingsdb') and gives it rights with grant() (README, "
                            "\"Users and access\").",
                            who.name.c_str()));
        if (epoch && epoch_now(Cache::ROWS) == epoch) {
            if (!last_role) last_role = new RoleIdentity;
            *last_role =
                RoleIdentity{caller_, owner_oid, gen, epoch, who.name, who.user_id, who.admin};
        }
    }
    identity_ = std::move(who);
    resolved_ = true;
    return identity_;
}

Identity task_owner_identity(Storage& st, uint64_t user_id, const std::string& name) {
    Identity who;
    UserRow u;
    if (user_id) {
        if (!st.find_user_by_id(user_id, u)) raise(AUTH_ERR, "the owner of the task is no user");
        who.name = u.name;
        who.user_id = u.id;
    } else {
        who.name = name;
    }
    bool admin = false;
    const char* role = who.name.c_str();
    pg_call([&] { admin = role_is_admin(get_role_oid(role, true)); });
    who.admin = admin;
    if (!who.user_id && !admin)
        raise(AUTH_ERR, fmt("role `%s` is not a ThingsDB user", who.name.c_str()));
    return who;
}

}  // namespace tdb::pg
