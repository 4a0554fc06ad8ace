// Maintenance from SQL: tdb_collect_garbage (things, then the rooms only they held).
//
// The sweep itself is the SQL function thingsdb.collect_garbage (revoked from PUBLIC). It runs
// here inside run_in_call: as the extension owner with only pg_catalog searched (auth.h), after
// the caller's ThingsDB right is checked and before any lock is taken or any collection is
// looked up, so a caller without the right can neither stall writers nor learn which
// collections exist.
#include "core/api/access.h"
#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/api/events.h"

#include <string>
#include <vector>

#include "pg/entry.h"
#include "pg/notify.h"
#include "pg/storage/plans.h"

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
        enter_spi();
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

// The delete events of the rooms of one collection that only deleted things held.
struct RoomDeletes {
    std::string scope;
    uint64_t coll = 0;
    std::vector<std::pair<uint64_t, std::string>> jobs;
};

// thingsdb.gc_rooms(coll) through SPI, after a sweep that deleted things.
void sweep_rooms(uint64_t coll, const std::string& name, std::vector<RoomDeletes>& out) {
    std::vector<int64> gone;
    pg_call([&] {
        Oid types[1] = {INT8OID};
        Datum values[1] = {Int64GetDatum(static_cast<int64>(coll))};
        enter_spi();
        int rc = SPI_execute_with_args("SELECT thingsdb.gc_rooms($1)", 1, types, values, nullptr,
                                       false, 0);
        if (rc != SPI_OK_SELECT)
            elog(ERROR, "thingsdb: gc_rooms failed: %s", SPI_result_code_string(rc));
        for (uint64 i = 0; i < SPI_processed; ++i) {
            bool isnull = false;
            Datum d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
            if (!isnull) gone.push_back(DatumGetInt64(d));
        }
        SPI_freetuptable(SPI_tuptable);
    });
    if (gone.empty()) return;
    RoomDeletes& d = out.emplace_back();
    d.scope = "@:" + name;
    d.coll = coll;
    for (int64 id : gone) {
        std::string json = "{\"room\":\"delete\",\"scope\":";
        tdb::json_escape(json, d.scope);
        json += ",\"id\":" + std::to_string(id) + "}";
        d.jobs.emplace_back(static_cast<uint64_t>(id) | tdb::kRoomJob, std::move(json));
    }
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
    std::vector<RoomDeletes> deletes;
    run_in_call([&](EntryCall& call) {
        tdb::check_scope_access(call.storage, &call.identity(), "@thingsdb", tdb::AUTH_CHANGE);
        std::vector<tdb::CollectionRow> colls;
        if (all) {
            colls = call.storage.collections();
        } else {
            tdb::CollectionRow row;
            if (!call.storage.find_collection(name, row))
                tdb::raisef(tdb::LOOKUP_ERR, "collection `%s` not found", name.c_str());
            colls.push_back(row);
        }
        for (const tdb::CollectionRow& c : colls) {
            int64_t n = sweep(c.id);
            removed += n;
            if (n > 0) sweep_rooms(c.id, c.name, deletes);
        }
    });
    // Sent at commit, as a query's room events are.
    for (RoomDeletes& d : deletes) events_record(d.scope, d.coll, d.jobs);
    PG_RETURN_INT64(removed);
}
