// Writers wait instead of failing: the state of a call that runs in its own subtransaction
// and runs again on a new snapshot after a conflict (entry.h, run_entry). The storage records
// here what an attempt locked; the next attempt takes those locks first, in one global order,
// before it reads anything.
//
// The global lock order of a ThingsDB writer: the collection lock (shared, or exclusive for a
// change of the catalog), then the collection's row (FOR KEY SHARE, as a foreign key check),
// then rows of thingsdb.things in ascending (collection, id), then the commit lock on
// thingsdb.node (at commit). Catalog rows (Types, enums, procedures) are written while the
// code runs, so before the things, which are written at its end. A wait that would break the order
// is not made: the attempt ends (RerunSignal) and the next one takes every lock in order.
#pragma once

#include <cstdint>
#include <exception>
#include <string_view>
#include <utility>
#include <vector>

#include "pg/bridge.h"

namespace tdb::pg {

// Thrown by the storage when the attempt must end and run again with the locks it needs taken
// first: an exclusive collection lock wanted while holding the shared one, or a row lock whose
// wait would break the order. It is no ThingsDB error: `try` does not catch it.
class RerunSignal : public std::exception {
public:
    const char* what() const noexcept override { return "thingsdb: run again"; }
};

// Thrown by the storage of a call that runs without attempts on the prediction that it changes
// nothing (PgStorage::set_unattempted) when it is about to become a writer, before it writes:
// run_entry runs it again in attempts. No ThingsDB error: `try` does not catch it.
class WriterSignal : public std::exception {
public:
    const char* what() const noexcept override { return "thingsdb: run again as a writer"; }
};

// Ids lo..hi of one collection, every one of them a row taken.
struct RowRun {
    uint64_t coll;
    int64_t lo, hi;
};

struct RerunLocks {
    std::vector<uint64_t> exclusive;  // collections, locked exclusive
    std::vector<uint64_t> key_share;  // collections whose row is locked FOR KEY SHARE
    // The rows to lock ahead: (collection, thing id), sorted.
    std::vector<std::pair<uint64_t, int64_t>> rows;
    // The rows taken by the running attempt: runs of consecutive ids, sorted and apart (a
    // write of a list's many items keeps one run, not an entry per row).
    std::vector<RowRun> runs;
    void clear() {
        exclusive.clear();
        key_share.clear();
        rows.clear();
        runs.clear();
    }
};

// Whether the running call can run again (an attempt of run_entry's loop is running).
bool rerun_active();

// After a write of a unique name (a collection's, user's, procedure's or room's) failed: a
// unique violation (23505) means another transaction took the name since this call's
// snapshot (the index waited for it to commit). The call runs again on a new snapshot
// (RerunSignal), where the core's own check finds the name and gives ThingsDB's error;
// without attempts (REPEATABLE READ, a nested call) it is a serialization failure (40001).
// Any other error is thrown again as it is.
[[noreturn]] void unique_write_failed(const PgError& e);

// Runs f (SPI work, as pg_call does) that writes a unique name.
template <typename F>
void write_unique_name(const F& f) {
    try {
        pg_call([&] { f(); });
    } catch (const PgError& e) {
        unique_write_failed(e);
    }
}

// What the running attempt locked so far, and what the next attempt takes first.
RerunLocks& rerun_taken();
RerunLocks& rerun_ahead();

// The storage about to update rows of a collection (ids ascending): whether it may wait for
// a row with this id (the attempt holds no row lock above it, or holds this one); records
// the row as taken.
bool rerun_may_wait(uint64_t coll, int64_t id);
void rerun_took(uint64_t coll, int64_t id);
// Whether the running attempt took a row of thingsdb.things.
bool rerun_rows_taken();

// The collection lock was taken shared by this attempt (not by an earlier statement of the
// transaction), so the attempt can end and run again holding it exclusive from the start.
void rerun_shared_taken(uint64_t coll);
bool rerun_shared_by_attempt(uint64_t coll);

// The row of the collection was locked FOR KEY SHARE by this attempt (things were inserted).
void rerun_key_shared(uint64_t coll);

// ---- locks taken before the first run ----
// Two writers of one thing meet again and again (a counter, a list every client pushes to):
// each meeting costs a second run of the call. So a call that had to run again leaves the rows
// its last attempt wrote under its key (rerun_key: the kind of call, its scope, and the
// procedure's name or the code), and the next calls of that key lock those rows first, before
// their first run reads anything, as the second run would. A call keeps of those rows the
// ones it wrote again (a thing it replaced goes). While those locks keep finding a row held by
// another transaction (the writers still meet), the key stays hot; after kPredictCalls calls
// without such a wait, or when the call wrote none of the rows it locked, it is dropped. A lock
// taken for nothing only makes the call wait for another writer of that row; it is taken in the
// global order, before anything else, so it adds no deadlock between ThingsDB writers.
// The key is hashed only when it is looked up: while no call of the backend met another writer
// (no hot key) and the call runs once, never. The views must outlive the call.
struct RerunKey {
    char kind = 0;  // 0: no key
    std::string_view scope, name, extra;
};
inline RerunKey rerun_key(char kind, std::string_view scope, std::string_view name,
                          std::string_view extra = {}) {
    return RerunKey{kind, scope, name, extra};
}
// Before the first attempt of a call of this key: its rows become the locks ahead.
void rerun_predict(const RerunKey& key);
// The storage wrote (or updated the reference count of) this row in the running attempt.
void rerun_wrote(uint64_t coll, int64_t id);
// take_locks_ahead found a row held or changed by another transaction.
void rerun_lock_waited();
// The call succeeded in its attempt-th attempt: what its key keeps for the next calls.
void rerun_succeeded(int attempt);

// For run_entry's loop: a new attempt begins (what the last one took joins the locks taken
// ahead), and the loop's begin and end.
void rerun_next_attempt();
void rerun_enter();
void rerun_leave();

}  // namespace tdb::pg
