// Updates of thingsdb.things by direct access to its primary key: one probe per row, the
// version compared, table_tuple_update, and index entries only when the update is not HOT.
// A table with update triggers is left to the statements of trigger_fallback.cpp.
#include "core/api/storage.h"

#include "pg/storage/thing_rows.h"

#include "pg/storage/direct.h"

#include <algorithm>
#include <cstring>

#include "pg/storage/jsonb.h"

extern "C" {
#include "access/heapam.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "nodes/makefuncs.h"
#include "utils/fmgroids.h"
#include "utils/memutils.h"
#include "utils/reltrigger.h"
#include "utils/snapmgr.h"
}

namespace tdb::pg {

DirectWrite direct_write_begin(Relation rel) {
    DirectWrite w;
    w.estate = CreateExecutorState();
    RangeTblEntry* rte = makeNode(RangeTblEntry);
    rte->rtekind = RTE_RELATION;
    rte->relid = RelationGetRelid(rel);
    rte->relkind = rel->rd_rel->relkind;
    rte->rellockmode = RowExclusiveLock;
    ExecInitRangeTable(w.estate, list_make1(rte));
    w.rri = makeNode(ResultRelInfo);
    InitResultRelInfo(w.rri, rel, 1, nullptr, 0);
    ExecOpenIndices(w.rri, false);
    w.estate->es_output_cid = GetCurrentCommandId(true);
    w.estate->es_snapshot = GetActiveSnapshot();
    return w;
}

void direct_write_end(DirectWrite& w) {
    ExecCloseIndices(w.rri);
    ExecResetTupleTable(w.estate->es_tupleTable, false);
    FreeExecutorState(w.estate);
    w = DirectWrite{};
}

void raise_conflict() {
    ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                    errmsg("could not serialize access due to concurrent update")));
    pg_unreachable();
}

namespace {

// A run of sorted ids is found by a range scan when it has at least this many
// ids and no two neighbours are further apart than kWriteRangeGap (as reads do).
constexpr size_t kWriteRangeMin = 8;
constexpr int64 kWriteRangeGap = 4;
// A longer run is read in parts of this many ids (what is kept of each row read is bounded).
constexpr size_t kWriteRunMax = 4096;

// Whether updates and deletes of thingsdb.things must go through statements: when someone
// added triggers to the table, or a foreign key to it (the direct path fires none).
bool things_have_triggers(Relation rel) {
    TriggerDesc* td = rel->trigdesc;
    return td && (td->trig_update_before_row || td->trig_update_after_row ||
                  td->trig_update_instead_row || td->trig_update_before_statement ||
                  td->trig_update_after_statement || td->trig_delete_before_row ||
                  td->trig_delete_after_row || td->trig_delete_instead_row ||
                  td->trig_delete_before_statement || td->trig_delete_after_statement);
}

// Whether the jsonb container at c (len bytes, maybe unaligned) is an object none of whose
// values is an array or object. References are objects ({"#": id}, {"!s": [..]}, {"!o": id},
// StoredForm), so the props of such a thing hold none.
bool holds_no_container(const char* c, size_t len) {
    uint32 header;
    if (len < sizeof header) return false;
    memcpy(&header, c, sizeof header);
    if (!(header & JB_FOBJECT)) return false;
    size_t n = header & JB_CMASK;
    if (len < sizeof header + 2 * n * sizeof(JEntry)) return false;
    const char* values = c + sizeof header + n * sizeof(JEntry);  // after the keys' entries
    for (size_t i = 0; i < n; ++i) {
        JEntry je;
        memcpy(&je, values + i * sizeof je, sizeof je);
        if (JBE_ISCONTAINER(je)) return false;
    }
    return true;
}

// Whether a deleted thing may be left out of dropped (DroppedThings::keep): its props (the
// container at c, nullptr for none) hold no references and the caller does not hold it.
bool leave_out(const DroppedThings& dropped, int64 id, const char* c, size_t len) {
    if (!dropped.keep || (c && !holds_no_container(c, len))) return false;
    return !dropped.keep->held(static_cast<uint64_t>(id));
}

// The props of the row in the slot, or the ones about to be written, appended to dropped as
// the bytes of their jsonb for jsonb_decoder (no JSON text: the core reads their references
// from the bytes), unless the thing may be left out.
void add_dropped(const ThingsReader& r, const UpdateRow& w, uint32_t type_id, int64 version,
                 DroppedThings& dropped) {
    Jsonb* jb = nullptr;
    if (w.props())
        jb = stream_to_jsonb(w.props()->data(), w.props()->size());
    else if (!r.slot->tts_isnull[r.a_props - 1])
        jb = DatumGetJsonbP(r.slot->tts_values[r.a_props - 1]);
    uint64_t id = static_cast<uint64_t>(w.id);
    if (leave_out(dropped, w.id, jb ? reinterpret_cast<const char*>(&jb->root) : nullptr,
                  jb ? VARSIZE(jb) - VARHDRSZ : 0))
        return;
    if (!jb)
        dropped.add(id, type_id, version, "{}", nullptr);
    else
        dropped.add(id, type_id, version,
                    std::string_view(reinterpret_cast<const char*>(jb), VARSIZE(jb)),
                    jsonb_decoder());
}

}  // namespace

