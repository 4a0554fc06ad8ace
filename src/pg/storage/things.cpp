// PgStorage: things and collections in the tables of schema thingsdb, via SPI.
//
// Every statement is an SPI plan prepared on first use and kept for the
// backend (SPI_keepplan); the plan cache re-plans it when the tables change,
// even when the extension is dropped and created again. Writes are batched:
// one statement per kind of write, with the rows passed as arrays to unnest().
//
// Every PostgreSQL call runs inside pg_call (bridge.h): its lambdas hold no
// C++ objects of their own, they only fill objects owned by the caller.
#include "core/api/codec.h"
#include "core/api/error.h"

#include "pg/storage/things.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <stdexcept>

#include "pg/bridge.h"
#include "pg/storage/catalog_cache.h"
#include "pg/storage/spi_plans.h"

extern "C" {
#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "nodes/tidbitmap.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "access/itup.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "utils/reltrigger.h"
#include "lib/stringinfo.h"
#include "utils/fmgroids.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "datatype/timestamp.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "catalog/namespace.h"
}

namespace tdb::pg {

// ---- the call's snapshot (pg_storage.h) -----------------------------------

namespace {
PgStorage* current_storage = nullptr;
}  // namespace

PgStorage::PgStorage() : outer_(current_storage) { current_storage = this; }

PgStorage::~PgStorage() {
    // Without finish() an error is on its way: the abort of the
    // (sub)transaction releases what the resource owner holds.
    if (current_storage == this) current_storage = outer_;
}

void* PgStorage::current_snapshot() {
    PgStorage* st = current_storage;
    if (!st) return nullptr;
    if (!st->snapshot_) {
        CommandCounterIncrement();   // the snapshot sees this call's writes so far
        st->snapshot_ = RegisterSnapshot(GetTransactionSnapshot());
    }
    return st->snapshot_;
}

Snapshot query_snapshot() { return static_cast<Snapshot>(PgStorage::current_snapshot()); }

void PgStorage::renew_snapshot() {
    if (!snapshot_) return;
    Snapshot snap = static_cast<Snapshot>(snapshot_);
    snapshot_ = nullptr;
    pg_call([&] { UnregisterSnapshot(snap); });
}

void PgStorage::finish() {
    if (finished_) return;
    finished_ = true;
    renew_snapshot();
    if (current_storage == this) current_storage = outer_;
}

namespace {

enum PlanId {
    NEXT_IDS,
    INSERT_THINGS,
    UPDATE_THINGS,
    UPDATE_REFS,
    DELETE_THINGS,
    COUNT_THINGS,
    LIST_COLLECTIONS,
    COLLECTION_BY_NAME,
    COLLECTION_BY_ID,
    INSERT_COLLECTION,
    INSERT_ROOT,
    DELETE_COLLECTION,
    RENAME_COLLECTION,
    SET_COLLECTION_TZ,
    SET_COLLECTION_DEEP,
    KEY_SHARE_COLLECTION,
    N_PLANS
};

#define COLLECTION_COLUMNS "id, name, created_at, time_zone, default_deep"

struct PlanDef {
    const char* sql;
    int nargs;
    Oid types[6];
};

// Things are found by (collection, id), the primary key of thingsdb.things;
// reads and updates go straight to it (read_things and update_direct
// below). The UPDATE statements here serve only when someone has put
// triggers on the table (they fire for a statement, not for the direct
// path); each finds its rows by one probe of the key per written thing
// (THING_TID: the row's ctid, then a TID scan). A row changed by a
// concurrent transaction since the probe has another ctid on recheck: not
// updated, a conflict (40001), as the version check gives.
#define THING_TID "(SELECT x.ctid FROM thingsdb.things x WHERE x.collection = $1 AND x.id = u.id)"
const PlanDef kPlans[N_PLANS] = {
    {"SELECT nextval('thingsdb.thing_id_seq') FROM generate_series(1, $1)", 1, {INT4OID}},
    {"INSERT INTO thingsdb.things (id, collection, type_id, version, refs, props)"
     " SELECT w.id, $1, w.type_id, 1, w.refs, w.props"
     " FROM unnest($2, $3, $4, $5) AS w(id, type_id, refs, props)",
     5, {INT8OID, INT8ARRAYOID, INT4ARRAYOID, INT8ARRAYOID, JSONBARRAYOID}},
    // The version check makes a concurrent update of the same thing a
    // conflict: after waiting for the other writer the row no longer matches.
    {"UPDATE thingsdb.things t SET props = w.props, type_id = w.type_id,"
     " version = t.version + 1, refs = t.refs + w.delta"
     " FROM (SELECT u.*, " THING_TID " AS tid"
     "       FROM unnest($2, $3, $4, $5, $6) AS u(id, type_id, version, delta, props)) w"
     " WHERE t.ctid = w.tid AND t.version = w.version"
     " RETURNING t.id, t.refs",
     6, {INT8OID, INT8ARRAYOID, INT4ARRAYOID, INT8ARRAYOID, INT8ARRAYOID, JSONBARRAYOID}},
    {"UPDATE thingsdb.things t SET refs = t.refs + w.delta"
     " FROM (SELECT u.*, " THING_TID " AS tid FROM unnest($2, $3) AS u(id, delta)) w"
     " WHERE t.ctid = w.tid RETURNING t.id, t.refs",
     3, {INT8OID, INT8ARRAYOID, INT8ARRAYOID}},
    {"DELETE FROM thingsdb.things WHERE collection = $1 AND id = ANY($2)"
     " RETURNING id, type_id, version, props::text",
     2, {INT8OID, INT8ARRAYOID}},
    {"SELECT count(*) FROM thingsdb.things WHERE collection = $1", 1, {INT8OID}},
    {"SELECT " COLLECTION_COLUMNS " FROM thingsdb.collections ORDER BY id", 0, {}},
    {"SELECT " COLLECTION_COLUMNS " FROM thingsdb.collections WHERE name = $1", 1, {TEXTOID}},
    {"SELECT " COLLECTION_COLUMNS " FROM thingsdb.collections WHERE id = $1", 1, {INT8OID}},
    {"INSERT INTO thingsdb.collections (id, name, created_at) VALUES ($1, $2, $3)"
     " RETURNING " COLLECTION_COLUMNS,
     3, {INT8OID, TEXTOID, INT8OID}},
    {"INSERT INTO thingsdb.things (id, collection, refs, props) VALUES ($1, $1, 1, '{}')", 1,
     {INT8OID}},
    {"DELETE FROM thingsdb.collections WHERE id = $1", 1, {INT8OID}},
    {"UPDATE thingsdb.collections SET name = $2 WHERE id = $1", 2, {INT8OID, TEXTOID}},
    {"UPDATE thingsdb.collections SET time_zone = $2 WHERE id = $1", 2, {INT8OID, TEXTOID}},
    {"UPDATE thingsdb.collections SET default_deep = $2 WHERE id = $1", 2, {INT8OID, INT4OID}},
    // What the foreign key of things.collection would do for each inserted
    // row, once (see thingsdb.things in the install script).
    {"SELECT 1 FROM thingsdb.collections WHERE id = $1 FOR KEY SHARE", 1, {INT8OID}},
};

SPIPlanPtr plans[N_PLANS];

// The helpers below call PostgreSQL and may ereport: use them inside pg_call.

SPIPlanPtr get_plan(PlanId id) {
    if (!plans[id]) {
        const PlanDef& d = kPlans[id];
        // The statements on things are planned for each execution: a
        // generic plan kept from when the table was small (a fresh node, or
        // just after a bulk delete and ANALYZE) scans the table where it
        // should probe the primary key (the probe of THING_TID becomes a
        // sequential scan per written row: minutes for 10,000 updates). A
        // custom plan costs some microseconds and sees the table's current
        // size.
        int opts = (id == UPDATE_THINGS || id == UPDATE_REFS || id == DELETE_THINGS) ? CURSOR_OPT_CUSTOM_PLAN : 0;
        SPIPlanPtr p = SPI_prepare_cursor(d.sql, d.nargs, const_cast<Oid*>(d.types), opts);
        if (!p) elog(ERROR, "thingsdb: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        if (SPI_keepplan(p) != 0) elog(ERROR, "thingsdb: SPI_keepplan failed");
        plans[id] = p;
    }
    return plans[id];
}

// Runs a plan; nulls may be NULL (no argument is null). Returns SPI_processed.
uint64 exec(PlanId id, Datum* values, const char* nulls) {
    int rc = spi_run(get_plan(id), values, nulls, 0);
    if (rc < 0) elog(ERROR, "thingsdb: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
    return SPI_processed;
}

int64 get_int8(uint64 row, int col, bool* isnull) {
    Datum d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
    return *isnull ? 0 : DatumGetInt64(d);
}
using tdb::pg::get_int8;   // (row, col): spi_plans.h

int32 get_int4(uint64 row, int col, bool* isnull) {
    Datum d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, isnull);
    return *isnull ? 0 : DatumGetInt32(d);
}

// palloc'd text of a column, or NULL.
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

Datum int8_array(const int64* v, int n) {
    Datum* d = static_cast<Datum*>(palloc(sizeof(Datum) * (n ? n : 1)));
    for (int i = 0; i < n; i++) d[i] = Int64GetDatum(v[i]);
    ArrayType* a = construct_array(d, n, INT8OID, sizeof(int64), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
    pfree(d);
    return PointerGetDatum(a);
}

// type ids, with kNoType stored as NULL
Datum type_array(const uint32_t* v, int n) {
    Datum* d = static_cast<Datum*>(palloc(sizeof(Datum) * (n ? n : 1)));
    bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * (n ? n : 1)));
    for (int i = 0; i < n; i++) {
        nulls[i] = v[i] == kNoType;
        d[i] = Int32GetDatum(nulls[i] ? 0 : static_cast<int32>(v[i]));
    }
    int dims[1] = {n};
    int lbs[1] = {1};
    ArrayType* a = construct_md_array(d, nulls, 1, dims, lbs, INT4OID, sizeof(int32), true,
                                      TYPALIGN_INT);
    pfree(d);
    pfree(nulls);
    return PointerGetDatum(a);
}

// ---- properties written as jsonb ---------------------------------
// The core's encoder events (codec.h PropsEncoder) are recorded as a compact
// byte stream while the query still runs C++ (flush); write_things turns each
// stream into a jsonb inside pg_call with pushJsonbValue, without JSON text.
// The jsonb is the one jsonb_in makes of the text the JSON writer would give:
// numbers become numerics as numeric_in makes them (integers through
// int64_to_numeric, which gives the same numeric; floats from the writer's
// own text), and the string checks of jsonb_in are repeated (no NUL, which
// jsonb_in refuses as \u0000; the length limit of a jsonb string).
// Stream: one tag byte each; 'k', 's' and 'd' are followed by a 4-byte
// length and the bytes ('d' also by a NUL), 'i' by 8 bytes.

class JsonbStreamEncoder final : public PropsEncoder {
public:
    void begin_object() override { out->push_back('{'); }
    void key(std::string_view k) override { bytes('k', k); }
    void end_object() override { out->push_back('}'); }
    void begin_array() override { out->push_back('['); }
    void end_array() override { out->push_back(']'); }
    void null() override { out->push_back('n'); }
    void boolean(bool b) override { out->push_back(b ? 't' : 'f'); }
    void integer(int64_t i) override {
        out->push_back('i');
        out->append(reinterpret_cast<const char*>(&i), sizeof i);
    }
    void number(double, std::string_view text) override {
        bytes('d', text);
        out->push_back('\0');
    }
    void string(std::string_view s) override { bytes('s', s); }

private:
    void bytes(char tag, std::string_view s) {
        if (s.size() > 0xffffffffu) throw std::length_error("string too long to store");
        uint32_t n = static_cast<uint32_t>(s.size());
        out->push_back(tag);
        out->append(reinterpret_cast<const char*>(&n), sizeof n);
        out->append(s.data(), s.size());
    }
};

JsonbStreamEncoder jsonb_stream_encoder;

// A string of the stream as jsonb_in would accept it (or its error).
void stream_string(JsonbValue& v, const char* p, uint32_t n) {
    if (memchr(p, '\0', n))
        ereport(ERROR, (errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
                        errmsg("unsupported Unicode escape sequence"),
                        errdetail("\\u0000 cannot be converted to text.")));
    if (n > JENTRY_OFFLENMASK)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("string too long to represent as jsonb string"),
                        errdetail("Due to an implementation restriction, jsonb strings cannot exceed %d bytes.",
                                  JENTRY_OFFLENMASK)));
    v.type = jbvString;
    v.val.string.len = static_cast<int>(n);
    v.val.string.val = const_cast<char*>(p);
}

