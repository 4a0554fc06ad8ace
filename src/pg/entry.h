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
#include "pg/bridge.h"
#include "pg/notify.h"
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

void spi_connect();
// SPI_finish, then back to `back` when given (SPI_finish returns to the context of SPI_connect).
void spi_finish(MemoryContext back = nullptr);

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

// Runs work(EntryCall&) between SPI_connect and SPI_finish, as the owner of the tables with
// the caller's identity. On an exception SPI stays connected: the abort of the
// (sub)transaction that the error causes pops the connection.
template <typename Work>
void run_in_call(Work&& work) {
    MemoryContext call_cxt = CurrentMemoryContext;
    ErrorCopyContextScope copy_scope(call_cxt);
    spi_connect();
    {
        CallContext context;
        PgStorage storage;
        EntryCall call{storage, context, {}, {}};
        work(call);
        storage.finish();
        context.finish();
    }
    spi_finish(call_cxt);
}

enum class Returns { JSONB, TEXT };

// run_in_call for a function whose work returns the text of its result (JSON for
// Returns::JSONB); the watch events of the call are kept for the commit (notify.h).
template <typename Work>
Datum run_entry(Returns kind, Work&& work) {
    std::string result;
    Jobs jobs;
    std::string scope;
    uint64_t scope_id = 0;
    run_in_call([&](EntryCall& call) {
        result = work(call);
        jobs.swap(call.jobs);
        scope.swap(call.scope);
        if (!jobs.empty()) scope_id = scope_id_of(call.storage, scope);
    });
    Datum out = kind == Returns::JSONB ? jsonb_result(result) : text_result(result);
    events_record(scope, scope_id, jobs);
    return out;
}

}  // namespace tdb::pg
