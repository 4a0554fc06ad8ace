// ListObj's items read one at a time from their source, or all at once (lazy_list.h).
#include "core/model/lazy_list.h"

#include <algorithm>

#include "core/api/error.h"
#include "core/model/chunked_list.h"
#include "core/model/poll.h"
#include "core/model/thing.h"

namespace tdb {

namespace {
size_t g_items_decoded = 0;
}  // namespace

size_t lazy_items_decoded() { return g_items_decoded; }

ListObj::ListObj() = default;

ListObj::~ListObj() {
    if (!lazy) return;
    if (lazy->coll) lazy->coll->forget_lazy(lazy);
    delete lazy;
}

Value make_lazy_list(Collection* c, std::shared_ptr<const ListSource> src) {
    auto* l = new ListObj();
    Value v = Value::obj(VT::List, l);
    auto* z = new LazyItems();
    z->src = std::move(src);
    l->lazy = z;
    if (c) {
        z->coll = c;
        c->keep_lazy(z);
    }
    return v;
}

const ListSource* intact_source(const ListObj* l) {
    return l->lazy && !l->lazy->changed ? l->lazy->src.get() : nullptr;
}

size_t ListObj::size() const {
    if (!lazy) return vec_.size();
    return lazy->edits ? edits_size(*lazy) : lazy->src->size();
}

Value ListObj::at(size_t i) const {
    if (!lazy) return vec_[i];
    if (lazy->edits) return edits_at(*lazy, i);
    auto it = lazy->taken.find(i);
    if (it != lazy->taken.end()) return it->second;
    ++g_items_decoded;
    Value v = PropsBuilder::list_item(lazy->coll, *lazy->src, i);
    lazy->taken.emplace(i, v);
    return v;
}

void ListObj::set_at(size_t i, Value v) {
    if (!lazy) {
        vec_[i] = std::move(v);
        return;
    }
    if (lazy->edits) {
        edits_set(*lazy, i, std::move(v));
        return;
    }
    lazy->taken[i] = std::move(v);
    lazy->changed = true;
    lazy->set.push_back(i);
}

void ListObj::splice(size_t i, size_t del, std::vector<Value>& ins, std::vector<Value>* removed) {
    if (lazy && chunked_source(*lazy)) {
        edits_splice(*lazy, i, del, ins, removed);
        return;
    }
    std::vector<Value>& v = items();
    auto first = v.begin() + static_cast<std::ptrdiff_t>(i);
    auto last = first + static_cast<std::ptrdiff_t>(del);
    if (removed) removed->insert(removed->end(), first, last);
    if (del == ins.size()) {
        std::move(ins.begin(), ins.end(), first);
        return;
    }
    v.erase(first, last);
    v.insert(v.begin() + static_cast<std::ptrdiff_t>(i), std::make_move_iterator(ins.begin()),
             std::make_move_iterator(ins.end()));
}

void ListObj::decode_all() const {
    if (!lazy) return;
    std::vector<Value> all;
    g_items_decoded += size();
    if (lazy->edits)
        edits_all(*lazy, all);
    else
        PropsBuilder::list_items(lazy->coll, *lazy->src, all, nullptr);
    // The items taken one at a time stay the values the query holds.
    for (auto& [i, v] : lazy->taken) {
        poll_tick();
        all[i] = std::move(v);
    }
    LazyItems* z = lazy;
    lazy = nullptr;
    if (z->coll) z->coll->forget_lazy(z);
    delete z;
    vec_ = std::move(all);
}

Value ItemCursor::at(size_t i) {
    // A chunked list changed by splices is read whole (its chunks are no longer one source).
    if (l_->lazy && l_->lazy->edits) l_->decode_all();
    if (!l_->lazy) {
        release();
        return l_->items()[i];
    }
    if (i >= from_ && i - from_ < run_.size()) return run_[i - from_];
    release();
    LazyItems* z = l_->lazy;
    size_t to = std::min(z->src->size(), i + kItemRun);
    from_ = i;
    coll_ = z->coll;
    g_items_decoded += to - i;
    if (coll_)
        coll_->read_run(*z->src, i, to, run_, made_);
    else
        PropsBuilder::list_range(nullptr, *z->src, i, to, run_);
    // Items read or set one at a time are the values the query holds.
    if (!z->taken.empty())
        for (size_t k = i; k < to; ++k) {
            poll_tick();
            auto it = z->taken.find(k);
            if (it != z->taken.end()) run_[k - i] = it->second;
        }
    return run_[0];
}

void ItemCursor::release() noexcept {
    run_.clear();
    if (coll_ && !made_.empty()) coll_->let_go(made_);
    made_.clear();
}

}  // namespace tdb