// The jsonb of one stream, allocated in the current memory context.
Jsonb* stream_to_jsonb(const char* p, size_t len) {
    const char* end = p + len;
    JsonbParseState* st = nullptr;
    JsonbValue* res = nullptr;
    while (p < end) {
        char tag = *p++;
        JsonbValue v;
        uint32_t n = 0;
        if (tag == 'k' || tag == 's' || tag == 'd') {
            memcpy(&n, p, sizeof n);
            p += sizeof n;
        }
        switch (tag) {
            case '{': res = pushJsonbValue(&st, WJB_BEGIN_OBJECT, nullptr); continue;
            case '}': res = pushJsonbValue(&st, WJB_END_OBJECT, nullptr); continue;
            case '[': res = pushJsonbValue(&st, WJB_BEGIN_ARRAY, nullptr); continue;
            case ']': res = pushJsonbValue(&st, WJB_END_ARRAY, nullptr); continue;
            case 'k':
                stream_string(v, p, n);
                p += n;
                res = pushJsonbValue(&st, WJB_KEY, &v);
                continue;
            case 's':
                stream_string(v, p, n);
                p += n;
                break;
            case 'n': v.type = jbvNull; break;
            case 't':
            case 'f':
                v.type = jbvBool;
                v.val.boolean = tag == 't';
                break;
            case 'i': {
                int64 i;
                memcpy(&i, p, sizeof i);
                p += sizeof i;
                v.type = jbvNumeric;
                v.val.numeric = int64_to_numeric(i);
                break;
            }
            case 'd':
                v.type = jbvNumeric;
                v.val.numeric = DatumGetNumeric(DirectFunctionCall3(
                    numeric_in, CStringGetDatum(p), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
                p += n + 1;
                break;
            default:
                elog(ERROR, "thingsdb: bad stored properties stream");
        }
        res = pushJsonbValue(&st, st->contVal.type == jbvArray ? WJB_ELEM : WJB_VALUE, &v);
    }
    return JsonbValueToJsonb(res);
}

// An array of the jsonb of each write's stream (props_bin).
Datum jsonb_array(const std::string* const* v, int n, MemoryContext tmp) {
    Datum* d = static_cast<Datum*>(palloc(sizeof(Datum) * (n ? n : 1)));
    MemoryContext outer = CurrentMemoryContext;
    for (int i = 0; i < n; i++) {
        MemoryContextSwitchTo(tmp);
        Jsonb* jb = stream_to_jsonb(v[i]->data(), v[i]->size());
        MemoryContextSwitchTo(outer);
        Jsonb* copy = static_cast<Jsonb*>(palloc(VARSIZE(jb)));
        memcpy(copy, jb, VARSIZE(jb));
        d[i] = PointerGetDatum(copy);
        MemoryContextReset(tmp);
    }
    ArrayType* a = construct_array(d, n, JSONBOID, -1, false, TYPALIGN_INT);
    for (int i = 0; i < n; i++) pfree(DatumGetPointer(d[i]));
    pfree(d);
    return PointerGetDatum(a);
}

Datum text_datum(std::string_view s) {
    return PointerGetDatum(cstring_to_text_with_len(s.data(), s.size()));
}

void read_collection(uint64 row, CollectionRow& out) {
    bool isnull;
    out.id = static_cast<uint64_t>(get_int8(row, 1));
    assign_text(out.name, row, 2);
    out.created_at = get_int8(row, 3);
    assign_text(out.time_zone, row, 4);
    out.default_deep = get_int4(row, 5, &isnull);
}

// Collects (id, refs) rows of an UPDATE ... RETURNING: ids whose refs <= 0.
void collect_unreferenced(uint64 n, std::vector<uint64_t>& out) {
    for (uint64 i = 0; i < n; i++)
        if (get_int8(i, 2) <= 0) out.push_back(static_cast<uint64_t>(get_int8(i, 1)));
}

[[noreturn]] void raise_conflict() {
    ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                    errmsg("could not serialize access due to concurrent update")));
    pg_unreachable();
}

// Things are read by direct access to the primary key of
// thingsdb.things (no planner, no SPI), under a snapshot taken as SPI takes
// one for a statement (after a command counter increment, so the query's own
// earlier writes are visible). A plan could degrade to a sequential scan of
// the whole table under statistics from when the table was small; an index
// access cannot. Ids close to each other (things made together: a list's
// items) are read by one range scan of the index that skips the entries not
// asked for without touching the table; the others by one probe each.
// Rows of another collection are skipped.
struct ThingsReader {
    Relation heap = nullptr;
    Relation index = nullptr;
    AttrNumber a_id = 0, a_coll = 0, a_type = 0, a_version = 0, a_refs = 0, a_props = 0;
    AttrNumber a_last = 0;   // the highest of the four a probe reads
    bool plain_layout = false;   // the six columns of the install script, in order (deform_row)
    TupleTableSlot* slot = nullptr;
    IndexScanDesc probe = nullptr;   // one key: id = k
    IndexScanDesc bitmap = nullptr;  // three keys: collection, lo <= id <= hi
};

// A run of sorted ids is read by a range scan when it has at least this
// many ids and no two neighbours are further apart than kRangeGap.
constexpr size_t kRangeMin = 8;
constexpr uint64_t kRangeGap = 4;

