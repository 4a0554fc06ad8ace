// ChunkedList (chunked_list.h): the items of a big list read from its chunk rows.
#include "core/model/chunked_list.h"

#include <algorithm>
#include <string>

#include "core/api/error.h"
#include "core/model/lazy_list.h"
#include "core/model/poll.h"
#include "core/model/thing.h"

namespace tdb {

namespace {

[[noreturn]] void bad_chunk(uint64_t id, const std::string& why) {
    raise(BAD_DATA_ERR, "stored list chunk " + std::to_string(id) + " " + why);
}

// The items of a chunk the decoder gave as values (a run too short to be kept as stored).
class ValuesSource final : public ListSource {
public:
    ValuesSource(Value list, std::vector<uint64_t> refs)
        : list_(std::move(list)), refs_(std::move(refs)) {}
    // The ids the items reference, as read (the values hold things, not references).
    const std::vector<uint64_t>& refs() const { return refs_; }
    size_t size() const override { return list_.list()->items().size(); }
    void items(size_t from, size_t to, PropsBuilder& b) const override {
        const std::vector<Value>& v = list_.list()->items();
        for (size_t i = from; i < to; ++i) b.value(v[i]);
    }

private:
    Value list_;
    std::vector<uint64_t> refs_;
};

}  // namespace

std::vector<uint32_t> chunk_counts(size_t n) {
    std::vector<uint32_t> out;
    if (n == 0) return out;
    size_t k = (n + kChunkItems - 1) / kChunkItems;
    for (size_t i = 0; i < k; ++i) out.push_back(static_cast<uint32_t>(n / k + (i < n % k)));
    return out;
}

ChunkedList::ChunkedList(uint64_t coll_id, std::vector<uint64_t> ids, std::vector<uint32_t> counts)
    : coll_id_(coll_id), ids_(std::move(ids)), counts_(std::move(counts)) {
    versions_.assign(counts_.size(), -1);
    starts_.reserve(counts_.size());
    for (uint32_t n : counts_) {
        starts_.push_back(total_);
        total_ += n;
    }
}

const ListSource& ChunkedList::chunk(size_t k, Collection& c) const {
    if (cached_ == k) return *cached_src_;
    cached_ = SIZE_MAX;
    cached_src_.reset();
    c.storage().check_interrupts();
    StoredThing st;
    if (!c.storage().load_thing(coll_id_, ids_[k], st)) bad_chunk(ids_[k], "is missing");
    if (st.type_id != kChunkType || !st.decoder) bad_chunk(ids_[k], "is no chunk");
    // Kept once known: a write of this query raises it past what the call's snapshot shows.
    if (versions_[k] < 0) versions_[k] = st.version;
    Thing tmp;                   // the chunk's one property; its list kept as stored when it can be
    --things_made;               // no thing of the query (Limits::max_things)
    std::vector<uint64_t> refs;  // of the items decoded (a list kept as stored lists none)
    {
        PropsBuilder b(c, &tmp, &refs);
        b.set_row(&st);
        st.decoder->decode(st.bin(), b);
    }
    if (tmp.props_.size() != 1 || tmp.props_[0].key != kChunkKey || !tmp.props_[0].val.is(VT::List))
        bad_chunk(ids_[k], "is no run of items");
    std::shared_ptr<const ListSource> src;
    if (!tmp.lazy_refs.empty())
        src = tmp.lazy_refs[0];
    else
        src = std::make_shared<ValuesSource>(tmp.props_[0].val, std::move(refs));
    if (src->size() != counts_[k])
        bad_chunk(ids_[k], "holds " + std::to_string(src->size()) + " items, its list counts " +
                               std::to_string(counts_[k]));
    cached_src_ = std::move(src);
    cached_ = k;
    return *cached_src_;
}

void ChunkedList::chunk_refs(size_t k, Collection& c, std::vector<uint64_t>& out) const {
    auto w = written_refs_.find(k);
    if (w != written_refs_.end()) {
        out.insert(out.end(), w->second.begin(), w->second.end());
        return;
    }
    const ListSource& s = chunk(k, c);
    if (const auto* v = dynamic_cast<const ValuesSource*>(&s))
        out.insert(out.end(), v->refs().begin(), v->refs().end());
    else
        PropsBuilder::list_refs(s, out);
}

size_t ChunkedList::chunk_of(size_t i) const {
    return static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), i) -
                               starts_.begin()) -
           1;
}

