// PgStorage for users, tokens and access: thingsdb.users, .tokens, .access via SPI.
//
// Plans are prepared on first use and kept for the backend, as in
// pg_storage.cpp. Token keys never reach a table: only their SHA-256.
#include <string>
#include <vector>

#include "pg/auth.h"
#include "pg/bridge.h"
#include "pg/storage/catalog_cache.h"
#include "pg/storage/things.h"
#include "pg/storage/spi_plans.h"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
}

namespace tdb::pg {

namespace {

enum PlanId {
    USERS,
    USER_BY_NAME,
    USER_BY_ID,
    INSERT_USER,
    DELETE_USER,
    RENAME_USER,
    TOKENS,
    INSERT_TOKEN,
    TOKEN_BY_HASH,
    DELETE_TOKEN,
    DELETE_EXPIRED,
    ACCESS_MASK,
    SET_ACCESS,
    DELETE_ACCESS,
    USER_ACCESS,
    N_PLANS
};

struct PlanDef {
    const char* sql;
    int nargs;
    Oid types[6];
};

#define USER_COLUMNS "id, name, created_at"

const PlanDef kPlans[N_PLANS] = {
    {"SELECT " USER_COLUMNS " FROM thingsdb.users ORDER BY id", 0, {}},
    {"SELECT " USER_COLUMNS " FROM thingsdb.users WHERE name = $1", 1, {TEXTOID}},
    {"SELECT " USER_COLUMNS " FROM thingsdb.users WHERE id = $1", 1, {INT8OID}},
    {"INSERT INTO thingsdb.users (name, created_at) VALUES ($1, $2) RETURNING " USER_COLUMNS, 2,
     {TEXTOID, INT8OID}},
    {"DELETE FROM thingsdb.users WHERE id = $1", 1, {INT8OID}},
    {"UPDATE thingsdb.users SET name = $2 WHERE id = $1", 2, {INT8OID, TEXTOID}},
    {"SELECT key_hint, created_at, expiration, description FROM thingsdb.tokens"
     " WHERE user_id = $1 ORDER BY created_at, key_hint",
     1, {INT8OID}},
    {"INSERT INTO thingsdb.tokens (key_hash, user_id, key_hint, created_at, expiration, description)"
     " VALUES ($1, $2, $3, $4, $5, $6)",
     6, {BYTEAOID, INT8OID, TEXTOID, INT8OID, INT8OID, TEXTOID}},
    {"SELECT user_id, expiration FROM thingsdb.tokens WHERE key_hash = $1", 1, {BYTEAOID}},
    {"DELETE FROM thingsdb.tokens WHERE key_hash = $1", 1, {BYTEAOID}},
    {"DELETE FROM thingsdb.tokens WHERE expiration <= $1", 1, {INT8OID}},
    {"SELECT mask FROM thingsdb.access WHERE user_id = $1 AND scope_id = $2", 2, {INT8OID, INT8OID}},
    {"INSERT INTO thingsdb.access (user_id, scope_id, mask) VALUES ($1, $2, $3)"
     " ON CONFLICT (user_id, scope_id) DO UPDATE SET mask = excluded.mask",
     3, {INT8OID, INT8OID, INT4OID}},
    {"DELETE FROM thingsdb.access WHERE user_id = $1 AND scope_id = $2", 2, {INT8OID, INT8OID}},
    {"SELECT scope_id, mask FROM thingsdb.access WHERE user_id = $1 ORDER BY scope_id", 1, {INT8OID}},
};

SPIPlanPtr plans[N_PLANS];

// The helpers below may ereport: use them inside pg_call.

SPIPlanPtr get_plan(PlanId id) {
    const PlanDef& d = kPlans[id];
    return kept_plan(plans[id], d.sql, d.nargs, d.types);
}

uint64 exec(PlanId id, Datum* values, const char* nulls) { return exec_plan(get_plan(id), values, nulls); }

// palloc'd text of a column, or NULL.
char* get_text(uint64 row, int col) { return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col); }

Datum text_datum(std::string_view s) { return PointerGetDatum(cstring_to_text_with_len(s.data(), s.size())); }

Datum bytea_datum(const std::string& s) {
    bytea* b = static_cast<bytea*>(palloc(VARHDRSZ + s.size()));
    SET_VARSIZE(b, VARHDRSZ + s.size());
    memcpy(VARDATA(b), s.data(), s.size());
    return PointerGetDatum(b);
}

// Reads the user rows of the last statement. Copies happen outside pg_call
// (no C++ object may live while PostgreSQL runs).
struct RawUser {
    int64 id;
    char* name;
    int64 created_at;
};

std::vector<UserRow> to_users(const std::vector<RawUser>& raw) {
    std::vector<UserRow> out;
    for (const RawUser& r : raw) out.push_back(UserRow{static_cast<uint64_t>(r.id), r.name ? r.name : "", r.created_at});
    return out;
}

std::vector<UserRow> query_users(PlanId id, Datum* values) {
    RawUser* rows = nullptr;
    uint64 n = 0;
    pg_call([&] {
        n = exec(id, values, nullptr);
        rows = static_cast<RawUser*>(palloc0(sizeof(RawUser) * (n ? n : 1)));
        for (uint64 i = 0; i < n; i++) rows[i] = RawUser{get_int8(i, 1), get_text(i, 2), get_int8(i, 3)};
    });
    return to_users(std::vector<RawUser>(rows, rows + n));
}

}  // namespace

