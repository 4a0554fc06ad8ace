// Things and a query's view of their collection: load on first touch, one
// object per id, and a single write of everything changed at the end.
#include "core/model/thing.h"

#include <algorithm>
#include <unordered_map>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/model/chunked_list.h"
#include "core/model/lazy_list.h"
#include "core/model/poll.h"
#include "core/model/room.h"
#include "core/model/write_bytes.h"
#include "core/model/wrap.h"

namespace tdb {

namespace {
Thing* g_live_things = nullptr;

// A free block of the pools below.
struct FreeBlock {
    FreeBlock* next;
};

// Pools of blocks of 16, 32, ... 256 bytes (one free list per size), carved
// from slabs of 8 KiB: things (136 bytes) and small property vectors. Under
// AddressSanitizer every block is its own allocation, so a use after free is
// still reported.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TDB_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(TDB_ASAN)
constexpr bool kUseSlabs = false;
#else
constexpr bool kUseSlabs = true;
#endif
constexpr size_t kBlockStep = 16, kBlockMax = 256, kBlockSlab = 8192;
FreeBlock* g_free_blocks[kBlockMax / kBlockStep + 1] = {};
std::vector<void*> g_block_slabs;
size_t g_blocks_in_use = 0;

void free_block_slabs() {
    for (void* s : g_block_slabs) ::operator delete(s);
    g_block_slabs.clear();
    for (auto& f : g_free_blocks) f = nullptr;
}
}  // namespace

void* small_block_alloc(size_t bytes) {
    if (!kUseSlabs || bytes == 0 || bytes > kBlockMax) return ::operator new(bytes ? bytes : 1);
    size_t cls = (bytes + kBlockStep - 1) / kBlockStep;
    if (!g_free_blocks[cls]) {
        size_t size = cls * kBlockStep;
        g_block_slabs.reserve(g_block_slabs.size() + 1);  // may throw: before the slab exists
        char* slab = static_cast<char*>(::operator new(kBlockSlab));
        g_block_slabs.push_back(slab);
        for (size_t i = kBlockSlab / size; i-- > 0;) {
            auto* f = reinterpret_cast<FreeBlock*>(slab + i * size);
            f->next = g_free_blocks[cls];
            g_free_blocks[cls] = f;
        }
    }
    FreeBlock* f = g_free_blocks[cls];
    g_free_blocks[cls] = f->next;
    ++g_blocks_in_use;
    return f;
}

void small_block_free(void* p, size_t bytes) noexcept {
    if (!p) return;
    if (!kUseSlabs || bytes == 0 || bytes > kBlockMax) {
        ::operator delete(p);
        return;
    }
    size_t cls = (bytes + kBlockStep - 1) / kBlockStep;
    auto* f = static_cast<FreeBlock*>(p);
    f->next = g_free_blocks[cls];
    g_free_blocks[cls] = f;
    --g_blocks_in_use;
}

// sent_whole_in sits in the room after Obj's count: a Thing stays in the pool's 160-byte
// blocks.
static_assert(sizeof(Thing) <= 160);

void* Thing::operator new(size_t n) { return small_block_alloc(n); }

void Thing::operator delete(void* p, size_t n) noexcept { small_block_free(p, n); }

Thing::Thing() {
    ++things_made;
    live_next = g_live_things;
    if (g_live_things) g_live_things->live_prev = this;
    g_live_things = this;
}

void release_all_things() {
    std::vector<Ref<Thing>> alive;
    for (Thing* t = g_live_things; t; t = t->live_next) alive.emplace_back(t);
    // Emptying each thing drops the references things hold to each other;
    // `alive` keeps them all until every one is emptied.
    for (auto& t : alive) {
        Props props;
        props.swap(t->props_);
        t->coll = nullptr;
    }
    alive.clear();
    if (g_blocks_in_use == 0) free_block_slabs();
}

size_t live_thing_count() {
    size_t n = 0;
    for (Thing* t = g_live_things; t; t = t->live_next) ++n;
    return n;
}

Thing::~Thing() {
    if (live_prev)
        live_prev->live_next = live_next;
    else if (g_live_things == this)
        g_live_things = live_next;
    if (live_next) live_next->live_prev = live_prev;
    if (coll) coll->forget(this);
    // Containers may outlive the thing (held by a variable): they must not
    // point back at it any more.
    for (Prop& p : props_) {
        if (p.val.is(VT::List) && p.val.list()->owner.thing == this)
            p.val.list()->owner.thing = nullptr;
        if (p.val.is(VT::Set) && p.val.set()->owner.thing == this)
            p.val.set()->owner.thing = nullptr;
    }
}

Props& Thing::props() {
    if (!loaded) {
        if (coll)
            coll->load(this);
        else
            loaded = true;
    }
    return props_;
}

Value* Thing::get(std::string_view key) {
    for (Prop& p : props())
        if (p.key == key) return &p.val;
    return nullptr;
}

Value make_thing(Thing* t) { return Value::obj(VT::Thing, t); }
Value new_thing() { return make_thing(new Thing()); }

void ThingMap::grow() { rehash(slots_.empty() ? 16 : slots_.size() * 2); }

void ThingMap::reserve(size_t n) {
    size_t cap = slots_.empty() ? 16 : slots_.size();
    while (n * 10 > cap * 7) cap *= 2;
    if (cap != slots_.size()) rehash(cap);
}

void ThingMap::rehash(size_t cap) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.resize(cap);
    for (Slot& s : old) {
        if (!s.id) continue;
        size_t i = home(s.id);
        while (slots_[i].id) i = (i + 1) & mask();
        slots_[i].id = s.id;
        slots_[i].t = std::move(s.t);
    }
}

