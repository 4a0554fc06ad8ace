// The entry point of the core: run ThingsDB code in a scope against storage.
#pragma once

#include "core/api/pure.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/api/storage.h"

namespace tdb {

struct Scope {
    enum Kind { THINGSDB, COLLECTION, NODE } kind = COLLECTION;
    std::string name;  // the collection's name for COLLECTION
    uint64_t id = 0;   // or its id ("@:123"), when name is empty
};

// Parses a scope as ThingsDB does (ti_scope_init): "@thingsdb" and its
// prefixes ("@t"), "@node[:id]", "@collection:name", "@:name", "@:id", and
// the same with `/` ("/thingsdb", "/collection/name", "//name"; "//thingsdb"
// is the collection `thingsdb`, as in ThingsDB). Throws Error (value_err)
// with ThingsDB's messages otherwise.
Scope parse_scope(std::string_view s);

struct Identity;  // access.h

struct QueryRequest {
    std::string_view scope;
    std::string_view code;
    std::string_view vars_json;  // a JSON object, or empty
    // When set, receives the watch-event jobs of a successful run in the
    // order applied: (thing id, mutation JSON); see events.h.
    std::vector<std::pair<uint64_t, std::string>>* jobs_out = nullptr;
    const Identity* identity = nullptr;  // access.h; nullptr: no checks
    // Non-empty: the run is read-only and a change fails with this reason
    // (see Query::read_only).
    std::string_view read_only;
    // When set, receives the scope as "@thingsdb" or "@:name" (a collection
    // given by id, "@:123", by its name): what the watch events record.
    std::string* scope_out = nullptr;
};

// The core's start-up (core/init.cpp): builds the table of built-ins and
// installs the hooks of Types, enums, wraps, procedures and restrictions.
// Idempotent; _PG_init calls it, and so do run_query, the procedure entry
// points (api/procedures.h) and watch_init (api/events.h) before they start.
void init_core();

// Runs the code, writes its changes through the storage and returns the
// result rendered as JSON text. Throws tdb::Error for a ThingsDB error;
// exceptions from the storage pass through unchanged.
std::string run_query(Storage& st, const QueryRequest& req);

// Limits (settings in PostgreSQL, defaults here).
struct Limits {
    int max_parse_depth = 500;          // nesting of the code (as libcleri)
    int max_call_depth = 24;            // nested closure calls (as ThingsDB)
    size_t max_str = 64 * 1024 * 1024;  // bytes of one string or bytes value
    size_t max_list = 1000000;          // items of one list
    size_t max_range = 100000;          // ThingsDB's range() cap
    size_t max_things = 1000000;        // things a query creates or loads
};
// The limits every new Query starts with: the thingsdb.max_* settings
// (src/pg/thingsdb.cpp keeps them up to date), else the defaults above.
Limits& configured_limits();

// True while run_query (or a procedure run) evaluates code in this thread;
// the memory limit of src/pg counts only then.
bool query_running();

}  // namespace tdb
