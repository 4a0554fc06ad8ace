// The per-backend cache of collection, user, token and access rows (catalog_cache.h), kept
// while the epoch of Cache::ROWS (epochs.h) stays the same.
#include "pg/storage/catalog_cache.h"

#include "pg/storage/epochs.h"

namespace tdb::pg {

namespace {

CatalogCache cache;
uint64_t cache_epoch_at = 0;  // the epoch the cache holds rows of

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
    uint64_t epoch = cache_epoch(Cache::ROWS);
    if (!epoch) return nullptr;
    if (epoch != cache_epoch_at) {
        cache.clear();
        cache_epoch_at = epoch;
    }
    return &cache;
}

uint64_t catalog_cache_stamp() { return epoch_now(Cache::ROWS); }

bool catalog_cache_still(uint64_t stamp) {
    return stamp == epoch_now(Cache::ROWS) && cache_epoch_at == stamp;
}

void catalog_cache_flush() {
    move_epoch(Cache::ROWS);
    cache.clear();
    cache_epoch_at = epoch_now(Cache::ROWS);
}

}  // namespace tdb::pg