void reader_open(ThingsReader& r, LOCKMODE lockmode = AccessShareLock) {
    Oid nsp = get_namespace_oid("thingsdb", false);
    Oid relid = get_relname_relid("things", nsp);
    if (!OidIsValid(relid)) elog(ERROR, "thingsdb: table thingsdb.things is missing");
    r.heap = table_open(relid, lockmode);
    Oid pkey = RelationGetPrimaryKeyIndex(r.heap);
    if (!OidIsValid(pkey)) elog(ERROR, "thingsdb: thingsdb.things has no primary key");
    r.index = index_open(pkey, lockmode);
    TupleDesc desc = RelationGetDescr(r.heap);
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        if (att->attisdropped) continue;
        const char* n = NameStr(att->attname);
        if (strcmp(n, "id") == 0) r.a_id = att->attnum;
        else if (strcmp(n, "collection") == 0) r.a_coll = att->attnum;
        else if (strcmp(n, "type_id") == 0) r.a_type = att->attnum;
        else if (strcmp(n, "version") == 0) r.a_version = att->attnum;
        else if (strcmp(n, "refs") == 0) r.a_refs = att->attnum;
        else if (strcmp(n, "props") == 0) r.a_props = att->attnum;
    }
    if (!r.a_id || !r.a_coll || !r.a_type || !r.a_version || !r.a_refs || !r.a_props)
        elog(ERROR, "thingsdb: thingsdb.things lacks a column");
    r.a_last = std::max({r.a_coll, r.a_type, r.a_version, r.a_props});
    // id, collection, type_id, version, refs, props in this order and
    // nothing else, as the install script makes them: deform_row may read
    // the fixed-width columns straight from a row.
    r.plain_layout = desc->natts == 6 && r.a_id == 1 && r.a_coll == 2 && r.a_type == 3 && r.a_version == 4 &&
                     r.a_refs == 5 && r.a_props == 6;
    static const int16 lens[6] = {8, 8, 4, 8, 8, -1};
    for (int i = 0; r.plain_layout && i < 6; ++i) r.plain_layout = TupleDescAttr(desc, i)->attlen == lens[i];
    const int2vector& key = r.index->rd_index->indkey;
    if (r.index->rd_index->indnkeyatts != 2 || key.values[0] != r.a_coll || key.values[1] != r.a_id)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("thingsdb: the primary key of thingsdb.things is not (collection, id)"),
                        errhint("The extension's tables were made by an earlier build of the unreleased "
                                "version 0.1.0; recreate the extension (DROP EXTENSION thingsdb CASCADE; "
                                "CREATE EXTENSION thingsdb) and load the data again (docs/sql.md, "
                                "\"Versions and upgrades\").")));
    // The call's snapshot with the latest command id: this call's earlier
    // writes are seen.
    CommandCounterIncrement();
    if (Snapshot snap = query_snapshot()) {
        PushCopiedSnapshot(snap);
        UpdateActiveSnapshotCommandId();
    } else {
        PushActiveSnapshot(GetTransactionSnapshot());
    }
    r.slot = table_slot_create(r.heap, nullptr);
}

void reader_close(ThingsReader& r) {
    if (r.probe) index_endscan(r.probe);
    if (r.bitmap) index_endscan(r.bitmap);
    ExecDropSingleTupleTableSlot(r.slot);
    PopActiveSnapshot();
    index_close(r.index, NoLock);   // the locks last until the transaction ends
    table_close(r.heap, NoLock);
}

// Properties are handed to the core as the bytes of their jsonb (a plain
// copy) and walked into its values by this decoder: no JSON text in between,
// and no call into PostgreSQL. It reads jsonb's binary form (utils/jsonb.h:
// a container is a header with the count and kind, then one JEntry per key
// and value, an object's keys first, then the data; numerics and containers
// start int-aligned) and numeric's on-disk form (utils/adt/numeric.c), and
// checks every offset against the bytes it was given: damaged bytes are an
// error, never a read outside them. Numbers keep the meaning the text had:
// an integer when the numeric has no fraction digits (display scale 0) and
// fits an int64, else a float (strtod of the numeric's exact decimal text).
class JsonbDecoder final : public PropsDecoder {
public:
    void decode(std::string_view bin, PropsBuilder& b) const override;
};

const JsonbDecoder jsonb_decoder;

[[noreturn]] void bad_props() { raise(VALUE_ERR, "invalid stored properties"); }

