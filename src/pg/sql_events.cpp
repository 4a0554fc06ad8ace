// Watch events from SQL: tdb_watch, tdb_unwatch, tdb_event, tdb_events_since and
// tdb_prune_events (notify.h keeps and sends the events of a transaction, watches.h keeps
// who watches what).
#include "core/api/access.h"
#include "core/api/error.h"
#include "core/api/events.h"

#include <string>
#include <vector>

#include "pg/entry.h"
#include "pg/storage/plans.h"
#include "pg/notify.h"
#include "pg/watches.h"

extern "C" {
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/tuplestore.h"
}

using namespace tdb::pg;

namespace {

int64 thing_id_arg(FunctionCallInfo fcinfo) {
    int64 id = 0;
    bool null = PG_ARGISNULL(0);
    if (!null) id = PG_GETARG_INT64(0);
    if (null || id < 0) tdb::raise(tdb::VALUE_ERR, "expecting a thing id (an integer >= 0)");
    return id;
}

}  // namespace

// tdb_watch(thing_id bigint, scope text DEFAULT NULL) -> jsonb: the init event, with the
// session's channel under "channel" (watches.h).
TDB_PG_FUNCTION(tdb_watch) {
    // Notifications are not replicated: on a hot standby no event would come.
    pg_call([] {
        if (RecoveryInProgress())
            ereport(
                ERROR,
                (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                 errmsg("cannot watch on a hot standby: events are notified on the primary only"),
                 errhint("Watch on the primary; standbys serve reads.")));
    });
    int64 id = thing_id_arg(fcinfo);
    std::string scope = scope_arg(fcinfo, 1);
    if (id == 0) scope = "@thingsdb";
    std::string init, channel, retired;
    run_in_call([&](EntryCall& call) {  // JOIN on the scope
        const tdb::Identity& who = call.identity();
        tdb::check_scope_access(call.storage, &who, scope, tdb::AUTH_JOIN);
        lock_commits(true);
        call.storage.renew_snapshot();  // the state as of change_id: after the wait for the lock
        int64_t change_id = last_change_id();
        init = tdb::watch_init(call.storage, scope, static_cast<uint64_t>(id), change_id);
        WatchOwner owner = session_watch_owner(who);
        channel = session_channel(retired);
        watch_add(channel, static_cast<uint64_t>(id), scope_id_of(call.storage, scope), owner);
    });
    // Both take effect at commit, with the row of the watch.
    pg_call([&] {
        if (!retired.empty()) Async_Unlisten(retired.c_str());
        Async_Listen(channel.c_str());
    });
    // watch_init gives an object with at least "event".
    init = "{\"channel\":\"" + channel + "\"," + init.substr(1);
    return jsonb_result(init);
}

// tdb_unwatch(thing_id bigint) -> void
TDB_PG_FUNCTION(tdb_unwatch) {
    int64 id = thing_id_arg(fcinfo);
    run_in_call([&](EntryCall&) { watch_remove(static_cast<uint64_t>(id)); });
    PG_RETURN_VOID();
}

