// PgStorage for the catalogs of Types and enums: thingsdb.types and
// thingsdb.enums via SPI (plans kept for the backend, as in pg_storage.cpp).
#include <string>
#include <vector>

#include "pg/bridge.h"
#include "pg/pg_storage.h"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
}

namespace tdb::pg {

namespace {

enum PlanId { LOAD_TYPES, SAVE_TYPE, DELETE_TYPE, LOAD_ENUMS, SAVE_ENUM, DELETE_ENUM, TYPE_THINGS, N_PLANS };

struct PlanDef {
    const char* sql;
    int nargs;
    Oid types[6];
};

const PlanDef kPlans[N_PLANS] = {
    {"SELECT type_id, name, created_at, modified_at, definition::text FROM thingsdb.types"
     " WHERE collection = $1 ORDER BY type_id",
     1, {INT8OID}},
    {"INSERT INTO thingsdb.types (collection, type_id, name, created_at, modified_at, definition)"
     " VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (collection, type_id) DO UPDATE SET"
     " name = excluded.name, modified_at = excluded.modified_at, definition = excluded.definition",
     6, {INT8OID, INT4OID, TEXTOID, INT8OID, INT8OID, TEXTOID}},
    {"DELETE FROM thingsdb.types WHERE collection = $1 AND type_id = $2", 2, {INT8OID, INT4OID}},
    {"SELECT enum_id, name, created_at, modified_at, definition::text FROM thingsdb.enums"
     " WHERE collection = $1 ORDER BY enum_id",
     1, {INT8OID}},
    {"INSERT INTO thingsdb.enums (collection, enum_id, name, created_at, modified_at, definition)"
     " VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (collection, enum_id) DO UPDATE SET"
     " name = excluded.name, modified_at = excluded.modified_at, definition = excluded.definition",
     6, {INT8OID, INT4OID, TEXTOID, INT8OID, INT8OID, TEXTOID}},
    {"DELETE FROM thingsdb.enums WHERE collection = $1 AND enum_id = $2", 2, {INT8OID, INT4OID}},
    {"SELECT id FROM thingsdb.things WHERE collection = $1 AND type_id = $2 ORDER BY id", 2, {INT8OID, INT4OID}},
};

SPIPlanPtr plans[N_PLANS];

// The helpers below may ereport: use them inside pg_call.

SPIPlanPtr get_plan(PlanId id) {
    if (!plans[id]) {
        const PlanDef& d = kPlans[id];
        SPIPlanPtr p = SPI_prepare(d.sql, d.nargs, const_cast<Oid*>(d.types));
        if (!p) elog(ERROR, "thingsdb: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        if (SPI_keepplan(p) != 0) elog(ERROR, "thingsdb: SPI_keepplan failed");
        plans[id] = p;
    }
    return plans[id];
}

uint64 exec(PlanId id, Datum* values, const char* nulls) {
    int rc = SPI_execute_plan(get_plan(id), values, nulls, false, 0);
    if (rc < 0) elog(ERROR, "thingsdb: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
    return SPI_processed;
}

int64 get_int8(uint64 row, int col) {
    bool isnull;
    Datum d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);
    return isnull ? 0 : DatumGetInt64(d);
}

int32 get_int4(uint64 row, int col) {
    bool isnull;
    Datum d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);
    return isnull ? 0 : DatumGetInt32(d);
}

Datum text_datum(std::string_view s) { return PointerGetDatum(cstring_to_text_with_len(s.data(), s.size())); }

struct RawRow {
    int32 id;
    char* name;
    int64 created_at;
    int64 modified_at;
    char* def;
};

std::vector<CatalogRow> load_rows(PlanId id, uint64_t coll) {
    RawRow* rows = nullptr;
    uint64 n = 0;
    Datum v[1] = {Int64GetDatum(static_cast<int64>(coll))};
    pg_call([&] {
        n = exec(id, v, nullptr);
        rows = static_cast<RawRow*>(palloc0(sizeof(RawRow) * (n ? n : 1)));
        for (uint64 i = 0; i < n; i++) {
            rows[i] = RawRow{get_int4(i, 1), SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2),
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

void save_row(PlanId id, uint64_t coll, const CatalogRow& r) {
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
        exec(id, v, nulls);
    });
}

void delete_row(PlanId id, uint64_t coll, uint32_t rid) {
    Datum v[2] = {Int64GetDatum(static_cast<int64>(coll)), Int32GetDatum(static_cast<int32>(rid))};
    pg_call([&] { exec(id, v, nullptr); });
}

}  // namespace

std::vector<CatalogRow> PgStorage::load_types(uint64_t coll) { return load_rows(LOAD_TYPES, coll); }
void PgStorage::save_type(uint64_t coll, const CatalogRow& row) { save_row(SAVE_TYPE, coll, row); }
void PgStorage::delete_type(uint64_t coll, uint32_t id) { delete_row(DELETE_TYPE, coll, id); }
std::vector<CatalogRow> PgStorage::load_enums(uint64_t coll) { return load_rows(LOAD_ENUMS, coll); }
void PgStorage::save_enum(uint64_t coll, const CatalogRow& row) { save_row(SAVE_ENUM, coll, row); }
void PgStorage::delete_enum(uint64_t coll, uint32_t id) { delete_row(DELETE_ENUM, coll, id); }

std::vector<uint64_t> PgStorage::things_of_type(uint64_t coll, uint32_t type_id) {
    int64* ids = nullptr;
    uint64 n = 0;
    Datum v[2] = {Int64GetDatum(static_cast<int64>(coll)), Int32GetDatum(static_cast<int32>(type_id))};
    pg_call([&] {
        n = exec(TYPE_THINGS, v, nullptr);
        ids = static_cast<int64*>(palloc0(sizeof(int64) * (n ? n : 1)));
        for (uint64 i = 0; i < n; i++) ids[i] = get_int8(i, 1);
    });
    std::vector<uint64_t> out;
    for (uint64 i = 0; i < n; i++) out.push_back(static_cast<uint64_t>(ids[i]));
    return out;
}

}  // namespace tdb::pg