namespace {

// What the page-at-a-time read of a run (read_run) found of one row asked for.
struct RunRow {
    ItemPointerData tid;   // the version the snapshot sees
    ItemPointerData root;  // the start of its HOT chain (what the index points to)
    int64 version;
    int64 refs;
    uint32_t type_id;
    bool found;
    // To be deleted (no props written, its count reaching zero), its props copied to
    // dropped->bytes[off, off + len) (len 0: none, "{}"): deleted by its TID, not read again.
    bool staged;
    bool left_out;  // staged, and not to be returned (leave_out): nothing copied
    size_t off;
    size_t len;
};

// The jsonb bytes of props (not null) appended to out with a 4-byte header, when stored
// inline and uncompressed (what detoasting would give); false for any other form.
bool copy_inline_jsonb(const char* pp, std::string& out, size_t* len) {
    if (VARATT_IS_SHORT(pp) && !VARATT_IS_EXTERNAL(pp)) {
        uint32 n = VARSIZE_SHORT(pp) - VARHDRSZ_SHORT;
        uint32 word;
        SET_VARSIZE(&word, n + VARHDRSZ);
        out.append(reinterpret_cast<const char*>(&word), sizeof word);
        out.append(pp + VARHDRSZ_SHORT, n);
        *len = n + VARHDRSZ;
        return true;
    }
    if (!VARATT_IS_4B_U(pp)) return false;
    *len = VARSIZE(pp);
    out.append(pp, *len);
    return true;
}

// The rows of rows[k, e) (ids close to each other, ascending) as the snapshot sees them, read
// a heap page at a time (walk_visible_rows). Rows of the range not asked for are skipped. A row
// that will be deleted when written (dropped set, no props written, its count reaching zero)
// has its props copied to dropped->bytes (when inline and uncompressed: no TOAST read under the
// page's lock) so that update_direct deletes it by TID without reading it again.
void read_run(ThingsReader& r, uint64_t coll, const std::vector<UpdateRow>& rows, size_t k,
              size_t e, Snapshot snap, RunRow* seen, DroppedThings* dropped) {
    memset(seen, 0, sizeof(RunRow) * (e - k));
    size_t next = k;  // rows usually come in the order of their ids: tried first
    auto visit = [&](const VisibleRow& row) {
        int64 id = static_cast<int64>(row.id);
        size_t w = next;
        if (w >= e || rows[w].id != id) {
            size_t lo = k, hi = e;  // the first of rows[k, e) with an id >= id
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (rows[mid].id < id)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            w = lo;
            if (w >= e || rows[w].id != id) return;  // not asked for
        }
        next = w + 1;
        RunRow& s = seen[w - k];
        if (s.found) return;  // one visible version per row; the first is kept
        const UpdateRow& u = rows[w];
        const Datum* vals = row.vals;
        const bool* nulls = row.nulls;
        s.found = true;
        s.tid = row.tup->t_self;
        s.root = row.root;
        s.version = DatumGetInt64(vals[r.a_version - 1]);
        s.refs = DatumGetInt64(vals[r.a_refs - 1]);
        s.type_id = nulls[r.a_type - 1] ? kNoType
                                        : static_cast<uint32_t>(DatumGetInt32(vals[r.a_type - 1]));
        if (!dropped || u.props() || s.refs + u.delta > 0 || static_cast<uint64_t>(id) == coll)
            return;
        s.off = dropped->bytes.size();
        if (nulls[r.a_props - 1]) {
            s.staged = true;
            s.left_out = leave_out(*dropped, id, nullptr, 0);
            return;
        }
        const char* pp = DatumGetPointer(vals[r.a_props - 1]);
        if (VARATT_IS_SHORT(pp) && !VARATT_IS_EXTERNAL(pp))
            s.left_out =
                leave_out(*dropped, id, pp + VARHDRSZ_SHORT, VARSIZE_SHORT(pp) - VARHDRSZ_SHORT);
        else if (VARATT_IS_4B_U(pp))
            s.left_out = leave_out(*dropped, id, pp + VARHDRSZ, VARSIZE(pp) - VARHDRSZ);
        s.staged = s.left_out || copy_inline_jsonb(pp, dropped->bytes, &s.len);
    };
    walk_visible_rows(r, coll, static_cast<uint64_t>(rows[k].id),
                      static_cast<uint64_t>(rows[e - 1].id), snap, false, visit);
}

// The version of the HOT chain at root the snapshot sees into slot (tup holds it), the page kept
// pinned in *buf for the next row on it; false when there is none.
bool fetch_visible(Relation rel, ItemPointerData root, Snapshot snap, TupleTableSlot* slot,
                   HeapTupleData* tup, Buffer* buf) {
    ItemPointerData tid = root;
    BlockNumber blk = ItemPointerGetBlockNumber(&tid);
    if (!BufferIsValid(*buf) || BufferGetBlockNumber(*buf) != blk)
        *buf = ReleaseAndReadBuffer(*buf, rel, blk);
    LockBuffer(*buf, BUFFER_LOCK_SHARE);
    bool all_dead;
    bool found = heap_hot_search_buffer(&tid, rel, *buf, snap, tup, &all_dead, true);
    LockBuffer(*buf, BUFFER_LOCK_UNLOCK);
    if (!found) return false;
    tup->t_tableOid = RelationGetRelid(rel);
    ExecStoreBufferHeapTuple(tup, slot, *buf);
    return true;
}

// The newest committed version of the row of keys (collection, id) into slot; false when
// it was deleted.
bool fetch_latest(Relation rel, Relation index, ScanKeyData* keys, TupleTableSlot* slot) {
    IndexScanDesc latest = index_beginscan(rel, index, GetLatestSnapshot(), 2, 0);
    index_rescan(latest, keys, 2, nullptr, 0);
    bool found = index_getnext_slot(latest, ForwardScanDirection, slot);
    index_endscan(latest);
    return found;
}

}  // namespace

