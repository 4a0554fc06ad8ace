// Watch events from SQL: tdb_watch, tdb_unwatch and tdb_prune_events (notify.h keeps and
// sends the events of a transaction).
#include "core/api/access.h"
#include "core/api/error.h"
#include "core/api/events.h"

#include <string>

#include "pg/entry.h"
#include "pg/notify.h"

extern "C" {
#include "access/xlog.h"
#include "commands/async.h"
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

// tdb_watch(thing_id bigint, scope text DEFAULT NULL) -> jsonb: the init event.
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
    std::string init;
    run_in_call([&](EntryCall& call) {  // JOIN on the scope
        tdb::check_scope_access(call.storage, &call.identity(), scope, tdb::AUTH_JOIN);
        lock_commits(true);
        call.storage.renew_snapshot();  // the state as of change_id: after the wait for the lock
        int64_t change_id = last_change_id();
        init = tdb::watch_init(call.storage, scope, static_cast<uint64_t>(id), change_id);
    });
    std::string channel = channel_of(static_cast<uint64_t>(id));
    pg_call([&] { Async_Listen(channel.c_str()); });
    return jsonb_result(init);
}

// tdb_unwatch(thing_id bigint) -> void
TDB_PG_FUNCTION(tdb_unwatch) {
    int64 id = thing_id_arg(fcinfo);
    std::string channel = channel_of(static_cast<uint64_t>(id));
    pg_call([&] { Async_Unlisten(channel.c_str()); });
    PG_RETURN_VOID();
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
