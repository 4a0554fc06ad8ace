// The registry of cache epochs (epochs.h): one relcache callback for the watched tables, one
// check of their oids, the snapshot rule, and the trigger function thingsdb.catalog_changed
// that registers the invalidations.
#include "pg/storage/epochs.h"

#include <string_view>

#include "pg/bridge.h"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

namespace tdb::pg {

namespace {

struct Watched {
    const char* table;  // in schema thingsdb
    Cache cache;
};

constexpr Watched kWatched[] = {
    {"procedures", Cache::PROCEDURES}, {"types", Cache::CATALOG}, {"enums", Cache::CATALOG},
    {"collections", Cache::ROWS},      {"users", Cache::ROWS},    {"tokens", Cache::ROWS},
    {"access", Cache::ROWS},
};
constexpr int kTables = sizeof kWatched / sizeof kWatched[0];
constexpr int kCaches = 3;
constexpr int kProcedures = 0;  // the place of thingsdb.procedures in kWatched
static_assert(std::string_view(kWatched[kProcedures].table) == "procedures");

uint64_t epochs[kCaches] = {1, 1, 1};  // 0 is "no cache"
Oid table_oids[kTables];               // InvalidOid: no such table
bool have_schema = false;
bool registered = false;
// Moved by every change of pg_class or pg_namespace (new, dropped or renamed relations and
// schemas): the oids above are read again when it moved since they were read.
uint64_t names_changed = 1;
uint64_t oids_read_at = 0;

void move_all() {
    for (uint64_t& e : epochs) ++e;
}

void relcache_callback(Datum, Oid relid) {
    if (relid == InvalidOid) {  // every relation
        move_all();
        return;
    }
    for (int i = 0; i < kTables; ++i)
        if (table_oids[i] == relid) ++epochs[static_cast<int>(kWatched[i].cache)];
}

void names_callback(Datum, int, uint32) { ++names_changed; }

// Inside pg_call, as the two below.
void register_callbacks() {
    if (registered) return;
    CacheRegisterRelcacheCallback(relcache_callback, (Datum)0);
    CacheRegisterSyscacheCallback(RELNAMENSP, names_callback, (Datum)0);
    CacheRegisterSyscacheCallback(NAMESPACEOID, names_callback, (Datum)0);
    registered = true;
}

// Reads the tables' oids when names changed since they were read; new oids (DROP/CREATE
// EXTENSION) move every epoch.
void check_oids() {
    register_callbacks();
    if (oids_read_at == names_changed) return;
    uint64_t seen = names_changed;  // a change during the lookups reads them again next time
    Oid ns = get_namespace_oid("thingsdb", true);
    bool changed = false;
    for (int i = 0; i < kTables; ++i) {
        Oid oid = OidIsValid(ns) ? get_relname_relid(kWatched[i].table, ns) : InvalidOid;
        if (oid != table_oids[i]) {
            table_oids[i] = oid;
            changed = true;
        }
    }
    have_schema = OidIsValid(ns);
    if (changed) move_all();
    oids_read_at = seen;
}

}  // namespace

namespace {
bool no_caches = false;
int call_depth = 0;     // CacheCallScopes alive
bool taken_in = false;  // the running call took in the invalidations (CacheCallScope)
}  // namespace

CacheCallScope::CacheCallScope() {
    ++call_depth;
    taken_in = false;
}

CacheCallScope::~CacheCallScope() {
    --call_depth;
    taken_in = false;
}

void cache_take_in_again() { taken_in = false; }

namespace {

// What other sessions committed since this statement began, once per call (CacheCallScope).
void take_in() {
    if (taken_in) return;
    bool in_call = call_depth > 0;
    pg_call([] {
        register_callbacks();
        AcceptInvalidationMessages();
        check_oids();
    });
    taken_in = in_call;
}

}  // namespace

void set_caches_off(bool off) { no_caches = off; }
bool caches_off() { return no_caches; }

uint64_t cache_epoch(Cache c) {
    take_in();
    // IsolationUsesXactSnapshot reads a setting, no call of PostgreSQL that may fail.
    if (IsolationUsesXactSnapshot() || !have_schema || no_caches) return 0;
    return epochs[static_cast<int>(c)];
}

uint64_t epoch_now(Cache c) { return epochs[static_cast<int>(c)]; }

uint64_t names_generation() {
    take_in();
    return names_changed;
}

uint64_t names_generation_applied() {
    register_callbacks();
    return names_changed;
}

void move_epoch(Cache c) { ++epochs[static_cast<int>(c)]; }

void invalidate_procedures() {
    check_oids();
    Oid relid = table_oids[kProcedures];
    if (OidIsValid(relid)) CacheInvalidateRelcacheByRelid(relid);
}

}  // namespace tdb::pg

// thingsdb.catalog_changed(): AFTER ... FOR EACH STATEMENT on the tables of the caches
// (install script); registers the relcache invalidation that moves their epoch in every
// backend. Only PostgreSQL calls here: no C++ object is alive across them.
extern "C" {
PG_FUNCTION_INFO_V1(tdb_catalog_changed);
Datum tdb_catalog_changed(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        elog(ERROR, "thingsdb: catalog_changed must be called as a trigger");
    TriggerData* td = reinterpret_cast<TriggerData*>(fcinfo->context);
    CacheInvalidateRelcacheByRelid(RelationGetRelid(td->tg_relation));
    return PointerGetDatum(nullptr);
}
}
