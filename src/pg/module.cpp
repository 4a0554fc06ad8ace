// The module: its magic block, _PG_init and the settings thingsdb.scope and thingsdb.max_*
// (thingsdb.max_memory: memory.cpp; thingsdb.event_retention: notify.cpp). The SQL functions
// are in sql_*.cpp.
#include "core/api/engine.h"

#include <climits>

#include "pg/auth.h"
#include "pg/memory.h"
#include "pg/notify.h"
#include "pg/settings.h"
#include "pg/storage/jsonb.h"
#include "pg/task_worker.h"

extern "C" {
#include "postgres.h"

#include "fmgr.h"

// The glue uses PostgreSQL 15's server API (heap access, SPI, async notification) and is
// built and tested against it only; META.json says the same.
#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 160000
#error "thingsdb builds on PostgreSQL 15 only"
#endif
#include "utils/guc.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace {

// The scope of a call whose scope argument is NULL (SET thingsdb.scope = ...).
char* default_scope = nullptr;

// The limits of a query (thingsdb.max_*): superuser settings, so a caller
// cannot lift the protection of the server; each new Query copies them.
int max_string_size, max_list_size, max_things, max_call_depth, max_parse_depth;

void define_limit(const char* name, const char* desc, int* var, int boot, int min, int max,
                  int flags, GucIntAssignHook assign) {
    DefineCustomIntVariable(name, desc, nullptr, var, boot, min, max, PGC_SUSET, flags, nullptr,
                            assign, nullptr);
}

void define_limits() {
    tdb::Limits def;
    define_limit("thingsdb.max_string_size", "The largest string or bytes value a query may make.",
                 &max_string_size, static_cast<int>(def.max_str), 1024, 1024 * 1024 * 1024,
                 GUC_UNIT_BYTE,
                 [](int v, void*) { tdb::configured_limits().max_str = static_cast<size_t>(v); });
    define_limit("thingsdb.max_list_size", "The most items a list may hold.", &max_list_size,
                 static_cast<int>(def.max_list), 1, 256 * 1024 * 1024, 0,
                 [](int v, void*) { tdb::configured_limits().max_list = static_cast<size_t>(v); });
    define_limit("thingsdb.max_things", "The most things a query may create or load.", &max_things,
                 static_cast<int>(def.max_things), 100, INT_MAX, 0, [](int v, void*) {
                     tdb::configured_limits().max_things = static_cast<size_t>(v);
                 });
    define_limit("thingsdb.max_call_depth", "The deepest nesting of closure calls (recursion).",
                 &max_call_depth, def.max_call_depth, 1, 1000, 0,
                 [](int v, void*) { tdb::configured_limits().max_call_depth = v; });
    define_limit("thingsdb.max_parse_depth", "The deepest nesting of code the parser accepts.",
                 &max_parse_depth, def.max_parse_depth, 10, 2000, 0,
                 [](int v, void*) { tdb::configured_limits().max_parse_depth = v; });
}

}  // namespace

extern "C" void _PG_init(void) {
    DefineCustomStringVariable("thingsdb.scope",
                               "The ThingsDB scope of a call whose scope argument is NULL.",
                               "'@:NAME' for a collection or '@thingsdb'.", &default_scope,
                               tdb::pg::kDefaultScope, PGC_USERSET, 0, nullptr, nullptr, nullptr);
    define_limits();
    tdb::pg::memory_init();
    tdb::pg::events_init();
    tdb::pg::auth_init();
    tdb::pg::task_worker_init();
    tdb::pg::toast_read_init();
    MarkGUCPrefixReserved("thingsdb");
    tdb::init_core();  // the table of built-ins and the core's hooks, before any query
}

const char* tdb::pg::scope_setting() { return default_scope ? default_scope : kDefaultScope; }