void ChunkedList::items(size_t from, size_t to, PropsBuilder& b) const {
    Collection* c = b.collection();
    if (!c || c->id() != coll_id_)
        raise(OPERATION_ERR, "a stored list cannot be read once its collection is closed");
    if (from >= to) return;
    size_t k = chunk_of(from);
    while (from < to) {
        const ListSource& s = chunk(k, *c);
        size_t a = from - starts_[k];
        size_t e = std::min<size_t>(counts_[k], to - starts_[k]);
        s.items(a, e, b);
        from = starts_[k] + e;
        ++k;
    }
}

// ---- splices of a chunked list ----

namespace {

const ChunkedList& source_of(const LazyItems& z) { return *as_chunked(z.src.get()); }

Collection& coll_of(const LazyItems& z) {
    if (!z.coll) raise(OPERATION_ERR, "a stored list cannot be read once its collection is closed");
    return *z.coll;
}

void load(LazyItems& z, ChunkSeg& s) {
    if (s.loaded) return;
    Collection& c = coll_of(z);
    PropsBuilder::list_items(&c, source_of(z).chunk(s.orig, c), s.items, nullptr);
    s.loaded = true;
}

// The segments standing for the source's chunks, with the items set one at a time.
ChunkEdits& edits_of(LazyItems& z) {
    if (z.edits) return *z.edits;
    const ChunkedList& c = source_of(z);
    auto e = std::make_shared<ChunkEdits>();
    e->segs.resize(c.chunk_ids().size());
    for (size_t k = 0; k < e->segs.size(); ++k) {
        e->segs[k].orig = k;
        e->segs[k].count = c.counts()[k];
    }
    e->total = c.size();
    for (size_t i : z.set) {
        poll_tick();
        ChunkSeg& s = e->segs[c.chunk_of(i)];
        load(z, s);
        s.items[i - c.start(c.chunk_of(i))] = z.taken[i];
        s.dirty = true;
    }
    z.taken.clear();
    z.set.clear();
    z.edits = std::move(e);
    return *z.edits;
}

// The segment holding item i (< total), its offset in *off.
size_t seg_of(const ChunkEdits& e, size_t i, size_t* off) {
    for (size_t k = 0; k < e.segs.size(); ++k) {
        poll_tick();
        if (i < e.segs[k].count) {
            *off = i;
            return k;
        }
        i -= e.segs[k].count;
    }
    raise(LOOKUP_ERR, "index out of range");
}

}  // namespace

bool chunked_source(const LazyItems& z) { return as_chunked(z.src.get()) != nullptr; }

size_t edits_size(const LazyItems& z) { return z.edits->total; }

Value edits_at(LazyItems& z, size_t i) {
    ChunkEdits& e = *z.edits;
    size_t off = 0;
    ChunkSeg& s = e.segs[seg_of(e, i, &off)];
    load(z, s);
    return s.items[off];
}

void edits_set(LazyItems& z, size_t i, Value v) {
    ChunkEdits& e = *z.edits;
    size_t off = 0;
    ChunkSeg& s = e.segs[seg_of(e, i, &off)];
    load(z, s);
    s.items[off] = std::move(v);
    s.dirty = true;
    z.changed = true;
}