uint32_t load_u32(const char* p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

uint16_t load_u16(const char* p) {
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

// What decode_numeric gives when the caller wants only an integer.
struct RefSink {
    bool is_int = false;
    int64_t value = 0;
    void integer(int64_t v) {
        is_int = true;
        value = v;
    }
    void number(double) { is_int = false; }
};

// A numeric of `len` bytes at p (a varlena, usually with a 4-byte header).
template <class Sink>
void decode_numeric(const char* p, size_t len, Sink& b) {
    size_t hdr = 0, size = 0;
    if (len >= 1 && VARATT_IS_1B(p) && !VARATT_IS_1B_E(p)) {
        hdr = VARHDRSZ_SHORT;
        size = VARSIZE_1B(p);
    } else if (len >= VARHDRSZ && VARATT_IS_4B_U(p)) {
        hdr = VARHDRSZ;
        uint32_t word = load_u32(p);
        size = VARSIZE(&word);
    } else {
        bad_props();
    }
    if (size < hdr + 2 || size > len) bad_props();
    const char* d = p + hdr;
    uint16_t head = load_u16(d);
    int weight, dscale;
    bool neg;
    const char* digits;
    if ((head & 0xC000) == 0x8000) {   // short form
        neg = (head & 0x2000) != 0;
        dscale = (head & 0x1F80) >> 7;
        weight = (head & 0x0040) ? static_cast<int>(head | ~0x003F) : static_cast<int>(head & 0x003F);
        digits = d + 2;
    } else if ((head & 0xC000) == 0xC000) {   // NaN, infinities: not in JSON
        bad_props();
    } else {   // long form: sign and display scale, then the weight
        if (size < hdr + 4) bad_props();
        neg = (head & 0xC000) == 0x4000;
        dscale = head & 0x3FFF;
        weight = static_cast<int16_t>(load_u16(d + 2));
        digits = d + 4;
    }
    size_t ndigits = static_cast<size_t>(p + size - digits) / 2;
    auto digit = [&](long i) -> int {
        if (i < 0 || static_cast<size_t>(i) >= ndigits) return 0;
        int v = static_cast<int16_t>(load_u16(digits + 2 * i));
        if (v < 0 || v > 9999) bad_props();
        return v;
    };
    if (dscale == 0 && weight <= 3) {
        // An integer of at most 16 digits (ids, counters: the most frequent
        // case): base-10000 digits 0..weight, past the stored ones zeros.
        int64_t v = 0;
        for (int i = 0; i <= weight; ++i) v = v * 10000 + digit(i);
        b.integer(neg ? -v : v);
        return;
    }
    if (dscale == 0 && weight == 4) {
        unsigned __int128 v = 0;
        for (int i = 0; i <= weight; ++i) v = v * 10000 + static_cast<unsigned>(digit(i));
        unsigned __int128 limit = neg ? (static_cast<unsigned __int128>(INT64_MAX) + 1) : INT64_MAX;
        if (v <= limit) {
            b.integer(neg ? static_cast<int64_t>(-static_cast<__int128>(v)) : static_cast<int64_t>(v));
            return;
        }
    }
    // The exact decimal text, then strtod (as of numeric_out's text).
    std::string t;
    t.reserve(8 + 4 * (ndigits + static_cast<size_t>(weight < 0 ? -weight : weight)));
    if (neg) t.push_back('-');
    char buf[8];
    if (weight < 0) {
        t.push_back('0');
    } else {
        for (int i = 0; i <= weight; ++i) {
            snprintf(buf, sizeof buf, i == 0 ? "%d" : "%04d", digit(i));
            t += buf;
        }
    }
    long last = static_cast<long>(ndigits) - 1;
    if (last > weight) {
        t.push_back('.');
        for (long i = weight + 1; i <= last; ++i) {
            snprintf(buf, sizeof buf, "%04d", digit(i));
            t += buf;
        }
    }
    b.number(strtod(t.c_str(), nullptr));
}

void JsonbDecoder::decode(std::string_view bin, PropsBuilder& b) const {
    // One level of the walk: a container and the next entry to visit.
    struct Level {
        const char* children;   // the JEntries
        const char* data;       // where the data begins
        uint32_t count;         // keys (objects) or elements (arrays)
        bool object;
        uint32_t next = 0;      // the next key or element
        uint32_t key_off = 0;   // running offsets: keys, then values
        uint32_t val_off = 0;
    };
    const char* begin = bin.data();
    const char* end = begin + bin.size();
    // The stack is kept from one thing to the next (no allocation per
    // thing); a decode nested in another one (not done today) gets its own.
    static std::vector<Level> shared;
    static bool busy = false;
    std::vector<Level> local;
    std::vector<Level>& stack = busy ? local : shared;
    struct Busy {
        bool was;
        std::vector<Level>& st;
        ~Busy() { busy = was; st.clear(); }
    } guard{busy, stack};
    busy = true;
    stack.clear();

    // Offset and length of entry `je` when the previous entries end at off.
    auto entry = [](uint32_t je, uint32_t& off, uint32_t& start, uint32_t& len) {
        start = off;
        uint32_t f = je & JENTRY_OFFLENMASK;
        if (je & JENTRY_HAS_OFF) {
            if (f < off) bad_props();
            len = f - off;
            off = f;
        } else {
            len = f;
            off += f;
        }
    };
    auto open = [&](const char* p, size_t avail) {
        if (avail < 4 || static_cast<uintptr_t>(p - begin) % 4 != 0) bad_props();
        uint32_t header = load_u32(p);
        uint32_t count = header & JB_CMASK;
        bool object = (header & JB_FOBJECT) != 0;
        if (!object && !(header & JB_FARRAY)) bad_props();
        uint64_t entries = object ? 2ull * count : count;
        if ((avail - 4) / 4 < entries) bad_props();
        Level l;
        l.children = p + 4;
        l.data = l.children + 4 * entries;
        l.count = count;
        l.object = object;
        if (object) {
            // The values' offsets start where the keys' data ends.
            uint32_t off = 0, start, len;
            for (uint32_t i = 0; i < count; ++i) entry(load_u32(l.children + 4 * i), off, start, len);
            l.val_off = off;
        }
        if (static_cast<size_t>(end - l.data) < l.val_off) bad_props();
        if (object && count == 1 && !stack.empty()) {
            // A reference {"#": id}, the most frequent nested object (a
            // list of things is a list of them): straight to the builder.
            uint32_t kje = load_u32(l.children), vje = load_u32(l.children + 4);
            uint32_t klen = kje & JENTRY_OFFLENMASK;   // the first entry's length or end: the same
            if ((kje & JENTRY_TYPEMASK) == JENTRY_ISSTRING && klen == 1 && l.val_off == 1 &&
                static_cast<size_t>(end - l.data) >= 1 && l.data[0] == '#' &&
                (vje & JENTRY_TYPEMASK) == JENTRY_ISNUMERIC) {
                uint32_t voff = 1, start, len;
                entry(vje, voff, start, len);
                if (static_cast<size_t>(end - l.data) < static_cast<size_t>(start) + len) bad_props();
                uint32_t pad = INTALIGN(start) - start;
                if (pad > len) bad_props();
                RefSink sink;
                decode_numeric(l.data + start + pad, len - pad, sink);
                if (sink.is_int && sink.value >= 0) {
                    b.reference(static_cast<uint64_t>(sink.value));
                    return;
                }
            }
        }
        if (object) b.begin_object(count);
        else b.begin_array(count);
        stack.push_back(l);
    };
    // The value of JEntry je at [start, start + len) of level l's data.
    auto value = [&](const Level& l, uint32_t je, uint32_t start, uint32_t len) {
        if (static_cast<size_t>(end - l.data) < static_cast<size_t>(start) + len) bad_props();
        const char* p = l.data + start;
        switch (je & JENTRY_TYPEMASK) {
            case JENTRY_ISSTRING: b.string(std::string_view(p, len)); break;
            case JENTRY_ISNULL: b.null(); break;
            case JENTRY_ISBOOL_FALSE: b.boolean(false); break;
            case JENTRY_ISBOOL_TRUE: b.boolean(true); break;
            case JENTRY_ISNUMERIC:
            case JENTRY_ISCONTAINER: {
                uint32_t pad = INTALIGN(start) - start;   // the data starts int-aligned
                if (pad > len) bad_props();
                if ((je & JENTRY_TYPEMASK) == JENTRY_ISNUMERIC) decode_numeric(p + pad, len - pad, b);
                else open(p + pad, len - pad);
                break;
            }
            default: bad_props();
        }
    };

    if (bin.size() < VARHDRSZ) bad_props();
    {
        uint32_t word = load_u32(begin);
        if (!VARATT_IS_4B_U(&word) || VARSIZE(&word) != bin.size()) bad_props();
    }
    open(begin + VARHDRSZ, bin.size() - VARHDRSZ);
    if (!stack.back().object) bad_props();   // properties are an object
    while (!stack.empty()) {
        Level& l = stack.back();
        if (l.next == l.count) {
            bool object = l.object;
            stack.pop_back();
            if (object) b.end_object();
            else b.end_array();
            continue;
        }
        uint32_t i = l.next++;
        uint32_t start, len;
        if (l.object) {
            uint32_t kje = load_u32(l.children + 4 * i);
            entry(kje, l.key_off, start, len);
            if ((kje & JENTRY_TYPEMASK) != JENTRY_ISSTRING ||
                static_cast<size_t>(end - l.data) < static_cast<size_t>(start) + len)
                bad_props();
            b.key(std::string_view(l.data + start, len));
            uint32_t vje = load_u32(l.children + 4 * (l.count + i));
            entry(vje, l.val_off, start, len);
            value(l, vje, start, len);   // may push a level: `l` is not used after
        } else {
            uint32_t je = load_u32(l.children + 4 * i);
            entry(je, l.key_off, start, len);
            value(l, je, start, len);
        }
    }
}

// The bytes of the props of the last read (PgStorage::load_things): one
// buffer for all rows, no allocation per thing. The rows' props_view point
// into it until the next read.
std::string read_buf;

// The columns of a row of thingsdb.things into vals/nulls: for the layout of
// the install script (fixed-width columns, then props) straight from the
// tuple's bytes, else by heap_deform_tuple.
void deform_row(const ThingsReader& r, HeapTuple tuple, TupleDesc desc, Datum* vals, bool* nulls) {
    HeapTupleHeader h = tuple->t_data;
    if (!r.plain_layout || HeapTupleHeaderGetNatts(h) != 6) {
        heap_deform_tuple(tuple, desc, vals, nulls);
        return;
    }
    const char* tp = reinterpret_cast<const char*>(h) + h->t_hoff;
    const bits8* bp = h->t_bits;
    bool hasnulls = HeapTupleHasNulls(tuple);
    uintptr_t off = 0;
    for (int i = 0; i < 6; ++i) {
        if (hasnulls && att_isnull(i, bp)) {
            vals[i] = 0;
            nulls[i] = true;
            continue;
        }
        nulls[i] = false;
        if (i == 2) {   // type_id int4
            off = TYPEALIGN(ALIGNOF_INT, off);
            int32 v;
            memcpy(&v, tp + off, sizeof v);
            vals[i] = Int32GetDatum(v);
            off += 4;
        } else if (i < 5) {   // int8
            off = TYPEALIGN(ALIGNOF_DOUBLE, off);
            int64 v;
            memcpy(&v, tp + off, sizeof v);
            vals[i] = Int64GetDatum(v);
            off += 8;
        } else {   // props: a varlena, int-aligned unless it has a 1-byte header
            off = att_align_pointer(off, TYPALIGN_INT, -1, tp + off);
            vals[i] = PointerGetDatum(tp + off);
        }
    }
}

// Appends the row in vals/nulls to out when it belongs to the collection (its
// props into read_buf; read_things sets props_view once the buffer is full).
bool take_values(const ThingsReader& r, uint64_t coll, uint64_t id, const Datum* vals, const bool* nulls,
                 std::vector<StoredThing>& out, std::vector<size_t>& offsets) {
    if (nulls[r.a_coll - 1] || static_cast<uint64_t>(DatumGetInt64(vals[r.a_coll - 1])) != coll) return false;
    StoredThing& t = out.emplace_back();   // reserved by read_things: no reallocation here
    t.id = id;
    t.type_id = nulls[r.a_type - 1] ? kNoType : static_cast<uint32_t>(DatumGetInt32(vals[r.a_type - 1]));
    t.version = DatumGetInt64(vals[r.a_version - 1]);
    Datum pd = vals[r.a_props - 1];
    if (nulls[r.a_props - 1]) {
        t.props_json.assign("{}");
        offsets.push_back(SIZE_MAX);
        return true;
    }
    // Each row's bytes start 8-aligned within the buffer (jsonb's data is
    // int-aligned relative to its start), with a 4-byte header.
    size_t at = (read_buf.size() + 7) & ~static_cast<size_t>(7);
    offsets.push_back(at);
    t.decoder = &jsonb_decoder;
    const char* raw = DatumGetPointer(pd);
    if (VARATT_IS_SHORT(raw) && !VARATT_IS_EXTERNAL(raw)) {
        // Small props are stored with a 1-byte header: copied straight into
        // the buffer with a 4-byte one (what detoasting would palloc).
        uint32_t len = VARSIZE_SHORT(raw) - VARHDRSZ_SHORT;
        uint32_t word;
        SET_VARSIZE(&word, len + VARHDRSZ);
        read_buf.resize(at + sizeof word + len);
        char* dst = read_buf.data() + at;
        memcpy(dst, &word, sizeof word);
        memcpy(dst + sizeof word, raw + VARHDRSZ_SHORT, len);
        return true;
    }
    read_buf.resize(at);
    Jsonb* jb = DatumGetJsonbP(pd);
    read_buf.append(reinterpret_cast<const char*>(jb), VARSIZE(jb));
    if (reinterpret_cast<Pointer>(jb) != DatumGetPointer(pd)) pfree(jb);   // detoasted copy
    return true;
}

bool reader_take(ThingsReader& r, uint64_t coll, uint64_t id, std::vector<StoredThing>& out,
                 std::vector<size_t>& offsets) {
    slot_getsomeattrs(r.slot, r.a_last);   // one deform for the four columns
    return take_values(r, coll, id, r.slot->tts_values, r.slot->tts_isnull, out, offsets);
}

// The visible rows of ids lo..hi of the collection, read a page at a time:
// the index entries of the range go into a TID bitmap (no heap access per
// entry), then each heap page is pinned and locked once for all its rows
// (heap_hot_search_buffer picks the visible version of each chain, as a
// bitmap heap scan does). A row is taken under the lock (its props bytes
// copied from the page), or, when its props need detoasting (compressed or
// out of line: TOAST rows to read), copied out and taken after it. Takes
// the rows whose id is among want (sorted) and not taken yet.
void read_range(ThingsReader& r, uint64_t coll, const uint64_t* want, size_t n_want, std::vector<bool>& taken,
                std::vector<StoredThing>& out, size_t& got, std::vector<size_t>& offsets) {
    ScanKeyData keys[3];
    ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(static_cast<int64>(coll)));
    ScanKeyInit(&keys[1], 2, BTGreaterEqualStrategyNumber, F_INT8GE, Int64GetDatum(static_cast<int64>(want[0])));
    ScanKeyInit(&keys[2], 2, BTLessEqualStrategyNumber, F_INT8LE,
                Int64GetDatum(static_cast<int64>(want[n_want - 1])));
    Snapshot snap = GetActiveSnapshot();
    if (!r.bitmap) r.bitmap = index_beginscan_bitmap(r.index, snap, 3);
    index_rescan(r.bitmap, keys, 3, nullptr, 0);
    TIDBitmap* tbm = tbm_create(work_mem * 1024L, nullptr);
    (void)index_getbitmap(r.bitmap, tbm);
    size_t cap = 16, n = 0;
    HeapTuple* rows = static_cast<HeapTuple*>(palloc(sizeof(HeapTuple) * cap));
    TupleDesc desc = RelationGetDescr(r.heap);
    Datum* vals = static_cast<Datum*>(palloc(sizeof(Datum) * desc->natts));
    bool* nulls = static_cast<bool*>(palloc(sizeof(bool) * desc->natts));
    // The place of id in want when it is asked for and not taken yet.
    auto wanted = [&](uint64_t id) -> size_t {
        const uint64_t* pos = std::lower_bound(want, want + n_want, id);
        size_t w = static_cast<size_t>(pos - want);
        return pos != want + n_want && *pos == id && !taken[w] ? w : SIZE_MAX;
    };
    // Takes the row in vals/nulls, wanted at place w.
    auto take = [&](size_t w, uint64_t id) {
        if (take_values(r, coll, id, vals, nulls, out, offsets)) {
            taken[w] = true;
            ++got;
        }
    };
    TBMIterator* it = tbm_begin_iterate(tbm);
    Buffer buf = InvalidBuffer;
    TBMIterateResult* page;
    while ((page = tbm_iterate(it)) != nullptr) {
        buf = ReleaseAndReadBuffer(buf, r.heap, page->blockno);
        heap_page_prune_opt(r.heap, buf);
        LockBuffer(buf, BUFFER_LOCK_SHARE);
        OffsetNumber max = PageGetMaxOffsetNumber(BufferGetPage(buf));
        int count = page->ntuples >= 0 ? page->ntuples : max;   // lossy: every line pointer
        for (int k = 0; k < count; ++k) {
            OffsetNumber off = page->ntuples >= 0 ? page->offsets[k] : static_cast<OffsetNumber>(k + 1);
            if (off < FirstOffsetNumber || off > max) continue;
            ItemPointerData tid;
            ItemPointerSet(&tid, page->blockno, off);
            HeapTupleData tup;
            bool all_dead;
            if (!heap_hot_search_buffer(&tid, r.heap, buf, snap, &tup, &all_dead, true)) continue;
            tup.t_tableOid = RelationGetRelid(r.heap);
            // Only the rows asked for are taken (the range may hold others:
            // things made between the ones of a list). A row whose props
            // are inline and uncompressed is taken here, its bytes copied
            // from the page; one that needs detoasting is copied out and
            // taken after the lock.
            deform_row(r, &tup, desc, vals, nulls);
            if (nulls[r.a_id - 1]) continue;
            uint64_t id = static_cast<uint64_t>(DatumGetInt64(vals[r.a_id - 1]));
            size_t w = wanted(id);
            if (w == SIZE_MAX) continue;
            const char* pp = nulls[r.a_props - 1] ? nullptr : DatumGetPointer(vals[r.a_props - 1]);
            if (!pp || (VARATT_IS_SHORT(pp) && !VARATT_IS_EXTERNAL(pp)) || VARATT_IS_4B_U(pp)) {
                take(w, id);
                continue;
            }
            if (n == cap) {
                cap *= 2;
                rows = static_cast<HeapTuple*>(repalloc(rows, sizeof(HeapTuple) * cap));
            }
            rows[n++] = heap_copytuple(&tup);
        }
        LockBuffer(buf, BUFFER_LOCK_UNLOCK);
    }
    if (BufferIsValid(buf)) ReleaseBuffer(buf);
    tbm_end_iterate(it);
    tbm_free(tbm);
    for (size_t k = 0; k < n; ++k) {
        deform_row(r, rows[k], desc, vals, nulls);
        uint64_t id = static_cast<uint64_t>(DatumGetInt64(vals[r.a_id - 1]));   // not null: checked under the lock
        size_t w = wanted(id);
        if (w != SIZE_MAX) take(w, id);
        heap_freetuple(rows[k]);
    }
    pfree(vals);
    pfree(nulls);
    pfree(rows);
}

void read_things(uint64_t coll, std::vector<uint64_t>& ids, std::vector<StoredThing>& out) {
    std::sort(ids.begin(), ids.end());   // neighbouring index pages, once each
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    size_t first = out.size();
    out.reserve(first + ids.size());
    size_t got = 0;
    read_buf.clear();
    std::vector<size_t> offsets;
    offsets.reserve(ids.size());
    ThingsReader r;
    std::vector<bool> taken;
    taken.reserve(1024);
    pg_call([&] {
        reader_open(r);
        ScanKeyData keys[3];
        size_t i = 0, n = ids.size();
        while (i < n) {
            size_t e = i + 1;
            while (e < n && ids[e] - ids[e - 1] <= kRangeGap) ++e;
            if (e - i >= kRangeMin) {
                // One range of the index for ids[i] .. ids[e - 1], read a
                // heap page at a time (read_range).
                taken.assign(e - i, false);
                read_range(r, coll, ids.data() + i, e - i, taken, out, got, offsets);
            } else {
                if (!r.probe) r.probe = index_beginscan(r.heap, r.index, GetActiveSnapshot(), 2, 0);
                ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(static_cast<int64>(coll)));
                for (size_t k = i; k < e; ++k) {
                    ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ,
                                Int64GetDatum(static_cast<int64>(ids[k])));
                    index_rescan(r.probe, keys, 2, nullptr, 0);
                    if (index_getnext_slot(r.probe, ForwardScanDirection, r.slot) &&
                        reader_take(r, coll, ids[k], out, offsets))
                        ++got;
                }
            }
            i = e;
        }
        reader_close(r);
    });
    for (size_t i = 0; i < got; ++i) {
        StoredThing& t = out[first + i];
        if (offsets[i] == SIZE_MAX) continue;
        uint32_t word;
        memcpy(&word, read_buf.data() + offsets[i], sizeof word);
        t.props_view = std::string_view(read_buf.data() + offsets[i], VARSIZE(&word));
    }
}

