// PgStorage for the catalogs of Types and enums: rows of thingsdb.types and thingsdb.enums,
// the things of a Type, and the partial index of a Type's instances (mod_type 'idx').
#include "core/api/storage.h"

#include <string>
#include <vector>

#include "pg/bridge.h"
#include "pg/storage/epochs.h"
#include "pg/storage/plans.h"
#include "pg/storage/things.h"

extern "C" {
#include "executor/spi.h"
}

namespace tdb::pg {

namespace {

struct RawRow {
    int32 id;
    char* name;
    int64 created_at;
    int64 modified_at;
    char* def;
};

std::vector<CatalogRow> load_rows(Plan id, uint64_t coll) {
    RawRow* rows = nullptr;
    uint64 n = 0;
    Datum v[1] = {Int64GetDatum(static_cast<int64>(coll))};
    pg_call([&] {
        n = exec_plan(id, v);
        rows = static_cast<RawRow*>(palloc0(sizeof(RawRow) * (n ? n : 1)));
        for (uint64 i = 0; i < n; i++) {
            rows[i] = RawRow{get_int4(i, 1),
                             SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2),
                             get_int8(i, 3), get_int8(i, 4),
                             SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 5)};
        }
    });
    std::vector<CatalogRow> out;
    for (uint64 i = 0; i < n; i++) {
        CatalogRow r;
        r.id = static_cast<uint32_t>(rows[i].id);
        r.name = rows[i].name ? rows[i].name : "";
        r.created_at = rows[i].created_at;
        r.modified_at = rows[i].modified_at;
        r.def_json = rows[i].def ? rows[i].def : "{}";
        out.push_back(std::move(r));
    }
    return out;
}

void save_row(Plan id, uint64_t coll, const CatalogRow& r) {
    Datum v[6];
    char nulls[7] = "      ";
    if (!r.modified_at) nulls[4] = 'n';
    pg_call([&] {
        v[0] = Int64GetDatum(static_cast<int64>(coll));
        v[1] = Int32GetDatum(static_cast<int32>(r.id));
        v[2] = text_datum(r.name);
        v[3] = Int64GetDatum(r.created_at);
        v[4] = Int64GetDatum(r.modified_at);
        v[5] = text_datum(r.def_json);
        exec_plan(id, v, nulls);
    });
}

void delete_row(Plan id, uint64_t coll, uint32_t rid) {
    Datum v[2] = {Int64GetDatum(static_cast<int64>(coll)), Int32GetDatum(static_cast<int32>(rid))};
    pg_call([&] { exec_plan(id, v); });
}

}  // namespace

std::vector<CatalogRow> PgStorage::load_types(uint64_t coll) {
    return load_rows(Plan::LOAD_TYPES, coll);
}
void PgStorage::save_type(uint64_t coll, const CatalogRow& row) {
    key_share_owner_collection(coll);
    save_row(Plan::SAVE_TYPE, coll, row);
}
void PgStorage::delete_type(uint64_t coll, uint32_t id) { delete_row(Plan::DELETE_TYPE, coll, id); }
std::vector<CatalogRow> PgStorage::load_enums(uint64_t coll) {
    return load_rows(Plan::LOAD_ENUMS, coll);
}
void PgStorage::save_enum(uint64_t coll, const CatalogRow& row) {
    key_share_owner_collection(coll);
    save_row(Plan::SAVE_ENUM, coll, row);
}
void PgStorage::delete_enum(uint64_t coll, uint32_t id) { delete_row(Plan::DELETE_ENUM, coll, id); }

std::vector<uint64_t> PgStorage::things_of_type(uint64_t coll, uint32_t type_id) {
    int64* ids = nullptr;
    uint64 n = 0;
    Datum v[2] = {Int64GetDatum(static_cast<int64>(coll)),
                  Int32GetDatum(static_cast<int32>(type_id))};
    pg_call([&] {
        n = exec_plan(Plan::TYPE_THINGS, v);
        ids = static_cast<int64*>(palloc0(sizeof(int64) * (n ? n : 1)));
        for (uint64 i = 0; i < n; i++) ids[i] = get_int8(i, 1);
    });
    std::vector<uint64_t> out;
    for (uint64 i = 0; i < n; i++) out.push_back(static_cast<uint64_t>(ids[i]));
    return out;
}

bool PgStorage::enum_member_used(uint64_t coll, uint32_t enum_id, uint32_t mid) {
    uint64 n = 0;
    std::string path = "strict $.** ? (@.\"!m\"[0] == " + std::to_string(enum_id) +
                       " && @.\"!m\"[1] == " + std::to_string(mid) + ")";
    pg_call([&] {
        Datum v[2] = {Int64GetDatum(static_cast<int64>(coll)), text_datum(path)};
        n = exec_plan(Plan::MEMBER_USED, v);
    });
    return n > 0;
}

// mod_type(.., 'idx', true): a partial index of the type's instances, so
// type_all()/type_count() and mod_type's walks read only them. Created as the
// extension owner (the call runs with the owner's rights, auth.h).
void PgStorage::set_type_index(uint64_t coll, uint32_t type_id, bool on) {
    std::string name = "things_c" + std::to_string(coll) + "_t" + std::to_string(type_id) + "_idx";
    std::string sql =
        on ? "CREATE INDEX IF NOT EXISTS " + name +
                 " ON thingsdb.things (id) WHERE collection = " + std::to_string(coll) +
                 " AND type_id = " + std::to_string(type_id)
           : "DROP INDEX IF EXISTS thingsdb." + name;
    pg_call([&] {
        enter_spi();
        int rc = SPI_execute(sql.c_str(), false, 0);
        if (rc < 0)
            elog(ERROR, "thingsdb: %s failed: %s", on ? "CREATE INDEX" : "DROP INDEX",
                 SPI_result_code_string(rc));
    });
}

// The core keeps the Type and enum rows of collections while this stays the same (0: no
// cache, epochs.h).
uint64_t PgStorage::catalog_epoch() { return cache_epoch(Cache::CATALOG); }

}  // namespace tdb::pg