// The segments holding [i, i + del) (at the end: the last one) become one with `ins` in
// place of the items removed, cut again when it grows past two chunks; an empty one goes.
// The other segments are neither read nor changed.
void edits_splice(LazyItems& z, size_t i, size_t del, std::vector<Value>& ins,
                  std::vector<Value>* removed) {
    ChunkEdits& e = edits_of(z);
    if (del == 0 && ins.empty()) return;
    z.changed = true;
    std::vector<Value> merged;
    size_t a = 0, b = 0, off = 0;
    if (e.segs.empty()) {
        e.segs.emplace_back();
        e.segs[0].loaded = true;
    } else if (i == e.total) {
        a = b = e.segs.size() - 1;
        off = e.segs[a].count;
    } else {
        a = seg_of(e, i, &off);
        size_t end_off = 0;
        b = del ? seg_of(e, i + del - 1, &end_off) : a;
    }
    for (size_t k = a; k <= b; ++k) load(z, e.segs[k]);
    size_t left = del;
    for (size_t k = a; k <= b; ++k) {
        std::vector<Value>& it = e.segs[k].items;
        size_t from = k == a ? off : 0;
        if (k == a) merged.insert(merged.end(), it.begin(), it.begin() + from);
        size_t to = std::min(it.size(), from + left);
        if (removed) removed->insert(removed->end(), it.begin() + from, it.begin() + to);
        left -= to - from;
        if (k == a)
            merged.insert(merged.end(), std::make_move_iterator(ins.begin()),
                          std::make_move_iterator(ins.end()));
        merged.insert(merged.end(), it.begin() + to, it.end());
    }
    e.total = e.total - del + ins.size();
    std::vector<ChunkSeg> with;
    if (!merged.empty()) {
        std::vector<uint32_t> counts = merged.size() <= 2 * kChunkItems
                                           ? std::vector<uint32_t>{uint32_t(merged.size())}
                                           : chunk_counts(merged.size());
        size_t at = 0;
        for (size_t k = 0; k < counts.size(); ++k) {
            ChunkSeg s;
            s.orig = k == 0 ? e.segs[a].orig : SIZE_MAX;
            s.count = counts[k];
            s.loaded = true;
            s.dirty = true;
            s.items.assign(std::make_move_iterator(merged.begin() + at),
                           std::make_move_iterator(merged.begin() + at + counts[k]));
            at += counts[k];
            with.push_back(std::move(s));
        }
    }
    e.segs.erase(e.segs.begin() + a, e.segs.begin() + b + 1);
    e.segs.insert(e.segs.begin() + a, std::make_move_iterator(with.begin()),
                  std::make_move_iterator(with.end()));
}

void edits_all(LazyItems& z, std::vector<Value>& out) {
    ChunkEdits& e = *z.edits;
    out.clear();
    out.reserve(e.total);
    std::vector<Value> run;
    for (ChunkSeg& s : e.segs) {
        coll_of(z).storage().check_interrupts();
        if (s.loaded) {
            out.insert(out.end(), s.items.begin(), s.items.end());
            continue;
        }
        Collection& c = coll_of(z);
        PropsBuilder::list_items(&c, source_of(z).chunk(s.orig, c), run, nullptr);
        out.insert(out.end(), std::make_move_iterator(run.begin()),
                   std::make_move_iterator(run.end()));
    }
}

// ---- writing ----

