// The lock bookkeeping of calls that run again after a conflict (rerun.h).
#include "pg/storage/rerun.h"

#include <algorithm>

namespace tdb::pg {

namespace {

int depth = 0;     // run_entry loops running (a nested call runs inside the outer one)
RerunLocks taken;  // by the running attempt
RerunLocks ahead;  // by the next attempt, before it reads
std::vector<uint64_t> shared_by_attempt;

void add_unique(std::vector<uint64_t>& v, uint64_t x) {
    if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

bool rerun_active() { return depth == 1; }

void unique_write_failed(const PgError& error) {
    const ErrorData* e = error.edata();
    if (!e || e->sqlerrcode != ERRCODE_UNIQUE_VIOLATION) throw error;
    if (rerun_active()) throw RerunSignal();
    pg_call([] {
        ereport(ERROR, (errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
                        errmsg("could not serialize access due to a concurrent write of the "
                               "same name")));
    });
    throw error;
}

RerunLocks& rerun_taken() { return taken; }
RerunLocks& rerun_ahead() { return ahead; }

bool rerun_may_wait(uint64_t coll, int64_t id) {
    std::pair<uint64_t, int64_t> row{coll, id};
    if (taken.rows.empty() || taken.rows.back() < row) return true;
    // A row this attempt locked already: no wait for another writer (and heap_update wants
    // to wait to see that the lock is its own).
    return std::binary_search(taken.rows.begin(), taken.rows.end(), row);
}

void rerun_took(uint64_t coll, int64_t id) {
    std::pair<uint64_t, int64_t> row{coll, id};
    auto it = std::lower_bound(taken.rows.begin(), taken.rows.end(), row);
    if (it == taken.rows.end() || *it != row) taken.rows.insert(it, row);
}

void rerun_shared_taken(uint64_t coll) { add_unique(shared_by_attempt, coll); }

bool rerun_shared_by_attempt(uint64_t coll) {
    return std::find(shared_by_attempt.begin(), shared_by_attempt.end(), coll) !=
           shared_by_attempt.end();
}

void rerun_next_attempt() {
    for (uint64_t c : taken.exclusive) add_unique(ahead.exclusive, c);
    std::sort(ahead.exclusive.begin(), ahead.exclusive.end());
    ahead.rows.insert(ahead.rows.end(), taken.rows.begin(), taken.rows.end());
    std::sort(ahead.rows.begin(), ahead.rows.end());
    ahead.rows.erase(std::unique(ahead.rows.begin(), ahead.rows.end()), ahead.rows.end());
    taken.clear();
    shared_by_attempt.clear();
}

void rerun_enter() {
    if (++depth > 1) return;
    taken.clear();
    ahead.clear();
    shared_by_attempt.clear();
}

void rerun_leave() {
    if (--depth > 0) return;
    taken.clear();
    ahead.clear();
    shared_by_attempt.clear();
}

}  // namespace tdb::pg
