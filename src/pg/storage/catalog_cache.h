// A per-backend cache of the rows every call reads: collections (by name and id), users (by
// name and id), tokens (by hash) and access masks, so a warm tdb_query/tdb_run runs no SQL for
// them. It is valid while the epoch of Cache::ROWS stays the same (epochs.h: invalidations of
// thingsdb.collections, .users, .tokens and .access, and the snapshot rule).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "core/api/storage.h"

namespace tdb::pg {

struct CatalogCache {
    std::unordered_map<std::string, CollectionRow> coll_by_name;
    std::unordered_map<uint64_t, CollectionRow> coll_by_id;
    std::unordered_map<std::string, std::optional<UserRow>> user_by_name;  // nullopt: no such user
    std::unordered_map<uint64_t, std::optional<UserRow>> user_by_id;
    struct Token {
        bool found;
        uint64_t user_id;
        int64_t expiration;
    };
    std::unordered_map<std::string, Token> token_by_hash;
    std::map<std::pair<uint64_t, uint64_t>, uint32_t> access;  // (scope, user) -> mask
    void clear();
};

// Call before a lookup (outside pg_call: it makes its own). Takes in the
// invalidations other sessions committed, empties the cache when one of
// the tables changed, and returns the cache, or nullptr when it must be
// neither read nor filled (cache_epoch returned 0).
CatalogCache* catalog_cache();

// A row read after catalog_cache() may be cached only when no invalidation
// arrived during the read: pass the stamp taken before it.
uint64_t catalog_cache_stamp();
bool catalog_cache_still(uint64_t stamp);

// Empties the cache now (after a write of this session, before PostgreSQL
// delivers the invalidation at the next command).
void catalog_cache_flush();

}  // namespace tdb::pg