// One update of a thing: new props (props set) or only a change of its
// reference count.
struct UpdateRow {
    int64 id;
    uint32_t type_id;
    int64 version;              // the version read; must still be the stored one
    int64 delta;                // change of refs
    const std::string* props;   // the encoder's stream; nullptr: refs only
};

// Whether updates of thingsdb.things must go through an UPDATE statement:
// when someone added triggers to the table (the direct path fires none).
bool things_have_update_triggers(Relation rel) {
    TriggerDesc* td = rel->trigdesc;
    return td && (td->trig_update_before_row || td->trig_update_after_row || td->trig_update_instead_row ||
                  td->trig_update_before_statement || td->trig_update_after_statement);
}

// Updates things by direct access, as reads are done: one probe of the
// primary key per row, the version compared, table_tuple_update, and index
// entries only when the update is not HOT. No planner: a plan made under
// statistics from when the collection was small scanned the collection for
// each written row (creating or updating 100,000 things took minutes). A
// row that another transaction changed since it was read (its version, or a
// newer row version that table_tuple_update waits for and finds) is a
// conflict, 40001, as the UPDATE statement's version check gives. Runs
// inside pg_call; returns false, having done nothing, when the table has
// update triggers (the caller then uses the statements).
bool update_direct(uint64_t coll, const std::vector<UpdateRow>& rows, std::vector<uint64_t>& unreferenced,
                   MemoryContext tmp) {
    ThingsReader r;
    reader_open(r, RowExclusiveLock);
    if (things_have_update_triggers(r.heap)) {
        reader_close(r);
        return false;
    }
    Relation rel = r.heap;
    CheckCmdReplicaIdentity(rel, CMD_UPDATE);
    EState* estate = CreateExecutorState();
    RangeTblEntry* rte = makeNode(RangeTblEntry);
    rte->rtekind = RTE_RELATION;
    rte->relid = RelationGetRelid(rel);
    rte->relkind = rel->rd_rel->relkind;
    rte->rellockmode = RowExclusiveLock;
    ExecInitRangeTable(estate, list_make1(rte));
    ResultRelInfo* rri = makeNode(ResultRelInfo);
    InitResultRelInfo(rri, rel, 1, nullptr, 0);
    ExecOpenIndices(rri, false);
    estate->es_output_cid = GetCurrentCommandId(true);
    estate->es_snapshot = GetActiveSnapshot();
    TupleTableSlot* newslot = table_slot_create(rel, &estate->es_tupleTable);
    int natts = RelationGetDescr(rel)->natts;
    r.probe = index_beginscan(rel, r.index, estate->es_snapshot, 2, 0);
    ScanKeyData keys[2];
    ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(static_cast<int64>(coll)));
    MemoryContext outer = CurrentMemoryContext;
    // A change of the reference count only (a thing put in or taken out of
    // another) commutes with any other change of the row: met with a newer
    // committed version, it is applied to that one, as UPDATE ... SET refs =
    // refs + d would in READ COMMITTED, instead of failing the query.
    bool follow = !IsolationUsesXactSnapshot();
    for (const UpdateRow& w : rows) {
        ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(w.id));
        index_rescan(r.probe, keys, 2, nullptr, 0);
        // Gone, or changed since this query read it: a conflict.
        if (!index_getnext_slot(r.probe, ForwardScanDirection, r.slot)) raise_conflict();
        int64 refs = 0;
        bool update_indexes = false;
        for (;;) {
            slot_getallattrs(r.slot);
            int64 version = DatumGetInt64(r.slot->tts_values[r.a_version - 1]);
            if (w.props && version != w.version) raise_conflict();
            ExecClearTuple(newslot);
            memcpy(newslot->tts_values, r.slot->tts_values, sizeof(Datum) * natts);
            memcpy(newslot->tts_isnull, r.slot->tts_isnull, sizeof(bool) * natts);
            refs = DatumGetInt64(r.slot->tts_values[r.a_refs - 1]) + w.delta;
            newslot->tts_values[r.a_refs - 1] = Int64GetDatum(refs);
            MemoryContextSwitchTo(tmp);
            if (w.props) {
                newslot->tts_values[r.a_version - 1] = Int64GetDatum(version + 1);
                newslot->tts_isnull[r.a_type - 1] = w.type_id == kNoType;
                newslot->tts_values[r.a_type - 1] =
                    Int32GetDatum(w.type_id == kNoType ? 0 : static_cast<int32>(w.type_id));
                newslot->tts_values[r.a_props - 1] =
                    PointerGetDatum(stream_to_jsonb(w.props->data(), w.props->size()));
                newslot->tts_isnull[r.a_props - 1] = false;
            }
            ExecStoreVirtualTuple(newslot);
            ItemPointerData tid = r.slot->tts_tid;
            TM_FailureData tmfd;
            LockTupleMode lockmode;
            TM_Result res = table_tuple_update(rel, &tid, newslot, estate->es_output_cid, estate->es_snapshot,
                                               InvalidSnapshot, true, &tmfd, &lockmode, &update_indexes);
            MemoryContextSwitchTo(outer);
            if (res == TM_Ok) break;
            if (res == TM_Updated && follow && !w.props) {
                // The newest committed version (table_tuple_update waited for
                // its writer to end).
                IndexScanDesc latest = index_beginscan(rel, r.index, GetLatestSnapshot(), 2, 0);
                index_rescan(latest, keys, 2, nullptr, 0);
                bool found = index_getnext_slot(latest, ForwardScanDirection, r.slot);
                index_endscan(latest);
                if (!found) raise_conflict();   // deleted meanwhile
                MemoryContextReset(tmp);
                continue;
            }
            if (res == TM_Updated || res == TM_Deleted) raise_conflict();
            elog(ERROR, "thingsdb: unexpected result %d updating thing %lld", static_cast<int>(res),
                 static_cast<long long>(w.id));
        }
        MemoryContextSwitchTo(tmp);
        if (update_indexes && rri->ri_NumIndices > 0)
            list_free(ExecInsertIndexTuples(rri, newslot, estate, true, false, nullptr, NIL));
        MemoryContextSwitchTo(outer);
        ExecClearTuple(newslot);
        ResetPerTupleExprContext(estate);
        MemoryContextReset(tmp);
        if (refs <= 0) unreferenced.push_back(static_cast<uint64_t>(w.id));
    }
    ExecCloseIndices(rri);
    ExecResetTupleTable(estate->es_tupleTable, false);
    FreeExecutorState(estate);
    reader_close(r);
    return true;
}

}  // namespace

