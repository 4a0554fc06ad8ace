// Procedures from SQL: tdb_run, tdb_call, tdb_new_procedure, tdb_procedure_info
// and tdb_procedures_json (discovery).
//
// tdb_run converts its SQL arguments to values directly (no ThingsDB code is
// built or parsed): with warm caches (epochs.h) a call runs no SQL before the
// closure runs.
#include "core/api/procedures.h"

#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pg/entry.h"
#include "pg/readonly.h"
#include "pg/settings.h"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
}

using namespace tdb::pg;

namespace {

// ---- SQL values to ThingsDB values (API.md, "Arguments") ------------------

// A numeric without fraction that fits int64 becomes an int, else a float.
tdb::Value numeric_value(const char* s) {
    std::string_view v(s);
    if (v.find_first_of(".eEN") == std::string_view::npos) {  // not NaN/Infinity either
        errno = 0;
        char* end = nullptr;
        long long i = std::strtoll(s, &end, 10);
        if (errno == 0 && end && *end == '\0') return tdb::Value::integer(i);
    }
    if (v == "Infinity") return tdb::Value::number(HUGE_VAL);
    if (v == "-Infinity") return tdb::Value::number(-HUGE_VAL);
    if (v == "NaN") return tdb::Value::number(std::nan(""));
    return tdb::Value::number(std::strtod(s, nullptr));
}

// Seconds since the Unix epoch of a (finite) PostgreSQL timestamp. Whole
// seconds first, then the shift of epochs: the shift in microseconds added to
// a timestamp near PostgreSQL's end of time overflows int64.
int64_t unix_seconds(Timestamp ts) {
    int64 sec = ts / USECS_PER_SEC;
    if (ts % USECS_PER_SEC < 0) --sec;  // floor
    return sec + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * (int64)SECS_PER_DAY;
}

// One SQL value as read inside pg_call: plain data (palloc'd text), no destructor. Trivial, so
// an array of them costs nothing until used; Conv{} is NONE (nil).
struct Conv {
    enum Kind { NONE, BOOL, INT, FLOAT, NUMERIC, STR, BYTES, JSON, TS, OTHER } kind;
    bool b;
    int64_t i;
    double f;
    char* s;  // palloc'd text
    size_t n;
};

// Reads one SQL value; the pg_call around it owns every palloc. Values that become JSON
// (json, jsonb, arrays, rows) are loaded in the query, so objects become things. Inside pg_call.
void read_sql(Oid type, Datum d, Conv& c) {
    switch (type) {
        case BOOLOID:
            c.kind = Conv::BOOL;
            c.b = DatumGetBool(d);
            break;
        case INT2OID:
            c.kind = Conv::INT;
            c.i = DatumGetInt16(d);
            break;
        case INT4OID:
            c.kind = Conv::INT;
            c.i = DatumGetInt32(d);
            break;
        case INT8OID:
            c.kind = Conv::INT;
            c.i = DatumGetInt64(d);
            break;
        case FLOAT4OID:
            c.kind = Conv::FLOAT;
            c.f = DatumGetFloat4(d);
            break;
        case FLOAT8OID:
            c.kind = Conv::FLOAT;
            c.f = DatumGetFloat8(d);
            break;
        case NUMERICOID:
            c.kind = Conv::NUMERIC;
            c.s = DatumGetCString(DirectFunctionCall1(numeric_out, d));
            break;
        case UNKNOWNOID:
        case CSTRINGOID:
            c.kind = Conv::STR;
            c.s = DatumGetCString(d);
            c.n = strlen(c.s);
            break;
        case TEXTOID:
        case VARCHAROID:
        case BPCHAROID: {
            text* t = DatumGetTextPP(d);
            c.kind = Conv::STR;
            c.s = VARDATA_ANY(t);
            c.n = VARSIZE_ANY_EXHDR(t);
            break;
        }
        case BYTEAOID: {
            bytea* b = DatumGetByteaPP(d);
            c.kind = Conv::BYTES;
            c.s = VARDATA_ANY(b);
            c.n = VARSIZE_ANY_EXHDR(b);
            break;
        }
        case JSONBOID: {
            Jsonb* jb = DatumGetJsonbP(d);
            c.kind = Conv::JSON;
            c.s = JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
            c.n = strlen(c.s);
            break;
        }
        case JSONOID: {
            text* t = DatumGetTextPP(d);
            c.kind = Conv::JSON;
            c.s = VARDATA_ANY(t);
            c.n = VARSIZE_ANY_EXHDR(t);
            break;
        }
        case TIMESTAMPTZOID:
        case TIMESTAMPOID: {
            Timestamp ts = DatumGetTimestamp(d);
            if (TIMESTAMP_NOT_FINITE(ts))
                ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                                errmsg("an infinite timestamp has no ThingsDB datetime")));
            c.kind = Conv::TS;
            c.i = unix_seconds(ts);
            break;
        }
        default: {
            // Output functions (regclass, ...) print names as seen from the search path.
            owner_search_path();
            text* t = nullptr;
            if (type_is_array(type)) {
                t = DatumGetTextPP(DirectFunctionCall1(array_to_json, d));
            } else if (type == RECORDOID || get_typtype(type) == TYPTYPE_COMPOSITE) {
                t = DatumGetTextPP(DirectFunctionCall1(row_to_json, d));
            }
            if (t) {
                c.kind = Conv::JSON;
                c.s = VARDATA_ANY(t);
                c.n = VARSIZE_ANY_EXHDR(t);
                break;
            }
            // Anything else (date, uuid, ...) as its text.
            Oid out_fn;
            bool varlena;
            getTypeOutputInfo(type, &out_fn, &varlena);
            c.kind = Conv::STR;
            c.s = OidOutputFunctionCall(out_fn, d);
            c.n = strlen(c.s);
            break;
        }
    }
}