namespace {

// Writes a chunk row holding `items`: a new one (id 0 takes a new id) or an update at
// `version`; the ids it references are counted in. Returns its id.
uint64_t write_chunk(Collection& c, PropsEncoder& enc, ChunkWrites& w, uint64_t id, int64_t version,
                     std::vector<Value> items) {
    c.storage().check_interrupts();
    Thing run;      // the chunk's one property: its run of items
    --things_made;  // no thing of the query (Limits::max_things)
    auto* rl = new ListObj();
    Value rv = Value::obj(VT::List, rl);
    rl->vec_ = std::move(items);
    run.type_id = kChunkType;
    run.props_.push_back(Prop{kChunkKey, std::move(rv)});
    ThingWrite& tw = w.writes.emplace_back();
    tw.id = id ? id : c.storage().new_thing_id();
    tw.type_id = kChunkType;
    tw.is_new = id == 0;
    tw.props_changed = true;
    tw.version = version;
    std::vector<uint64_t>& refs = w.held.emplace_back();
    std::string bytes;
    enc.out = &bytes;
    encode_props(&run, &refs, enc);
    enc.out = nullptr;
    tw.props = w.bytes->add(bytes);
    for (uint64_t r : refs) w.delta->push_back({r, 1});
    return tw.id;
}

// The references chunk k of src holds as stored, given back.
void release_chunk(Collection& c, const ChunkedList& src, size_t k, ChunkWrites& w) {
    std::vector<uint64_t> old;
    src.chunk_refs(k, c, old);
    for (uint64_t r : old) w.delta->push_back({r, -1});
}

// Only items set (LazyItems::set): the chunks holding them are written in place.
void write_set_items(Collection& c, LazyItems& z, const ChunkedList& src, PropsEncoder& enc,
                     ChunkWrites& w) {
    std::vector<size_t> set = std::move(z.set);
    z.set.clear();
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    for (size_t a = 0; a < set.size();) {
        size_t k = src.chunk_of(set[a]);
        std::vector<Value> items;
        PropsBuilder::list_items(&c, src.chunk(k, c), items, nullptr);
        release_chunk(c, src, k, w);
        size_t end = src.start(k) + src.counts()[k];
        for (; a < set.size() && set[a] < end; ++a) items[set[a] - src.start(k)] = z.taken[set[a]];
        write_chunk(c, enc, w, src.chunk_ids()[k], src.version(k), std::move(items));
        src.wrote(k);
        src.set_refs(k, w.held.back());
    }
}

// Spliced (LazyItems::edits): each segment changed is written, in place when it is the
// first to stand for its chunk, else as a new chunk; a chunk no segment stands for any
// more is written empty and let go by the parent (its count of references reaches zero).
void write_edits(Collection& c, ListObj* l, const ChunkedList& src, PropsEncoder& enc,
                 ChunkPlan& plan, ChunkWrites& w) {
    ChunkEdits& e = *l->lazy->edits;
    std::vector<char> used(src.chunk_ids().size(), 0);
    ChunkPlan::Entry entry;
    entry.list = l;
    entry.keeps_source = true;
    std::vector<int64_t> versions;
    std::unordered_map<size_t, std::vector<uint64_t>> written;  // by position in the new list
    for (ChunkSeg& s : e.segs) {
        bool own = s.orig != SIZE_MAX && !used[s.orig];
        uint64_t id = 0;
        int64_t version = 1;
        if (own) {
            used[s.orig] = 1;
            id = src.chunk_ids()[s.orig];
            if (s.dirty) {
                release_chunk(c, src, s.orig, w);
                write_chunk(c, enc, w, id, src.version(s.orig), s.items);
                src.wrote(s.orig);
                written[entry.ids.size()] = w.held.back();
            }
            version = src.version(s.orig);
        } else {
            id = write_chunk(c, enc, w, 0, 0, s.items);
            w.delta->push_back({id, 1});  // held by the parent
            written[entry.ids.size()] = w.held.back();
        }
        entry.ids.push_back(id);
        entry.counts.push_back(static_cast<uint32_t>(s.count));
        versions.push_back(version);
    }
    for (size_t k = 0; k < used.size(); ++k) {
        if (used[k]) continue;
        release_chunk(c, src, k, w);
        write_chunk(c, enc, w, src.chunk_ids()[k], src.version(k), {});
        w.delta->push_back({src.chunk_ids()[k], -1});
    }
    auto next = std::make_shared<ChunkedList>(c.id(), entry.ids, entry.counts);
    for (size_t k = 0; k < versions.size(); ++k) next->set_version(k, versions[k]);
    for (auto& [k, refs] : written) next->set_refs(k, std::move(refs));
    entry.new_src = std::move(next);
    plan.lists.push_back(std::move(entry));
}

}  // namespace

void plan_chunks(Collection& c, Thing* t, PropsEncoder& enc, ChunkPlan& plan, ChunkWrites& w) {
    for (const Prop& p : t->props_) {
        if (!p.val.is(VT::List) || intact_source(p.val.list())) continue;
        ListObj* l = p.val.list();
        if (l->lazy && chunked_source(*l->lazy)) {
            const ChunkedList& src = *as_chunked(l->lazy->src.get());
            if (l->lazy->edits) {
                write_edits(c, l, src, enc, plan, w);
            } else {
                write_set_items(c, *l->lazy, src, enc, w);
                plan.lists.push_back({l, src.chunk_ids(), src.counts(), true, nullptr});
            }
            continue;
        }
        if (l->size() < kChunkMinItems) continue;
        const std::vector<Value>& items = l->items();
        ChunkPlan::Entry e;
        e.list = l;
        e.counts = chunk_counts(items.size());
        size_t at = 0;
        for (uint32_t n : e.counts) {
            std::vector<Value> run(items.begin() + static_cast<std::ptrdiff_t>(at),
                                   items.begin() + static_cast<std::ptrdiff_t>(at + n));
            at += n;
            e.ids.push_back(write_chunk(c, enc, w, 0, 0, std::move(run)));
        }
        plan.lists.push_back(std::move(e));
    }
}

void swap_sources(Thing* t, ChunkPlan& plan) {
    for (ChunkPlan::Entry& e : plan.lists) {
        if (!e.new_src) continue;
        LazyItems* z = e.list->lazy;
        for (auto& s : t->lazy_refs)
            if (s == z->src) s = e.new_src;
        z->src = e.new_src;
        // Every segment now stands for the chunk of its position, as written.
        for (size_t k = 0; k < z->edits->segs.size(); ++k) {
            z->edits->segs[k].orig = k;
            z->edits->segs[k].dirty = false;
        }
    }
}

}  // namespace tdb