bool PgStorage::load_thing(uint64_t coll, uint64_t id, StoredThing& out) {
    std::vector<uint64_t> ids{id};
    std::vector<StoredThing> rows;
    read_things(coll, ids, rows);
    if (rows.empty()) return false;
    out = std::move(rows[0]);
    return true;
}

// The read-ahead of Collection::load, many things in one go.
void PgStorage::load_things(uint64_t coll, const std::vector<uint64_t>& ids, std::vector<StoredThing>& out) {
    if (ids.empty()) return;
    std::vector<uint64_t> sorted(ids);
    read_things(coll, sorted, out);
}

// Ids come from thingsdb.thing_id_seq in batches that double within one call
// (1, 2, 4, ... 1024), so a query that creates many things needs few round
// trips while a small query wastes no more than it uses. Ids left over at
// the end of the call are never used: gaps in the sequence, as with any
// PostgreSQL sequence. The pool is not kept across calls, because the
// sequence may be reset (DROP/CREATE EXTENSION) in between.
uint64_t PgStorage::new_thing_id() {
    if (id_pool_.empty()) {
        int n = id_batch_;
        id_batch_ = std::min(id_batch_ * 2, 1024);
        id_pool_.reserve(n);
        pg_call([&] {
            Datum args[1] = {Int32GetDatum(n)};
            uint64 got = exec(NEXT_IDS, args, nullptr);
            for (uint64 i = 0; i < got; i++) id_pool_.push_back(static_cast<uint64_t>(get_int8(i, 1)));
            SPI_freetuptable(SPI_tuptable);
        });
        // Hand out the smallest first: keep the pool sorted descending.
        std::sort(id_pool_.begin(), id_pool_.end(), std::greater<uint64_t>());
        if (id_pool_.empty()) throw std::runtime_error("thing_id_seq returned no ids");
    }
    uint64_t id = id_pool_.back();
    id_pool_.pop_back();
    return id;
}

// Before things are inserted into a collection its row is locked FOR KEY
// SHARE, as the check of a foreign key would for each row: a concurrent
// del_collection waits for this transaction, and one that committed before
// leaves no row (the insert is refused). Once per collection and
// subtransaction: a lock taken in a subtransaction that rolls back is gone.
bool PgStorage::key_share_collection(uint64_t coll) {
    static uint64_t locked_coll = 0;
    static TransactionId locked_xid = InvalidTransactionId;
    static SubTransactionId locked_sub = InvalidSubTransactionId;
    bool found = true;
    pg_call([&] {
        TransactionId xid = GetTopTransactionIdIfAny();
        SubTransactionId sub = GetCurrentSubTransactionId();
        if (locked_coll == coll && TransactionIdIsValid(xid) && xid == locked_xid && sub == locked_sub) return;
        Datum args[1] = {Int64GetDatum(static_cast<int64>(coll))};
        found = exec(KEY_SHARE_COLLECTION, args, nullptr) == 1;
        SPI_freetuptable(SPI_tuptable);
        if (found) {
            locked_coll = coll;
            locked_xid = GetTopTransactionId();   // the row lock gave it one
            locked_sub = sub;
        }
    });
    return found;
}

