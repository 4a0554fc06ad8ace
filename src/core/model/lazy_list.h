// A list whose items stay where they are stored (a ListSource, codec.h) until a
// use needs them all: reading, changing or counting one item of a stored list of
// a million costs what it costs for a list of ten, and builds no value for the
// other items.
#pragma once

#include "core/api/pure.h"

#include <memory>
#include <unordered_map>
#include <vector>

#include "core/api/codec.h"
#include "core/model/value.h"

namespace tdb {

class Collection;
struct ChunkEdits;

// The state of a list not decoded yet (ListObj::lazy). Items read or set one
// at a time are kept in `taken`, so a second read gives the same value and a
// set one wins over the stored one; decode_all() builds the rest around them.
struct LazyItems {
    std::shared_ptr<const ListSource> src;
    Collection* coll = nullptr;  // nullptr once the collection is gone: references are nil
    std::unordered_map<size_t, Value> taken;
    bool changed = false;  // an item was set: the stored form is no longer the list
    // The indexes set since the last write (a chunked list writes only their chunks).
    std::vector<size_t> set;
    // A chunked list changed by splices: its chunks as segments (chunked_list.h); then
    // `taken` and `set` are empty and every item is read through them.
    std::shared_ptr<ChunkEdits> edits;
};

// A list of collection c's stored thing whose items are read from src.
Value make_lazy_list(Collection* c, std::shared_ptr<const ListSource> src);

// The source of a list that is still exactly what its source holds (no item
// set, not decoded), else nullptr.
const ListSource* intact_source(const ListObj* l);

// The items of a list for a loop that visits each once, in order (map, filter, each,
// reduce, ...). A list kept by its source is read in runs of kItemRun items without being
// decoded: the things of a run are read in one storage read, and those the query no longer
// holds once the loop has passed their run are let go (Collection::let_go), so a loop over a
// million stored things holds one run of them at a time. A list decoded meanwhile (by the
// loop's closure) is read from its items from then on.
class ItemCursor {
public:
    static constexpr size_t kItemRun = 1024;
    explicit ItemCursor(const ListObj* l) : l_(l) {}
    ~ItemCursor() { release(); }
    ItemCursor(const ItemCursor&) = delete;
    ItemCursor& operator=(const ItemCursor&) = delete;
    size_t size() const { return l_->size(); }
    // Item i (i < size()); a loop asks for them in ascending order.
    Value at(size_t i);

private:
    void release() noexcept;
    const ListObj* l_;
    std::vector<Value> run_;  // items [from_, from_ + run_.size())
    size_t from_ = 0;
    Collection* coll_ = nullptr;  // of the run's things
    std::vector<uint64_t> made_;  // the ids of things made for the run
};

// Items decoded one at a time by every lazy list so far (for tests: a read of
// one item must not decode the list).
size_t lazy_items_decoded();

}  // namespace tdb
