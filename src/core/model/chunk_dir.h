// The directory of a list kept in chunks (docs/storage.md, "Big lists in chunks"): the keys
// of the chunks in list order with the number of items each holds, and the one edit every
// list change becomes, a splice, applied so that it reads and writes only the chunks it
// touches and one neighbour. Plain arithmetic over an abstract chunk store: the storage
// keeps the chunks, the unit tests a map.
#pragma once

#include "core/api/pure.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/api/error.h"
#include "core/model/poll.h"

namespace tdb {

struct ChunkRef {
    uint32_t key = 0;    // unique among the chunks of one list, never reused while it lives
    uint32_t count = 0;  // items held, 1..ChunkDir::kMax
};

class ChunkDir {
public:
    // A list written whole with at least kThreshold items is kept in chunks of kTarget;
    // one that a change leaves with more than kMax is split, with fewer than kMin merged
    // with a neighbour (the bounds leave room: one item in or out never moves a bound
    // twice in a row). A list with a single chunk may hold fewer than kMin.
    static constexpr uint32_t kTarget = 1024;
    static constexpr uint32_t kMax = 2 * kTarget;
    static constexpr uint32_t kMin = kTarget / 4;
    static constexpr size_t kThreshold = 4 * kTarget;

    size_t size() const { return total_; }
    size_t chunk_count() const { return chunks_.size(); }
    const ChunkRef& chunk(size_t pos) const { return chunks_[pos]; }
    uint32_t next_key() const { return next_key_; }

    struct Pos {
        size_t chunk = 0;  // position in the directory
        size_t off = 0;    // index of the item inside that chunk
    };
    // Where item i (< size()) lies: a walk over the counts, at most size() / kMin of them.
    Pos locate(size_t i) const;
    // The index of the first item of the chunk at pos.
    size_t first_index(size_t pos) const;

    // The counts of a list of n items cut into chunks: as even as they can be, each at
    // most kTarget (so every chunk of a list of more than kTarget holds at least kTarget / 2).
    static std::vector<uint32_t> cut(size_t n, uint32_t target = kTarget);
    // A directory for n items written whole, with keys 0, 1, 2, ...
    static ChunkDir fresh(size_t n);

    // The stored form: [next_key, key, count, key, count, ...].
    std::vector<int64_t> encode() const;
    // false (and out untouched) for a form this code never writes: a key at or above
    // next_key or repeated, a count of 0 or above kMax, a total above max_items.
    static bool decode(const std::vector<int64_t>& form, ChunkDir& out, size_t max_items);
    // The invariants of the bounds above (for tests and checks after a change).
    bool valid() const;