namespace {

// The UPDATE statements for the rows update_direct leaves to them (a table
// with triggers): props first, then reference counts. Runs inside pg_call.
void update_by_statements(uint64_t coll, const std::vector<UpdateRow>& rows, std::vector<uint64_t>& unreferenced,
                          MemoryContext tmp) {
    std::vector<int64> id, version, delta, ref_id, ref_delta;
    std::vector<uint32_t> type;
    std::vector<const std::string*> props;
    for (const UpdateRow& u : rows) {
        if (u.props) {
            id.push_back(u.id);
            type.push_back(u.type_id);
            version.push_back(u.version);
            delta.push_back(u.delta);
            props.push_back(u.props);
        } else {
            ref_id.push_back(u.id);
            ref_delta.push_back(u.delta);
        }
    }
    if (!id.empty()) {
        int n = static_cast<int>(id.size());
        Datum args[6] = {Int64GetDatum(coll), int8_array(id.data(), n), type_array(type.data(), n),
                         int8_array(version.data(), n), int8_array(delta.data(), n),
                         jsonb_array(props.data(), n, tmp)};
        uint64 got = exec(UPDATE_THINGS, args, nullptr);
        for (int i = 1; i < 6; i++) pfree(DatumGetPointer(args[i]));
        // A missing row means another transaction changed (or removed)
        // the thing since this query read it.
        if (got != static_cast<uint64>(n)) raise_conflict();
        collect_unreferenced(got, unreferenced);
        SPI_freetuptable(SPI_tuptable);
    }
    if (!ref_id.empty()) {
        int n = static_cast<int>(ref_id.size());
        Datum args[3] = {Int64GetDatum(coll), int8_array(ref_id.data(), n), int8_array(ref_delta.data(), n)};
        uint64 got = exec(UPDATE_REFS, args, nullptr);
        for (int i = 1; i < 3; i++) pfree(DatumGetPointer(args[i]));
        if (got != static_cast<uint64>(n)) raise_conflict();
        collect_unreferenced(got, unreferenced);
        SPI_freetuptable(SPI_tuptable);
    }
}

}  // namespace

std::vector<uint64_t> PgStorage::write_things(uint64_t coll, const std::vector<ThingWrite>& w) {
    // The inserts for one statement, the updates for update_direct; built
    // here, outside pg_call, so the lambda only reads them.
    std::vector<int64> ins_id, ins_refs;
    std::vector<uint32_t> ins_type;
    std::vector<const std::string*> ins_props;
    std::vector<UpdateRow> upd_rows;
    for (const ThingWrite& t : w) {
        if (t.is_new) {
            ins_id.push_back(static_cast<int64>(t.id));
            ins_type.push_back(t.type_id);
            ins_refs.push_back(t.refs_delta);
            ins_props.push_back(&t.props_bin);
        } else if (t.props_changed) {
            upd_rows.push_back({static_cast<int64>(t.id), t.type_id, t.version, t.refs_delta, &t.props_bin});
        } else if (t.refs_delta != 0) {
            upd_rows.push_back({static_cast<int64>(t.id), kNoType, 0, t.refs_delta, nullptr});
        }
    }

    // Rows are locked in the order of their ids, the same in every
    // transaction: two writers changing overlapping things (a list and its
    // items) wait for each other instead of deadlocking.
    std::sort(upd_rows.begin(), upd_rows.end(), [](const UpdateRow& a, const UpdateRow& b) { return a.id < b.id; });

    if (!ins_id.empty() && !key_share_collection(coll))
        raisef(LOOKUP_ERR, "`collection:%llu` not found", static_cast<unsigned long long>(coll));

    std::vector<uint64_t> unreferenced;
    pg_call([&] {
        MemoryContext tmp = AllocSetContextCreate(CurrentMemoryContext, "thingsdb props jsonb",
                                                  ALLOCSET_DEFAULT_SIZES);
        if (!ins_id.empty()) {
            int n = static_cast<int>(ins_id.size());
            Datum args[5] = {Int64GetDatum(coll), int8_array(ins_id.data(), n),
                             type_array(ins_type.data(), n), int8_array(ins_refs.data(), n),
                             jsonb_array(ins_props.data(), n, tmp)};
            exec(INSERT_THINGS, args, nullptr);
            for (int i = 1; i < 5; i++) pfree(DatumGetPointer(args[i]));
        }
        if (!upd_rows.empty() && !update_direct(coll, upd_rows, unreferenced, tmp))
            update_by_statements(coll, upd_rows, unreferenced, tmp);
        MemoryContextDelete(tmp);
    });
    return unreferenced;
}

PropsEncoder* PgStorage::props_encoder() { return &jsonb_stream_encoder; }

// The collection lock: a transaction-level lock of the user lock method
// (as pg_advisory_xact_lock), with its own tag (the fourth field 3; SQL's
// advisory locks use 1 and 2, so they never meet it). Shown in pg_locks as
// locktype 'advisory', objsubid 3, classid and objid the high and low 32 bits
// of the collection id. A lock wait obeys lock_timeout and statement_timeout
// and joins deadlock detection.
void PgStorage::lock_collection(uint64_t coll, bool exclusive) {
    pg_call([&] {
        LOCKTAG tag;
        SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<uint32>(coll >> 32), static_cast<uint32>(coll), 3);
        (void)LockAcquire(&tag, exclusive ? ExclusiveLock : ShareLock, false, false);
    });
    // The wait may have let the lock's holder commit (mod_type migrating
    // instances): reads from here on see it.
    renew_snapshot();
}

std::vector<StoredThing> PgStorage::delete_things(uint64_t coll, const std::vector<uint64_t>& ids) {
    std::vector<StoredThing> deleted;
    if (ids.empty()) return deleted;
    pg_call([&] {
        int n = static_cast<int>(ids.size());
        Datum args[2] = {Int64GetDatum(coll),
                         int8_array(reinterpret_cast<const int64*>(ids.data()), n)};
        uint64 got = exec(DELETE_THINGS, args, nullptr);
        pfree(DatumGetPointer(args[1]));
        deleted.resize(got);
        for (uint64 i = 0; i < got; i++) {
            bool isnull;
            StoredThing& t = deleted[i];
            t.id = static_cast<uint64_t>(get_int8(i, 1));
            int32 type_id = get_int4(i, 2, &isnull);
            t.type_id = isnull ? kNoType : static_cast<uint32_t>(type_id);
            t.version = get_int8(i, 3);
            assign_text(t.props_json, i, 4);
        }
        SPI_freetuptable(SPI_tuptable);
    });
    return deleted;
}

int64_t PgStorage::count_things(uint64_t coll) {
    int64_t count = 0;
    pg_call([&] {
        Datum args[1] = {Int64GetDatum(coll)};
        if (exec(COUNT_THINGS, args, nullptr) == 1) count = get_int8(0, 1);
        SPI_freetuptable(SPI_tuptable);
    });
    return count;
}

std::vector<CollectionRow> PgStorage::collections() {
    std::vector<CollectionRow> rows;
    pg_call([&] {
        uint64 got = exec(LIST_COLLECTIONS, nullptr, nullptr);
        rows.resize(got);
        for (uint64 i = 0; i < got; i++) read_collection(i, rows[i]);
        SPI_freetuptable(SPI_tuptable);
    });
    return rows;
}

// Every call looks its collection up by name: the rows are kept in the
// per-backend cache (catalog_cache.h), so a warm call runs no SQL
// for it. Only rows that exist are cached.
bool PgStorage::find_collection(std::string_view name, CollectionRow& out) {
    CatalogCache* c = catalog_cache();
    std::string key(name);
    if (c) {
        auto it = c->coll_by_name.find(key);
        if (it != c->coll_by_name.end()) {
            out = it->second;
            return true;
        }
    }
    uint64_t stamp = catalog_cache_stamp();
    if (!find_collection_uncached(COLLECTION_BY_NAME, name, 0, out)) return false;
    if (c && catalog_cache_still(stamp)) {
        c->coll_by_name[key] = out;
        c->coll_by_id[out.id] = out;
    }
    return true;
}

bool PgStorage::find_collection_by_id(uint64_t id, CollectionRow& out) {
    CatalogCache* c = catalog_cache();
    if (c) {
        auto it = c->coll_by_id.find(id);
        if (it != c->coll_by_id.end()) {
            out = it->second;
            return true;
        }
    }
    uint64_t stamp = catalog_cache_stamp();
    if (!find_collection_uncached(COLLECTION_BY_ID, {}, id, out)) return false;
    if (c && catalog_cache_still(stamp)) {
        c->coll_by_name[out.name] = out;
        c->coll_by_id[id] = out;
    }
    return true;
}

bool PgStorage::find_collection_uncached(int plan, std::string_view name, uint64_t id, CollectionRow& out) {
    bool found = false;
    pg_call([&] {
        Datum args[1] = {plan == COLLECTION_BY_NAME ? text_datum(name) : Int64GetDatum(id)};
        if (exec(static_cast<PlanId>(plan), args, nullptr) == 1) {
            read_collection(0, out);
            found = true;
        }
        if (plan == COLLECTION_BY_NAME) pfree(DatumGetPointer(args[0]));
        SPI_freetuptable(SPI_tuptable);
    });
    return found;
}

CollectionRow PgStorage::create_collection(std::string_view name) {
    catalog_cache_flush();   // at once; the trigger tells the other backends
    uint64_t id = new_thing_id();
    int64_t created_at = static_cast<int64_t>(now());
    CollectionRow row;
    pg_call([&] {
        Datum args[3] = {Int64GetDatum(id), text_datum(name), Int64GetDatum(created_at)};
        if (exec(INSERT_COLLECTION, args, nullptr) != 1)
            elog(ERROR, "thingsdb: could not create collection");
        read_collection(0, row);
        SPI_freetuptable(SPI_tuptable);
        pfree(DatumGetPointer(args[1]));
        Datum root[1] = {Int64GetDatum(id)};
        exec(INSERT_ROOT, root, nullptr);
    });
    return row;
}

