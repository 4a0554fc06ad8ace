// The error bridge: PostgreSQL errors to C++ exceptions and back (see bridge.h).
#include "core/api/error.h"

#include "pg/bridge.h"

#include <cstdlib>
#include <cstring>
#include <new>

extern "C" {
#include "utils/memutils.h"
}

namespace tdb::pg {

MemoryContext error_copy_context = nullptr;

const char* PgError::what() const noexcept {
    return edata_ && edata_->message ? edata_->message : "PostgreSQL error";
}

void pg_call_impl(void (*thunk)(void*), void* arg) {
    MemoryContext oldcxt = CurrentMemoryContext;
    ErrorData* volatile edata = nullptr;
    PG_TRY();
    { thunk(arg); }
    PG_CATCH();
    {
        // Copy the error out of ErrorContext before flushing it; the copy must
        // survive SPI_finish, so it goes to the entry point's context.
        MemoryContextSwitchTo(error_copy_context ? error_copy_context : oldcxt);
        edata = CopyErrorData();
        FlushErrorState();
        MemoryContextSwitchTo(oldcxt);
    }
    PG_END_TRY();
    if (edata) throw PgError(edata);
}

namespace {

enum class Failure { NONE, PG, TDB, OOM, INTERNAL };

// malloc, not palloc: a catch handler must not risk an ereport.
char* copy_message(const char* s) {
    char* c = strdup(s ? s : "");
    return c;
}

}  // namespace

Datum invoke_cpp(Datum (*fn)(FunctionCallInfo), FunctionCallInfo fcinfo) {
    Failure failure = Failure::NONE;
    ErrorData* edata = nullptr;
    int tdb_code = 0;
    char* msg = nullptr;     // malloc'd
    char* hint = nullptr;    // malloc'd, only when the error has one
    char* source = nullptr;  // malloc'd, the code of a syntax error
    int position = 0;
    sigjmp_buf* saved_exception_stack = PG_exception_stack;
    ErrorContextCallback* saved_context_stack = error_context_stack;
    MemoryContext saved_copy_context = error_copy_context;

    try {
        return fn(fcinfo);
    } catch (const PgError& e) {
        failure = Failure::PG;
        edata = e.edata();
    } catch (const tdb::Error& e) {
        failure = Failure::TDB;
        tdb_code = e.code();
        msg = copy_message(e.msg().c_str());
        if (!e.hint().empty()) hint = copy_message(e.hint().c_str());
        if (e.position() > 0 && e.position() <= INT32_MAX && !e.source().empty()) {
            source = copy_message(e.source().c_str());
            position = static_cast<int>(e.position());
        }
    } catch (const std::bad_alloc&) {
        failure = Failure::OOM;
    } catch (const std::exception& e) {
        failure = Failure::INTERNAL;
        msg = copy_message(e.what());
    } catch (...) {
        failure = Failure::INTERNAL;
        msg = copy_message("unknown C++ exception");
    }

    // Every C++ object of fn is destroyed now; it is safe to longjmp.
    error_copy_context = saved_copy_context;
    if (PG_exception_stack != saved_exception_stack) {
        PG_exception_stack = saved_exception_stack;
        error_context_stack = saved_context_stack;
        elog(WARNING, "thingsdb: exception stack was not restored");
    }

    // Move the message into palloc'd memory so nothing leaks when ereport jumps.
    char* pmsg = pstrdup(msg ? msg : "");
    free(msg);
    char* phint = hint ? pstrdup(hint) : nullptr;
    free(hint);
    char* psource = source ? pstrdup(source) : nullptr;
    free(source);

    switch (failure) {
        case Failure::PG:
            ReThrowError(edata);
            break;
        case Failure::TDB: {
            int n = tdb_code < 0 ? -tdb_code : tdb_code;
            n %= 1000;
            ereport(
                ERROR,
                (errcode(MAKE_SQLSTATE('T', 'D', '0' + n / 100, '0' + n / 10 % 10, '0' + n % 10)),
                 errmsg("%s", pmsg), errdetail("%s", tdb::error_name(tdb_code)),
                 phint ? errhint("%s", phint) : 0, psource ? internalerrquery(psource) : 0,
                 psource ? internalerrposition(position) : 0));
            break;
        }
        case Failure::OOM:
            ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
            break;
        case Failure::INTERNAL:
        case Failure::NONE:
            break;
    }
    ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("thingsdb: %s", pmsg)));
    pg_unreachable();
}

}  // namespace tdb::pg
