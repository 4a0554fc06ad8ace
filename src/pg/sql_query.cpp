// tdb_query and tdb_query_ro: ThingsDB code from SQL.
#include "core/api/engine.h"

#include <string>

#include "pg/entry.h"
#include "pg/readonly.h"

using namespace tdb::pg;

namespace {

// tdb_query and tdb_query_ro (read_only: refuse changes).
Datum query_impl(FunctionCallInfo fcinfo, bool read_only) {
    require_arg(fcinfo, 0, "code");
    tdb::QueryRequest req;
    // A hot standby or a read-only transaction refuses changes up front, with a clear message
    // rather than a failed write at the end.
    std::string reason =
        read_only ? read_only_reason("tdb_query_ro", "tdb_query") : read_only_reason();
    req.read_only = reason;
    req.code = text_arg(fcinfo, 0);
    std::string scope = scope_arg(fcinfo, 1);
    req.scope = scope;
    if (!PG_ARGISNULL(2)) req.vars_json = jsonb_arg(fcinfo, 2);
    return run_entry(
        Returns::JSONB,
        [&](EntryCall& call) {
            req.identity = &call.identity();
            req.jobs_out = &call.jobs;
            req.scope_out = &call.scope;
            return tdb::run_query(call.storage, req);
        },
        // Code that stayed a reader at its last call runs without the subtransaction of an
        // attempt; code that may change data is a writer before it opens anything (run_query).
        reason.empty() ? Writes::PREDICTED : Writes::NO,
        rerun_key('q', scope, req.code, req.vars_json));
}

}  // namespace

// tdb_query(code text, scope text DEFAULT NULL, vars jsonb DEFAULT NULL) -> jsonb
TDB_PG_FUNCTION(tdb_query) { return query_impl(fcinfo, false); }

// tdb_query_ro(code text, scope text DEFAULT NULL, vars jsonb DEFAULT NULL) -> jsonb:
// STABLE; code that changes data is an operation_err.
TDB_PG_FUNCTION(tdb_query_ro) { return query_impl(fcinfo, true); }
