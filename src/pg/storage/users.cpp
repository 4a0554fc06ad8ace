// PgStorage for users, tokens and access: thingsdb.users, .tokens, .access via the plans of
// plans.cpp, the lookups through the cache of catalog_cache.h. Token keys never reach a
// table: only their SHA-256.
#include <string>
#include <vector>

#include "core/api/error.h"
#include "pg/auth.h"
#include "pg/bridge.h"
#include "pg/storage/catalog_cache.h"
#include "pg/storage/things.h"
#include "pg/storage/plans.h"
#include "pg/storage/rerun.h"
#include "pg/watches.h"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
}

namespace tdb::pg {

namespace {

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
    for (const RawUser& r : raw)
        out.push_back(UserRow{static_cast<uint64_t>(r.id), r.name ? r.name : "", r.created_at});
    return out;
}

std::vector<UserRow> query_users(Plan id, Datum* values) {
    RawUser* rows = nullptr;
    uint64 n = 0;
    write_unique_name([&] {  // INSERT_USER writes a name; the reads fail no other way
        n = exec_plan(id, values);
        rows = static_cast<RawUser*>(palloc0(sizeof(RawUser) * (n ? n : 1)));
        for (uint64 i = 0; i < n; i++)
            rows[i] = RawUser{get_int8(i, 1), get_text(i, 2), get_int8(i, 3)};
    });
    return to_users(std::vector<RawUser>(rows, rows + n));
}

}  // namespace

std::vector<UserRow> PgStorage::users() { return query_users(Plan::USERS, nullptr); }

// Lookups by name and id go through the per-backend cache (catalog_cache.h):
// every call resolves its user, and a warm call runs no SQL for it.
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
    std::vector<UserRow> r = query_users(Plan::USER_BY_NAME, v);
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
    std::vector<UserRow> r = query_users(Plan::USER_BY_ID, v);
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
    return query_users(Plan::INSERT_USER, v).at(0);
}

void PgStorage::key_share_owner_user(uint64_t user_id) {
    bool found = false;
    pg_call([&] {
        Datum v[1] = {Int64GetDatum(static_cast<int64>(user_id))};
        found = exec_plan(Plan::KEY_SHARE_USER, v) == 1;
        SPI_freetuptable(SPI_tuptable);
    });
    // Deleted by a transaction that committed since the call found the user.
    if (!found)
        raisef(LOOKUP_ERR, "`user:%llu` not found", static_cast<unsigned long long>(user_id));
}

void PgStorage::delete_user(uint64_t id) {
    watches_rights_changed();
    Datum v[1] = {Int64GetDatum(static_cast<int64>(id))};
    pg_call([&] { exec_plan(Plan::DELETE_USER, v); });
}

void PgStorage::rename_user(uint64_t id, std::string_view name) {
    watches_rights_changed();
    Datum v[2];
    write_unique_name([&] {
        v[0] = Int64GetDatum(static_cast<int64>(id));
        v[1] = text_datum(name);
        exec_plan(Plan::RENAME_USER, v);
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
        n = exec_plan(Plan::TOKENS, v);
        rows = static_cast<Raw*>(palloc0(sizeof(Raw) * (n ? n : 1)));
        for (uint64 i = 0; i < n; i++)
            rows[i] = Raw{get_text(i, 1), get_int8(i, 2), get_int8(i, 3), get_text(i, 4)};
    });
    std::vector<TokenRow> out;
    for (uint64 i = 0; i < n; i++)
        out.push_back(TokenRow{rows[i].hint ? rows[i].hint : "", rows[i].created_at,
                               rows[i].expiration, rows[i].description ? rows[i].description : ""});
    return out;
}

std::string PgStorage::create_token(uint64_t user_id, int64_t expiration,
                                    std::string_view description) {
    std::string key = new_token_key();
    std::string hash = token_hash(key);
    std::string hint = key.substr(0, 4);
    int64 created = static_cast<int64>(now());
    Datum v[6];
    char nulls[7] = "      ";
    if (!expiration) nulls[4] = 'n';
    key_share_owner_user(user_id);
    pg_call([&] {
        v[0] = bytea_datum(hash);
        v[1] = Int64GetDatum(static_cast<int64>(user_id));
        v[2] = text_datum(hint);
        v[3] = Int64GetDatum(created);
        v[4] = Int64GetDatum(expiration);
        v[5] = text_datum(description);
        exec_plan(Plan::INSERT_TOKEN, v, nulls);
    });
    return key;
}

bool find_token_by_hash(const std::string& hash, uint64_t& user_id, int64_t& expiration) {
    CatalogCache* c = catalog_cache();  // Expiration is checked by the caller
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
        n = exec_plan(Plan::TOKEN_BY_HASH, v);
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
    watches_rights_changed();
    std::string hash = token_hash(key);
    Datum v[1];
    pg_call([&] {
        v[0] = bytea_datum(hash);
        exec_plan(Plan::DELETE_TOKEN, v);
    });
}

void PgStorage::delete_expired_tokens(int64_t t) {
    watches_rights_changed();
    Datum v[1] = {Int64GetDatum(t)};
    pg_call([&] { exec_plan(Plan::DELETE_EXPIRED, v); });
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
    Datum v[2] = {Int64GetDatum(static_cast<int64>(user_id)),
                  Int64GetDatum(static_cast<int64>(scope_id))};
    int32 mask = 0;
    pg_call([&] {
        if (exec_plan(Plan::ACCESS_MASK, v)) mask = get_int4(0, 1);
    });
    return static_cast<uint32_t>(mask);
}

void PgStorage::set_access(uint64_t scope_id, uint64_t user_id, uint32_t mask) {
    watches_rights_changed();
    Datum v[3] = {Int64GetDatum(static_cast<int64>(user_id)),
                  Int64GetDatum(static_cast<int64>(scope_id)),
                  Int32GetDatum(static_cast<int32>(mask))};
    if (mask) key_share_owner_user(user_id);
    pg_call([&] { exec_plan(mask ? Plan::SET_ACCESS : Plan::DELETE_ACCESS, v); });
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
        n = exec_plan(Plan::USER_ACCESS, v);
        rows = static_cast<Raw*>(palloc0(sizeof(Raw) * (n ? n : 1)));
        for (uint64 i = 0; i < n; i++) rows[i] = Raw{get_int8(i, 1), get_int4(i, 2)};
    });
    std::vector<AccessRow> out;
    for (uint64 i = 0; i < n; i++)
        out.push_back(
            AccessRow{static_cast<uint64_t>(rows[i].scope), static_cast<uint32_t>(rows[i].mask)});
    return out;
}

}  // namespace tdb::pg
