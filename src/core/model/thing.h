// Things and the collection they live in: lazy loading, identity and dirt.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/api/storage.h"
#include "core/model/value.h"

namespace tdb {

class Collection;
class ListSource;
struct LazyItems;
struct RoomObj;

struct Prop {
    std::string key;
    Value val;
};

// Things and small property vectors (most things have a few properties) come
// from pools of fixed-size blocks: no malloc and free per thing (a query may
// make or load a million). Larger blocks come from the heap. The pools go
// back to the heap when the outermost query ends with no block in use.
void* small_block_alloc(size_t bytes);
void small_block_free(void* p, size_t bytes) noexcept;

template <class T>
struct PropAlloc {
    using value_type = T;
    PropAlloc() = default;
    template <class U>
    PropAlloc(const PropAlloc<U>&) {}
    T* allocate(size_t n) { return static_cast<T*>(small_block_alloc(n * sizeof(T))); }
    void deallocate(T* p, size_t n) noexcept { small_block_free(p, n * sizeof(T)); }
    template <class U>
    bool operator==(const PropAlloc<U>&) const {
        return true;
    }
    template <class U>
    bool operator!=(const PropAlloc<U>&) const {
        return false;
    }
};
using Props = std::vector<Prop, PropAlloc<Prop>>;

// Things made so far in this backend (Limits::max_things counts a query's).
inline uint64_t things_made = 0;

struct Thing : Obj {
    Thing();
    ~Thing() override;
    // From the block pools (small_block_alloc).
    static void* operator new(size_t n);
    static void operator delete(void* p, size_t n) noexcept;

    // The query that sent this new thing whole in a watch job (Query::job_serial; 0: none).
    // First, so that it takes the room after Obj's count instead of growing the thing.
    uint32_t sent_whole_in = 0;

    // Every Thing alive in this backend, so that the end of the outermost
    // query can free things that only keep each other alive (a cycle, such
    // as the two sides of a Type relation).
    Thing* live_prev = nullptr;
    Thing* live_next = nullptr;

    uint64_t id = 0;                 // 0 until attached to a stored thing
    Collection* coll = nullptr;      // set once stored
    uint32_t type_id = kNoType;      // a Type instance when set (read it
                                     // through type() on stored things: a
                                     // stub is not loaded yet)
    int64_t version = 0;             // as loaded, for the write check
    bool loaded = true;              // false: only the id is known yet
    bool dirty = false;              // props changed in this query
    bool is_new = false;             // got its id in this query
    bool gone = false;               // referenced, but its row does not exist
    uint32_t in_use = 0;             // > 0 while iterated
    uint64_t restriction = 0;        // thing.restrict(): 0 none (restrict.h)
    size_t stub_pos = SIZE_MAX;      // where the collection's read-ahead met this stub
    std::vector<uint64_t> old_refs;  // ids referenced when loaded
    // Lists of the top level stored as their source holds them (lazy_list.h):
    // the ids they reference are counted in the stored count but not listed
    // in old_refs; they are read only when the list stops being stored so.
    std::vector<std::shared_ptr<const ListSource>> lazy_refs;

    // Properties in insertion order; loads the thing on first touch.
    Props& props();
    Value* get(std::string_view key);
    bool stored() const { return id != 0; }
    uint32_t type() {
        if (!loaded) props();
        return type_id;
    }

