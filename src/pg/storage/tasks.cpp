// PgStorage for tasks: rows of thingsdb.tasks, and the lock of a due task that the task
// worker (task_worker.cpp) takes before it runs one.
#include "core/api/storage.h"

#include "pg/storage/things.h"

#include "pg/bridge.h"
#include "pg/storage/plans.h"

namespace tdb::pg {

namespace {

void read_task(uint64 row, TaskRow& out) {
    out.scope_id = static_cast<uint64_t>(get_int8(row, 1));
    out.id = static_cast<uint64_t>(get_int8(row, 2));
    out.run_at = get_int8(row, 3);  // NULL: 0, not scheduled
    out.owner_id = static_cast<uint64_t>(get_int8(row, 4));
    assign_text(out.owner, row, 5);
    assign_text(out.closure, row, 6);
    assign_text(out.args_json, row, 7);
    bool no_err = true;
    out.err_code = get_int4(row, 8, &no_err);
    out.has_err = !no_err;
    assign_text(out.err_msg, row, 9);
}

}  // namespace

std::vector<TaskRow> PgStorage::tasks(uint64_t scope_id) {
    std::vector<TaskRow> rows;
    pg_call([&] {
        Datum args[1] = {Int64GetDatum(scope_id)};
        uint64 got = exec_plan(Plan::TASK_LIST, args);
        rows.resize(got);
        for (uint64 i = 0; i < got; i++) read_task(i, rows[i]);
        SPI_freetuptable(SPI_tuptable);
    });
    return rows;
}

bool PgStorage::find_task(uint64_t scope_id, uint64_t id, TaskRow& out) {
    bool found = false;
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(scope_id), Int64GetDatum(id)};
        if (exec_plan(Plan::TASK_FIND, args) == 1) {
            read_task(0, out);
            found = true;
        }
        SPI_freetuptable(SPI_tuptable);
    });
    return found;
}

void PgStorage::save_task(const TaskRow& row) {
    pg_call([&] {
        Datum args[9] = {
            Int64GetDatum(row.scope_id), Int64GetDatum(row.id),       Int64GetDatum(row.run_at),
            Int64GetDatum(row.owner_id), text_datum(row.owner),       text_datum(row.closure),
            text_datum(row.args_json),   Int32GetDatum(row.err_code), text_datum(row.err_msg)};
        char nulls[10] = "         ";
        if (!row.run_at) nulls[2] = 'n';
        if (row.args_json.empty()) nulls[6] = 'n';
        if (!row.has_err) nulls[7] = nulls[8] = 'n';
        exec_plan(row.is_new ? Plan::TASK_INSERT : Plan::TASK_UPDATE, args, nulls);
        for (int i : {4, 5, 6, 8}) pfree(DatumGetPointer(args[i]));
    });
}

void PgStorage::delete_task(uint64_t scope_id, uint64_t id) {
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(scope_id), Int64GetDatum(id)};
        exec_plan(Plan::TASK_DELETE, args);
    });
}

bool PgStorage::lock_due_task(int64_t now, uint64_t& scope_id, uint64_t& id) {
    bool found = false;
    pg_call([&] {
        Datum args[1] = {Int64GetDatum(now)};
        if (exec_plan(Plan::TASK_DUE, args) == 1) {
            scope_id = static_cast<uint64_t>(get_int8(0, 1));
            id = static_cast<uint64_t>(get_int8(0, 2));
            found = true;
        }
        SPI_freetuptable(SPI_tuptable);
    });
    return found;
}

}  // namespace tdb::pg
