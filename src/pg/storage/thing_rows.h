// Rows of thingsdb.things by direct access to its primary key (no planner, no SPI): reads
// (heap_read.cpp), inserts (heap_insert.cpp), updates (heap_write.cpp) and the UPDATE statements
// used instead when the table has triggers (trigger_fallback.cpp). Everything here runs inside
// pg_call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/api/storage.h"

extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "executor/tuptable.h"
#include "storage/lockdefs.h"
#include "utils/rel.h"
}

namespace tdb::pg {

// The open table and primary key of thingsdb.things, with the places of its columns.
struct ThingsReader {
    Relation heap = nullptr;
    Relation index = nullptr;
    AttrNumber a_id = 0, a_coll = 0, a_type = 0, a_version = 0, a_refs = 0, a_props = 0;
    AttrNumber a_last = 0;      // the highest of the four a probe reads
    bool plain_layout = false;  // the six columns of the install script, in order (deform_row)
    TupleTableSlot* slot = nullptr;
    IndexScanDesc probe = nullptr;   // one key: id = k
    IndexScanDesc bitmap = nullptr;  // three keys: collection, lo <= id <= hi
};

// Opens the table and its primary key, and pushes the call's snapshot with the latest command
// id (this call's earlier writes are seen); reader_close pops it.
void reader_open(ThingsReader& r, LOCKMODE lockmode = AccessShareLock);
void reader_close(ThingsReader& r);

// The columns of a row of thingsdb.things into vals/nulls (natts of the table): for the
// layout of the install script (fixed-width columns, then props) straight from the tuple's
// bytes, else by heap_deform_tuple. props points into the tuple.
void deform_row(const ThingsReader& r, HeapTuple tuple, TupleDesc desc, Datum* vals, bool* nulls);

// One row met by walk_visible_rows: the version the snapshot sees, read under the share lock
// of its page (its props point into the page: copied, or the row copied, before the visitor
// returns).
struct VisibleRow {
    HeapTupleData* tup;
    ItemPointerData root;  // the start of its HOT chain (what the index points to)
    uint64_t id;
    const Datum* vals;  // its columns (deform_row)
    const bool* nulls;
};
using RowVisitor = void (*)(void* ctx, const VisibleRow& row);

// Visits the rows of the collection with ids lo..hi that snap sees, a heap page at a time: the
// index entries of the range go into a TID bitmap (no heap access per entry), each page is
// pinned and locked once for all its rows, heap_hot_search_buffer picks the visible version of
// each chain. Pages come in block order, rows in no order of ids; the visitor must not call
// anything that can wait or read another page. With `bulk` (reads), once the statement has
// walked more pages than a quarter of shared buffers, the pages read in go to a ring of buffers
// (heap_read.cpp); a writer that changes the rows next keeps them in the pool.
void walk_visible_rows(ThingsReader& r, uint64_t coll, uint64_t lo, uint64_t hi, Snapshot snap,
                       bool bulk, RowVisitor visit, void* ctx);
template <class F>
void walk_visible_rows(ThingsReader& r, uint64_t coll, uint64_t lo, uint64_t hi, Snapshot snap,
                       bool bulk, F& visit) {
    walk_visible_rows(
        r, coll, lo, hi, snap, bulk,
        [](void* c, const VisibleRow& row) { (*static_cast<F*>(c))(row); }, &visit);
}

// The rows of `ids` (sorted and made unique here) of the collection into out; a row's
// props_view points into a buffer kept until the next read. Outside pg_call: makes its own.
void read_things(uint64_t coll, std::vector<uint64_t>& ids, std::vector<StoredThing>& out);

// New things to insert: the columns of each row (version 1).
struct InsertRows {
    std::vector<int64> id, refs;
    std::vector<uint32_t> type;           // kNoType: NULL
    std::vector<std::string_view> props;  // the encoder's streams (ThingWrite::props)
};

// Inserts rows by direct access (heap_insert.cpp); false, having done nothing, when the table
// has insert triggers or not the install script's layout (the INSERT statement then).
bool insert_direct(uint64_t coll, const InsertRows& rows, MemoryContext tmp);

// One update of a thing: new props (write set) or only a change of its reference count.
// Small (a drop of many things makes one per thing, 24 bytes): what a write of props needs is
// read from its ThingWrite, and may_wait shares a word with the pointer to it.
struct UpdateRow {
    int64 id;
    int64 delta;  // change of refs
    // The ThingWrite (nullptr: refs only), whose props (the encoder's stream) and
    // version read (which must still be the stored one) are written; its lowest bit (a
    // ThingWrite is aligned to 8) is may_wait: false when a wait for another writer would
    // break the lock order.
    uintptr_t write_and_wait;
    static UpdateRow make(int64 id, int64 delta, const ThingWrite* write, bool may_wait) {
        static_assert(alignof(ThingWrite) > 1);
        return {id, delta, reinterpret_cast<uintptr_t>(write) | (may_wait ? 1u : 0u)};
    }
    const ThingWrite* write() const {
        return reinterpret_cast<const ThingWrite*>(write_and_wait & ~uintptr_t{1});
    }
    bool may_wait() const { return write_and_wait & 1; }
    void set_may_wait(bool on) { write_and_wait = (write_and_wait & ~uintptr_t{1}) | (on ? 1 : 0); }
    const std::string_view* props() const { return write() ? &write()->props : nullptr; }
    uint32_t type_id() const { return write() ? write()->type_id : kNoType; }
    int64 version() const { return write() ? write()->version : 0; }
};

// Applies rows (sorted by id) by direct access; ids whose refs end <= 0 go to unreferenced.
// With `dropped`, such a row (other than the root, id == coll) is deleted instead of updated,
// and goes to dropped with the props it held last as jsonb bytes (the written ones for a row
// with props). DIRECT_TRIGGERS, having done nothing, when the table has update or delete
// triggers; DIRECT_BLOCKED when a row of may_wait false is being changed by another
// transaction (what was done stays for the caller's subtransaction to roll back).
enum DirectResult { DIRECT_DONE, DIRECT_TRIGGERS, DIRECT_BLOCKED };
DirectResult update_direct(uint64_t coll, const std::vector<UpdateRow>& rows,
                           std::vector<uint64_t>& unreferenced, MemoryContext tmp,
                           DroppedThings* dropped = nullptr);

// Locks the newest version of each row of ids (ascending) FOR NO KEY UPDATE, as SELECT ... FOR
// NO KEY UPDATE at READ COMMITTED does: waits for the row's writer and follows its update; a row
// gone is skipped. Whether a row was held or changed by another transaction (a wait, or a
// newer version than the latest snapshot showed).
bool lock_direct(uint64_t coll, const std::vector<int64>& ids);

// The arguments of the UPDATE statements, built from the rows outside pg_call.
struct StatementUpdates {
    // props written (UPDATE_THINGS)
    std::vector<int64> id, version, delta;
    std::vector<uint32_t> type;
    std::vector<const std::string_view*> props;
    // reference counts only (UPDATE_REFS)
    std::vector<int64> ref_id, ref_delta;
};
void split_updates(const std::vector<UpdateRow>& rows, StatementUpdates& out);

// The UPDATE statements for a table with triggers: props first, then reference counts.
void update_by_statements(uint64_t coll, const StatementUpdates& s,
                          std::vector<uint64_t>& unreferenced, MemoryContext tmp);

// 40001, as a concurrent change of a row the query read.
[[noreturn]] void raise_conflict();

}  // namespace tdb::pg