std::vector<UserRow> PgStorage::users() { return query_users(USERS, nullptr); }

// Lookups by name and id go through the per-backend cache (catalog_cache.h,
//): every call resolves its user, and a warm call runs no SQL for it.
bool PgStorage::find_user(std::string_view name, UserRow& out) {
    CatalogCache* c = catalog_cache();
    std::string key(name);
    if (c) {
        auto it = c->user_by_name.find(key);
        if (it != c->user_by_name.end()) {
            if (it->second) out = *it->second;
            return it->second.has_value();
        }
    }
    uint64_t stamp = catalog_cache_stamp();
    Datum v[1];
    pg_call([&] { v[0] = text_datum(name); });
    std::vector<UserRow> r = query_users(USER_BY_NAME, v);
    if (c && catalog_cache_still(stamp))
        c->user_by_name[key] = r.empty() ? std::nullopt : std::optional<UserRow>(r[0]);
    if (r.empty()) return false;
    out = r[0];
    return true;
}

bool PgStorage::find_user_by_id(uint64_t id, UserRow& out) {
    CatalogCache* c = catalog_cache();
    if (c) {
        auto it = c->user_by_id.find(id);
        if (it != c->user_by_id.end()) {
            if (it->second) out = *it->second;
            return it->second.has_value();
        }
    }
    uint64_t stamp = catalog_cache_stamp();
    Datum v[1] = {Int64GetDatum(static_cast<int64>(id))};
    std::vector<UserRow> r = query_users(USER_BY_ID, v);
    if (c && catalog_cache_still(stamp))
        c->user_by_id[id] = r.empty() ? std::nullopt : std::optional<UserRow>(r[0]);
    if (r.empty()) return false;
    out = r[0];
    return true;
}

UserRow PgStorage::create_user(std::string_view name) {
    Datum v[2];
    int64 created = static_cast<int64>(now());
    pg_call([&] {
        v[0] = text_datum(name);
        v[1] = Int64GetDatum(created);
    });
    return query_users(INSERT_USER, v).at(0);
}

void PgStorage::delete_user(uint64_t id) {
    Datum v[1] = {Int64GetDatum(static_cast<int64>(id))};
    pg_call([&] { exec(DELETE_USER, v, nullptr); });
}

void PgStorage::rename_user(uint64_t id, std::string_view name) {
    Datum v[2];
    pg_call([&] {
        v[0] = Int64GetDatum(static_cast<int64>(id));
        v[1] = text_datum(name);
        exec(RENAME_USER, v, nullptr);
    });
}

std::vector<TokenRow> PgStorage::tokens(uint64_t user_id) {
    struct Raw {
        char* hint;
        int64 created_at;
        int64 expiration;
        char* description;
    };
    Raw* rows = nullptr;
    uint64 n = 0;
    Datum v[1] = {Int64GetDatum(static_cast<int64>(user_id))};
    pg_call([&] {
        n = exec(TOKENS, v, nullptr);
        rows = static_cast<Raw*>(palloc0(sizeof(Raw) * (n ? n : 1)));
        for (uint64 i = 0; i < n; i++)
            rows[i] = Raw{get_text(i, 1), get_int8(i, 2), get_int8(i, 3), get_text(i, 4)};
    });
    std::vector<TokenRow> out;
    for (uint64 i = 0; i < n; i++)
        out.push_back(TokenRow{rows[i].hint ? rows[i].hint : "", rows[i].created_at, rows[i].expiration,
                               rows[i].description ? rows[i].description : ""});
    return out;
}

