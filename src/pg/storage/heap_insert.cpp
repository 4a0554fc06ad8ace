// Inserts of new things into thingsdb.things by direct access: a batch of rows at a time by
// table_multi_insert (one WAL record per heap page instead of one per row) and their index
// entries, with no statement: no arrays of every row built and unnested, no plan. A table
// with insert triggers (but the install script's for restores), another layout or a partition
// is left to the INSERT statement.
#include "core/api/storage.h"

#include "pg/storage/thing_rows.h"

#include "pg/storage/direct.h"

#include "pg/storage/jsonb.h"

extern "C" {
#include "access/tableam.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "catalog/namespace.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/reltrigger.h"
}

namespace tdb::pg {

namespace {

// Rows per call of table_multi_insert, and the props bytes after which a batch ends early
// (as COPY buffers them): the batch's jsonb lives in tmp until its rows are written.
constexpr int kInsertBatch = 1000;
constexpr size_t kInsertBatchBytes = 64 * 1024;

// The statement fires what the direct path does not: triggers of inserts (a foreign key
// someone added to the table is one), transition tables. The install script's own trigger,
// replace_seed (a restored root thing replacing a placeholder), fires only for a row whose id
// is its collection's, which new things never are: it does not count when no row is one.
bool insert_needs_statement(Relation rel, uint64_t coll, const InsertRows& rows) {
    TriggerDesc* td = rel->trigdesc;
    if (!td) return false;
    if (td->trig_insert_instead_row || td->trig_insert_new_table) return true;
    Oid nsp = get_namespace_oid("thingsdb", false);
    for (int i = 0; i < td->numtriggers; ++i) {
        const Trigger& t = td->triggers[i];
        if (!TRIGGER_FOR_INSERT(t.tgtype) || t.tgenabled == TRIGGER_DISABLED) continue;
        bool seed = strcmp(t.tgname, "replace_seed") == 0 && TRIGGER_FOR_ROW(t.tgtype) &&
                    TRIGGER_FOR_BEFORE(t.tgtype) && t.tgqual != nullptr &&
                    get_func_namespace(t.tgfoid) == nsp;
        if (seed) {
            const char* fn = get_func_name(t.tgfoid);
            seed = fn && strcmp(fn, "replace_seed") == 0;
        }
        if (!seed) return true;
    }
    for (int64 id : rows.id)
        if (static_cast<uint64_t>(id) == coll) return true;
    return false;
}

}  // namespace

// The rows' NOT NULL and CHECK constraints are tested as the statement tests them
// (ExecConstraints: same errors), and every index of the table gets its entry, the primary
// key's uniqueness checked. The rows are written with this command's id; the next read
// (reader_open) moves the command counter on and sees them.
bool insert_direct(uint64_t coll, const InsertRows& rows, MemoryContext tmp) {
    ThingsReader r;
    reader_open(r, RowExclusiveLock);
    Relation rel = r.heap;
    if (!r.plain_layout || rel->rd_rel->relispartition || insert_needs_statement(rel, coll, rows)) {
        reader_close(r);
        return false;
    }
    CheckCmdReplicaIdentity(rel, CMD_INSERT);
    DirectWrite dw = direct_write_begin(rel);
    EState* estate = dw.estate;
    CommandId cid = estate->es_output_cid;
    bool constraints = RelationGetDescr(rel)->constr != nullptr;
    TupleTableSlot** slots =
        static_cast<TupleTableSlot**>(palloc0(sizeof(TupleTableSlot*) * kInsertBatch));
    // The batch's slots share one copy of the row type that nothing counts references to: a
    // slot of the relation's own descriptor pins it in the resource owner, which keeps the
    // same pointer a thousand times in a hash of pointers whose probes then walk all of them
    // (a quadratic 6% of a create). The copy lacks the constraints, which ExecConstraints
    // reads from the relation.
    TupleDesc desc = CreateTupleDescCopy(RelationGetDescr(rel));
    const TupleTableSlotOps* ops = table_slot_callbacks(rel);
    MemoryContext outer = CurrentMemoryContext;
    size_t n = rows.id.size();
    size_t i = 0;
    while (i < n) {
        CHECK_FOR_INTERRUPTS();
        int k = 0;
        size_t bytes = 0;
        for (; i < n && k < kInsertBatch && bytes < kInsertBatchBytes; ++i, ++k) {
            if (!slots[k]) slots[k] = ExecAllocTableSlot(&estate->es_tupleTable, desc, ops);
            TupleTableSlot* s = slots[k];
            ExecClearTuple(s);
            MemoryContextSwitchTo(tmp);
            Jsonb* jb = stream_to_jsonb(rows.props[i]->data(), rows.props[i]->size());
            MemoryContextSwitchTo(outer);
            bytes += VARSIZE(jb);
            s->tts_values[0] = Int64GetDatum(rows.id[i]);
            s->tts_values[1] = Int64GetDatum(static_cast<int64>(coll));
            s->tts_values[2] = Int32GetDatum(static_cast<int32>(rows.type[i]));
            s->tts_values[3] = Int64GetDatum(1);  // version
            s->tts_values[4] = Int64GetDatum(rows.refs[i]);
            s->tts_values[5] = PointerGetDatum(jb);
            for (int c = 0; c < 6; ++c) s->tts_isnull[c] = false;
            s->tts_isnull[2] = rows.type[i] == kNoType;
            ExecStoreVirtualTuple(s);
            if (constraints) ExecConstraints(dw.rri, s, estate);
        }
        MemoryContextSwitchTo(tmp);
        table_multi_insert(rel, slots, k, cid, 0, nullptr);
        for (int j = 0; j < k; ++j) {
            List* recheck =
                ExecInsertIndexTuples(dw.rri, slots[j], estate, false, false, nullptr, NIL);
            list_free(recheck);
            ExecClearTuple(slots[j]);
        }
        MemoryContextSwitchTo(outer);
        ResetPerTupleExprContext(estate);
        MemoryContextReset(tmp);
    }
    pfree(slots);
    direct_write_end(dw);  // drops the slots before their descriptor goes
    FreeTupleDesc(desc);
    reader_close(r);
    return true;
}

}  // namespace tdb::pg
