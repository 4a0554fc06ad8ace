// Reads of thingsdb.things by direct access to its primary key (no planner, no SPI): one probe
// per scattered id, a range scan read a heap page at a time for ids close to each other. The
// props are copied as the bytes of their jsonb for the decoder of jsonb_read.cpp, or, when
// big and stored out of line uncompressed, as their TOAST pointer (read by slices).
#include "core/api/storage.h"

#include "pg/storage/thing_rows.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "pg/bridge.h"
#include "pg/storage/jsonb.h"
#include "pg/storage/plans.h"

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "nodes/tidbitmap.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}

namespace tdb::pg {

// Things are read by direct access to the primary key of
// thingsdb.things (no planner, no SPI), under a snapshot taken as SPI takes
// one for a statement (after a command counter increment, so the query's own
// earlier writes are visible). A plan could degrade to a sequential scan of
// the whole table under statistics from when the table was small; an index
// access cannot. Ids close to each other (things made together: a list's
// items) are read by one range scan of the index that skips the entries not
// asked for without touching the table; the others by one probe each.
// Rows of another collection are skipped.

// A run of sorted ids is read by a range scan when it has at least this
// many ids and no two neighbours are further apart than kRangeGap.
constexpr size_t kRangeMin = 8;
constexpr uint64_t kRangeGap = 4;

void reader_open(ThingsReader& r, LOCKMODE lockmode) {
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
        if (strcmp(n, "id") == 0)
            r.a_id = att->attnum;
        else if (strcmp(n, "collection") == 0)
            r.a_coll = att->attnum;
        else if (strcmp(n, "type_id") == 0)
            r.a_type = att->attnum;
        else if (strcmp(n, "version") == 0)
            r.a_version = att->attnum;
        else if (strcmp(n, "refs") == 0)
            r.a_refs = att->attnum;
        else if (strcmp(n, "props") == 0)
            r.a_props = att->attnum;
    }
    if (!r.a_id || !r.a_coll || !r.a_type || !r.a_version || !r.a_refs || !r.a_props)
        elog(ERROR, "thingsdb: thingsdb.things lacks a column");
    r.a_last = std::max({r.a_coll, r.a_type, r.a_version, r.a_props});
    // id, collection, type_id, version, refs, props in this order and
    // nothing else, as the install script makes them: deform_row may read
    // the fixed-width columns straight from a row.
    r.plain_layout = desc->natts == 6 && r.a_id == 1 && r.a_coll == 2 && r.a_type == 3 &&
                     r.a_version == 4 && r.a_refs == 5 && r.a_props == 6;
    static const int16 lens[6] = {8, 8, 4, 8, 8, -1};
    for (int i = 0; r.plain_layout && i < 6; ++i)
        r.plain_layout = TupleDescAttr(desc, i)->attlen == lens[i];
    const int2vector& key = r.index->rd_index->indkey;
    if (r.index->rd_index->indnkeyatts != 2 || key.values[0] != r.a_coll || key.values[1] != r.a_id)
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
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
    index_close(r.index, NoLock);  // the locks last until the transaction ends
    table_close(r.heap, NoLock);
}

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
        if (i == 2) {  // type_id int4
            off = TYPEALIGN(ALIGNOF_INT, off);
            int32 v;
            memcpy(&v, tp + off, sizeof v);
            vals[i] = Int32GetDatum(v);
            off += 4;
        } else if (i < 5) {  // int8
            off = TYPEALIGN(ALIGNOF_DOUBLE, off);
            int64 v;
            memcpy(&v, tp + off, sizeof v);
            vals[i] = Int64GetDatum(v);
            off += 8;
        } else {  // props: a varlena, int-aligned unless it has a 1-byte header
            off = att_align_pointer(off, TYPALIGN_INT, -1, tp + off);
            vals[i] = PointerGetDatum(tp + off);
        }
    }
}

