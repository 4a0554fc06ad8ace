// The table of every SPI statement (plans.h): prepared on first use and kept for the backend
// (SPI_keepplan); the plan cache re-plans a statement when its tables change, also after
// DROP/CREATE EXTENSION. Writes are batched: rows go in as arrays passed to unnest().
#include "core/api/storage.h"

#include "pg/storage/plans.h"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace tdb::pg {

namespace {

enum PlanFlags {
    // Planned for each execution: a generic plan kept from when thingsdb.things was small (a
    // fresh node, or just after a bulk delete and ANALYZE) scans the table where it should
    // probe the primary key, once per written row. A custom plan costs some microseconds and
    // sees the table's current size.
    CUSTOM_PLAN = 1,
    // Runs with a snapshot of its own, also inside a call (the watch events).
    OWN_SNAPSHOT = 2,
};

struct PlanDef {
    Plan id;  // the entry's place in kPlans (checked below)
    const char* sql;
    int nargs;
    Oid types[9];
    int flags;
};

#define COLLECTION_COLUMNS "id, name, created_at, time_zone, default_deep"
#define PROCEDURE_COLUMNS "scope_id, name, definition, created_at"
#define USER_COLUMNS "id, name, created_at"
#define TASK_COLUMNS_PLAIN "scope_id, id, run_at, owner_id, owner, closure, args, err_code, err_msg"
#define TASK_COLUMNS "scope_id, id, run_at, owner_id, owner, closure, args::text, err_code, err_msg"

// Things are found by (collection, id), the primary key of thingsdb.things; reads and updates
// go straight to it (heap_read.cpp, heap_write.cpp). The UPDATE statements here serve only
// when someone has put triggers on the table (trigger_fallback.cpp): they fire for a
// statement, not for the direct path. Each finds its rows by one probe of the key per written
// thing (THING_TID: the row's ctid, then a TID scan). A row changed by a concurrent
// transaction since the probe has another ctid on recheck: not updated, a conflict (40001),
// as the version check gives.
// The table keeps each plan's SQL, argument count, types and flags together:
// clang-format off
#define THING_TID \
    "(SELECT x.ctid FROM thingsdb.things x WHERE x.collection = $1 AND x.id = u.id)"

constexpr PlanDef kPlans[] = {
    // ---- things and collections ----
    {Plan::INSERT_THINGS,
     "INSERT INTO thingsdb.things (id, collection, type_id, version, refs, props)"
     " SELECT w.id, $1, w.type_id, 1, w.refs, w.props"
     " FROM unnest($2, $3, $4, $5) AS w(id, type_id, refs, props)",
     5, {INT8OID, INT8ARRAYOID, INT4ARRAYOID, INT8ARRAYOID, JSONBARRAYOID}, 0},
    // The version check makes a concurrent update of the same thing a conflict: after
    // waiting for the other writer the row no longer matches.
    {Plan::UPDATE_THINGS,
     "UPDATE thingsdb.things t SET props = w.props, type_id = w.type_id,"
     " version = t.version + 1, refs = t.refs + w.delta"
     " FROM (SELECT u.*, " THING_TID " AS tid"
     "       FROM unnest($2, $3, $4, $5, $6) AS u(id, type_id, version, delta, props)) w"
     " WHERE t.ctid = w.tid AND t.version = w.version"
     " RETURNING t.id, t.refs",
     6, {INT8OID, INT8ARRAYOID, INT4ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, JSONBARRAYOID},
     CUSTOM_PLAN},
    {Plan::UPDATE_REFS,
     "UPDATE thingsdb.things t SET refs = t.refs + w.delta"
     " FROM (SELECT u.*, " THING_TID " AS tid FROM unnest($2, $3) AS u(id, delta)) w"
     " WHERE t.ctid = w.tid RETURNING t.id, t.refs",
     3, {INT8OID, INT8ARRAYOID, INT8ARRAYOID}, CUSTOM_PLAN},
    {Plan::DELETE_THINGS,
     "DELETE FROM thingsdb.things WHERE collection = $1 AND id = ANY($2)"
     " RETURNING id, type_id, version, props::text",
     2, {INT8OID, INT8ARRAYOID}, CUSTOM_PLAN},
    {Plan::COUNT_THINGS,
     "SELECT count(*) FROM thingsdb.things WHERE collection = $1"
     " AND type_id IS DISTINCT FROM -2",
     1,
     {INT8OID}, 0},
    {Plan::LIST_COLLECTIONS, "SELECT " COLLECTION_COLUMNS " FROM thingsdb.collections ORDER BY id",
     0, {}, 0},
    {Plan::COLLECTION_BY_NAME,
     "SELECT " COLLECTION_COLUMNS " FROM thingsdb.collections WHERE name = $1", 1, {TEXTOID}, 0},
    {Plan::COLLECTION_BY_ID,
     "SELECT " COLLECTION_COLUMNS " FROM thingsdb.collections WHERE id = $1", 1, {INT8OID}, 0},
    {Plan::INSERT_COLLECTION,
     "INSERT INTO thingsdb.collections (id, name, created_at) VALUES ($1, $2, $3)"
     " RETURNING " COLLECTION_COLUMNS,
     3, {INT8OID, TEXTOID, INT8OID}, 0},
    {Plan::INSERT_ROOT,
     "INSERT INTO thingsdb.things (id, collection, refs, props) VALUES ($1, $1, 1, '{}')", 1,
     {INT8OID}, 0},
    {Plan::DELETE_COLLECTION, "DELETE FROM thingsdb.collections WHERE id = $1", 1, {INT8OID}, 0},
    {Plan::RENAME_COLLECTION, "UPDATE thingsdb.collections SET name = $2 WHERE id = $1", 2,
     {INT8OID, TEXTOID}, 0},
    {Plan::SET_COLLECTION_TZ, "UPDATE thingsdb.collections SET time_zone = $2 WHERE id = $1", 2,
     {INT8OID, TEXTOID}, 0},
    {Plan::SET_COLLECTION_DEEP, "UPDATE thingsdb.collections SET default_deep = $2 WHERE id = $1",
     2, {INT8OID, INT4OID}, 0},
    // What the foreign key of things.collection would do for each inserted row, once (see
    // thingsdb.things in the install script).
    {Plan::KEY_SHARE_COLLECTION, "SELECT 1 FROM thingsdb.collections WHERE id = $1 FOR KEY SHARE",
     1, {INT8OID}, 0},
    {Plan::KEY_SHARE_COLLECTION_NOWAIT,
     "SELECT 1 FROM thingsdb.collections WHERE id = $1 FOR KEY SHARE NOWAIT", 1, {INT8OID}, 0},

    // ---- procedures ----
    {Plan::PROC_FIND,
     "SELECT " PROCEDURE_COLUMNS " FROM thingsdb.procedures WHERE scope_id = $1 AND name = $2", 2,
     {INT8OID, TEXTOID}, 0},
    {Plan::PROC_LIST,
     "SELECT " PROCEDURE_COLUMNS " FROM thingsdb.procedures WHERE scope_id = $1 ORDER BY name", 1,
     {INT8OID}, 0},
    {Plan::PROC_INSERT,
     "INSERT INTO thingsdb.procedures (scope_id, name, definition, created_at)"
     " VALUES ($1, $2, $3, $4)",
     4, {INT8OID, TEXTOID, TEXTOID, INT8OID}, 0},
    {Plan::PROC_UPDATE,
     "UPDATE thingsdb.procedures SET definition = $3, created_at = $4"
     " WHERE scope_id = $1 AND name = $2",
     4, {INT8OID, TEXTOID, TEXTOID, INT8OID}, 0},
    {Plan::PROC_RENAME,
     "UPDATE thingsdb.procedures SET name = $3 WHERE scope_id = $1 AND name = $2", 3,
     {INT8OID, TEXTOID, TEXTOID}, 0},
    {Plan::PROC_DELETE, "DELETE FROM thingsdb.procedures WHERE scope_id = $1 AND name = $2", 2,
     {INT8OID, TEXTOID}, 0},

    // ---- Types and enums ----
    {Plan::LOAD_TYPES,
     "SELECT type_id, name, created_at, modified_at, definition::text FROM thingsdb.types"
     " WHERE collection = $1 ORDER BY type_id",
     1, {INT8OID}, 0},
    {Plan::SAVE_TYPE,
     "INSERT INTO thingsdb.types (collection, type_id, name, created_at, modified_at, definition)"
     " VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (collection, type_id) DO UPDATE SET"
     " name = excluded.name, modified_at = excluded.modified_at, definition = excluded.definition",
     6, {INT8OID, INT4OID, TEXTOID, INT8OID, INT8OID, TEXTOID}, 0},
    {Plan::DELETE_TYPE, "DELETE FROM thingsdb.types WHERE collection = $1 AND type_id = $2", 2,
     {INT8OID, INT4OID}, 0},
    {Plan::LOAD_ENUMS,
     "SELECT enum_id, name, created_at, modified_at, definition::text FROM thingsdb.enums"
     " WHERE collection = $1 ORDER BY enum_id",
     1, {INT8OID}, 0},
    {Plan::SAVE_ENUM,
     "INSERT INTO thingsdb.enums (collection, enum_id, name, created_at, modified_at, definition)"
     " VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (collection, enum_id) DO UPDATE SET"
     " name = excluded.name, modified_at = excluded.modified_at, definition = excluded.definition",
     6, {INT8OID, INT4OID, TEXTOID, INT8OID, INT8OID, TEXTOID}, 0},
    {Plan::DELETE_ENUM, "DELETE FROM thingsdb.enums WHERE collection = $1 AND enum_id = $2", 2,
     {INT8OID, INT4OID}, 0},
    {Plan::TYPE_THINGS,
     "SELECT id FROM thingsdb.things WHERE collection = $1 AND type_id = $2 ORDER BY id", 2,
     {INT8OID, INT4OID}, 0},
    // Stored enum members are {"!m": [enum_id, member_id]} anywhere in props.
    {Plan::MEMBER_USED,
     "SELECT 1 FROM thingsdb.things WHERE collection = $1 AND props @? $2::jsonpath LIMIT 1", 2,
     {INT8OID, TEXTOID}, 0},

    // ---- users, tokens and access ----
    {Plan::USERS, "SELECT " USER_COLUMNS " FROM thingsdb.users ORDER BY id", 0, {}, 0},
    {Plan::USER_BY_NAME, "SELECT " USER_COLUMNS " FROM thingsdb.users WHERE name = $1", 1,
     {TEXTOID}, 0},
    {Plan::USER_BY_ID, "SELECT " USER_COLUMNS " FROM thingsdb.users WHERE id = $1", 1, {INT8OID},
     0},
    {Plan::INSERT_USER,
     "INSERT INTO thingsdb.users (name, created_at) VALUES ($1, $2) RETURNING " USER_COLUMNS, 2,
     {TEXTOID, INT8OID}, 0},
    // What the foreign keys of tokens and access would do (see the install script).
    {Plan::KEY_SHARE_USER, "SELECT 1 FROM thingsdb.users WHERE id = $1 FOR KEY SHARE", 1,
     {INT8OID}, 0},
    {Plan::DELETE_USER, "DELETE FROM thingsdb.users WHERE id = $1", 1, {INT8OID}, 0},
    {Plan::RENAME_USER, "UPDATE thingsdb.users SET name = $2 WHERE id = $1", 2,
     {INT8OID, TEXTOID}, 0},
    {Plan::TOKENS,
     "SELECT key_hint, created_at, expiration, description FROM thingsdb.tokens"
     " WHERE user_id = $1 ORDER BY created_at, key_hint",
     1, {INT8OID}, 0},
    {Plan::INSERT_TOKEN,
     "INSERT INTO thingsdb.tokens (key_hash, user_id, key_hint, created_at, expiration,"
     " description) VALUES ($1, $2, $3, $4, $5, $6)",
     6, {BYTEAOID, INT8OID, TEXTOID, INT8OID, INT8OID, TEXTOID}, 0},
    {Plan::TOKEN_BY_HASH, "SELECT user_id, expiration FROM thingsdb.tokens WHERE key_hash = $1",
     1, {BYTEAOID}, 0},
    {Plan::DELETE_TOKEN, "DELETE FROM thingsdb.tokens WHERE key_hash = $1", 1, {BYTEAOID}, 0},
    {Plan::DELETE_EXPIRED, "DELETE FROM thingsdb.tokens WHERE expiration <= $1", 1, {INT8OID}, 0},
    {Plan::ACCESS_MASK, "SELECT mask FROM thingsdb.access WHERE user_id = $1 AND scope_id = $2",
     2, {INT8OID, INT8OID}, 0},
    {Plan::SET_ACCESS,
     "INSERT INTO thingsdb.access (user_id, scope_id, mask) VALUES ($1, $2, $3)"
     " ON CONFLICT (user_id, scope_id) DO UPDATE SET mask = excluded.mask",
     3, {INT8OID, INT8OID, INT4OID}, 0},
    {Plan::DELETE_ACCESS, "DELETE FROM thingsdb.access WHERE user_id = $1 AND scope_id = $2", 2,
     {INT8OID, INT8OID}, 0},
    {Plan::USER_ACCESS,
     "SELECT scope_id, mask FROM thingsdb.access WHERE user_id = $1 ORDER BY scope_id", 1,
     {INT8OID}, 0},

    // ---- tasks ----
    {Plan::TASK_LIST,
     "SELECT " TASK_COLUMNS " FROM thingsdb.tasks WHERE scope_id = $1 ORDER BY id", 1,
     {INT8OID}, 0},
    {Plan::TASK_FIND,
     "SELECT " TASK_COLUMNS " FROM thingsdb.tasks WHERE scope_id = $1 AND id = $2", 2,
     {INT8OID, INT8OID}, 0},
    {Plan::TASK_INSERT,
     "INSERT INTO thingsdb.tasks (" TASK_COLUMNS_PLAIN ")"
     " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)",
     9, {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID}, 0},
    {Plan::TASK_UPDATE,
     "UPDATE thingsdb.tasks SET run_at = $3, owner_id = $4, owner = $5, closure = $6,"
     " args = $7::jsonb, err_code = $8, err_msg = $9 WHERE scope_id = $1 AND id = $2",
     9, {INT8OID, INT8OID, INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, INT4OID, TEXTOID}, 0},
    {Plan::TASK_DELETE, "DELETE FROM thingsdb.tasks WHERE scope_id = $1 AND id = $2", 2,
     {INT8OID, INT8OID}, 0},
    // One due task, its row locked: a task another worker runs (its row locked) is skipped,
    // and a row run and changed meanwhile is checked again against run_at (READ COMMITTED).
    {Plan::TASK_DUE,
     "SELECT scope_id, id FROM thingsdb.tasks WHERE run_at <= $1 ORDER BY run_at, id LIMIT 1"
     " FOR UPDATE SKIP LOCKED",
     1, {INT8OID}, OWN_SNAPSHOT},

    // ---- watch events ----
    {Plan::EVENTS_LAST_ID,
     "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM thingsdb.change_id_seq", 0, {},
     OWN_SNAPSHOT},
    {Plan::EVENTS_INSERT,
     "INSERT INTO thingsdb.changes (change_id, part, thing_ids, collections, payloads, scope_ids)"
     " VALUES ($1, $2, $3, $4, $5, $6)",
     6, {INT8OID, INT4OID, INT8ARRAYOID, TEXTARRAYOID, JSONARRAYOID, INT8ARRAYOID}, OWN_SNAPSHOT},
    // $1: the time before which events go. The oldest change (the lowest id: change ids follow
    // commit order, and created_at is taken under the commit lock) decides first, by one probe
    // of the primary key, whether there is anything to prune: without it the scan of the BRIN
    // index reads every page not yet summarized, the whole table between vacuums (0.4 s at
    // 180,000 changes), at the first commit of each session under the commit lock.
    {Plan::EVENTS_PRUNE,
     "WITH d AS (DELETE FROM thingsdb.changes WHERE created_at < $1"
     " AND (SELECT o.created_at FROM thingsdb.changes o ORDER BY o.change_id, o.part LIMIT 1) < $1"
     " RETURNING change_id, cardinality(thing_ids) AS n)"
     " SELECT coalesce(sum(n), 0)::bigint, max(change_id) FROM d",
     1, {TIMESTAMPTZOID}, OWN_SNAPSHOT},
    // The highest pruned change id; a sequence because it must not conflict between
    // concurrent transactions (only raised, under the commit lock).
    {Plan::EVENTS_RAISE_HORIZON,
     "SELECT setval('thingsdb.events_pruned_seq', $1)"
     " WHERE $1 > (SELECT last_value FROM thingsdb.events_pruned_seq)",
     1, {INT8OID}, OWN_SNAPSHOT},

    // ---- rooms ----
    {Plan::ROOM_BY_ID, "SELECT id, name FROM thingsdb.rooms WHERE collection = $1 AND id = $2", 2,
     {INT8OID, INT8OID}, 0},
    {Plan::ROOM_BY_NAME, "SELECT id, name FROM thingsdb.rooms WHERE collection = $1 AND name = $2",
     2, {INT8OID, TEXTOID}, 0},
    {Plan::ROOM_SET_NAME, "UPDATE thingsdb.rooms SET name = $3 WHERE collection = $1 AND id = $2",
     3, {INT8OID, INT8OID, TEXTOID}, 0},
    {Plan::ROOMS_INSERT,
     "INSERT INTO thingsdb.rooms (collection, id, name, refs)"
     " SELECT $1, r.id, r.name, r.refs FROM unnest($2::int8[], $3::text[], $4::int8[])"
     " AS r(id, name, refs)",
     4, {INT8OID, INT8ARRAYOID, TEXTARRAYOID, INT8ARRAYOID}, 0},
    // The counts change in one statement; the rooms left without references go in the
    // next (a statement cannot delete a row it updated), and their ids come back.
    {Plan::ROOMS_REFS,
     "UPDATE thingsdb.rooms r SET refs = r.refs + d.delta"
     " FROM unnest($2::int8[], $3::int8[]) AS d(id, delta)"
     " WHERE r.collection = $1 AND r.id = d.id",
     3, {INT8OID, INT8ARRAYOID, INT8ARRAYOID}, 0},
    {Plan::ROOMS_DELETE,
     "DELETE FROM thingsdb.rooms WHERE collection = $1 AND id = ANY ($2) AND refs <= 0"
     " RETURNING id",
     2, {INT8OID, INT8ARRAYOID}, 0},
};
// clang-format on

constexpr int kCount = static_cast<int>(Plan::COUNT);
static_assert(sizeof kPlans / sizeof kPlans[0] == kCount, "one entry per Plan");

constexpr bool in_order() {
    for (int i = 0; i < kCount; ++i)
        if (kPlans[i].id != static_cast<Plan>(i)) return false;
    return true;
}
static_assert(in_order(), "kPlans is in the order of enum Plan");

SPIPlanPtr kept[kCount];

}  // namespace

