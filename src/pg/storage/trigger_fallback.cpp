// Updates of thingsdb.things as UPDATE statements, for a table someone put triggers on (the
// direct path of heap_write.cpp fires none): props first, then reference counts, each kind in
// one statement with the rows as arrays.
#include "core/api/storage.h"

#include "pg/storage/thing_rows.h"

#include "pg/storage/jsonb.h"
#include "pg/storage/plans.h"

namespace tdb::pg {

namespace {

// The (id, refs) rows of an UPDATE ... RETURNING: ids whose refs <= 0.
void collect_unreferenced(uint64 n, std::vector<uint64_t>& out) {
    for (uint64 i = 0; i < n; i++)
        if (get_int8(i, 2) <= 0) out.push_back(static_cast<uint64_t>(get_int8(i, 1)));
}

}  // namespace

void split_updates(const std::vector<UpdateRow>& rows, StatementUpdates& s) {
    for (const UpdateRow& u : rows) {
        if (u.props()) {
            s.id.push_back(u.id);
            s.type.push_back(u.type_id());
            s.version.push_back(u.version());
            s.delta.push_back(u.delta);
            s.props.push_back(u.props());
        } else {
            s.ref_id.push_back(u.id);
            s.ref_delta.push_back(u.delta);
        }
    }
}

void update_by_statements(uint64_t coll, const StatementUpdates& s,
                          std::vector<uint64_t>& unreferenced, MemoryContext tmp) {
    if (!s.id.empty()) {
        int n = static_cast<int>(s.id.size());
        Datum args[6] = {Int64GetDatum(coll),           int8_array(s.id.data(), n),
                         type_array(s.type.data(), n),  int8_array(s.version.data(), n),
                         int8_array(s.delta.data(), n), jsonb_array(s.props.data(), n, tmp)};
        uint64 got = exec_plan(Plan::UPDATE_THINGS, args);
        for (int i = 1; i < 6; i++) pfree(DatumGetPointer(args[i]));
        // A missing row means another transaction changed (or removed) the thing since this
        // query read it.
        if (got != static_cast<uint64>(n)) raise_conflict();
        collect_unreferenced(got, unreferenced);
        SPI_freetuptable(SPI_tuptable);
    }
    if (!s.ref_id.empty()) {
        int n = static_cast<int>(s.ref_id.size());
        Datum args[3] = {Int64GetDatum(coll), int8_array(s.ref_id.data(), n),
                         int8_array(s.ref_delta.data(), n)};
        uint64 got = exec_plan(Plan::UPDATE_REFS, args);
        for (int i = 1; i < 3; i++) pfree(DatumGetPointer(args[i]));
        if (got != static_cast<uint64>(n)) raise_conflict();
        collect_unreferenced(got, unreferenced);
        SPI_freetuptable(SPI_tuptable);
    }
}

}  // namespace tdb::pg
