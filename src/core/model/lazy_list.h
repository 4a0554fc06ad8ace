// A list whose items stay where they are stored (a ListSource, codec.h) until a
// use needs them all: reading, changing or counting one item of a stored list of
// a million costs what it costs for a list of ten, and builds no value for the
// other items.
#pragma once

#include "core/api/pure.h"

#include <memory>
#include <unordered_map>

#include "core/api/codec.h"
#include "core/model/value.h"

namespace tdb {

class Collection;

// The state of a list not decoded yet (ListObj::lazy). Items read or set one
// at a time are kept in `taken`, so a second read gives the same value and a
// set one wins over the stored one; decode_all() builds the rest around them.
struct LazyItems {
    std::shared_ptr<const ListSource> src;
    Collection* coll = nullptr;  // nullptr once the collection is gone: references are nil
    std::unordered_map<size_t, Value> taken;
    bool changed = false;  // an item was set: the stored form is no longer the list
};

// A list of collection c's stored thing whose items are read from src.
Value make_lazy_list(Collection* c, std::shared_ptr<const ListSource> src);

// The source of a list that is still exactly what its source holds (no item
// set, not decoded), else nullptr.
const ListSource* intact_source(const ListObj* l);

// Items decoded one at a time by every lazy list so far (for tests: a read of
// one item must not decode the list).
size_t lazy_items_decoded();

}  // namespace tdb