uint64 exec_plan(Plan plan, Datum* values, const char* nulls) {
    int i = static_cast<int>(plan);
    const PlanDef& d = kPlans[i];
    enter_spi();
    if (!kept[i]) {
        int opts = (d.flags & CUSTOM_PLAN) ? CURSOR_OPT_CUSTOM_PLAN : 0;
        SPIPlanPtr p = SPI_prepare_cursor(d.sql, d.nargs, const_cast<Oid*>(d.types), opts);
        if (!p) elog(ERROR, "thingsdb: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        if (SPI_keepplan(p) != 0) elog(ERROR, "thingsdb: SPI_keepplan failed");
        kept[i] = p;
    }
    Snapshot snap = (d.flags & OWN_SNAPSHOT) ? nullptr : query_snapshot();
    int rc =
        snap ? SPI_execute_snapshot(kept[i], values, nulls, snap, InvalidSnapshot, false, true, 0)
             : SPI_execute_plan(kept[i], values, nulls, false, 0);
    if (rc < 0) elog(ERROR, "thingsdb: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
    return SPI_processed;
}

int64 get_int8(uint64 row, int col, bool* isnull) {
    bool null;
    Datum d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &null);
    if (isnull) *isnull = null;
    return null ? 0 : DatumGetInt64(d);
}

int32 get_int4(uint64 row, int col, bool* isnull) {
    bool null;
    Datum d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &null);
    if (isnull) *isnull = null;
    return null ? 0 : DatumGetInt32(d);
}

