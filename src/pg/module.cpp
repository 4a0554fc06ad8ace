// The module: its magic block, the thingsdb.scope setting and tdb_query.
#include "core/api/engine.h"

#include <string>
#include <string_view>

#include "pg/auth.h"
#include "pg/bridge.h"
#include "pg/notify.h"
#include "pg/memory.h"
#include "pg/storage/things.h"
#include "pg/readonly.h"

extern "C" {
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace {

// The scope of a call whose scope argument is NULL (SET thingsdb.scope = ...).
char* default_scope = nullptr;

// The limits of a query (thingsdb.max_*): superuser settings, so a caller
// cannot lift the protection of the server; each new Query copies them.
int max_string_size, max_list_size, max_things, max_call_depth, max_parse_depth;

void define_limit(const char* name, const char* desc, int* var, int boot, int min, int max, int flags,
                  GucIntAssignHook assign) {
    DefineCustomIntVariable(name, desc, nullptr, var, boot, min, max, PGC_SUSET, flags, nullptr, assign,
                            nullptr);
}

void define_limits() {
    tdb::Limits def;
    define_limit("thingsdb.max_string_size", "The largest string or bytes value a query may make.",
                 &max_string_size, static_cast<int>(def.max_str), 1024, 1024 * 1024 * 1024, GUC_UNIT_BYTE,
                 [](int v, void*) { tdb::configured_limits().max_str = static_cast<size_t>(v); });
    define_limit("thingsdb.max_list_size", "The most items a list may hold.", &max_list_size,
                 static_cast<int>(def.max_list), 1, 256 * 1024 * 1024, 0,
                 [](int v, void*) { tdb::configured_limits().max_list = static_cast<size_t>(v); });
    define_limit("thingsdb.max_things", "The most things a query may create or load.", &max_things,
                 static_cast<int>(def.max_things), 100, INT_MAX, 0,
                 [](int v, void*) { tdb::configured_limits().max_things = static_cast<size_t>(v); });
    define_limit("thingsdb.max_call_depth", "The deepest nesting of closure calls (recursion).",
                 &max_call_depth, def.max_call_depth, 1, 1000, 0,
                 [](int v, void*) { tdb::configured_limits().max_call_depth = v; });
    define_limit("thingsdb.max_parse_depth", "The deepest nesting of code the parser accepts.",
                 &max_parse_depth, def.max_parse_depth, 10, 2000, 0,
                 [](int v, void*) { tdb::configured_limits().max_parse_depth = v; });
}

// Sets error_copy_context for the duration of one entry-point call, so a
// caught PostgreSQL error survives SPI_finish.
class ErrorCopyContextScope {
public:
    explicit ErrorCopyContextScope(MemoryContext cxt) : saved_(tdb::pg::error_copy_context) {
        tdb::pg::error_copy_context = cxt;
    }
    ~ErrorCopyContextScope() { tdb::pg::error_copy_context = saved_; }
    ErrorCopyContextScope(const ErrorCopyContextScope&) = delete;
    ErrorCopyContextScope& operator=(const ErrorCopyContextScope&) = delete;

private:
    MemoryContext saved_;
};

// Text of a non-null text argument (detoasted, in the call's memory context).
std::string_view text_arg(FunctionCallInfo fcinfo, int n) {
    text* t = nullptr;
    tdb::pg::pg_call([&] { t = PG_GETARG_TEXT_PP(n); });
    return {VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

}  // namespace

extern "C" void _PG_init(void) {
    DefineCustomStringVariable("thingsdb.scope",
                               "The ThingsDB scope of a call whose scope argument is NULL.",
                               "'@:NAME' for a collection or '@thingsdb'.", &default_scope,
                               "@:stuff", PGC_USERSET, 0, nullptr, nullptr, nullptr);
    define_limits();
    tdb::pg::memory_init();
    tdb::pg::events_init();
    MarkGUCPrefixReserved("thingsdb");
    tdb::init_core();   // the table of built-ins and the core's hooks, before any query
}

namespace {

// tdb_query and tdb_query_ro (read_only: refuse changes).
Datum query_impl(FunctionCallInfo fcinfo, bool read_only) {
    using tdb::pg::pg_call;
    if (PG_ARGISNULL(0)) {
        pg_call([] {
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("code must not be NULL")));
        });
    }
    ErrorCopyContextScope copy_scope(CurrentMemoryContext);
    MemoryContext call_cxt = CurrentMemoryContext;

    tdb::QueryRequest req;
    // A hot standby or a read-only transaction refuses changes up front,
    // with a clear message rather than a failed write at the end.
    std::string read_only_reason =
        read_only ? tdb::pg::read_only_reason("tdb_query_ro", "tdb_query") : tdb::pg::read_only_reason();
    req.read_only = read_only_reason;
    req.code = text_arg(fcinfo, 0);
    if (PG_ARGISNULL(1)) {
        req.scope = default_scope ? default_scope : "";
    } else {
        req.scope = text_arg(fcinfo, 1);
    }
    if (!PG_ARGISNULL(2)) {
        char* vars = nullptr;
        pg_call([&] {
            Jsonb* jb = PG_GETARG_JSONB_P(2);
            vars = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
        });
        req.vars_json = vars;
    }

    pg_call([] {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "thingsdb: SPI_connect failed");
    });
    // On an exception SPI stays connected: the abort of the (sub)transaction
    // that the error causes pops the connection.
    std::string result;
    std::vector<std::pair<uint64_t, std::string>> jobs;   // watch events, kept until commit
    std::string scope_label;   // "@:name" also for a collection given by id
    {
        tdb::pg::CallContext call;   // the caller's identity; the owner's rights (auth.h)
        tdb::pg::PgStorage storage;
        req.identity = &call.identity(storage);
        req.jobs_out = &jobs;
        req.scope_out = &scope_label;
        result = tdb::run_query(storage, req);
        storage.finish();
        call.finish();
    }
    Datum out = 0;
    pg_call([&] {
        if (SPI_finish() != SPI_OK_FINISH) elog(ERROR, "thingsdb: SPI_finish failed");
        // The result must live in the caller's context, not in SPI's.
        MemoryContextSwitchTo(call_cxt);
        out = DirectFunctionCall1(jsonb_in, CStringGetDatum(result.c_str()));
    });
    tdb::pg::events_record(scope_label, jobs);
    PG_RETURN_DATUM(out);
}

}  // namespace

// tdb_query(code text, scope text DEFAULT NULL, vars jsonb DEFAULT NULL) -> jsonb
TDB_PG_FUNCTION(tdb_query) { return query_impl(fcinfo, false); }

// tdb_query_ro(code text, scope text DEFAULT NULL, vars jsonb DEFAULT NULL) -> jsonb:
// STABLE; code that changes data is an operation_err.
TDB_PG_FUNCTION(tdb_query_ro) { return query_impl(fcinfo, true); }