// No planner: a plan made under statistics from when the collection was small scans the
// collection for each written row. A row that another transaction changed since it was read
// (its version, or a newer row version that table_tuple_update waits for and finds) is a
// conflict, 40001, as the UPDATE statement's version check gives.
//
// A row of may_wait false is updated without waiting (rerun.h: the wait could break the lock
// order); another writer's lock or change of it ends the loop with DIRECT_BLOCKED.
//
// Rows are written in the order of their ids (the lock order of rerun.h), whatever the order
// of their pages.
DirectResult update_direct(uint64_t coll, const std::vector<UpdateRow>& rows,
                           std::vector<uint64_t>& unreferenced, MemoryContext tmp,
                           DroppedThings* dropped) {
    ThingsReader r;
    reader_open(r, RowExclusiveLock);
    if (things_have_triggers(r.heap)) {
        reader_close(r);
        return DIRECT_TRIGGERS;
    }
    DirectResult result = DIRECT_DONE;
    Relation rel = r.heap;
    CheckCmdReplicaIdentity(rel, CMD_UPDATE);
    if (dropped) CheckCmdReplicaIdentity(rel, CMD_DELETE);
    DirectWrite dw = direct_write_begin(rel);
    EState* estate = dw.estate;
    ResultRelInfo* rri = dw.rri;
    TupleTableSlot* newslot = table_slot_create(rel, &estate->es_tupleTable);
    int natts = RelationGetDescr(rel)->natts;
    ScanKeyData keys[2];
    ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ,
                Int64GetDatum(static_cast<int64>(coll)));
    MemoryContext outer = CurrentMemoryContext;
    // A change of the reference count only (a thing put in or taken out of
    // another) commutes with any other change of the row: met with a newer
    // committed version, it is applied to that one, as UPDATE ... SET refs =
    // refs + d would in READ COMMITTED, instead of failing the query.
    bool follow = !IsolationUsesXactSnapshot();
    // A run of ids close to each other (things made together: a list's items) is read a
    // page at a time first (read_run), the others by a descent each. The read meets no
    // version this loop writes: they carry this command's id, which its snapshot does not
    // see.
    RunRow* seen = nullptr;
    size_t run_start = 0, range_end = 0;  // rows [run_start, range_end) come from seen
    Buffer held = InvalidBuffer;          // the page of the last row fetched by its TID
    HeapTupleData fetched;                // the row fetched by its TID (r.slot points to it)
    for (size_t k = 0; k < rows.size(); ++k) {
        const UpdateRow& w = rows[k];
        if (result == DIRECT_BLOCKED) break;
        CHECK_FOR_INTERRUPTS();
        ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(w.id));
        if (k >= range_end) {
            size_t e = k + 1;
            while (e < rows.size() && e - k < kWriteRunMax &&
                   rows[e].id - rows[e - 1].id <= kWriteRangeGap)
                ++e;
            if (e - k >= kWriteRangeMin) {
                // Sized for the rows there are (a write of a few things stays small).
                if (!seen)
                    seen = static_cast<RunRow*>(
                        palloc(sizeof(RunRow) * std::min(kWriteRunMax, rows.size())));
                read_run(r, coll, rows, k, e, estate->es_snapshot, seen, dropped);
                run_start = k;
                range_end = e;
            }
        }
        bool found = false;
        if (k < range_end) {
            const RunRow& s = seen[k - run_start];
            // Gone, or changed since this query read it: a conflict.
            if (!s.found) raise_conflict();
            if (s.staged) {
                ItemPointerData tid = s.tid;
                TM_FailureData tmfd;
                TM_Result res =
                    table_tuple_delete(rel, &tid, estate->es_output_cid, estate->es_snapshot,
                                       InvalidSnapshot, w.may_wait(), &tmfd, false);
                if (res == TM_Ok) {
                    if (s.left_out) continue;
                    if (s.len)
                        dropped->rows.push_back({static_cast<uint64_t>(w.id), s.type_id, s.version,
                                                 s.off, s.len, jsonb_decoder()});
                    else
                        dropped->add(static_cast<uint64_t>(w.id), s.type_id, s.version, "{}",
                                     nullptr);
                    continue;
                }
                if (res == TM_BeingModified && !w.may_wait()) {
                    result = DIRECT_BLOCKED;
                    break;
                }
                if (res == TM_Updated && follow) {
                    // As below: the newest committed version decides again.
                    if (!fetch_latest(rel, r.index, keys, r.slot)) raise_conflict();
                    found = true;
                } else if (res == TM_Updated || res == TM_Deleted) {
                    raise_conflict();
                } else {
                    elog(ERROR, "thingsdb: unexpected result %d writing thing %lld",
                         static_cast<int>(res), static_cast<long long>(w.id));
                }
            } else {
                found = fetch_visible(rel, s.root, estate->es_snapshot, r.slot, &fetched, &held);
            }
        } else {
            if (!r.probe) r.probe = index_beginscan(rel, r.index, estate->es_snapshot, 2, 0);
            index_rescan(r.probe, keys, 2, nullptr, 0);
            found = index_getnext_slot(r.probe, ForwardScanDirection, r.slot);
        }
        // Gone, or changed since this query read it: a conflict.
        if (!found) raise_conflict();
        int64 refs = 0;
        bool update_indexes = false;
        bool deleted = false;
        for (;;) {
            slot_getallattrs(r.slot);
            int64 version = DatumGetInt64(r.slot->tts_values[r.a_version - 1]);
            if (w.props() && version != w.version()) raise_conflict();
            refs = DatumGetInt64(r.slot->tts_values[r.a_refs - 1]) + w.delta;
            ItemPointerData tid = r.slot->tts_tid;
            TM_FailureData tmfd;
            TM_Result res;
            // Unreferenced: deleted at once, never updated first (one heap write per row).
            deleted = dropped && refs <= 0 && static_cast<uint64_t>(w.id) != coll;
            if (deleted) {
                res = table_tuple_delete(rel, &tid, estate->es_output_cid, estate->es_snapshot,
                                         InvalidSnapshot, w.may_wait(), &tmfd, false);
                if (res == TM_Ok) {
                    bool no_type = r.slot->tts_isnull[r.a_type - 1];
                    uint32_t type_id = w.props() ? w.type_id()
                                       : no_type ? kNoType
                                                 : static_cast<uint32_t>(DatumGetInt32(
                                                       r.slot->tts_values[r.a_type - 1]));
                    MemoryContextSwitchTo(tmp);
                    add_dropped(r, w, type_id, version, *dropped);
                    MemoryContextSwitchTo(outer);
                    break;
                }
            } else {
                ExecClearTuple(newslot);
                memcpy(newslot->tts_values, r.slot->tts_values, sizeof(Datum) * natts);
                memcpy(newslot->tts_isnull, r.slot->tts_isnull, sizeof(bool) * natts);
                newslot->tts_values[r.a_refs - 1] = Int64GetDatum(refs);
                MemoryContextSwitchTo(tmp);
                if (w.props()) {
                    newslot->tts_values[r.a_version - 1] = Int64GetDatum(version + 1);
                    newslot->tts_isnull[r.a_type - 1] = w.type_id() == kNoType;
                    newslot->tts_values[r.a_type - 1] =
                        Int32GetDatum(w.type_id() == kNoType ? 0 : static_cast<int32>(w.type_id()));
                    newslot->tts_values[r.a_props - 1] =
                        PointerGetDatum(stream_to_jsonb(w.props()->data(), w.props()->size()));
                    newslot->tts_isnull[r.a_props - 1] = false;
                }
                ExecStoreVirtualTuple(newslot);
                LockTupleMode lockmode;
                res = table_tuple_update(rel, &tid, newslot, estate->es_output_cid,
                                         estate->es_snapshot, InvalidSnapshot, w.may_wait(), &tmfd,
                                         &lockmode, &update_indexes);
                MemoryContextSwitchTo(outer);
                if (res == TM_Ok) break;
            }
            if (res == TM_BeingModified && !w.may_wait()) {
                result = DIRECT_BLOCKED;
                break;
            }
            if (res == TM_Updated && follow && !w.props()) {
                // The newest committed version (the update or delete waited
                // for its writer to end); its count decides again.
                if (!fetch_latest(rel, r.index, keys, r.slot)) raise_conflict();
                MemoryContextReset(tmp);
                continue;
            }
            if (res == TM_Updated || res == TM_Deleted) raise_conflict();
            elog(ERROR, "thingsdb: unexpected result %d writing thing %lld", static_cast<int>(res),
                 static_cast<long long>(w.id));
        }
        if (result == DIRECT_BLOCKED) break;
        if (deleted) {
            MemoryContextReset(tmp);
            continue;
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
    ExecClearTuple(r.slot);
    if (BufferIsValid(held)) ReleaseBuffer(held);
    if (seen) pfree(seen);
    direct_write_end(dw);
    reader_close(r);
    return result;
}