    // Replaces the chunks at positions [a, b) by `with` (keys from new_key or of the ones
    // replaced).
    void replace(size_t a, size_t b, const std::vector<ChunkRef>& with);
    uint32_t new_key() { return next_key_++; }

private:
    std::vector<ChunkRef> chunks_;
    size_t total_ = 0;
    uint32_t next_key_ = 0;
};

// A chunk as read must hold what its directory says: a row changed behind the extension's
// back is refused before anything is written (every read of a splice precedes its writes).
template <class T>
void check_chunk(const std::vector<T>& items, const ChunkRef& r) {
    if (items.size() != r.count)
        throw Error(BAD_DATA_ERR, "stored list chunk " + std::to_string(r.key) + " holds " +
                                      std::to_string(items.size()) + " items, its list counts " +
                                      std::to_string(r.count));
}

// What one splice did to the store: for the caller's write plan and the tests' bounds.
struct ChunkEdit {
    size_t read = 0;           // chunks read
    size_t written = 0;        // chunks written (new or rewritten)
    size_t erased = 0;         // chunks deleted
    bool dir_changed = false;  // the directory (keys or counts) changed: the parent's row too
};

// Replaces items [i, i + del) of the list by `ins` (i + del <= d.size()), reading and
// writing only the chunks that hold items [i, i + del), those a neighbour must give or
// take to keep the bounds, and the new ones `ins` needs. The items removed are appended
// to `removed` when it is set. IO provides:
//   std::vector<T> read(uint32_t key);   the items of a chunk
//   void write(uint32_t key, std::vector<T> items);  stores (or replaces) a chunk
//   void erase(uint32_t key);            deletes a chunk
template <class T, class IO>
ChunkEdit chunk_splice(ChunkDir& d, IO& io, size_t i, size_t del, std::vector<T> ins,
                       std::vector<T>* removed = nullptr) {
    ChunkEdit e;
    if (del == 0 && ins.empty()) return e;
    // The chunks [a, b] hold the items replaced; at the end of the list (or an empty
    // one) the last chunk takes the new items.
    size_t a = 0, b = 0, off = 0, end_off = 0;
    const size_t n = d.chunk_count();
    if (n == 0) {
        a = b = 0;
    } else if (i == d.size()) {
        a = b = n - 1;
        off = end_off = d.chunk(a).count;
    } else {
        ChunkDir::Pos p = d.locate(i);
        a = p.chunk;
        off = p.off;
        if (del == 0) {
            b = a;
            end_off = off;
        } else {
            ChunkDir::Pos q = d.locate(i + del - 1);
            b = q.chunk;
            end_off = q.off + 1;
        }
    }
    std::vector<T> merged;
    std::vector<uint32_t> old_keys;
    if (n != 0) {
        for (size_t k = a; k <= b; ++k) {
            poll_tick();
            std::vector<T> items = io.read(d.chunk(k).key);
            check_chunk(items, d.chunk(k));
            ++e.read;
            old_keys.push_back(d.chunk(k).key);
            size_t from = k == a ? off : 0;
            size_t to = k == b ? end_off : items.size();
            if (k == a)
                for (size_t j = 0; j < from; ++j) merged.push_back(std::move(items[j]));
            if (removed)
                for (size_t j = from; j < to; ++j) removed->push_back(std::move(items[j]));
            if (k == a)
                for (T& v : ins) merged.push_back(std::move(v));
            if (k == b)
                for (size_t j = to; j < items.size(); ++j) merged.push_back(std::move(items[j]));
        }
    } else {
        for (T& v : ins) merged.push_back(std::move(v));
    }
    // Too few left for a chunk of their own: a neighbour joins (the next one, else the one
    // before), so every chunk but a list's only one keeps at least kMin items. None left:
    // the chunks go and the neighbours stay as they are.
    size_t lo = a, hi = n == 0 ? 0 : b + 1;  // the positions replaced: [lo, hi)
    if (!merged.empty() && merged.size() < ChunkDir::kMin && hi - lo < n) {
        if (hi < n) {
            std::vector<T> next = io.read(d.chunk(hi).key);
            check_chunk(next, d.chunk(hi));
            ++e.read;
            old_keys.push_back(d.chunk(hi).key);
            for (T& v : next) merged.push_back(std::move(v));
            ++hi;
        } else {
            std::vector<T> prev = io.read(d.chunk(lo - 1).key);
            check_chunk(prev, d.chunk(lo - 1));
            ++e.read;
            old_keys.insert(old_keys.begin(), d.chunk(lo - 1).key);
            for (T& v : merged) prev.push_back(std::move(v));
            merged = std::move(prev);
            --lo;
        }
    }
    // The new chunks: one when it fits, else cut evenly; the old keys are reused in order.
    std::vector<uint32_t> counts;
    if (!merged.empty())
        counts = merged.size() <= ChunkDir::kMax ? std::vector<uint32_t>{uint32_t(merged.size())}
                                                 : ChunkDir::cut(merged.size());
    std::vector<ChunkRef> with;
    size_t at = 0;
    for (size_t k = 0; k < counts.size(); ++k) {
        ChunkRef r;
        r.key = k < old_keys.size() ? old_keys[k] : d.new_key();
        r.count = counts[k];
        std::vector<T> part;
        part.reserve(counts[k]);
        for (uint32_t j = 0; j < counts[k]; ++j) part.push_back(std::move(merged[at + j]));
        at += counts[k];
        io.write(r.key, std::move(part));
        ++e.written;
        with.push_back(r);
    }
    for (size_t k = counts.size(); k < old_keys.size(); ++k) {
        io.erase(old_keys[k]);
        ++e.erased;
    }
    e.dir_changed = with.size() != hi - lo;
    for (size_t k = 0; !e.dir_changed && k < with.size(); ++k)
        e.dir_changed =
            with[k].key != d.chunk(lo + k).key || with[k].count != d.chunk(lo + k).count;
    if (e.dir_changed) d.replace(lo, hi, with);
    return e;
}

}  // namespace tdb
