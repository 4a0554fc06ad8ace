// PgStorage for procedures: rows of thingsdb.procedures. Every change also registers a
// relcache invalidation of the table (epochs.h), which empties the core's cache of parsed
// closures here at the next command and, from the commit on, in every other backend.
#include "core/api/storage.h"

#include "pg/storage/things.h"

#include "pg/bridge.h"
#include "pg/storage/epochs.h"
#include "pg/storage/plans.h"
#include "pg/storage/rerun.h"

namespace tdb::pg {

namespace {

void read_procedure(uint64 row, ProcedureRow& out) {
    out.scope_id = static_cast<uint64_t>(get_int8(row, 1));
    assign_text(out.name, row, 2);
    assign_text(out.definition, row, 3);
    out.created_at = get_int8(row, 4);
}

}  // namespace

bool PgStorage::find_procedure(uint64_t scope_id, std::string_view name, ProcedureRow& out) {
    bool found = false;
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(scope_id), text_datum(name)};
        if (exec_plan(Plan::PROC_FIND, args) == 1) {
            read_procedure(0, out);
            found = true;
        }
        pfree(DatumGetPointer(args[1]));
        SPI_freetuptable(SPI_tuptable);
    });
    return found;
}

std::vector<ProcedureRow> PgStorage::procedures(uint64_t scope_id) {
    std::vector<ProcedureRow> rows;
    pg_call([&] {
        Datum args[1] = {Int64GetDatum(scope_id)};
        uint64 got = exec_plan(Plan::PROC_LIST, args);
        rows.resize(got);
        for (uint64 i = 0; i < got; i++) read_procedure(i, rows[i]);
        SPI_freetuptable(SPI_tuptable);
    });
    return rows;
}

void PgStorage::insert_procedure(const ProcedureRow& row) {
    write_unique_name([&] {
        Datum args[4] = {Int64GetDatum(row.scope_id), text_datum(row.name),
                         text_datum(row.definition), Int64GetDatum(row.created_at)};
        exec_plan(Plan::PROC_INSERT, args);
        pfree(DatumGetPointer(args[1]));
        pfree(DatumGetPointer(args[2]));
        invalidate_procedures();
    });
}

void PgStorage::update_procedure(const ProcedureRow& row) {
    pg_call([&] {
        Datum args[4] = {Int64GetDatum(row.scope_id), text_datum(row.name),
                         text_datum(row.definition), Int64GetDatum(row.created_at)};
        exec_plan(Plan::PROC_UPDATE, args);
        pfree(DatumGetPointer(args[1]));
        pfree(DatumGetPointer(args[2]));
        invalidate_procedures();
    });
}

void PgStorage::rename_procedure(uint64_t scope_id, std::string_view name,
                                 std::string_view new_name) {
    write_unique_name([&] {
        Datum args[3] = {Int64GetDatum(scope_id), text_datum(name), text_datum(new_name)};
        exec_plan(Plan::PROC_RENAME, args);
        pfree(DatumGetPointer(args[1]));
        pfree(DatumGetPointer(args[2]));
        invalidate_procedures();
    });
}

void PgStorage::delete_procedure(uint64_t scope_id, std::string_view name) {
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(scope_id), text_datum(name)};
        exec_plan(Plan::PROC_DELETE, args);
        pfree(DatumGetPointer(args[1]));
        invalidate_procedures();
    });
}

// A warm tdb_run reads no procedure row: the core keeps its parsed closures while this stays
// the same (0: no cache, epochs.h).
uint64_t PgStorage::procedures_epoch() { return cache_epoch(Cache::PROCEDURES); }

}  // namespace tdb::pg
