// PgStorage for rooms: rows of thingsdb.rooms (the table and its rules: the install script).
#include "core/api/storage.h"

#include "pg/storage/things.h"

#include "pg/bridge.h"
#include "pg/storage/plans.h"
#include "pg/storage/rerun.h"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace tdb::pg {

namespace {

// Inside pg_call: the first result row as a RoomRow.
void read_room(RoomRow& out) {
    out.id = static_cast<uint64_t>(get_int8(0, 1));
    assign_text(out.name, 0, 2);
}

// Inside pg_call: a text[] of the names, NULL for an empty one.
Datum name_array(const std::vector<RoomWrite>& rooms, const std::vector<size_t>& which) {
    int n = static_cast<int>(which.size());
    Datum* d = static_cast<Datum*>(palloc(sizeof(Datum) * (n + 1)));
    bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * (n + 1)));
    for (int i = 0; i < n; ++i) {
        const RoomWrite& w = rooms[which[i]];
        nulls[i] = w.name.empty();
        d[i] = nulls[i] ? 0 : text_datum(w.name);
    }
    int dims[1] = {n};
    int lbs[1] = {1};
    return PointerGetDatum(
        construct_md_array(d, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}

}  // namespace

bool PgStorage::find_room(uint64_t coll, uint64_t id, RoomRow& out) {
    bool found = false;
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(coll), Int64GetDatum(id)};
        if (exec_plan(Plan::ROOM_BY_ID, args) == 1) {
            read_room(out);
            found = true;
        }
        SPI_freetuptable(SPI_tuptable);
    });
    return found;
}

bool PgStorage::find_room_by_name(uint64_t coll, std::string_view name, RoomRow& out) {
    bool found = false;
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(coll), text_datum(name)};
        if (exec_plan(Plan::ROOM_BY_NAME, args) == 1) {
            read_room(out);
            found = true;
        }
        pfree(DatumGetPointer(args[1]));
        SPI_freetuptable(SPI_tuptable);
    });
    return found;
}

void PgStorage::set_room_name(uint64_t coll, uint64_t id, std::string_view name) {
    write_unique_name([&] {
        Datum args[3] = {Int64GetDatum(coll), Int64GetDatum(id),
                         name.empty() ? 0 : text_datum(name)};
        char nulls[4] = {' ', ' ', name.empty() ? 'n' : ' ', 0};
        exec_plan(Plan::ROOM_SET_NAME, args, nulls);
    });
}

std::vector<uint64_t> PgStorage::write_rooms(uint64_t coll, const std::vector<RoomWrite>& w) {
    std::vector<size_t> fresh, counted;
    std::vector<int64> fresh_ids, fresh_refs, ids, deltas;
    for (size_t i = 0; i < w.size(); ++i) {
        if (w[i].is_new) {
            if (w[i].refs_delta <= 0) continue;
            fresh.push_back(i);
            fresh_ids.push_back(static_cast<int64>(w[i].id));
            fresh_refs.push_back(w[i].refs_delta);
        } else {
            counted.push_back(i);
            ids.push_back(static_cast<int64>(w[i].id));
            deltas.push_back(w[i].refs_delta);
        }
    }
    if (!fresh.empty()) key_share_owner_collection(coll);
    if (!fresh.empty())
        write_unique_name([&] {
            int n = static_cast<int>(fresh.size());
            Datum args[4] = {Int64GetDatum(coll), int8_array(fresh_ids.data(), n),
                             name_array(w, fresh), int8_array(fresh_refs.data(), n)};
            exec_plan(Plan::ROOMS_INSERT, args);
        });
    std::vector<uint64_t> gone;
    if (counted.empty()) return gone;
    uint64 n = 0;
    pg_call([&] {
        int k = static_cast<int>(ids.size());
        Datum args[3] = {Int64GetDatum(coll), int8_array(ids.data(), k),
                         int8_array(deltas.data(), k)};
        exec_plan(Plan::ROOMS_REFS, args);
        n = exec_plan(Plan::ROOMS_DELETE, args);
    });
    gone.reserve(n);
    for (uint64 r = 0; r < n; ++r) {
        int64 id = 0;
        pg_call([&] { id = get_int8(r, 1); });
        gone.push_back(static_cast<uint64_t>(id));
    }
    return gone;
}

}  // namespace tdb::pg