void ThingMap::put(uint64_t id, Thing* t) {
    Ref<Thing> keep(t);
    if ((count_ + 1) * 10 > slots_.size() * 7) grow();
    size_t i = home(id);
    while (slots_[i].id && slots_[i].id != id) i = (i + 1) & mask();
    if (!slots_[i].id) {
        slots_[i].id = id;
        ++count_;
    }
    std::swap(slots_[i].t, keep);  // the replaced thing is released last
}

void ThingMap::erase(uint64_t id) {
    if (slots_.empty()) return;
    size_t i = home(id);
    while (slots_[i].id != id) {
        if (!slots_[i].id) return;
        i = (i + 1) & mask();
    }
    Ref<Thing> gone = std::move(slots_[i].t);
    slots_[i].id = 0;
    --count_;
    // Shift back the slots after it whose home is not between the hole and them.
    for (size_t j = (i + 1) & mask(); slots_[j].id; j = (j + 1) & mask()) {
        size_t h = home(slots_[j].id);
        bool movable = i <= j ? (h <= i || h > j) : (h <= i && h > j);
        if (!movable) continue;
        slots_[i].id = slots_[j].id;
        slots_[i].t = std::move(slots_[j].t);
        slots_[j].id = 0;
        i = j;
    }
}  // `gone` goes last: its destructor may look the map up

ThingMap::ProbeStats ThingMap::probe_stats() const {
    ProbeStats ps;
    if (!count_) return ps;
    size_t total = 0;
    for (size_t i = 0; i < slots_.size(); ++i) {
        if (!slots_[i].id) continue;
        size_t len = ((i - home(slots_[i].id)) & mask()) + 1;
        total += len;
        ps.max = std::max(ps.max, len);
    }
    ps.mean = static_cast<double>(total) / static_cast<double>(count_);
    ps.load = static_cast<double>(count_) / static_cast<double>(slots_.size());
    return ps;
}

void ThingMap::clear() {
    std::vector<Slot> old;
    old.swap(slots_);
    count_ = 0;
}  // the things go after the map is empty

Collection::Collection(Storage& st, const CollectionRow& row) : st_(st), row_(row) {}

