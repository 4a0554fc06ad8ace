// A big list kept apart from its parent's row (docs/storage.md, "Big lists in chunks"): its
// items in runs, each run a row of the things table marked by the reserved type kChunkType
// and held once, by the parent; the parent's property holds the directory
// {"!L": [{"#": chunk}, count, {"#": chunk}, count, ...]}. A chunk row is no thing: it is
// never found by id, counted or watched (Collection::thing_by_id, count_things).
#pragma once

#include "core/api/pure.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/api/codec.h"
#include "core/api/storage.h"
#include "core/model/write_bytes.h"

namespace tdb {

class Collection;
struct ListObj;

// The type_id of a chunk row (stored as the int -2); no Type of a collection gets it.
constexpr uint32_t kChunkType = 0xfffffffeu;
// A list written whole with at least kChunkMinItems items is written in chunks of about
// kChunkItems; a smaller one stays in its parent's row.
constexpr size_t kChunkMinItems = 4096;
constexpr size_t kChunkItems = 1024;
// The key of a chunk row's one property: the run of items.
inline constexpr const char* kChunkKey = "i";

// The items of a chunked list as stored: size() from the directory, items(from, to) reads
// the chunk rows that hold [from, to) by id (the last one read is kept), so one item costs
// one probe and one chunk.
class ChunkedList final : public ListSource {
public:
    ChunkedList(uint64_t coll_id, std::vector<uint64_t> ids, std::vector<uint32_t> counts);
    size_t size() const override { return total_; }
    void items(size_t from, size_t to, PropsBuilder& b) const override;
    const std::vector<uint64_t>& chunk_ids() const { return ids_; }
    const std::vector<uint32_t>& counts() const { return counts_; }
    // The chunk holding item i (< size()) and the index of a chunk's first item.
    size_t chunk_of(size_t i) const;
    size_t start(size_t k) const { return starts_[k]; }
    // The items of chunk k as a source of their own (read once, kept until another is read).
    const ListSource& chunk(size_t k, Collection& c) const;
    // The ids the items of chunk k reference as stored, appended to out.
    void chunk_refs(size_t k, Collection& c, std::vector<uint64_t>& out) const;
    // The version of chunk k's row as first read (chunk() reads it), raised by each write.
    int64_t version(size_t k) const { return versions_[k]; }
    void wrote(size_t k) const { ++versions_[k]; }
    void set_version(size_t k, int64_t v) const { versions_[k] = v; }
    // The ids chunk k references as this query wrote it (a later flush of the same call
    // gives these back: its snapshot still shows the chunk as it was).
    void set_refs(size_t k, std::vector<uint64_t> refs) const {
        written_refs_[k] = std::move(refs);
    }

private:
    uint64_t coll_id_;
    std::vector<uint64_t> ids_;
    std::vector<uint32_t> counts_;
    std::vector<size_t> starts_;  // the index of each chunk's first item
    size_t total_ = 0;
    mutable std::vector<int64_t> versions_;  // -1: not read yet
    mutable std::unordered_map<size_t, std::vector<uint64_t>> written_refs_;
    mutable size_t cached_ = SIZE_MAX;
    mutable std::shared_ptr<const ListSource> cached_src_;
    mutable std::vector<Value> cached_items_;  // a chunk too small to be kept as a source
    mutable std::shared_ptr<const ListSource> cached_vals_;
};

// A chunked list's source, or nullptr.
inline const ChunkedList* as_chunked(const ListSource* s) {
    return dynamic_cast<const ChunkedList*>(s);
}

// Lists cut into chunks for one write of their parent (Collection::flush): for each list,
// the chunk ids and counts its directory names.
struct ChunkPlan {
    struct Entry {
        const ListObj* list;
        std::vector<uint64_t> ids;
        std::vector<uint32_t> counts;
        // The list keeps its chunks (its source is kept, its references stay counted
        // in them): only items were set, in the chunks written beside the parent.
        bool keeps_source = false;
        // The source of the directory written, when it differs from the list's source.
        std::shared_ptr<const ListSource> new_src;
    };
    std::vector<Entry> lists;
    const Entry* find(const ListObj* l) const {
        for (const Entry& e : lists)
            if (e.list == l) return &e;
        return nullptr;
    }
};

// The counts of n items cut into chunks as even as they can be, each at most kChunkItems.
std::vector<uint32_t> chunk_counts(size_t n);

// ---- a chunked list changed by splices (LazyItems::edits) ----
// Its chunks in list order: `orig` is the chunk of the source it stands for (SIZE_MAX: a
// new one), its items read into `items` once it is touched.
struct ChunkSeg {
    size_t orig = SIZE_MAX;
    size_t count = 0;
    bool loaded = false;
    bool dirty = false;  // to be written
    std::vector<Value> items;
};
struct ChunkEdits {
    std::vector<ChunkSeg> segs;
    size_t total = 0;
};
struct LazyItems;
// Whether the list's source is a ChunkedList (its splices then keep it in chunks).
bool chunked_source(const LazyItems& z);
size_t edits_size(const LazyItems& z);
Value edits_at(LazyItems& z, size_t i);
void edits_set(LazyItems& z, size_t i, Value v);
void edits_splice(LazyItems& z, size_t i, size_t del, std::vector<Value>& ins,
                  std::vector<Value>* removed);
void edits_all(LazyItems& z, std::vector<Value>& out);

// ---- writing (Collection::flush) ----
// The chunk rows one flush writes (after the things' own writes), the ids each references
// (indexed alike), and the lists whose source a written change replaces.
struct ChunkWrites {
    std::vector<ThingWrite> writes;
    std::vector<std::vector<uint64_t>> held;
    std::vector<RefChange>* delta;  // the flush's changes of counts, one entry per change
    WriteBytes* bytes;              // the flush's, which ThingWrite::props views
};
struct Thing;
// Before t is encoded: each top-level list of t kept in chunks and changed has its changed
// chunks written (its directory then names them); each other list of at least
// kChunkMinItems items to be written whole is cut into new chunk rows. `plan` tells the
// encoder which directories to write.
void plan_chunks(Collection& c, Thing* t, PropsEncoder& enc, ChunkPlan& plan, ChunkWrites& w);
// After t's write is accounted (Collection::account_lazy): the lists whose chunks changed
// take the source of their new directory.
void swap_sources(Thing* t, ChunkPlan& plan);

}  // namespace tdb
