// The frame every SQL function that runs core code shares: the SPI connection, the caller's
// identity with the owner's rights (auth.h), one PgStorage, the result copied into the
// caller's memory context and the watch events kept for the commit. Also the argument
// helpers of the SQL functions (sql_*.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pg/auth.h"

extern "C" {
#include "utils/resowner.h"
}

#include "pg/bridge.h"
#include "pg/notify.h"
#include "pg/storage/epochs.h"
#include "pg/storage/rerun.h"
#include "pg/storage/things.h"

namespace tdb::pg {

// Sets error_copy_context for one entry-point call, so a PostgreSQL error caught by pg_call
// survives SPI_finish (bridge.h).
class ErrorCopyContextScope {
public:
    explicit ErrorCopyContextScope(MemoryContext cxt) : saved_(error_copy_context) {
        error_copy_context = cxt;
    }
    ~ErrorCopyContextScope() { error_copy_context = saved_; }
    ErrorCopyContextScope(const ErrorCopyContextScope&) = delete;
    ErrorCopyContextScope& operator=(const ErrorCopyContextScope&) = delete;

private:
    MemoryContext saved_;
};

// Marks the loop of run_attempts for the storage (rerun.h), for its lifetime.
class AttemptsScope {
public:
    AttemptsScope() { rerun_enter(); }
    ~AttemptsScope() { rerun_leave(); }
    AttemptsScope(const AttemptsScope&) = delete;
    AttemptsScope& operator=(const AttemptsScope&) = delete;
};

void spi_connect();
// SPI_finish, then back to `back` when given (SPI_finish returns to the context of SPI_connect).
void spi_finish(MemoryContext back = nullptr);

// The SPI connection of one run_in_call, made by its first statement (enter_spi, plans.h):
// most warm calls run none, and SPI_connect and SPI_finish are a good part of a short call.
// Nested calls each have their own. Until the connection, memory is taken in the caller's
// context, which outlives the call as SPI's would not.
class SpiScope {
public:
    SpiScope();   // marks the transaction as one that used thingsdb (refuses PREPARE)
    ~SpiScope();  // plain assignments: safe while an exception unwinds (SPI stays connected,
                  // the abort of the (sub)transaction pops it)
    SpiScope(const SpiScope&) = delete;
    SpiScope& operator=(const SpiScope&) = delete;
    // SPI_finish when connected; then back to `back`.
    void finish(MemoryContext back);
    // SPI_connect once (enter_spi). Inside pg_call.
    void connect();

private:
    SpiScope* outer_;
    bool connected_ = false;
};

// ---- arguments ----
// ereport "<what> must not be NULL" (22004) when argument n is NULL.
void require_arg(FunctionCallInfo fcinfo, int n, const char* what);
// Text of a non-null text argument: detoasted in the call's memory context, valid until the
// function returns.
std::string_view text_arg(FunctionCallInfo fcinfo, int n);
// The JSON text of a non-null jsonb argument, in the call's memory context as text_arg's.
std::string_view jsonb_arg(FunctionCallInfo fcinfo, int n);
// A scope argument, or thingsdb.scope when it is NULL.
std::string scope_arg(FunctionCallInfo fcinfo, int n);

// ---- results, made in the caller's memory context ----
Datum jsonb_result(const std::string& json);
Datum text_result(const std::string& text);

using Jobs = std::vector<std::pair<uint64_t, std::string>>;

// What the work of an entry point gets.
struct EntryCall {
    PgStorage& storage;
    CallContext& context;
    // A run that changes watched things puts their jobs here, with the scope they belong to
    // ("@:name", also for a collection given by id); run_entry keeps them for the commit.
    Jobs jobs;
    std::string scope;
    // The caller's ThingsDB identity, resolved on first use (auth_err, see CallContext).
    const Identity& identity() { return context.identity(storage); }
};

// Runs work(EntryCall&) in a SpiScope (SPI connected at the first statement, finished at the
// end), as the owner of the tables with the caller's identity. On an exception SPI stays
// connected: the abort of the (sub)transaction that the error causes pops the connection.
// The extension in this database must be of kSchemaVersion (settings.h): the library reads
// and writes the tables of that install script only. Otherwise an error that says to run
// ALTER EXTENSION thingsdb UPDATE. Checked once per backend and after DROP/CREATE EXTENSION.
void check_schema_version();

template <typename Work>
void run_in_call(Work&& work) {
    CacheCallScope caches;
    check_schema_version();
    MemoryContext call_cxt = CurrentMemoryContext;
    ErrorCopyContextScope copy_scope(call_cxt);
    SpiScope spi;
    {
        CallContext context;
        PgStorage storage;
        EntryCall call{storage, context, {}, {}};
        try {
            work(call);
        } catch (const WriterSignal&) {
            // Thrown by core code between two calls into PostgreSQL, before anything was
            // written: the call ends as a successful one does, and runs again in attempts.
            storage.finish();
            context.finish();
            spi.finish(call_cxt);
            throw;
        }
        storage.finish();
        context.finish();
    }
    spi.finish(call_cxt);
}

enum class Returns { JSONB, TEXT };
// Whether the work of an entry point may change data: a call that may runs in a
// subtransaction of its own and runs again after a conflict (below). PREDICTED: as MAYBE, but
// while the last call of the same key (rerun_key: the procedure) changed nothing, the call
// runs as a reader without the subtransaction (its cost is a good part of a short call); one
// that is about to change data after all ends before it writes (WriterSignal) and runs again
// in attempts. A reader cannot meet a conflict: it locks nothing it waits for.
enum class Writes { NO, MAYBE, PREDICTED };

// The prediction of Writes::PREDICTED: whether the last call of the key stayed a reader.
bool predicted_reader(const RerunKey& key);
void record_reader(const RerunKey& key, bool reader);

// ---- running again after a conflict (docs/sql.md, "Concurrency") ----
// The subtransaction of one attempt: what BeginInternalSubTransaction changes, to restore.
struct Attempt {
    MemoryContext cxt = nullptr;
    ResourceOwner owner = nullptr;
};
// Whether a call of Writes::MAYBE runs in attempts: READ COMMITTED, outside another call.
bool attempts_enabled();
void attempt_begin(Attempt& a);
void attempt_commit(const Attempt& a);
void attempt_rollback(const Attempt& a);
// After a failed attempt (its subtransaction rolled back): whether to run again. A conflict
// (40001) or deadlock (40P01) of PostgreSQL, or a RerunSignal (rerun == true), within
// kMaxAttempts; false leaves the error to end the statement.
bool attempt_again(const PgError* pg, bool rerun, int attempt);
// The last attempt wanted to run again: the conflict's error, 40001.
[[noreturn]] void attempts_exhausted();
constexpr int kMaxAttempts = 20;

// Runs work in attempts: each in its own subtransaction, begun before SPI_connect (its abort
// pops the connection, as PL/pgSQL's exception blocks rely on), the locks of the failed
// attempts taken first (PgStorage::take_locks_ahead), and before the first attempt those that
// the last calls of the same key (rerun_key; kind 0 for none) needed when their writers met. Every
// PostgreSQL call here is in pg_call; an exception leaves the attempt rolled back before it
// goes on.
template <typename Work>
void run_attempts(Work&& work, const RerunKey& key = {}) {
    ErrorCopyContextScope copy_scope(CurrentMemoryContext);
    AttemptsScope scope;
    rerun_predict(key);
    for (int attempt = 1;; ++attempt) {
        Attempt a;
        attempt_begin(a);
        bool again = false;
        try {
            run_in_call([&](EntryCall& call) {
                call.storage.take_locks_ahead();
                work(call);
            });
            attempt_commit(a);
            rerun_succeeded(attempt);
            return;
        } catch (const PgError& e) {
            attempt_rollback(a);
            again = attempt_again(&e, false, attempt);
            if (!again) throw;
        } catch (const RerunSignal&) {
            attempt_rollback(a);
            again = attempt_again(nullptr, true, attempt);
            if (!again) attempts_exhausted();
        } catch (...) {
            attempt_rollback(a);
            throw;
        }
    }
}

// run_in_call for a function whose work returns the text of its result (JSON for
// Returns::JSONB); the watch events of the call are kept for the commit (notify.h). key: the
// call's rerun_key, which lets its attempts lock what the last calls of that key met others on.
template <typename Work>
Datum run_entry(Returns kind, Work&& work, Writes writes = Writes::NO, const RerunKey& key = {}) {
    std::string result;
    Jobs jobs;
    std::string scope;
    uint64_t scope_id = 0;
    bool stayed_reader = false;
    auto once = [&](EntryCall& call) {
        if (writes == Writes::NO) call.storage.set_reader();
        result = work(call);
        stayed_reader = call.storage.reader();
        jobs.swap(call.jobs);
        scope.swap(call.scope);
        if (!jobs.empty()) scope_id = scope_id_of(call.storage, scope);
    };
    if (writes != Writes::NO && attempts_enabled()) {
        bool attempts = true;
        if (writes == Writes::PREDICTED && predicted_reader(key)) {
            try {
                run_in_call([&](EntryCall& call) {
                    call.storage.set_unattempted();
                    once(call);
                });
                attempts = false;
            } catch (const WriterSignal&) {
            }
        }
        if (attempts) {
            run_attempts(once, key);
            if (writes == Writes::PREDICTED) record_reader(key, stayed_reader);
        }
    } else if (rerun_active()) {
        // A call inside an attempt of another (a trigger on a table the outer call writes):
        // its storage waits as a call without attempts does, the outer call runs again.
        AttemptsScope nested;
        run_in_call(once);
    } else {
        run_in_call(once);
    }
    Datum out = kind == Returns::JSONB ? jsonb_result(result) : text_result(result);
    events_record(scope, scope_id, jobs);
    return out;
}

}  // namespace tdb::pg