    Props props_;
};

// A set of things (ThingsDB sets hold things only).
struct SetObj : Obj {
    std::vector<Ref<Thing>> items;           // insertion order
    std::unordered_set<const Thing*> index;  // membership
    Owner owner;
    uint32_t in_use = 0;
    bool has(const Thing* t) const { return index.count(t) != 0; }
    bool add(Thing* t);
    bool remove(const Thing* t);
    // Removes each of `ts` that is a member, in one pass over the items (a
    // remove() each would move the items after it every time); the things
    // removed, in the order of ts.
    std::vector<Thing*> remove_all(const std::vector<Ref<Thing>>& ts);
    void clear() {
        items.clear();
        index.clear();
    }
};

Value make_thing(Thing* t);
Value new_thing();

// Frees every thing still alive: called when the outermost query is gone,
// when nothing outside the query may hold a thing any more.
void release_all_things();
size_t live_thing_count();

// The identity map of a collection: id -> thing, holding a strong reference
// to each. Open addressing with linear probing in one array, so a query
// that reads many things makes no allocation per thing. Ids are never 0, so id 0 marks a free slot;
// erase shifts the slots after it back, so lookups need no tombstones.
// Ids are user-controlled in effect (made in runs, interleaved across
// collections, stored and reloaded in any order): the home slot must not
// depend on their pattern, or runs cluster and every probe and erase walks
// the cluster.
class ThingMap {
public:
    ThingMap() = default;
    ~ThingMap() { clear(); }
    ThingMap(const ThingMap&) = delete;
    ThingMap& operator=(const ThingMap&) = delete;

    Thing* find(uint64_t id) const {
        if (slots_.empty()) return nullptr;
        for (size_t i = home(id);; i = (i + 1) & mask()) {
            if (slots_[i].id == id) return slots_[i].t.get();
            if (slots_[i].id == 0) return nullptr;
        }
    }
    void put(uint64_t id, Thing* t);  // inserts, or replaces the thing of id
    // Room for n ids in all without growing (a list of n new things attached at once
    // would otherwise rehash the table about log2(n) times).
    void reserve(size_t n);
    void erase(uint64_t id);  // releases the thing after it is out
    void clear();
    size_t size() const { return count_; }
    template <class F>
    void each(F f) const {
        for (const Slot& s : slots_)
            if (s.id) f(s.t.get());
    }
    // The probe lengths of the ids held (1: found at its home slot): what a
    // lookup of each costs. For tests and diagnostics; walks the whole table.
    struct ProbeStats {
        size_t max = 0;
        double mean = 0;
        double load = 0;  // ids held / slots
    };
    ProbeStats probe_stats() const;

private:
    struct Slot {
        uint64_t id = 0;
        Ref<Thing> t;
    };
    size_t mask() const { return slots_.size() - 1; }
    // A full 64-bit mix (the finalizer of MurmurHash3) before masking:
    // every bit of the id changes about half of the bits kept, so runs of
    // consecutive ids, strides of powers of two and ids differing only in
    // their high bits all land at independent-looking slots.
    static uint64_t mix(uint64_t id) {
        id ^= id >> 33;
        id *= 0xff51afd7ed558ccdull;
        id ^= id >> 33;
        id *= 0xc4ceb9fe1a85ec53ull;
        id ^= id >> 33;
        return id;
    }
    size_t home(uint64_t id) const { return static_cast<size_t>(mix(id)) & mask(); }
    void grow();
    void rehash(size_t cap);   // cap: a power of two, room for count_
    std::vector<Slot> slots_;  // a power of two long, at most 70% full
    size_t count_ = 0;
};

// One collection as seen by one query: an identity map of the things touched
// (each id maps to one Thing object), and the things to write at the end.
class Collection {
public:
    Collection(Storage& st, const CollectionRow& row);
    ~Collection();
    Collection(const Collection&) = delete;
    Collection& operator=(const Collection&) = delete;

    uint64_t id() const { return row_.id; }
    const CollectionRow& row() const { return row_; }
    Storage& storage() { return st_; }

