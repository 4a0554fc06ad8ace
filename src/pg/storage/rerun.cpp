// The lock bookkeeping of calls that run again after a conflict (rerun.h).
#include "pg/storage/rerun.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <string>

namespace tdb::pg {

namespace {

int depth = 0;     // run_entry loops running (a nested call runs inside the outer one)
RerunLocks taken;  // by the running attempt
RerunLocks ahead;  // by the next attempt, before it reads
std::vector<uint64_t> shared_by_attempt;

// The keys whose calls lock rows before their first run (rerun.h). A key is a hash: two keys
// that collide share their rows, which costs at most a wait.
constexpr int kPredictCalls = 8;    // calls of a hot key without a wait before it is dropped
constexpr size_t kHotKeys = 32;     // keys kept per backend, the least recently used replaced
constexpr size_t kMaxHotRows = 64;  // a call that wrote more rows than this is not predicted
struct HotKey {
    uint64_t key = 0;
    int credit = 0;
    uint64_t used = 0;  // tick of its last call
    std::vector<std::pair<uint64_t, int64_t>> rows;
};
std::vector<HotKey> hot;
uint64_t tick = 0;
RerunKey call_key;         // of the running call (kind 0: none)
uint64_t call_hash = 0;    // its hash once computed, 0 before
bool predicted = false;    // its first attempt locks the rows of its key
bool lock_waited = false;  // take_locks_ahead of the running attempt met another writer
std::vector<std::pair<uint64_t, int64_t>> written;  // by the running attempt
bool written_too_many = false;  // the running attempt wrote more than kMaxHotRows rows

HotKey* find_hot(uint64_t key) {
    for (HotKey& h : hot)
        if (h.key == key) return &h;
    return nullptr;
}

void sort_unique(std::vector<std::pair<uint64_t, int64_t>>& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
}

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

namespace {

// (coll, id) against a run: below it (< 0), in it (0), above it (> 0).
int against(const RowRun& r, uint64_t coll, int64_t id) {
    if (coll != r.coll) return coll < r.coll ? -1 : 1;
    return id < r.lo ? -1 : id > r.hi ? 1 : 0;
}

// The first run of taken that is not below (coll, id).
std::vector<RowRun>::iterator run_at(uint64_t coll, int64_t id) {
    return std::lower_bound(taken.runs.begin(), taken.runs.end(), std::make_pair(coll, id),
                            [](const RowRun& r, const std::pair<uint64_t, int64_t>& row) {
                                return against(r, row.first, row.second) > 0;
                            });
}

}  // namespace

bool rerun_may_wait(uint64_t coll, int64_t id) {
    if (taken.runs.empty() || against(taken.runs.back(), coll, id) > 0) return true;
    // A row this attempt locked already: no wait for another writer (and heap_update wants
    // to wait to see that the lock is its own).
    auto it = run_at(coll, id);
    return it != taken.runs.end() && against(*it, coll, id) == 0;
}

void rerun_took(uint64_t coll, int64_t id) {
    if (taken.runs.empty() || against(taken.runs.back(), coll, id) > 0) {
        // Rows come sorted: no search, and the next id of a run extends it.
        RowRun* last = taken.runs.empty() ? nullptr : &taken.runs.back();
        if (last && last->coll == coll && last->hi + 1 == id)
            last->hi = id;
        else
            taken.runs.push_back({coll, id, id});
        return;
    }
    auto it = run_at(coll, id);
    if (it != taken.runs.end() && against(*it, coll, id) == 0) return;
    taken.runs.insert(it, {coll, id, id});
}

bool rerun_rows_taken() { return !taken.runs.empty(); }

void rerun_shared_taken(uint64_t coll) { add_unique(shared_by_attempt, coll); }

bool rerun_shared_by_attempt(uint64_t coll) {
    return std::find(shared_by_attempt.begin(), shared_by_attempt.end(), coll) !=
           shared_by_attempt.end();
}

void rerun_key_shared(uint64_t coll) {
    if (depth == 1) add_unique(taken.key_share, coll);
}

namespace {

uint64_t key_hash() {
    if (call_hash) return call_hash;
    const RerunKey& k = call_key;
    std::string text;
    text.reserve(3 + k.scope.size() + k.name.size() + k.extra.size());
    text.push_back(k.kind);
    text.append(k.scope).push_back('\0');
    text.append(k.name).push_back('\0');
    text.append(k.extra);
    uint64_t h = std::hash<std::string>{}(text);
    call_hash = h ? h : 1;
    return call_hash;
}

}  // namespace

void rerun_predict(const RerunKey& key) {
    call_key = key;
    call_hash = 0;
    predicted = false;
    if (!key.kind || hot.empty()) return;
    HotKey* h = find_hot(key_hash());
    if (!h) return;
    h->used = ++tick;
    ahead.rows = h->rows;
    predicted = true;
}

void rerun_wrote(uint64_t coll, int64_t id) {
    if (depth != 1 || !call_key.kind || written_too_many) return;
    written.emplace_back(coll, id);
    // A call that writes more rows than a key keeps is not predicted: its list stops
    // growing (memory stays bounded whatever the call writes).
    if (written.size() > 4 * kMaxHotRows) {
        sort_unique(written);
        if (written.size() > kMaxHotRows) {
            written_too_many = true;
            written.clear();
        }
    }
}

void rerun_lock_waited() { lock_waited = true; }

void rerun_succeeded(int attempt) {
    // A call that ran once and locked nothing ahead leaves the keys as they are.
    if (!call_key.kind || (attempt == 1 && !predicted)) return;
    sort_unique(written);
    HotKey* h = find_hot(key_hash());
    if (attempt > 1) {
        // The writers met: the next calls lock what this one wrote.
        if (written.empty() || written_too_many || written.size() > kMaxHotRows) return;
        if (!h) {
            if (hot.size() < kHotKeys) {
                hot.emplace_back();
                h = &hot.back();
            } else {
                h = &*std::min_element(
                    hot.begin(), hot.end(),
                    [](const HotKey& a, const HotKey& b) { return a.used < b.used; });
            }
            h->key = key_hash();
        }
        h->rows = written;
        h->credit = kPredictCalls;
        h->used = ++tick;
        return;
    }
    if (written_too_many) written.clear();  // nothing of it is kept: the key goes below
    // The rows locked first that the call wrote stay (a thing it wrote last time and not now,
    // such as one it replaced, goes); the key stays hot while one of them was held by another
    // writer, and is dropped when none was written or after kPredictCalls calls without a wait.
    std::vector<std::pair<uint64_t, int64_t>> kept;
    std::set_intersection(h->rows.begin(), h->rows.end(), written.begin(), written.end(),
                          std::back_inserter(kept));
    if (!kept.empty() && (lock_waited || --h->credit > 0)) {
        if (lock_waited) h->credit = kPredictCalls;
        h->rows.swap(kept);
        return;
    }
    if (h != &hot.back()) *h = std::move(hot.back());
    hot.pop_back();
}

void rerun_next_attempt() {
    for (uint64_t c : taken.exclusive) add_unique(ahead.exclusive, c);
    std::sort(ahead.exclusive.begin(), ahead.exclusive.end());
    for (uint64_t c : taken.key_share) add_unique(ahead.key_share, c);
    std::sort(ahead.key_share.begin(), ahead.key_share.end());
    for (const RowRun& r : taken.runs)
        for (int64_t id = r.lo; id <= r.hi; ++id) ahead.rows.emplace_back(r.coll, id);
    std::sort(ahead.rows.begin(), ahead.rows.end());
    ahead.rows.erase(std::unique(ahead.rows.begin(), ahead.rows.end()), ahead.rows.end());
    taken.clear();
    shared_by_attempt.clear();
    written.clear();
    written_too_many = false;
    lock_waited = false;
}

namespace {

void reset_call() {
    taken.clear();
    ahead.clear();
    shared_by_attempt.clear();
    written.clear();
    written_too_many = false;
    call_key = RerunKey{};
    call_hash = 0;
    predicted = false;
    lock_waited = false;
}

}  // namespace

void rerun_enter() {
    if (++depth > 1) return;
    reset_call();
}

void rerun_leave() {
    if (--depth > 0) return;
    reset_call();
}

}  // namespace tdb::pg
