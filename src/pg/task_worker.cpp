// The task worker: a background worker per database named in thingsdb.task_databases, started
// by the postmaster when the library is in shared_preload_libraries (as pg_cron starts its
// scheduler). It runs the due tasks of its database, each in a transaction of its own
// (SELECT tdb_run_due_task(), sql_tasks.cpp), then sleeps thingsdb.task_naptime.
//
// Without the preload (or with an empty list) no worker runs: tasks are kept and come due,
// and run when something calls tdb_run_due_task() (pg_cron, a job runner). A hot standby runs
// none: the worker starts only once recovery has finished (a promoted standby starts it), and
// tdb_run_due_task() refuses to run during recovery.
//
// This file is C in all but name: PostgreSQL's error handling (ereport, PG_TRY) jumps over
// every frame here, so no object here has a destructor and no exception is thrown.
#include "pg/task_worker.h"

extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/varlena.h"

PGDLLEXPORT void tdb_task_worker_main(Datum arg);
}

namespace {

char* task_databases = nullptr;  // thingsdb.task_databases
int task_naptime = 1000;         // thingsdb.task_naptime, milliseconds
// Tasks one round runs before it sleeps again (each in its own transaction): a flood of due
// tasks does not keep the worker from its signals.
constexpr int kTasksPerRound = 100;

void register_worker(const char* dbname) {
    BackgroundWorker w;
    memset(&w, 0, sizeof w);
    w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    w.bgw_start_time = BgWorkerStart_RecoveryFinished;
    w.bgw_restart_time = 5;
    snprintf(w.bgw_library_name, BGW_MAXLEN, "thingsdb");
    snprintf(w.bgw_function_name, BGW_MAXLEN, "tdb_task_worker_main");
    snprintf(w.bgw_name, BGW_MAXLEN, "thingsdb task worker for %s", dbname);
    snprintf(w.bgw_type, BGW_MAXLEN, "thingsdb task worker");
    strlcpy(w.bgw_extra, dbname, BGW_EXTRALEN);
    RegisterBackgroundWorker(&w);
}

// One transaction: runs one due task when the extension is installed in this database.
// Returns whether a task ran.
bool run_one() {
    bool ran = false;
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "thingsdb task worker: SPI_connect failed");
    pgstat_report_activity(STATE_RUNNING, "thingsdb: running a due task");
    SPI_execute(
        "SELECT pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_extension e"
        " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'thingsdb'",
        true, 1);
    if (SPI_processed == 1) {
        char* nsp = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
        char* sql = psprintf("SELECT %s.tdb_run_due_task()", nsp);
        SPI_execute(sql, false, 1);
        if (SPI_processed == 1) {
            bool isnull = true;
            (void)SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
            ran = !isnull;
        }
    }
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, nullptr);
    return ran;
}

// A round: due tasks until none is left (or kTasksPerRound ran). An error is logged and ends
// the round; its transaction is rolled back, so its task is due still.
void run_round(MemoryContext cxt) {
    for (int i = 0; i < kTasksPerRound; i++) {
        volatile bool ran = false;
        CHECK_FOR_INTERRUPTS();
        PG_TRY();
        { ran = run_one(); }
        PG_CATCH();
        {
            MemoryContextSwitchTo(cxt);
            ErrorData* edata = CopyErrorData();
            FlushErrorState();
            AbortCurrentTransaction();
            pgstat_report_activity(STATE_IDLE, nullptr);
            ereport(LOG, (errmsg("thingsdb task worker: %s", edata->message)));
            FreeErrorData(edata);
        }
        PG_END_TRY();
        MemoryContextReset(cxt);
        if (!ran) return;
    }
}

}  // namespace

extern "C" void tdb_task_worker_main(Datum) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(MyBgworkerEntry->bgw_extra, nullptr, 0);
    pgstat_report_appname("thingsdb task worker");
    MemoryContext cxt =
        AllocSetContextCreate(TopMemoryContext, "thingsdb task worker", ALLOCSET_DEFAULT_SIZES);
    for (;;) {
        CHECK_FOR_INTERRUPTS();
        if (ConfigReloadPending) {
            ConfigReloadPending = false;
            ProcessConfigFile(PGC_SIGHUP);
        }
        MemoryContextSwitchTo(cxt);
        run_round(cxt);
        (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, task_naptime,
                        PG_WAIT_EXTENSION);
        ResetLatch(MyLatch);
    }
}

void tdb::pg::task_worker_init() {
    // Read at server start; a library loaded later may not define a PGC_POSTMASTER setting,
    // and there the list only says which databases have workers (none: not preloaded).
    GucContext list_context =
        process_shared_preload_libraries_in_progress ? PGC_POSTMASTER : PGC_SIGHUP;
    DefineCustomStringVariable(
        "thingsdb.task_databases",
        "The databases whose tasks a background worker runs (a comma-separated list).",
        "Needs thingsdb in shared_preload_libraries; read at server start.", &task_databases, "",
        list_context, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "thingsdb.task_naptime", "How long the task worker sleeps when no task is due.", nullptr,
        &task_naptime, 1000, 10, 60000, PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr, nullptr);
    if (!process_shared_preload_libraries_in_progress) return;
    char* list = pstrdup(task_databases ? task_databases : "");
    List* names = NIL;
    if (!SplitIdentifierString(list, ',', &names)) {
        ereport(WARNING, (errmsg("thingsdb.task_databases is not a list of database names; "
                                 "no task worker starts")));
        return;
    }
    ListCell* lc;
    foreach (lc, names) register_worker(static_cast<const char*>(lfirst(lc)));
}