    Value root();
    // The thing with this id (loaded lazily), or nil when it does not exist.
    Value thing_by_id(uint64_t id);
    // The thing a stored reference points at, not read until touched.
    Value thing_ref(uint64_t id);
    // How many of an object's references are the collection's own until the
    // query ends (its table of things met, the lists of things to write and
    // of things made, its rooms): `refs()` leaves them out, as ThingsDB has
    // no such holders (it has one for the root, the collection's).
    int64_t engine_refs(const Value& v) const;
    void load(Thing* t);
    void forget(Thing* t);
    // Lists whose items are still read through this collection (lazy_list.h);
    // they read references as nil once it is gone.
    void keep_lazy(LazyItems* z) { lazies_.insert(z); }
    void forget_lazy(LazyItems* z) { lazies_.erase(z); }
    // A run of a stored list's items for a loop that visits each once (ItemCursor,
    // lazy_list.h): items [from, to) of src into out, the things among them not read yet
    // read in one storage read; the ids of the things made for them are added to `made`.
    void read_run(const ListSource& src, size_t from, size_t to, std::vector<Value>& out,
                  std::vector<uint64_t>& made);
    // Lets go of the things of `made` that only the identity map still holds, unchanged,
    // with no container of theirs held elsewhere: nothing can tell them from a stub, and a
    // later touch reads them again (under the call's one snapshot: the same row). A loop
    // over a million stored things then holds one run of them at a time.
    void let_go(const std::vector<uint64_t>& made);

    // Gives a new thing an id and a place in this collection (recursively
    // for the things it holds); marks it for insertion.
    void attach(Thing* t);
    void attach_value(const Value& v);
    void mark_dirty(Thing* t);
    // A stored reference held outside of things (an enum member's value):
    // +1 when taken, -1 when released; counted in at the next flush.
    void ref_delta(uint64_t id, int64_t d);

    // Writes every change; releases things nobody references any more.
    void flush();
    bool changed() const { return !dirty_.empty(); }

    // Rooms (room.h, room.cpp): one object per stored room id for the query.
    // The room a stored reference points at (its name read on first use).
    Value room_ref(uint64_t id);
    // The stored room with this id or name, or nil when there is none.
    Value room_by_id(uint64_t id);
    Value room_by_name(std::string_view name);
    void load_room(RoomObj* r);
    // The rooms the last flush deleted (their counts dropped to zero); emptied by the call.
    std::vector<uint64_t> take_deleted_rooms() { return std::move(deleted_rooms_); }

private:
    void fill(Thing* t, const StoredThing& st);
    void account_lazy(Thing* t, std::vector<std::shared_ptr<const ListSource>> kept,
                      std::vector<RefChange>& bulk);
    void attach_walk(Thing* first, const Value* first_val);
    Storage& st_;
    // Read-ahead: the ids of the stubs in the order they were met
    // (a list's items in order). When the query touches them in that order,
    // each load reads the next stubs along, in windows that double up to
    // 1024; a touch out of order reads one thing.
    // Thing::stub_pos indexes it. `loaded` mirrors the thing's flag here, so
    // choosing what to read ahead touches no thing (with a million things,
    // each touch was a cache miss).
    struct Stub {
        uint64_t id;
        bool loaded;
    };
    std::vector<Stub> stub_order_;
    // A thing's properties are known from here on (read, or its row is gone).
    void set_loaded(Thing* t) {
        t->loaded = true;
        if (t->stub_pos < stub_order_.size() && stub_order_[t->stub_pos].id == t->id)
            stub_order_[t->stub_pos].loaded = true;
    }
    // Set by read_run: the stubs thing_ref makes are listed here, not in stub_order_ (they
    // are read at once, and may be let go).
    std::vector<uint64_t>* run_made_ = nullptr;
    size_t next_expected_ = SIZE_MAX;
    size_t window_ = 1;
    CollectionRow row_;
    // Every thing the query touched, held until the query ends: a change to
    // a list or thing reached through a temporary must not be lost when the
    // temporary goes, and a second lookup must find the same object.
    ThingMap things_;
    std::vector<Ref<Thing>> dirty_;  // strong until flushed
    std::vector<Ref<Thing>> created_;
    std::unordered_map<uint64_t, int64_t> ref_delta_;  // see ref_delta()
    std::unordered_map<uint64_t, Ref<RoomObj>> rooms_;
    std::vector<uint64_t> deleted_rooms_;
    std::unordered_set<LazyItems*> lazies_;
    void attach_room(RoomObj* r);
    void write_rooms(std::unordered_map<uint64_t, int64_t>& delta);
};

}  // namespace tdb