std::string PgStorage::create_token(uint64_t user_id, int64_t expiration, std::string_view description) {
    std::string key = new_token_key();
    std::string hash = token_hash(key);
    std::string hint = key.substr(0, 4);
    int64 created = static_cast<int64>(now());
    Datum v[6];
    char nulls[7] = "      ";
    if (!expiration) nulls[4] = 'n';
    pg_call([&] {
        v[0] = bytea_datum(hash);
        v[1] = Int64GetDatum(static_cast<int64>(user_id));
        v[2] = text_datum(hint);
        v[3] = Int64GetDatum(created);
        v[4] = Int64GetDatum(expiration);
        v[5] = text_datum(description);
        exec(INSERT_TOKEN, v, nulls);
    });
    return key;
}

bool find_token_by_hash(const std::string& hash, uint64_t& user_id, int64_t& expiration) {
    CatalogCache* c = catalog_cache();   // Expiration is checked by the caller
    if (c) {
        auto it = c->token_by_hash.find(hash);
        if (it != c->token_by_hash.end()) {
            user_id = it->second.user_id;
            expiration = it->second.expiration;
            return it->second.found;
        }
    }
    uint64_t stamp = catalog_cache_stamp();
    uint64 n = 0;
    int64 uid = 0, exp = 0;
    Datum v[1];
    pg_call([&] {
        v[0] = bytea_datum(hash);
        n = exec(TOKEN_BY_HASH, v, nullptr);
        if (n) {
            uid = get_int8(0, 1);
            exp = get_int8(0, 2);
        }
    });
    user_id = static_cast<uint64_t>(uid);
    expiration = exp;
    if (c && catalog_cache_still(stamp)) c->token_by_hash[hash] = {n > 0, user_id, expiration};
    return n > 0;
}

bool PgStorage::find_token(std::string_view key, uint64_t& user_id, int64_t& expiration) {
    return find_token_by_hash(token_hash(key), user_id, expiration);
}

void PgStorage::delete_token(std::string_view key) {
    std::string hash = token_hash(key);
    Datum v[1];
    pg_call([&] {
        v[0] = bytea_datum(hash);
        exec(DELETE_TOKEN, v, nullptr);
    });
}

void PgStorage::delete_expired_tokens(int64_t t) {
    Datum v[1] = {Int64GetDatum(t)};
    pg_call([&] { exec(DELETE_EXPIRED, v, nullptr); });
}

uint32_t PgStorage::access_mask(uint64_t scope_id, uint64_t user_id) {
    CatalogCache* c = catalog_cache();
    if (c) {
        auto it = c->access.find({scope_id, user_id});
        if (it != c->access.end()) return it->second;
    }
    uint64_t stamp = catalog_cache_stamp();
    uint32_t m = access_mask_uncached(scope_id, user_id);
    if (c && catalog_cache_still(stamp)) c->access[{scope_id, user_id}] = m;
    return m;
}

uint32_t PgStorage::access_mask_uncached(uint64_t scope_id, uint64_t user_id) {
    Datum v[2] = {Int64GetDatum(static_cast<int64>(user_id)), Int64GetDatum(static_cast<int64>(scope_id))};
    int32 mask = 0;
    pg_call([&] {
        if (exec(ACCESS_MASK, v, nullptr)) mask = get_int4(0, 1);
    });
    return static_cast<uint32_t>(mask);
}

void PgStorage::set_access(uint64_t scope_id, uint64_t user_id, uint32_t mask) {
    Datum v[3] = {Int64GetDatum(static_cast<int64>(user_id)), Int64GetDatum(static_cast<int64>(scope_id)),
                  Int32GetDatum(static_cast<int32>(mask))};
    pg_call([&] { exec(mask ? SET_ACCESS : DELETE_ACCESS, v, nullptr); });
}

std::vector<AccessRow> PgStorage::user_access(uint64_t user_id) {
    Datum v[1] = {Int64GetDatum(static_cast<int64>(user_id))};
    struct Raw {
        int64 scope;
        int32 mask;
    };
    Raw* rows = nullptr;
    uint64 n = 0;
    pg_call([&] {
        n = exec(USER_ACCESS, v, nullptr);
        rows = static_cast<Raw*>(palloc0(sizeof(Raw) * (n ? n : 1)));
        for (uint64 i = 0; i < n; i++) rows[i] = Raw{get_int8(i, 1), get_int4(i, 2)};
    });
    std::vector<AccessRow> out;
    for (uint64 i = 0; i < n; i++)
        out.push_back(AccessRow{static_cast<uint64_t>(rows[i].scope), static_cast<uint32_t>(rows[i].mask)});
    return out;
}

}  // namespace tdb::pg