char* get_text(uint64 row, int col) {
    return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

void assign_text(std::string& dst, uint64 row, int col) {
    char* s = get_text(row, col);
    if (s) {
        dst.assign(s);
        pfree(s);
    } else {
        dst.clear();
    }
}

Datum text_datum(std::string_view s) {
    return PointerGetDatum(cstring_to_text_with_len(s.data(), s.size()));
}

Datum int8_array(const int64* v, int n) {
    Datum* d = static_cast<Datum*>(palloc(sizeof(Datum) * (n ? n : 1)));
    for (int i = 0; i < n; i++) d[i] = Int64GetDatum(v[i]);
    ArrayType* a = construct_array(d, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
    pfree(d);
    return PointerGetDatum(a);
}

Datum type_array(const uint32_t* v, int n) {
    Datum* d = static_cast<Datum*>(palloc(sizeof(Datum) * (n ? n : 1)));
    bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * (n ? n : 1)));
    for (int i = 0; i < n; i++) {
        nulls[i] = v[i] == kNoType;
        d[i] = Int32GetDatum(nulls[i] ? 0 : static_cast<int32>(v[i]));
    }
    int dims[1] = {n};
    int lbs[1] = {1};
    ArrayType* a =
        construct_md_array(d, nulls, 1, dims, lbs, INT4OID, sizeof(int32), true, TYPALIGN_INT);
    pfree(d);
    pfree(nulls);
    return PointerGetDatum(a);
}

}  // namespace tdb::pg
