// The per-backend cache of collection, user, token and access rows, and the
// trigger function whose invalidations keep it right (see catalog_cache.h).
#include "pg/storage/catalog_cache.h"

#include "pg/bridge.h"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace tdb::pg {

namespace {

CatalogCache cache;
// Moved by every invalidation of a watched table (or of all relations).
uint64_t inval_count = 1;
uint64_t cleared_at = 0;     // inval_count when the cache was last emptied
bool callback_registered = false;
Oid schema_oid = InvalidOid;  // of schema thingsdb when the relids were read
constexpr int kTables = 4;
const char* const kTableNames[kTables] = {"collections", "users", "tokens", "access"};
Oid table_oids[kTables];

void relcache_callback(Datum, Oid relid) {
    if (relid == InvalidOid) {
        ++inval_count;
        return;
    }
    for (Oid t : table_oids)
        if (t == relid) ++inval_count;
}

}  // namespace

void CatalogCache::clear() {
    coll_by_name.clear();
    coll_by_id.clear();
    user_by_name.clear();
    user_by_id.clear();
    token_by_hash.clear();
    access.clear();
}

CatalogCache* catalog_cache() {
    bool usable = false;
    Oid ns = InvalidOid;
    pg_call([&] {
        if (!callback_registered) {
            CacheRegisterRelcacheCallback(relcache_callback, (Datum)0);
            callback_registered = true;
        }
        // What other sessions committed since this statement began.
        AcceptInvalidationMessages();
        ns = get_namespace_oid("thingsdb", true);
        // DROP/CREATE EXTENSION makes a new schema and new tables.
        if (ns != schema_oid) {
            for (int i = 0; i < kTables; i++)
                table_oids[i] = OidIsValid(ns) ? get_relname_relid(kTableNames[i], ns) : InvalidOid;
        }
        usable = OidIsValid(ns) && !IsolationUsesXactSnapshot();
    });
    if (ns != schema_oid) {
        schema_oid = ns;
        ++inval_count;
    }
    if (cleared_at != inval_count) {
        cache.clear();
        cleared_at = inval_count;
    }
    return usable ? &cache : nullptr;
}

uint64_t catalog_cache_stamp() { return inval_count; }

bool catalog_cache_still(uint64_t stamp) { return stamp == inval_count && cleared_at == inval_count; }

void catalog_cache_flush() {
    cache.clear();
    ++inval_count;
    cleared_at = inval_count;
}

}  // namespace tdb::pg

// thingsdb.catalog_changed(): AFTER ... FOR EACH STATEMENT on the cached
// tables; registers the relcache invalidation that empties every backend's
// cache. Only PostgreSQL calls here: no C++ object is alive across them.
extern "C" {
PG_FUNCTION_INFO_V1(tdb_catalog_changed);
Datum tdb_catalog_changed(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo)) elog(ERROR, "thingsdb: catalog_changed must be called as a trigger");
    TriggerData* td = reinterpret_cast<TriggerData*>(fcinfo->context);
    CacheInvalidateRelcacheByRelid(RelationGetRelid(td->tg_relation));
    return PointerGetDatum(nullptr);
}
}