namespace {

// The bytes of the props of one read (read_things): one buffer for all its
// rows, no allocation per thing. The rows' props_view point into it and hold
// it (StoredThing::view_owner); a read made while rows of an earlier one are
// still being decoded (an enum member's thing met while decoding) takes
// another buffer. Buffers no row holds are reused; kBufKept of them are kept.
constexpr size_t kBufKept = 4;
std::vector<std::shared_ptr<std::string>> buf_pool;

std::shared_ptr<std::string> take_buffer() {
    for (auto& b : buf_pool) {
        if (b.use_count() == 1) {
            b->clear();
            return b;
        }
    }
    auto b = std::make_shared<std::string>();
    if (buf_pool.size() < kBufKept) buf_pool.push_back(b);
    return b;
}

// Props stored out of line and uncompressed from this size on are read by slices; smaller
// ones whole (one read of their chunks costs less than the few slices of a walk).
constexpr size_t kSliceMin = 32 * 1024;

// The buffer of the read in progress (set by read_things around its pg_call).
std::string* read_buf = nullptr;

// Appends the row in vals/nulls to out when it belongs to the collection (its
// props into *read_buf; read_things sets props_view once the buffer is full).
bool take_values(const ThingsReader& r, uint64_t coll, uint64_t id, const Datum* vals,
                 const bool* nulls, std::vector<StoredThing>& out, std::vector<size_t>& offsets) {
    if (nulls[r.a_coll - 1] || static_cast<uint64_t>(DatumGetInt64(vals[r.a_coll - 1])) != coll)
        return false;
    StoredThing& t = out.emplace_back();  // reserved by read_things: no reallocation here
    t.id = id;
    t.type_id =
        nulls[r.a_type - 1] ? kNoType : static_cast<uint32_t>(DatumGetInt32(vals[r.a_type - 1]));
    t.version = DatumGetInt64(vals[r.a_version - 1]);
    Datum pd = vals[r.a_props - 1];
    if (nulls[r.a_props - 1]) {
        t.props_json.assign("{}");
        offsets.push_back(SIZE_MAX);
        return true;
    }
    // Each row's bytes start 8-aligned within the buffer (jsonb's data is
    // int-aligned relative to its start), with a 4-byte header.
    size_t at = (read_buf->size() + 7) & ~static_cast<size_t>(7);
    offsets.push_back(at);
    t.decoder = jsonb_decoder();
    const char* raw = DatumGetPointer(pd);
    if (VARATT_IS_SHORT(raw) && !VARATT_IS_EXTERNAL(raw)) {
        // Small props are stored with a 1-byte header: copied straight into
        // the buffer with a 4-byte one (what detoasting would palloc).
        uint32_t len = VARSIZE_SHORT(raw) - VARHDRSZ_SHORT;
        uint32_t word;
        SET_VARSIZE(&word, len + VARHDRSZ);
        read_buf->resize(at + sizeof word + len);
        char* dst = read_buf->data() + at;
        memcpy(dst, &word, sizeof word);
        memcpy(dst + sizeof word, raw + VARHDRSZ_SHORT, len);
        return true;
    }
    size_t size = 0;
    if (VARATT_IS_EXTERNAL_ONDISK(raw) &&
        toast_sliceable(std::string_view(raw, VARSIZE_EXTERNAL(raw)), &size) && size >= kSliceMin) {
        // Big props stored out of line and uncompressed: their TOAST pointer, for the
        // decoder to read the parts it needs by slices (jsonb_read.cpp).
        read_buf->resize(at);
        read_buf->append(raw, VARSIZE_EXTERNAL(raw));
        return true;
    }
    read_buf->resize(at);
    Jsonb* jb = DatumGetJsonbP(pd);
    read_buf->append(reinterpret_cast<const char*>(jb), VARSIZE(jb));
    if (reinterpret_cast<Pointer>(jb) != DatumGetPointer(pd)) pfree(jb);  // detoasted copy
    return true;
}

bool reader_take(ThingsReader& r, uint64_t coll, uint64_t id, std::vector<StoredThing>& out,
                 std::vector<size_t>& offsets) {
    slot_getsomeattrs(r.slot, r.a_last);  // one deform for the four columns
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
void read_range(ThingsReader& r, uint64_t coll, const uint64_t* want, size_t n_want,
                std::vector<bool>& taken, std::vector<StoredThing>& out, size_t& got,
                std::vector<size_t>& offsets) {
    ScanKeyData keys[3];
    ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ,
                Int64GetDatum(static_cast<int64>(coll)));
    ScanKeyInit(&keys[1], 2, BTGreaterEqualStrategyNumber, F_INT8GE,
                Int64GetDatum(static_cast<int64>(want[0])));
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
        CHECK_FOR_INTERRUPTS();  // between pages: no buffer lock held
        buf = ReleaseAndReadBuffer(buf, r.heap, page->blockno);
        heap_page_prune_opt(r.heap, buf);
        LockBuffer(buf, BUFFER_LOCK_SHARE);
        OffsetNumber max = PageGetMaxOffsetNumber(BufferGetPage(buf));
        int count = page->ntuples >= 0 ? page->ntuples : max;  // lossy: every line pointer
        for (int k = 0; k < count; ++k) {
            OffsetNumber off =
                page->ntuples >= 0 ? page->offsets[k] : static_cast<OffsetNumber>(k + 1);
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
        uint64_t id = static_cast<uint64_t>(
            DatumGetInt64(vals[r.a_id - 1]));  // not null: checked under the lock
        size_t w = wanted(id);
        if (w != SIZE_MAX) take(w, id);
        heap_freetuple(rows[k]);
    }
    pfree(vals);
    pfree(nulls);
    pfree(rows);
}

}  // namespace

void read_things(uint64_t coll, std::vector<uint64_t>& ids, std::vector<StoredThing>& out) {
    std::sort(ids.begin(), ids.end());  // neighbouring index pages, once each
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    size_t first = out.size();
    out.reserve(first + ids.size());
    size_t got = 0;
    std::shared_ptr<std::string> buf = take_buffer();
    read_buf = buf.get();
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
                ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ,
                            Int64GetDatum(static_cast<int64>(coll)));
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
    read_buf = nullptr;
    for (size_t i = 0; i < got; ++i) {
        StoredThing& t = out[first + i];
        if (offsets[i] == SIZE_MAX) continue;
        const char* p = buf->data() + offsets[i];
        t.props_view = std::string_view(p, VARSIZE_ANY(p));  // a jsonb, or a TOAST pointer
        t.view_owner = buf;
    }
}

}  // namespace tdb::pg
