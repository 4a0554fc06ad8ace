// Maintenance from SQL: tdb_collect_garbage.
//
// The sweep itself is the SQL function thingsdb.collect_garbage (revoked from PUBLIC). It runs
// here inside run_in_call: as the extension owner with only pg_catalog searched (auth.h), after
// the caller's ThingsDB right is checked and before any lock is taken or any collection is
// looked up, so a caller without the right can neither stall writers nor learn which
// collections exist.
#include "core/api/access.h"
#include "core/api/error.h"

#include <string>
#include <vector>

#include "pg/entry.h"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
}

using namespace tdb::pg;

namespace {

// thingsdb.collect_garbage(coll) through SPI; how many things it deleted.
int64_t sweep(uint64_t coll) {
    int64 removed = 0;
    pg_call([&] {
        Oid types[1] = {INT8OID};
        Datum values[1] = {Int64GetDatum(static_cast<int64>(coll))};
        int rc = SPI_execute_with_args("SELECT thingsdb.collect_garbage($1)", 1, types, values,
                                       nullptr, false, 1);
        if (rc != SPI_OK_SELECT || SPI_processed != 1)
            elog(ERROR, "thingsdb: collect_garbage failed: %s", SPI_result_code_string(rc));
        bool isnull = false;
        Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        removed = isnull ? 0 : DatumGetInt64(d);
        SPI_freetuptable(SPI_tuptable);
    });
    return removed;
}

}  // namespace

// tdb_collect_garbage(collection_name text DEFAULT NULL) -> bigint: CHANGE on @thingsdb, as
// ThingsDB asks for the node-wide changes of the collections (new_collection, del_collection):
// the sweep locks the things of every collection against writers.
TDB_PG_FUNCTION(tdb_collect_garbage) {
    bool all = PG_ARGISNULL(0);
    std::string name;
    if (!all) name = std::string(text_arg(fcinfo, 0));
    int64_t removed = 0;
    run_in_call([&](EntryCall& call) {
        tdb::check_scope_access(call.storage, &call.identity(), "@thingsdb", tdb::AUTH_CHANGE);
        std::vector<uint64_t> colls;
        if (all) {
            for (const tdb::CollectionRow& r : call.storage.collections()) colls.push_back(r.id);
        } else {
            tdb::CollectionRow row;
            if (!call.storage.find_collection(name, row))
                tdb::raisef(tdb::LOOKUP_ERR, "collection `%s` not found", name.c_str());
            colls.push_back(row.id);
        }
        for (uint64_t c : colls) removed += sweep(c);
    });
    PG_RETURN_INT64(removed);
}
