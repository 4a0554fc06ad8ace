// The error bridge between C++ exceptions and PostgreSQL's longjmp-based ereport.
//
// Two directions:
//  - pg_call(f) runs f, which calls into PostgreSQL, under PG_TRY; a PostgreSQL
//    error becomes a C++ PgError holding a copy of the ErrorData.
//  - invoke_cpp(fn, fcinfo) runs an fmgr entry point's C++ body, catches every
//    exception and reports it with ereport only after the C++ frames are gone.
//
// Rule for the lambdas given to pg_call: no object with a destructor may be
// alive while a PostgreSQL function runs in it, because an ereport longjmps
// straight back to pg_call and would skip that destructor. Build strings and
// vectors before the call; the lambda only reads or fills objects of the
// caller (through references, raw pointers and Datums). test/tools/pg_call_lint.py
// (in scripts/check_layout.sh) looks for such objects in every pg_call lambda
// and in the functions of src/pg it calls.
#pragma once

extern "C" {
#include "postgres.h"

#include "fmgr.h"
}

#include <exception>

namespace tdb::pg {

// A PostgreSQL error caught by pg_call; the entry point re-raises it with
// ReThrowErrorData so it keeps its SQLSTATE (57014, 40001, ...).
class PgError : public std::exception {
public:
    explicit PgError(ErrorData* edata) : edata_(edata) {}
    ErrorData* edata() const { return edata_; }
    const char* what() const noexcept override;

private:
    ErrorData* edata_;  // palloc'd in the entry point's memory context
};

// Runs thunk(arg) under PG_TRY; throws PgError for a PostgreSQL error.
void pg_call_impl(void (*thunk)(void*), void* arg);

template <typename F>
void pg_call(F&& f) {
    struct Ctx {
        F* f;
        std::exception_ptr eptr;
    } ctx{&f, nullptr};
    // A C++ exception must not unwind through the PG_TRY frame (it would leave
    // PG_exception_stack pointing at a dead jump buffer): catch it here and
    // rethrow once PG_TRY is closed.
    pg_call_impl(
        [](void* p) {
            auto* c = static_cast<Ctx*>(p);
            try {
                (*c->f)();
            } catch (...) {
                c->eptr = std::current_exception();
            }
        },
        &ctx);
    if (ctx.eptr) std::rethrow_exception(ctx.eptr);
}

// Where pg_call copies the ErrorData of a caught error: a context that outlives
// SPI_finish (the entry point's caller context); set by ErrorCopyContextScope (entry.h).
extern MemoryContext error_copy_context;

// Runs fn(fcinfo); any exception ends the statement with an ereport(ERROR):
// PgError -> the original error, tdb::Error -> SQLSTATE TDnnn,
// std::bad_alloc -> out of memory, anything else -> internal error.
Datum invoke_cpp(Datum (*fn)(FunctionCallInfo), FunctionCallInfo fcinfo);

}  // namespace tdb::pg

// Declares the fmgr entry point `name`, whose C++ body follows as name_cpp.
#define TDB_PG_FUNCTION(name)                                                                   \
    extern "C" {                                                                                \
    PG_FUNCTION_INFO_V1(name);                                                                  \
    }                                                                                           \
    static Datum name##_cpp(FunctionCallInfo fcinfo);                                           \
    extern "C" Datum name(PG_FUNCTION_ARGS) { return tdb::pg::invoke_cpp(name##_cpp, fcinfo); } \
    static Datum name##_cpp(FunctionCallInfo fcinfo)