Collection::~Collection() {
    for (LazyItems* z : lazies_) z->coll = nullptr;
    lazies_.clear();
    dirty_.clear();
    created_.clear();
    // Things still alive (held by a result being rendered elsewhere) must
    // not call back into a destroyed collection.
    things_.each([](Thing* t) { t->coll = nullptr; });
    things_.clear();
}

Value Collection::root() { return thing_by_id(row_.id); }

int64_t Collection::engine_refs(const Value& v) const {
    const Obj* o = v.object();
    int64_t n = 0;
    for (const Ref<Thing>& t : dirty_) poll_tick(), n += t.get() == o;
    for (const Ref<Thing>& t : created_) poll_tick(), n += t.get() == o;
    for (const auto& r : rooms_) poll_tick(), n += r.second.get() == o;
    // The table's hold on the root stands for ThingsDB's collection holding
    // its root: that one counts.
    if (v.is(VT::Thing) && v.thing()->id && v.thing()->id != row_.id)
        n += things_.find(v.thing()->id) == v.thing();
    return n;
}

Value Collection::thing_ref(uint64_t id) {
    if (Thing* known = things_.find(id)) return make_thing(known);
    // A reference read from a stored thing: the row is read only when the
    // thing itself is touched, so a query reading one property of the root
    // does not load the collection.
    Thing* t = new Thing();
    Value v = make_thing(t);
    t->id = id;
    t->coll = this;
    t->loaded = false;
    things_.put(id, t);
    if (run_made_) {
        run_made_->push_back(id);
        return v;
    }
    t->stub_pos = stub_order_.size();
    stub_order_.push_back({id, false});
    return v;
}

Value Collection::thing_by_id(uint64_t id) {
    if (Thing* t = things_.find(id)) {
        if (!t->loaded) load(t);
        return t->gone ? Value() : make_thing(t);
    }
    StoredThing st;
    // A chunk row (chunked_list.h) holds items of a list: no thing has its id.
    if (!st_.load_thing(row_.id, id, st) || st.type_id == kChunkType) return Value::nil();
    Thing* t = new Thing();
    Value v = make_thing(t);
    t->id = id;
    t->coll = this;
    things_.put(id, t);
    fill(t, st);
    return v;
}

void Collection::fill(Thing* t, const StoredThing& st) {
    set_loaded(t);
    if (st.type_id == kChunkType) {  // never a thing (chunked_list.h): as a missing row
        t->gone = true;
        return;
    }
    t->type_id = st.type_id;
    t->version = st.version;
    if (st.decoder) {
        PropsBuilder b(*this, t, &t->old_refs);
        b.set_row(&st);
        st.decoder->decode(st.bin(), b);
    } else {
        decode_props(*this, t, st.props_json, &t->old_refs);
    }
    for (Prop& p : t->props_) {
        if (p.val.is(VT::List))
            p.val.list()->owner = {t, p.key};
        else if (p.val.is(VT::Set))
            p.val.set()->owner = {t, p.key};
    }
}

void Collection::load(Thing* t) {
    if (t->stub_pos == SIZE_MAX) {
        StoredThing st;
        if (st_.load_thing(row_.id, t->id, st)) {
            fill(t, st);
        } else {
            set_loaded(t);  // a dangling reference: an empty thing
            t->gone = true;
        }
        return;
    }
    // Read-ahead of the stubs met after this one (see thing.h).
    window_ = t->stub_pos == next_expected_ ? std::min<size_t>(window_ * 2, 1024) : 1;
    std::vector<uint64_t> ids{t->id};
    size_t i = t->stub_pos + 1;
    for (; i < stub_order_.size() && ids.size() < window_; ++i)
        if (!stub_order_[i].loaded) ids.push_back(stub_order_[i].id);
    next_expected_ = i;
    std::vector<StoredThing> rows;
    rows.reserve(ids.size());
    st_.load_things(row_.id, ids, rows);
    for (const StoredThing& r : rows) {
        Thing* s = things_.find(r.id);
        if (s && !s->loaded) fill(s, r);
    }
    if (!t->loaded) {
        set_loaded(t);  // a dangling reference: an empty thing
        t->gone = true;
    }
}