namespace {

// The scopes whose events the caller may read: those it has JOIN on (all for an admin,
// then *all is set). auth_err for a caller that is no ThingsDB user.
void watchable_scopes(EntryCall& call, bool* all, std::vector<int64>& scopes) {
    const tdb::Identity& who = call.identity();
    *all = who.admin;
    if (who.admin) return;
    for (const tdb::AccessRow& a : call.storage.user_access(who.user_id))
        if (a.mask & tdb::AUTH_JOIN) scopes.push_back(static_cast<int64>(a.scope_id));
}

// An int8[] of the scopes, palloc'd; inside pg_call.
Datum scopes_datum(const std::vector<int64>& scopes) {
    Datum* d = static_cast<Datum*>(palloc(sizeof(Datum) * (scopes.size() + 1)));
    for (size_t i = 0; i < scopes.size(); ++i) d[i] = Int64GetDatum(scopes[i]);
    return PointerGetDatum(construct_array(d, static_cast<int>(scopes.size()), INT8OID, 8,
                                           FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

}  // namespace

// tdb_event(change_id bigint, thing_id bigint) -> jsonb: the stored event, NULL when it was
// pruned, does not exist, or is of a scope the caller may not watch.
TDB_PG_FUNCTION(tdb_event) {
    int64 change_id = PG_GETARG_INT64(0);
    int64 thing_id = PG_GETARG_INT64(1);
    std::string payload;
    bool found = false;
    run_in_call([&](EntryCall& call) {
        bool all = false;
        std::vector<int64> scopes;
        watchable_scopes(call, &all, scopes);
        pg_call([&] {
            Oid types[3] = {INT8OID, INT8OID, INT8ARRAYOID};
            Datum values[3] = {Int64GetDatum(change_id), Int64GetDatum(thing_id),
                               all ? 0 : scopes_datum(scopes)};
            char nulls[4] = {' ', ' ', all ? 'n' : ' ', 0};
            enter_spi();
            int rc = SPI_execute_with_args(
                "SELECT e.payload::text FROM thingsdb.events e"
                " WHERE e.change_id = $1 AND e.thing_id = $2"
                " AND ($3 IS NULL OR e.scope_id = ANY ($3))",
                3, types, values, nulls, true, 1);
            if (rc != SPI_OK_SELECT) elog(ERROR, "thingsdb: reading an event failed");
        });
        char* text = nullptr;
        pg_call([&] {
            if (SPI_processed > 0)
                text = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
        });
        if (text) {
            payload = text;
            found = true;
        }
    });
    if (!found) PG_RETURN_NULL();
    return jsonb_result(payload);
}

// tdb_events_since(change_id bigint, thing_ids bigint[] DEFAULT NULL) -> SETOF jsonb: the
// stored events after change_id, of the given things or all, of the scopes the caller may
// watch, in change order; lookup_err when events after change_id were pruned.
TDB_PG_FUNCTION(tdb_events_since) {
    pg_call([&] { InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC); });
    if (PG_ARGISNULL(0)) return 0;
    int64 change_id = PG_GETARG_INT64(0);
    Datum things = PG_ARGISNULL(1) ? 0 : PG_GETARG_DATUM(1);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    run_in_call([&](EntryCall& call) {
        bool all = false;
        std::vector<int64> scopes;
        watchable_scopes(call, &all, scopes);
        int64 pruned = 0;
        pg_call([&] {
            enter_spi();
            int rc = SPI_execute("SELECT last_value FROM thingsdb.events_pruned_seq", true, 1);
            bool isnull = true;
            if (rc == SPI_OK_SELECT && SPI_processed == 1)
                pruned = DatumGetInt64(
                    SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        });
        if (change_id < pruned)
            tdb::raisef(tdb::LOOKUP_ERR, "events after change %lld were pruned; watch again",
                        static_cast<long long>(change_id));
        pg_call([&] {
            Oid types[3] = {INT8OID, INT8ARRAYOID, INT8ARRAYOID};
            Datum values[3] = {Int64GetDatum(change_id), things, all ? 0 : scopes_datum(scopes)};
            char nulls[4] = {' ', things ? ' ' : 'n', all ? 'n' : ' ', 0};
            enter_spi();
            int rc = SPI_execute_with_args(
                "SELECT e.payload FROM thingsdb.events e"
                " WHERE e.change_id > $1 AND ($2 IS NULL OR e.thing_id = ANY ($2))"
                " AND ($3 IS NULL OR e.scope_id = ANY ($3))"
                " ORDER BY e.change_id, e.thing_id",
                3, types, values, nulls, true, 0);
            if (rc != SPI_OK_SELECT) elog(ERROR, "thingsdb: reading events failed");
            for (uint64 r = 0; r < SPI_processed; ++r) {
                bool isnull = false;
                Datum v = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull);
                tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &v, &isnull);
                if ((r & 1023) == 1023) CHECK_FOR_INTERRUPTS();
            }
        });
    });
    return 0;
}

// tdb_prune_events() -> bigint: deletes the events older than thingsdb.event_retention now;
// returns how many. CHANGE on @thingsdb (the events of every collection go), checked before the
// commit lock is taken: a caller without the right cannot hold the lock and stall every
// committer. The plans run as the extension owner with only pg_catalog searched (run_in_call),
// so the caller's search_path cannot reach into them.
TDB_PG_FUNCTION(tdb_prune_events) {
    (void)fcinfo;
    int64_t n = 0;
    run_in_call([&](EntryCall& call) {
        tdb::check_scope_access(call.storage, &call.identity(), "@thingsdb", tdb::AUTH_CHANGE);
        lock_commits(false);
        n = prune_events();
    });
    PG_RETURN_INT64(n);
}