// The value of what read_sql read.
void to_arg(const Conv& c, tdb::ProcArg& out) {
    switch (c.kind) {
        case Conv::BOOL:
            out.value = tdb::Value::boolean(c.b);
            break;
        case Conv::INT:
            out.value = tdb::Value::integer(c.i);
            break;
        case Conv::FLOAT:
            out.value = tdb::Value::number(c.f);
            break;
        case Conv::NUMERIC:
            out.value = numeric_value(c.s);
            break;
        case Conv::STR:
            out.value = tdb::Value::str(std::string(c.s, c.n));
            break;
        case Conv::BYTES:
            out.value = tdb::Value::bytes(std::string(c.s, c.n));
            break;
        case Conv::JSON:
            out.json.assign(c.s, c.n);
            out.is_json = true;
            break;
        case Conv::TS:
            out.value = tdb::utc_datetime(c.i);
            break;
        default:
            break;
    }
}

// The arguments after the procedure name: each "any" argument, or the
// elements of the array given with an explicit VARIADIC.
std::vector<tdb::ProcArg> sql_args(FunctionCallInfo fcinfo) {
    std::vector<tdb::ProcArg> args;
    if (PG_NARGS() < 2) return args;
    // All arguments read in one pg_call (its setjmp is a part of every short call).
    bool variadic = false;
    Conv convs[FUNC_MAX_ARGS];
    const int n_args = PG_NARGS() - 1;
    pg_call([&] {
        variadic = get_fn_expr_variadic(fcinfo->flinfo);
        if (variadic) return;
        for (int i = 1; i <= n_args; ++i) {
            convs[i - 1] = Conv{};  // NULL stays NONE: nil
            if (!PG_ARGISNULL(i))
                read_sql(get_fn_expr_argtype(fcinfo->flinfo, i), PG_GETARG_DATUM(i), convs[i - 1]);
        }
    });
    if (!variadic) {
        args.resize(n_args);
        for (int i = 0; i < n_args; ++i) to_arg(convs[i], args[i]);
        return args;
    }
    if (PG_ARGISNULL(1)) return args;
    Oid elem = InvalidOid;
    int n = 0;
    Datum* elems = nullptr;
    bool* nulls = nullptr;
    pg_call([&] {
        ArrayType* arr = PG_GETARG_ARRAYTYPE_P(1);
        elem = ARR_ELEMTYPE(arr);
        int16 len;
        bool byval;
        char align;
        get_typlenbyvalalign(elem, &len, &byval, &align);
        deconstruct_array(arr, elem, len, byval, align, &elems, &nulls, &n);
    });
    args.resize(n);
    for (int i = 0; i < n; ++i) {
        if (nulls[i]) continue;
        Conv c{};
        pg_call([&] { read_sql(elem, elems[i], c); });
        to_arg(c, args[i]);
    }
    return args;
}

}  // namespace

