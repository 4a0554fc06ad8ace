// Running tasks from SQL: tdb_run_due_task(), which the task worker (task_worker.cpp) calls
// once per transaction, and anyone with EXECUTE on it (pg_cron, a job runner, a test) may call
// instead.
//
// One call runs at most one task, in the caller's transaction: the task's row is locked first
// (FOR UPDATE SKIP LOCKED), so two workers, or a worker and a manual call, never run one task
// twice; the lock holds until the transaction ends, when the run's changes and events commit
// together. The run itself is a subtransaction: when the closure fails, its changes roll back
// and the error is kept in the task instead (task.err()).
#include "core/api/error.h"
#include "core/api/tasks.h"

#include <cstdint>
#include <string>

#include "pg/entry.h"

extern "C" {
#include "access/xlog.h"
#include "utils/errcodes.h"
}

namespace tdb::pg {

namespace {

struct DueTask {
    uint64_t scope_id = 0;
    uint64_t id = 0;
    uint64_t owner_id = 0;
    std::string owner;
};

bool lock_due(DueTask& due) {
    bool found = false;
    run_in_call([&](EntryCall& call) {
        int64_t now = static_cast<int64_t>(call.storage.now());
        if (!call.storage.lock_due_task(now, due.scope_id, due.id)) return;
        TaskRow row;
        if (!call.storage.find_task(due.scope_id, due.id, row)) return;
        due.owner_id = row.owner_id;
        due.owner = row.owner;
        found = true;
    });
    return found;
}

void record_error(const DueTask& due, int code, const std::string& msg) {
    run_in_call([&](EntryCall& call) {
        tdb::record_task_error(call.storage, due.scope_id, due.id, code, msg);
    });
}

// PostgreSQL errors that end the call instead of failing the task: a cancel or shutdown,
// and a conflict or deadlock, after which the task is due still and runs again.
bool ends_the_call(const PgError& e) {
    int code = e.edata() ? e.edata()->sqlerrcode : 0;
    return code == ERRCODE_QUERY_CANCELED || code == ERRCODE_ADMIN_SHUTDOWN ||
           code == ERRCODE_T_R_SERIALIZATION_FAILURE || code == ERRCODE_T_R_DEADLOCK_DETECTED;
}

// Runs one due task; its id, or 0 when none was due.
uint64_t run_due_task() {
    ErrorCopyContextScope copy_scope(CurrentMemoryContext);
    DueTask due;
    if (!lock_due(due)) return 0;
    Jobs jobs;
    std::string scope;
    auto work = [&](EntryCall& call) {
        jobs.clear();  // of a failed attempt
        Identity who = task_owner_identity(call.storage, due.owner_id, due.owner);
        tdb::TaskRunRequest req;
        req.scope_id = due.scope_id;
        req.task_id = due.id;
        req.identity = &who;
        req.jobs_out = &jobs;
        req.scope_out = &scope;
        tdb::run_task(call.storage, req);
    };
    // The run is a subtransaction (an attempt, entry.h): a failed run leaves nothing behind,
    // and at READ COMMITTED a run that conflicts with a concurrent writer runs again, as
    // every call that writes does.
    try {
        if (attempts_enabled()) {
            run_attempts(work);
        } else {
            Attempt a;
            attempt_begin(a);
            try {
                run_in_call(work);
            } catch (...) {
                attempt_rollback(a);
                throw;
            }
            attempt_commit(a);
        }
    } catch (const tdb::Error& e) {
        record_error(due, e.code(), e.msg());
        return due.id;
    } catch (const PgError& e) {
        if (ends_the_call(e)) throw;
        record_error(due, tdb::OPERATION_ERR, e.what());
        return due.id;
    }
    if (!jobs.empty()) {
        uint64_t scope_id = 0;
        run_in_call([&](EntryCall& call) { scope_id = scope_id_of(call.storage, scope); });
        events_record(scope, scope_id, jobs);
    }
    return due.id;
}

}  // namespace

}  // namespace tdb::pg

// tdb_run_due_task() -> bigint: runs one due task of this database (the id of the task), or
// none (NULL). On a hot standby it runs none: its tables are read-only.
TDB_PG_FUNCTION(tdb_run_due_task) {
    bool standby = false;
    tdb::pg::pg_call([&] { standby = RecoveryInProgress(); });
    uint64_t id = standby ? 0 : tdb::pg::run_due_task();
    if (!id) {
        fcinfo->isnull = true;
        return static_cast<Datum>(0);
    }
    return Int64GetDatum(static_cast<int64>(id));
}