// No planner, as update_direct: a plan kept from when the table was small would scan it. The
// first try does not wait (LockWaitSkip) only to tell whether another writer held the row.
bool lock_direct(uint64_t coll, const std::vector<int64>& ids) {
    ThingsReader r;
    reader_open(r, RowShareLock);
    bool met = false;
    CommandId cid = GetCurrentCommandId(true);
    Snapshot latest = RegisterSnapshot(GetLatestSnapshot());
    r.probe = index_beginscan(r.heap, r.index, latest, 2, 0);
    ScanKeyData keys[2];
    ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ,
                Int64GetDatum(static_cast<int64>(coll)));
    for (int64 id : ids) {
        CHECK_FOR_INTERRUPTS();
        ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
        index_rescan(r.probe, keys, 2, nullptr, 0);
        if (!index_getnext_slot(r.probe, ForwardScanDirection, r.slot)) continue;  // gone
        ItemPointerData tid = r.slot->tts_tid;
        TM_FailureData tmfd;
        TM_Result res = table_tuple_lock(r.heap, &tid, latest, r.slot, cid, LockTupleNoKeyExclusive,
                                         LockWaitSkip, TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
        if (res == TM_WouldBlock) {
            met = true;
            res = table_tuple_lock(r.heap, &tid, latest, r.slot, cid, LockTupleNoKeyExclusive,
                                   LockWaitBlock, TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
        }
        if (res == TM_Ok && tmfd.traversed) met = true;
        if (res == TM_Ok || res == TM_SelfModified || res == TM_Deleted) continue;
        elog(ERROR, "thingsdb: unexpected result %d locking thing %lld", static_cast<int>(res),
             static_cast<long long>(id));
    }
    index_endscan(r.probe);
    r.probe = nullptr;
    UnregisterSnapshot(latest);
    reader_close(r);
    return met;
}

}  // namespace tdb::pg