namespace {

// The request of a call that may change data: its jobs and scope go to the entry, which
// sends their events at commit.
tdb::ProcedureRequest writing_request(EntryCall& call, const std::string& read_only,
                                      const std::string& scope, const std::string& name) {
    tdb::ProcedureRequest req;
    req.read_only = read_only;
    req.scope = scope;
    req.name = name;
    req.identity = &call.identity();
    req.jobs_out = &call.jobs;
    req.scope_out = &call.scope;
    return req;
}

}  // namespace

// tdb_run(procedure text, VARIADIC args "any") -> jsonb, and tdb_run(procedure text)
TDB_PG_FUNCTION(tdb_run) {
    require_arg(fcinfo, 0, "procedure");
    std::string name(text_arg(fcinfo, 0));
    std::string scope = scope_setting();
    std::string read_only = read_only_reason();  // a hot standby
    return run_entry(
        Returns::JSONB,
        [&](EntryCall& call) {
            tdb::ProcedureRequest req = writing_request(call, read_only, scope, name);
            // Converted for each attempt: the call may run again (entry.h) and its code may
            // change the values it got.
            return tdb::run_procedure(call.storage, req, sql_args(fcinfo));
        },
        read_only.empty() ? Writes::PREDICTED : Writes::NO, rerun_key('p', scope, name));
}

namespace {

// tdb_call and tdb_call_ro (read_only: refuse procedures with side effects).
Datum call_impl(FunctionCallInfo fcinfo, bool ro) {
    require_arg(fcinfo, 0, "procedure");
    std::string name(text_arg(fcinfo, 0));
    std::string params;
    if (!PG_ARGISNULL(1)) params = jsonb_arg(fcinfo, 1);
    bool explicit_scope = !PG_ARGISNULL(2);
    std::string scope = scope_arg(fcinfo, 2);
    std::string read_only = ro ? read_only_reason("tdb_call_ro", "tdb_call") : read_only_reason();
    return run_entry(
        Returns::JSONB,
        [&](EntryCall& call) {
            tdb::ProcedureRequest req = writing_request(call, read_only, scope, name);
            req.fallback_thingsdb = !explicit_scope;
            return tdb::call_procedure_json(call.storage, req, params);
        },
        read_only.empty() ? Writes::PREDICTED : Writes::NO, rerun_key('p', scope, name, params));
}

}  // namespace

// tdb_call(procedure text, params jsonb, scope text DEFAULT NULL) -> jsonb
TDB_PG_FUNCTION(tdb_call) { return call_impl(fcinfo, false); }

// tdb_call_ro(procedure text, params jsonb, scope text DEFAULT NULL) -> jsonb:
// STABLE; a procedure with side effects is an operation_err.
TDB_PG_FUNCTION(tdb_call_ro) { return call_impl(fcinfo, true); }

// tdb_new_procedure(name text, closure text, scope text DEFAULT NULL) -> text
TDB_PG_FUNCTION(tdb_new_procedure) {
    require_arg(fcinfo, 0, "name");
    require_arg(fcinfo, 1, "closure");
    std::string name(text_arg(fcinfo, 0));
    std::string source(text_arg(fcinfo, 1));
    std::string scope = scope_arg(fcinfo, 2);
    std::string read_only = read_only_reason();  // a hot standby
    return run_entry(
        Returns::TEXT,
        [&](EntryCall& call) {
            tdb::ProcedureRequest req = writing_request(call, read_only, scope, name);
            return tdb::new_procedure_from_source(call.storage, req, source);
        },
        read_only.empty() ? Writes::MAYBE : Writes::NO);
}

// tdb_procedure_info(name text, scope text DEFAULT NULL) -> jsonb
TDB_PG_FUNCTION(tdb_procedure_info) {
    require_arg(fcinfo, 0, "name");
    std::string name(text_arg(fcinfo, 0));
    bool explicit_scope = !PG_ARGISNULL(1);
    std::string scope = scope_arg(fcinfo, 1);
    return run_entry(Returns::JSONB, [&](EntryCall& call) {
        tdb::ProcedureRequest req;
        req.scope = scope;
        req.fallback_thingsdb = !explicit_scope;
        req.name = name;
        req.identity = &call.identity();
        return tdb::describe_procedure_json(call.storage, req);
    });
}

// tdb_procedures_json(scope text DEFAULT NULL) -> jsonb (an array; the SQL function
// tdb_procedures makes rows of it)
TDB_PG_FUNCTION(tdb_procedures_json) {
    std::string scope = scope_arg(fcinfo, 0);
    return run_entry(Returns::JSONB, [&](EntryCall& call) {
        return tdb::describe_procedures_json(call.storage, scope, &call.identity());
    });
}