void Collection::read_run(const ListSource& src, size_t from, size_t to, std::vector<Value>& out,
                          std::vector<uint64_t>& made) {
    {
        // run_made_ is set while the items are decoded, and put back also when that fails.
        struct Listing {
            std::vector<uint64_t>*& at;
            std::vector<uint64_t>* was;
            ~Listing() { at = was; }
        } listing{run_made_, run_made_};
        run_made_ = &made;
        PropsBuilder::list_range(this, src, from, to, out);
    }
    // The things not read yet (made here, or stubs met before) in one read.
    std::vector<uint64_t> ids;
    for (const Value& v : out) {
        poll_tick();
        if (v.is(VT::Thing) && !v.thing()->loaded && v.thing()->coll == this)
            ids.push_back(v.thing()->id);
    }
    if (ids.empty()) return;
    std::vector<StoredThing> rows;
    rows.reserve(ids.size());
    st_.load_things(row_.id, ids, rows);
    for (const StoredThing& r : rows) {
        poll_tick();
        Thing* s = things_.find(r.id);
        if (s && !s->loaded) fill(s, r);
    }
    for (const Value& v : out) {
        if (!v.is(VT::Thing) || v.thing()->loaded || v.thing()->coll != this) continue;
        set_loaded(v.thing());  // a dangling reference: an empty thing
        v.thing()->gone = true;
    }
}

// No poll here: it runs from ItemCursor's destructor, and its ids were made by a decode that
// polled for each item.
void Collection::let_go(const std::vector<uint64_t>& made) {
    for (uint64_t id : made) {
        Thing* t = things_.find(id);
        // Held by anything but the map (a value, a set, a wrap, the dirty list) or marked,
        // it stays: the query may still reach it and expects the same object.
        if (!t || t->refs != 1 || t->dirty || t->is_new || t->in_use) continue;
        // A list or set of its properties held elsewhere names it as its owner (raw): a
        // change made through it must mark this thing.
        bool held = false;
        for (const Prop& p : t->props_)
            if ((p.val.is(VT::List) || p.val.is(VT::Set)) && p.val.object()->refs != 1) held = true;
        if (!held) things_.erase(id);
    }
}

void Collection::forget(Thing* t) {
    if (things_.find(t->id) == t) things_.erase(t->id);
}

// Depth first with an explicit stack (ids in the same order as a recursion
// would give them): the things attached may nest arbitrarily deep.
void Collection::attach(Thing* t) { attach_walk(t, nullptr); }

void Collection::attach_value(const Value& v) { attach_walk(nullptr, &v); }

void Collection::attach_walk(Thing* first, const Value* first_val) {
    struct Item {
        Thing* t;
        const Value* v;
    };
    std::vector<Item> todo;
    if (first) todo.push_back({first, nullptr});
    if (first_val) todo.push_back({nullptr, first_val});
    while (!todo.empty()) {
        Item it = todo.back();
        todo.pop_back();
        Thing* t = it.t;
        if (!t) {
            const Value& v = *it.v;
            if (v.is(VT::List)) {
                auto& items = v.list()->items();
                size_t fresh = 0;
                for (const Value& i : items) {
                    poll_tick();
                    fresh += i.is(VT::Thing) && !i.thing()->id;
                }
                if (fresh > 1) things_.reserve(things_.size() + fresh);
                for (auto i = items.rbegin(); i != items.rend(); ++i)
                    todo.push_back({nullptr, &*i});
            } else if (v.is(VT::Set)) {
                auto& items = v.set()->items;
                for (auto i = items.rbegin(); i != items.rend(); ++i)
                    todo.push_back({i->get(), nullptr});
            } else if (v.is(VT::Thing)) {
                t = v.thing();
            } else if (v.is(VT::Room)) {
                attach_room(v.room());
            } else if (v.is(VT::Wrap)) {
                // a stored wrap refers to its thing by id (codec_write.cpp)
                t = static_cast<WrapObj*>(v.object())->thing.get();
            }
            if (!t) continue;
        }
        if (t->id) continue;
        t->id = st_.new_thing_id();
        t->coll = this;
        t->loaded = true;
        t->is_new = true;
        things_.put(t->id, t);
        created_.emplace_back(t);
        mark_dirty(t);
        for (auto p = t->props_.rbegin(); p != t->props_.rend(); ++p)
            todo.push_back({nullptr, &p->val});
    }
}