void PgStorage::delete_collection(uint64_t id) {
    catalog_cache_flush();   // at once; the trigger tells the other backends
    // The things go with it (ON DELETE CASCADE).
    pg_call([&] {
        Datum args[1] = {Int64GetDatum(id)};
        exec(DELETE_COLLECTION, args, nullptr);
    });
}

void PgStorage::rename_collection(uint64_t id, std::string_view name) {
    catalog_cache_flush();   // at once; the trigger tells the other backends
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(id), text_datum(name)};
        exec(RENAME_COLLECTION, args, nullptr);
        pfree(DatumGetPointer(args[1]));
    });
}

// ---- datetime ----
void PgStorage::set_collection_time_zone(uint64_t id, std::string_view tz) {
    catalog_cache_flush();   // at once; the trigger tells the other backends
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(id), text_datum(tz)};
        exec(SET_COLLECTION_TZ, args, nullptr);
        pfree(DatumGetPointer(args[1]));
    });
}

// set_default_deep().
void PgStorage::set_collection_default_deep(uint64_t id, int deep) {
    catalog_cache_flush();   // at once; the trigger tells the other backends
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(id), Int32GetDatum(deep)};
        exec(SET_COLLECTION_DEEP, args, nullptr);
    });
}

// collection_info()'s next_free_id: what
// nextval() of the thing id sequence would give now.
uint64_t PgStorage::next_free_id() {
    uint64_t id = 0;
    pg_call([&] {
        int rc = SPI_execute("SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END"
                             " FROM thingsdb.thing_id_seq", true, 1);
        bool isnull = false;
        if (rc == SPI_OK_SELECT && SPI_processed == 1) id = static_cast<uint64_t>(get_int8(0, 1, &isnull));
        SPI_freetuptable(SPI_tuptable);
    });
    return id;
}

// change_id(): the transaction's id, the same
// for every query of the transaction (one change).
int64_t PgStorage::transaction_id() {
    int64_t id = 0;
    pg_call([&] {
        int rc = SPI_execute("SELECT txid_current()", false, 1);
        bool isnull = false;
        if (rc == SPI_OK_SELECT && SPI_processed == 1) id = get_int8(0, 1, &isnull);
        SPI_freetuptable(SPI_tuptable);
    });
    return id;
}

// log(): a NOTICE to the client.
void PgStorage::log(std::string_view msg) {
    pg_call([&] { ereport(NOTICE, (errmsg("%.*s", static_cast<int>(msg.size()), msg.data()))); });
}

void PgStorage::check_interrupts() {
    // Cheap test first: the guard costs a sigsetjmp.
    if (INTERRUPTS_PENDING_CONDITION()) pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

double PgStorage::now() {
    TimestampTz ts = GetCurrentTransactionStartTimestamp();
    return static_cast<double>(ts) / USECS_PER_SEC +
           static_cast<double>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
}

// ---- procedures ---------------------------------------------------
//
// Rows of thingsdb.procedures, with plans of their own (kept like the ones
// above). Every change also registers a relcache invalidation of the table:
// PostgreSQL delivers it to this backend at the next command and, once the
// transaction commits, to every other backend (and replays it locally on
// abort). The callback below turns it into a new epoch, which empties the
// core's cache of parsed closures; a warm tdb_run thus runs no SQL for the
// procedure at all.

namespace {

enum ProcPlanId {
    PROC_FIND,
    PROC_LIST,
    PROC_INSERT,
    PROC_UPDATE,
    PROC_RENAME,
    PROC_DELETE,
    N_PROC_PLANS
};

#define PROCEDURE_COLUMNS "scope_id, name, definition, created_at"

const PlanDef kProcPlans[N_PROC_PLANS] = {
    {"SELECT " PROCEDURE_COLUMNS " FROM thingsdb.procedures WHERE scope_id = $1 AND name = $2", 2,
     {INT8OID, TEXTOID}},
    {"SELECT " PROCEDURE_COLUMNS " FROM thingsdb.procedures WHERE scope_id = $1 ORDER BY name", 1,
     {INT8OID}},
    {"INSERT INTO thingsdb.procedures (scope_id, name, definition, created_at)"
     " VALUES ($1, $2, $3, $4)",
     4, {INT8OID, TEXTOID, TEXTOID, INT8OID}},
    {"UPDATE thingsdb.procedures SET definition = $3, created_at = $4"
     " WHERE scope_id = $1 AND name = $2",
     4, {INT8OID, TEXTOID, TEXTOID, INT8OID}},
    {"UPDATE thingsdb.procedures SET name = $3 WHERE scope_id = $1 AND name = $2", 3,
     {INT8OID, TEXTOID, TEXTOID}},
    {"DELETE FROM thingsdb.procedures WHERE scope_id = $1 AND name = $2", 2, {INT8OID, TEXTOID}},
};

SPIPlanPtr proc_plans[N_PROC_PLANS];

uint64 proc_exec(ProcPlanId id, Datum* values) {
    if (!proc_plans[id]) {
        const PlanDef& d = kProcPlans[id];
        SPIPlanPtr p = SPI_prepare(d.sql, d.nargs, const_cast<Oid*>(d.types));
        if (!p) elog(ERROR, "thingsdb: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        if (SPI_keepplan(p) != 0) elog(ERROR, "thingsdb: SPI_keepplan failed");
        proc_plans[id] = p;
    }
    int rc = spi_run(proc_plans[id], values, nullptr, 0);
    if (rc < 0) elog(ERROR, "thingsdb: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
    return SPI_processed;
}

void read_procedure(uint64 row, ProcedureRow& out) {
    out.scope_id = static_cast<uint64_t>(get_int8(row, 1));
    assign_text(out.name, row, 2);
    assign_text(out.definition, row, 3);
    out.created_at = get_int8(row, 4);
}

// The epoch of the closure cache, and the table whose invalidations move it.
// The table's oid is looked up on every epoch check (a syscache probe), so
// DROP/CREATE EXTENSION, which gives it a new oid, also moves the epoch.
uint64_t procs_epoch = 1;
Oid procs_relid = InvalidOid;
bool procs_callback_registered = false;

void procs_relcache_callback(Datum, Oid relid) {
    if (relid == InvalidOid || relid == procs_relid) ++procs_epoch;
}

Oid lookup_procs_relid() {
    Oid ns = get_namespace_oid("thingsdb", true);
    return OidIsValid(ns) ? get_relname_relid("procedures", ns) : InvalidOid;
}

// After a change of the table: tell this and (at commit) every backend.
void invalidate_procedures() {
    Oid relid = lookup_procs_relid();
    if (OidIsValid(relid)) CacheInvalidateRelcacheByRelid(relid);
}

}  // namespace

bool PgStorage::find_procedure(uint64_t scope_id, std::string_view name, ProcedureRow& out) {
    bool found = false;
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(scope_id), text_datum(name)};
        if (proc_exec(PROC_FIND, args) == 1) {
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
        uint64 got = proc_exec(PROC_LIST, args);
        rows.resize(got);
        for (uint64 i = 0; i < got; i++) read_procedure(i, rows[i]);
        SPI_freetuptable(SPI_tuptable);
    });
    return rows;
}

void PgStorage::insert_procedure(const ProcedureRow& row) {
    pg_call([&] {
        Datum args[4] = {Int64GetDatum(row.scope_id), text_datum(row.name), text_datum(row.definition),
                         Int64GetDatum(row.created_at)};
        proc_exec(PROC_INSERT, args);
        pfree(DatumGetPointer(args[1]));
        pfree(DatumGetPointer(args[2]));
        invalidate_procedures();
    });
}

void PgStorage::update_procedure(const ProcedureRow& row) {
    pg_call([&] {
        Datum args[4] = {Int64GetDatum(row.scope_id), text_datum(row.name), text_datum(row.definition),
                         Int64GetDatum(row.created_at)};
        proc_exec(PROC_UPDATE, args);
        pfree(DatumGetPointer(args[1]));
        pfree(DatumGetPointer(args[2]));
        invalidate_procedures();
    });
}

void PgStorage::rename_procedure(uint64_t scope_id, std::string_view name, std::string_view new_name) {
    pg_call([&] {
        Datum args[3] = {Int64GetDatum(scope_id), text_datum(name), text_datum(new_name)};
        proc_exec(PROC_RENAME, args);
        pfree(DatumGetPointer(args[1]));
        pfree(DatumGetPointer(args[2]));
        invalidate_procedures();
    });
}

void PgStorage::delete_procedure(uint64_t scope_id, std::string_view name) {
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(scope_id), text_datum(name)};
        proc_exec(PROC_DELETE, args);
        pfree(DatumGetPointer(args[1]));
        invalidate_procedures();
    });
}

uint64_t PgStorage::procedures_epoch() {
    pg_call([] {
        if (!procs_callback_registered) {
            CacheRegisterRelcacheCallback(procs_relcache_callback, (Datum)0);
            procs_callback_registered = true;
        }
        // Take in what other sessions committed since this statement began.
        AcceptInvalidationMessages();
        Oid relid = lookup_procs_relid();
        if (relid != procs_relid) {
            procs_relid = relid;
            ++procs_epoch;
        }
    });
    return procs_epoch;
}

}  // namespace tdb::pg
