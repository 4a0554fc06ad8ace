// Kept SPI plans and reading result columns: the helpers the storage files
// share. They may ereport: call them inside pg_call.
#pragma once

extern "C" {
#include "postgres.h"

#include "executor/spi.h"
}

namespace tdb::pg {

// The plan in `slot`, prepared and kept for the backend on first use.
inline SPIPlanPtr kept_plan(SPIPlanPtr& slot, const char* sql, int nargs, const Oid* types) {
    if (!slot) {
        SPIPlanPtr p = SPI_prepare(sql, nargs, const_cast<Oid*>(types));
        if (!p) elog(ERROR, "thingsdb: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        if (SPI_keepplan(p) != 0) elog(ERROR, "thingsdb: SPI_keepplan failed");
        slot = p;
    }
    return slot;
}

// The running call's snapshot (PgStorage); nullptr outside a call.
Snapshot query_snapshot();

// Runs a plan with the call's snapshot, the command id moved before each
// statement (SPI_execute_snapshot, read_only false), or, outside a call,
// with a new snapshot as SPI_execute_plan takes one.
inline int spi_run(SPIPlanPtr plan, Datum* values, const char* nulls, long tcount) {
    Snapshot snap = query_snapshot();
    if (!snap) return SPI_execute_plan(plan, values, nulls, false, tcount);
    return SPI_execute_snapshot(plan, values, nulls, snap, InvalidSnapshot, false, true, tcount);
}

inline uint64 exec_plan(SPIPlanPtr plan, Datum* values, const char* nulls) {
    int rc = spi_run(plan, values, nulls, 0);
    if (rc < 0) elog(ERROR, "thingsdb: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
    return SPI_processed;
}

// Column `col` (1-based) of result row `row`; 0 for NULL.
inline int64 get_int8(uint64 row, int col) {
    bool isnull;
    Datum d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);
    return isnull ? 0 : DatumGetInt64(d);
}

inline int32 get_int4(uint64 row, int col) {
    bool isnull;
    Datum d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);
    return isnull ? 0 : DatumGetInt32(d);
}

}  // namespace tdb::pg
