// One registry for every per-backend cache of rows of schema thingsdb: an epoch per cache,
// moved by relcache invalidations of its tables (one callback), by new oids of the tables
// (DROP/CREATE EXTENSION) and by this session's own writes; and one rule for snapshots.
//
// Invalidations: every write of a watched table registers a relcache invalidation of it (the
// statement trigger thingsdb.catalog_changed, or invalidate_procedures). PostgreSQL applies it
// in this backend at the next command (and again on abort, undoing what a rolled-back change
// cached), in every other backend once the transaction commits (taken in by cache_epoch), and
// on hot standbys through the WAL.
//
// Snapshots: a cache holds rows as of the latest commits. Under a transaction snapshot
// (REPEATABLE READ, SERIALIZABLE) the reads of a call may see older rows, so no cache is read
// or filled there: cache_epoch returns 0.
#pragma once

#include <cstdint>

namespace tdb::pg {

enum class Cache {
    PROCEDURES,  // the core's parsed closures (procedures_epoch): thingsdb.procedures
    CATALOG,     // the core's Type and enum rows (catalog_epoch): thingsdb.types, .enums
    ROWS,        // catalog_cache.h: thingsdb.collections, .users, .tokens, .access
};

// The epoch of a cache, after taking in what other sessions committed: the cache is valid
// while it stays the same. 0: use no cache now (neither read nor fill it): under a
// transaction snapshot, or when schema thingsdb does not exist. Outside pg_call.
uint64_t cache_epoch(Cache c);

// While set, cache_epoch returns 0 for every cache: a read-only call that did not wait for a
// mod_type holding its collection's lock reads the catalog under its own snapshot, which may be
// older than what the caches hold once the mod_type commits (PgStorage::lock_collection).
void set_caches_off(bool off);
bool caches_off();

// The epoch as it is, without taking in invalidations: a row read after cache_epoch(c)
// returned e may be cached only while epoch_now(c) is still e (no invalidation arrived
// during the read).
uint64_t epoch_now(Cache c);

// Invalidations are taken in once per call: the first cache_epoch or names_generation of a call
// takes them in and the others of the call rely on that, until the call has waited for a lock
// (cache_take_in_again, from PgStorage::renew_snapshot: what the holder committed must be seen)
// or ends. This session's own writes move the epochs without it (move_epoch, and PostgreSQL
// applies their invalidations at the next command). Outside a call each one takes them in.
// run_in_call (entry.h) holds one for its call; a nested call takes them in again, and so does
// the outer one after it.
class CacheCallScope {
public:
    CacheCallScope();
    ~CacheCallScope();  // plain assignments: safe while an exception unwinds
    CacheCallScope(const CacheCallScope&) = delete;
    CacheCallScope& operator=(const CacheCallScope&) = delete;
};
void cache_take_in_again();

// Moves the epoch at once, for a write of this session, before PostgreSQL applies its
// invalidation at the next command.
void move_epoch(Cache c);

// After a write of thingsdb.procedures (which has no trigger): registers its relcache
// invalidation, for this backend at the next command and for the others at the commit.
// Inside pg_call.
void invalidate_procedures();

// Moves when a schema or relation is created, dropped or renamed (DROP/CREATE EXTENSION
// among them): what was checked of the extension's objects is checked again.
uint64_t names_generation();

// The same without taking in invalidations: what this backend has applied so far (PostgreSQL
// applies them at the start of each transaction and command, as the system caches see them).
// Inside pg_call.
uint64_t names_generation_applied();

}  // namespace tdb::pg