void Collection::mark_dirty(Thing* t) {
    if (t->dirty || !t->id) return;
    t->dirty = true;
    dirty_.emplace_back(t);
}

void Collection::ref_delta(uint64_t id, int64_t d) {
    if (id && d) ref_delta_[id] += d;
}

namespace {
// The ids the items of a list source reference, read without a stub per item.
void lazy_refs_of(const ListSource& src, std::vector<uint64_t>& refs) {
    PropsBuilder::list_refs(src, refs);
}
}  // namespace

// A thing's lists kept as stored (`kept`, written as their sources hold them)
// count for what they counted before; a source it held that is not kept any
// more gives its references back, a kept one new to the thing takes them.
// The changes go to `bulk` (a list holds many: one entry each, added up by the flush),
// never to a new thing's id: a source holds stored references only.
void Collection::account_lazy(Thing* t, std::vector<std::shared_ptr<const ListSource>> kept,
                              std::vector<RefChange>& bulk) {
    if (t->lazy_refs.empty() && kept.empty()) return;
    std::vector<uint64_t> ids;
    size_t given = 0;  // mostly one id per item: one allocation
    for (auto& s : t->lazy_refs)
        if (std::find(kept.begin(), kept.end(), s) == kept.end()) given += s->size();
    ids.reserve(given);
    for (auto& s : t->lazy_refs)
        if (std::find(kept.begin(), kept.end(), s) == kept.end()) lazy_refs_of(*s, ids);
    bulk.reserve(bulk.size() + ids.size());
    for (uint64_t id : ids) bulk.push_back({id, -1});
    ids.clear();
    for (auto& s : kept)
        if (std::find(t->lazy_refs.begin(), t->lazy_refs.end(), s) == t->lazy_refs.end())
            lazy_refs_of(*s, ids);
    bulk.reserve(bulk.size() + ids.size());
    for (uint64_t id : ids) bulk.push_back({id, 1});
    t->lazy_refs = std::move(kept);
}

namespace {
// Sorts the changes by id and adds up those of one id in place; with drop_zero, the ones
// that add up to zero go. A list's items come in the order they were made, mostly
// ascending: checked first.
void add_up(std::vector<RefChange>& v, bool drop_zero) {
    auto by_id = [](const RefChange& a, const RefChange& b) { return a.id < b.id; };
    if (!std::is_sorted(v.begin(), v.end(), by_id)) std::sort(v.begin(), v.end(), by_id);
    size_t out = 0;
    for (size_t i = 0; i < v.size();) {
        poll_tick();
        RefChange c = v[i];
        for (++i; i < v.size() && v[i].id == c.id; ++i) c.delta += v[i].delta;
        if (c.delta != 0 || !drop_zero) v[out++] = c;
    }
    v.resize(out);
}

// add_up, then the room ids (kRoomRef, the top bit: they sort last) are moved to `rooms`.
void sort_counts(std::vector<RefChange>& v, std::unordered_map<uint64_t, int64_t>& rooms) {
    add_up(v, true);
    while (!v.empty() && (v.back().id & kRoomRef)) {
        rooms[v.back().id] += v.back().delta;
        v.pop_back();
    }
}

// The entry of id in v (sorted by add_up), or nullptr.
RefChange* count_of(std::vector<RefChange>& v, uint64_t id) {
    auto it = std::lower_bound(v.begin(), v.end(), id,
                               [](const RefChange& c, uint64_t x) { return c.id < x; });
    return it != v.end() && it->id == id ? &*it : nullptr;
}

// The identity map's things: a dropped one comes back from the storage (its object learns
// it is gone; one the query holds gets the properties it held), other dropped things only
// when they hold references.
class MapHeld final : public HeldThings {
public:
    explicit MapHeld(const ThingMap& m) : m_(m) {}
    bool held(uint64_t id) const noexcept override { return m_.size() && m_.find(id); }

private:
    const ThingMap& m_;
};
}  // namespace

void Collection::flush() {
    if (dirty_.empty() && ref_delta_.empty()) return;
    // Reference counts change by the difference between the references a thing held when
    // loaded and the ones it holds now. Every change is one entry of one vector, sorted and
    // added up per id: no node per referenced id (a list of a million new things is a
    // million references of its holder).
    std::vector<RefChange> delta;
    std::vector<ThingWrite> writes;
    writes.reserve(dirty_.size());
    PropsEncoder* enc = st_.props_encoder();
    WriteBytes bytes;  // every write's props, until the storage has written them
    std::string scratch;
    // The chunk rows of the big lists written (chunked_list.h).
    ChunkWrites chunks{{}, {}, &delta, &bytes};
    for (auto& ref : dirty_) {
        Thing* t = ref.get();
        ThingWrite& w = writes.emplace_back();  // in place: reserved, never moved
        w.id = t->id;
        w.type_id = t->type_id;
        w.is_new = t->is_new;
        std::vector<uint64_t> refs;
        if (enc) {
            std::vector<std::shared_ptr<const ListSource>> kept;
            ChunkPlan plan;
            plan_chunks(*this, t, *enc, plan, chunks);
            scratch.clear();
            enc->out = &scratch;
            encode_props(t, &refs, *enc, &kept, &plan);
            enc->out = nullptr;
            account_lazy(t, std::move(kept), delta);
            swap_sources(t, plan);
        } else {
            account_lazy(t, {}, delta);
            scratch = encode_props(t, &refs);
        }
        w.props = bytes.add(scratch);
        w.props_changed = true;
        w.version = t->version;
        delta.reserve(delta.size() + t->old_refs.size() + refs.size());
        for (uint64_t id : t->old_refs) delta.push_back({id, -1});
        for (uint64_t id : refs) delta.push_back({id, 1});
        t->old_refs = std::move(refs);
    }
    scratch = {};
    for (auto& [id, d] : ref_delta_) delta.push_back({id, d});
    ref_delta_.clear();
    // Zeros kept: every id a written thing references has its entry (the worklist below).
    add_up(delta, false);
    const size_t n_dirty = writes.size();
    for (ThingWrite& w : chunks.writes) writes.push_back(w);
    chunks.writes.clear();
    // The write of an id: pairs sorted by id and a binary search, no node per write (a
    // create of a million things makes a million writes). Mostly in order already.
    std::vector<std::pair<uint64_t, size_t>> by_id;
    by_id.reserve(writes.size());
    for (size_t i = 0; i < writes.size(); ++i) by_id.emplace_back(writes[i].id, i);
    if (!std::is_sorted(by_id.begin(), by_id.end())) std::sort(by_id.begin(), by_id.end());
    auto write_of = [&by_id](uint64_t id) {
        auto it = std::lower_bound(by_id.begin(), by_id.end(), std::make_pair(id, size_t{0}));
        return it != by_id.end() && it->first == id ? it->second : SIZE_MAX;
    };
    // A new thing that ends the query unreferenced is never written (below), so the
    // references it holds count for nothing: the new things and rooms only it held are not
    // written either. A worklist, so a long chain of them costs one pass.
    {
        std::vector<size_t> todo;
        for (size_t i = 0; i < writes.size(); ++i) {
            if (!writes[i].is_new) continue;
            RefChange* d = count_of(delta, writes[i].id);
            if (!d || d->delta <= 0) todo.push_back(i);
        }
        std::vector<RefChange> missing;  // none expected: each held id was counted above
        while (!todo.empty()) {
            poll_tick();
            size_t i = todo.back();
            todo.pop_back();
            std::vector<uint64_t> held;
            if (i < n_dirty) {
                held = dirty_[i]->old_refs;
                for (auto& src : dirty_[i]->lazy_refs) lazy_refs_of(*src, held);
            } else {
                held = chunks.held[i - n_dirty];
            }
            for (uint64_t id : held) {
                RefChange* d = count_of(delta, id);
                if (!d) {
                    missing.push_back({id, -1});
                    continue;
                }
                if (--d->delta != 0) continue;
                size_t f = write_of(id);
                if (f != SIZE_MAX && writes[f].is_new) todo.push_back(f);
            }
        }
        if (!missing.empty()) {
            delta.insert(delta.end(), missing.begin(), missing.end());
            add_up(delta, false);
        }
    }
    // New things start from zero references; the root always keeps one. The count of a
    // thing written anyway goes with its write; every other change is one entry of
    // `counts`, in the order of ids (both sorted: one merge), the order the storage writes
    // them in; a drop of many things builds no ThingWrite per thing.
    std::unordered_map<uint64_t, int64_t> rooms;
    std::vector<RefChange> counts;
    {
        size_t w = 0, n = 0;
        for (const RefChange& c : delta) {
            if (c.delta == 0) continue;
            while (w < by_id.size() && by_id[w].first < c.id) ++w;
            if (w < by_id.size() && by_id[w].first == c.id)
                writes[by_id[w].second].refs_delta += c.delta;
            else if (c.id & kRoomRef)
                rooms[c.id] += c.delta;
            else
                delta[n++] = c;  // in place: n never passes the entry read
        }
        delta.resize(n);
        counts = std::move(delta);
        delta = {};
    }
    write_rooms(rooms);  // the room ids (kRoomRef)
    // A new thing that ended up unreferenced is never written at all.
    writes.erase(std::remove_if(writes.begin(), writes.end(),
                                [](const ThingWrite& w) { return w.is_new && w.refs_delta <= 0; }),
                 writes.end());
    // One pass: a thing whose count reaches zero is deleted by the storage at
    // once (not updated first), and what it held is released in the next round,
    // level by level: a tree of depth d takes d rounds, each one pass over the
    // rows of its level, whatever its width.
    MapHeld held_things(things_);
    DroppedThings gone = st_.write_and_drop(row_.id, writes, counts, &held_things);
    counts = {};
    for (auto& ref : dirty_) {
        ref->dirty = false;
        ref->is_new = false;
        ref->version += 1;
    }
    dirty_.clear();
    created_.clear();
    // Release what nobody references any more, transitively. The rounds are
    // a loop (no recursion): a chain of any length needs no stack.
    std::vector<uint64_t> held_refs;
    while (!gone.empty()) {
        st_.check_interrupts();
        std::vector<RefChange> dec;
        for (size_t i = 0; i < gone.size(); ++i) {
            poll_tick();
            uint64_t id = gone.rows[i].id;
            if (Thing* held = things_.size() ? things_.find(id) : nullptr) {
                // Still held by a value of the query (a result, a variable):
                // it lives on as a thing that is no longer stored. A stub
                // only the identity map holds dies with its entry: nobody
                // can read its properties.
                if (!held->loaded && held->refs > 1) fill(held, gone.thing(i));
                held->coll = nullptr;
                held->id = 0;
                things_.erase(id);
            }
            held_refs.clear();
            refs_of(gone.rows[i].decoder, gone.props(i), held_refs);
            for (uint64_t r : held_refs) dec.push_back({r, -1});
        }
        std::unordered_map<uint64_t, int64_t> rooms;
        sort_counts(dec, rooms);
        write_rooms(rooms);
        gone = dec.empty() ? DroppedThings{} : st_.write_and_drop(row_.id, {}, dec, &held_things);
    }
}

}  // namespace tdb
