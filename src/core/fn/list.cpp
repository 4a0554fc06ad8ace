// Methods of list and tuple (ThingsDB's `list` data type).
//
// A tuple is a ListObj with the tuple flag; ThingsDB simply does not define
// the mutating methods for it, so they answer "type `tuple` has no function".
// Methods that produce a new list (map, filter, sort, reverse, ...) never
// change the receiver; mutating ones lock-check, change, then notify.
#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/lang/value_index.h"
#include "core/model/lazy_list.h"
#include "core/model/poll.h"
#include "core/model/thing.h"
#include "core/model/restrict.h"
#include "core/model/value.h"
#include "core/schema/types.h"

namespace tdb {
namespace {

ListObj* L(Value* self) { return self->list(); }

// Closures run while it is iterated: marked in use (value.h).
using InUse = InUseMark<ListObj>;

// Mutating methods exist for lists only: on a tuple ThingsDB's lookup fails.
void require_list(Value* self, const char* name) {
    if (L(self)->tuple) raisef(LOOKUP_ERR, "type `tuple` has no function `%s`", name);
}

// The common prologue of a mutating method: tuple check, argument count
// (done by the caller before), then the in-use check.
// ThingsDB's ti_query_test_varr_operation, then its lock: a list a stored
// thing holds changes only in a query that is a change. A variable shares
// that list, and the binder does not count `var.push(..)` as a change.
void mutating(Query& q, Value* self) {
    const Thing* owner = self->list()->owner.thing;
    if (owner && owner->stored() && !q.is_change())
        raisef(OPERATION_ERR, "operation on a stored list; %s(...)` to enforce a change",
               q.enforce_hint());
    q.check_not_in_use(*self);
}

// n: the size the list would have. A list of exactly max_list items is
// allowed (thingsdb.max_list_size is the most items a list may hold).
void check_quota(Query&, size_t n) { check_list_size(n); }

Value put(Query& q, ListObj* l, Value v) {
    return q.assignable_to(std::move(v), l->owner.thing, l->owner.key, Query::Into::List);
}

Value idx(size_t i) { return Value::integer(static_cast<int64_t>(i)); }

Value new_list(std::vector<Value> items = {}) { return make_list(std::move(items)); }

[[noreturn]] void not_array(const char* fn, const Value& got) {
    raisef(TYPE_ERR,
           "function `%s` expects argument 1 to be of type `list` or type `tuple` "
           "but got type `%s` instead",
           fn, type_name(got));
}

}  // namespace

// --- mutating -------------------------------------------------------------

Value m_list_push(Query& q, Value* self, Args& a) {
    require_list(self, "push");
    a.at_least(1);
    mutating(q, self);
    ListObj* l = L(self);
    size_t old = l->size();
    check_quota(q, old + a.size());
    std::vector<Value> add;
    add.reserve(a.size());
    {
        InUse lock(l);  // like ThingsDB's lock: the arguments cannot change l
        for (int i = 0; i < a.size(); ++i) add.push_back(put(q, l, a.eval(i)));
    }
    size_t n = add.size();
    l->splice(old, 0, add, nullptr);
    q.list_splice(l, old, 0, n);
    return Value::integer(static_cast<int64_t>(l->size()));
}

Value m_list_unshift(Query& q, Value* self, Args& a) {
    require_list(self, "unshift");
    a.at_least(1);
    mutating(q, self);
    ListObj* l = L(self);
    check_quota(q, l->size() + a.size());
    std::vector<Value> add;
    add.reserve(a.size());
    {
        InUse lock(l);
        for (int i = 0; i < a.size(); ++i) add.push_back(put(q, l, a.eval(i)));
    }
    size_t n = add.size();
    l->splice(0, 0, add, nullptr);
    q.list_splice(l, 0, 0, n);
    return Value::integer(static_cast<int64_t>(l->size()));
}

Value m_list_pop(Query& q, Value* self, Args& a) {
    require_list(self, "pop");
    a.exactly(0);
    mutating(q, self);
    ListObj* l = L(self);
    if (l->size() == 0) raise(LOOKUP_ERR, "pop from empty list");
    std::vector<Value> none, gone;
    l->splice(l->size() - 1, 1, none, &gone);
    q.list_splice(l, l->size(), 1, 0);
    return gone[0];
}

Value m_list_shift(Query& q, Value* self, Args& a) {
    require_list(self, "shift");
    a.exactly(0);
    mutating(q, self);
    ListObj* l = L(self);
    if (l->size() == 0) raise(LOOKUP_ERR, "shift from empty list");
    std::vector<Value> none, gone;
    l->splice(0, 1, none, &gone);
    q.list_splice(l, 0, 1, 0);
    return gone[0];
}

// splice(index, count, items...): ThingsDB clamps index and count instead
// of raising, and returns the removed items.
Value m_list_splice(Query& q, Value* self, Args& a) {
    require_list(self, "splice");
    a.at_least(2);
    mutating(q, self);
    ListObj* l = L(self);
    InUse lock(l);  // the arguments cannot change l meanwhile
    int64_t i = a.int_arg(0);
    int64_t c = a.int_arg(1);
    int64_t n = static_cast<int64_t>(l->size());
    if (i < 0) i += n;
    if (i < 0) {
        c += i;
        i = 0;
    }
    if (i > n) i = n;
    if (c < 0) c = 0;
    if (c > n - i) c = n - i;
    int nadd = a.size() - 2;
    check_quota(q, static_cast<size_t>(n - c + nadd));
    std::vector<Value> add;
    add.reserve(nadd);
    for (int k = 0; k < nadd; ++k) add.push_back(put(q, l, a.eval(k + 2)));
    std::vector<Value> removed;
    size_t added = add.size();
    l->splice(static_cast<size_t>(i), static_cast<size_t>(c), add, &removed);
    if (c || nadd) q.list_splice(l, static_cast<size_t>(i), static_cast<size_t>(c), added);
    return new_list(std::move(removed));
}

// The list argument of extend/extend_unique, evaluated while `l` is locked
// (the argument cannot change the list it extends).
static Value list_argument(ListObj* l, Args& a, const char* fn) {
    Value src;
    {
        InUse lock(l);
        src = a.eval(0);
    }
    if (!src.is(VT::List)) not_array(fn, src);
    return src;
}

Value m_list_extend(Query& q, Value* self, Args& a) {
    require_list(self, "extend");
    a.exactly(1);
    mutating(q, self);
    ListObj* l = L(self);
    Value src = list_argument(l, a, "extend");
    // Copy first: `x.extend(x)` must add the old items once.
    std::vector<Value> items = src.list()->items();
    size_t old = l->size();
    check_quota(q, old + items.size());
    // Every item is checked before the first goes in: a rejected one
    // changes nothing.
    std::vector<Value> checked;
    checked.reserve(items.size());
    for (auto& v : items) {
        q.poll();
        checked.push_back(put(q, l, std::move(v)));
    }
    l->splice(old, 0, checked, nullptr);
    if (!items.empty()) q.list_splice(l, old, 0, items.size());
    return Value::integer(static_cast<int64_t>(l->size()));
}

// extend_unique(list): like extend, but skips values already present.
Value m_list_extend_unique(Query& q, Value* self, Args& a) {
    require_list(self, "extend_unique");
    a.exactly(1);
    mutating(q, self);
    ListObj* l = L(self);
    Value src = list_argument(l, a, "extend_unique");
    std::vector<Value> items = src.list()->items();
    size_t old = l->items().size();
    ValueIndex seen;  // the list's items and those added, under `==`
    for (const Value& have : l->items()) seen.add(have);
    for (auto& v : items) {
        if (!seen.add(v)) continue;
        check_quota(q, l->items().size() + 1);
        l->items().push_back(put(q, l, std::move(v)));
    }
    if (l->items().size() > old) q.list_splice(l, old, 0, l->items().size() - old);
    return Value::integer(static_cast<int64_t>(l->items().size()));
}

Value m_list_clear(Query& q, Value* self, Args& a) {
    require_list(self, "clear");
    a.exactly(0);
    mutating(q, self);
    ListObj* l = L(self);
    size_t n = l->items().size();
    l->items().clear();
    if (n) q.list_splice(l, 0, n, 0);
    return Value::nil();
}

// remove(closure, limit?): removes every item the closure accepts (at most
// `limit`; a negative limit searches from the end) and returns them.
Value m_list_remove(Query& q, Value* self, Args& a) {
    require_list(self, "remove");
    a.between(1, 2);
    mutating(q, self);
    ListObj* l = L(self);
    std::vector<size_t> hits;
    {
        InUse lock(l);
        Value fn = a.closure_arg(0);
        int64_t limit = a.size() == 2 ? a.int_arg(1) : LLONG_MAX;
        size_t n = l->items().size();
        if (limit >= 0) {
            for (size_t i = 0; i < n && static_cast<int64_t>(hits.size()) != limit; ++i) {
                q.poll();
                if (truthy(q.call(fn, {l->items()[i], idx(i)}))) hits.push_back(i);
            }
        } else {
            int64_t lim = limit == LLONG_MIN ? LLONG_MAX : -limit;
            for (size_t i = n; i-- > 0 && static_cast<int64_t>(hits.size()) != lim;) {
                q.poll();
                if (truthy(q.call(fn, {l->items()[i], idx(i)}))) hits.push_back(i);
            }
            std::vector<size_t> rev(hits.rbegin(), hits.rend());
            hits.swap(rev);
        }
    }
    if (hits.empty()) return new_list();
    std::vector<Value> removed;
    removed.reserve(hits.size());
    for (size_t i : hits) removed.push_back(l->items()[i]);
    // One pass keeps the others (an erase per hit would move the tail each
    // time); the splices are reported from the back, as erased one by one.
    size_t keep = hits[0], h = 0;
    for (size_t i = hits[0]; i < l->items().size(); ++i) {
        q.poll();
        if (h < hits.size() && hits[h] == i)
            ++h;
        else
            l->items()[keep++] = std::move(l->items()[i]);
    }
    l->items().resize(keep);
    for (size_t k = hits.size(); k-- > 0;) q.list_splice(l, hits[k], 1, 0);
    return new_list(std::move(removed));
}

// fill(value): sets every item to value; returns the list itself.
Value m_list_fill(Query& q, Value* self, Args& a) {
    require_list(self, "fill");
    a.exactly(1);
    mutating(q, self);
    ListObj* l = L(self);
    Value v;
    {
        InUse lock(l);
        v = a.eval(0);
    }
    for (auto& item : l->items()) {
        q.poll();
        item = put(q, l, v);
    }
    if (!l->items().empty()) q.list_splice(l, 0, l->items().size(), l->items().size());
    return *self;
}

// --- reading --------------------------------------------------------------

Value m_list_len(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::integer(static_cast<int64_t>(L(self)->size()));
}

Value m_list_map(Query& q, Value* self, Args& a) {
    a.exactly(1);
    ListObj* l = L(self);
    InUse lock(l);
    Value fn = a.closure_arg(0);
    ItemCursor items(l);
    std::vector<Value> out;
    out.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
        q.poll();
        out.push_back(q.assignable(q.call(fn, {items.at(i), idx(i)}), nullptr, true));
    }
    return new_list(std::move(out));
}

Value m_list_filter(Query& q, Value* self, Args& a) {
    a.exactly(1);
    ListObj* l = L(self);
    InUse lock(l);
    Value fn = a.closure_arg(0);
    ItemCursor items(l);
    std::vector<Value> out;
    for (size_t i = 0; i < items.size(); ++i) {
        q.poll();
        Value item = items.at(i);
        if (truthy(q.call(fn, {item, idx(i)}))) out.push_back(std::move(item));
    }
    return new_list(std::move(out));
}

Value m_list_each(Query& q, Value* self, Args& a) {
    a.exactly(1);
    ListObj* l = L(self);
    InUse lock(l);
    Value fn = a.closure_arg(0);
    ItemCursor items(l);
    for (size_t i = 0; i < items.size(); ++i) {
        q.poll();
        q.call(fn, {items.at(i), idx(i)});
    }
    return Value::nil();
}

// find(closure, alt?): the first accepted item, else alt (evaluated only
// then) or nil.
Value m_list_find(Query& q, Value* self, Args& a) {
    a.between(1, 2);
    ListObj* l = L(self);
    InUse lock(l);
    Value fn = a.closure_arg(0);
    ItemCursor items(l);
    for (size_t i = 0; i < items.size(); ++i) {
        q.poll();
        Value item = items.at(i);
        if (truthy(q.call(fn, {item, idx(i)}))) return item;
    }
    return a.size() == 2 ? a.eval(1) : Value::nil();
}

Value m_list_find_index(Query& q, Value* self, Args& a) {
    a.exactly(1);
    ListObj* l = L(self);
    InUse lock(l);
    Value fn = a.closure_arg(0);
    ItemCursor items(l);
    for (size_t i = 0; i < items.size(); ++i) {
        q.poll();
        if (truthy(q.call(fn, {items.at(i), idx(i)}))) return idx(i);
    }
    return Value::nil();
}

Value m_list_index_of(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value v = a.eval(0);
    ListObj* l = L(self);
    for (size_t i = 0; i < l->items().size(); ++i) {
        q.poll();
        if (equals(l->items()[i], v)) return idx(i);
    }
    return Value::nil();
}

Value m_list_has(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value v = a.eval(0);
    for (auto& item : L(self)->items()) {
        q.poll();
        if (equals(item, v)) return Value::boolean(true);
    }
    return Value::boolean(false);
}

Value m_list_some(Query& q, Value* self, Args& a) {
    a.exactly(1);
    ListObj* l = L(self);
    InUse lock(l);
    Value fn = a.closure_arg(0);
    ItemCursor items(l);
    for (size_t i = 0; i < items.size(); ++i) {
        q.poll();
        if (truthy(q.call(fn, {items.at(i), idx(i)}))) return Value::boolean(true);
    }
    return Value::boolean(false);
}

Value m_list_every(Query& q, Value* self, Args& a) {
    a.exactly(1);
    ListObj* l = L(self);
    InUse lock(l);
    Value fn = a.closure_arg(0);
    ItemCursor items(l);
    for (size_t i = 0; i < items.size(); ++i) {
        q.poll();
        if (!truthy(q.call(fn, {items.at(i), idx(i)}))) return Value::boolean(false);
    }
    return Value::boolean(true);
}

// reduce(closure, initial?): closure(accumulator, item, index).
Value m_list_reduce(Query& q, Value* self, Args& a) {
    a.between(1, 2);
    ListObj* l = L(self);
    InUse lock(l);
    Value fn = a.closure_arg(0);
    size_t start = 0;
    Value acc;
    if (a.size() == 2) {
        acc = a.eval(1);
    } else if (l->size() == 0) {
        raise(LOOKUP_ERR, "reduce on empty list with no initial value set");
    }
    ItemCursor items(l);
    if (a.size() != 2) {
        acc = items.at(0);
        start = 1;
    }
    for (size_t i = start; i < items.size(); ++i) {
        q.poll();
        acc = q.call(fn, {acc, items.at(i), idx(i)});
    }
    return acc;
}

// count(value) counts equal items; count(closure) counts accepted items.
Value m_list_count(Query& q, Value* self, Args& a) {
    a.exactly(1);
    ListObj* l = L(self);
    Value v = a.eval(0);
    int64_t n = 0;
    if (v.is(VT::Closure)) {
        InUse lock(l);
        ItemCursor items(l);
        for (size_t i = 0; i < items.size(); ++i) {
            q.poll();
            n += truthy(q.call(v, {items.at(i), idx(i)}));
        }
    } else {
        for (auto& item : l->items()) {
            q.poll();
            n += equals(item, v);
        }
    }
    return Value::integer(n);
}

namespace {

// The running total of sum(): ints (checked) until a float shows up.
struct Sum {
    int64_t i = 0;
    double d = 0;
    bool is_float = false;
    void add(const Value& v) {
        switch (v.type()) {
            case VT::Int:
                add_int(v.as_int());
                return;
            case VT::Bool:
                add_int(v.as_bool() ? 1 : 0);
                return;
            case VT::Float:
                if (!is_float) {
                    d = static_cast<double>(i);
                    is_float = true;
                }
                d += v.as_float();
                return;
            default:
                raisef(TYPE_ERR, "`-/+` not supported by type `%s`", type_name(v));
        }
    }
    void add_int(int64_t x) {
        if (is_float) {
            d += static_cast<double>(x);
            return;
        }
        if (__builtin_add_overflow(i, x, &i)) raise(OVERFLOW_ERR, "integer overflow");
    }
    Value result() const { return is_float ? Value::number(d) : Value::integer(i); }
};

}  // namespace

Value m_list_sum(Query& q, Value* self, Args& a) {
    a.at_most(1);
    ListObj* l = L(self);
    Sum s;
    if (a.size() == 1) {
        Value fn = a.closure_arg(0);
        InUse lock(l);
        for (size_t i = 0; i < l->items().size(); ++i) {
            q.poll();
            s.add(q.call(fn, {l->items()[i], idx(i)}));
        }
    } else {
        for (auto& item : l->items()) {
            q.poll();
            s.add(item);
        }
    }
    return s.result();
}

// min()/max(): ThingsDB starts from the last item and takes an item only
// when it is strictly smaller (larger).
static Value extreme(Value* self, Args& a, const char* name, int sign) {
    a.exactly(0);
    auto& items = L(self)->items();
    if (items.empty()) a.fail(LOOKUP_ERR, "%s() on empty list", name);
    size_t best = items.size() - 1;
    for (size_t i = 0; i + 1 < items.size(); ++i) {
        poll_tick();
        if (sign * compare(items[i], items[best], "<") < 0) best = i;
    }
    return items[best];
}
Value m_list_min(Query&, Value* self, Args& a) { return extreme(self, a, "min", 1); }
Value m_list_max(Query&, Value* self, Args& a) { return extreme(self, a, "max", -1); }

Value m_list_first(Query&, Value* self, Args& a) {
    a.at_most(1);
    auto& items = L(self)->items();
    if (!items.empty()) return items.front();
    if (a.size() == 0) raise(LOOKUP_ERR, "no first item in an empty list");
    return a.eval(0);
}

Value m_list_last(Query&, Value* self, Args& a) {
    a.at_most(1);
    auto& items = L(self)->items();
    if (!items.empty()) return items.back();
    if (a.size() == 0) raise(LOOKUP_ERR, "no last item in an empty list");
    return a.eval(0);
}

Value m_list_reverse(Query& q, Value* self, Args& a) {
    a.exactly(0);
    auto& items = L(self)->items();
    std::vector<Value> out;
    out.reserve(items.size());
    for (size_t i = items.size(); i-- > 0;) {
        q.poll();
        out.push_back(items[i]);
    }
    return new_list(std::move(out));
}

Value m_list_unique(Query& q, Value* self, Args& a) {
    a.exactly(0);
    std::vector<Value> out;
    ValueIndex seen;
    for (auto& item : L(self)->items()) {
        q.poll();
        if (seen.add(item)) out.push_back(item);
    }
    return new_list(std::move(out));
}

Value m_list_is_unique(Query& q, Value* self, Args& a) {
    a.exactly(0);
    ValueIndex seen;
    for (auto& item : L(self)->items()) {
        q.poll();
        if (!seen.add(item)) return Value::boolean(false);
    }
    return Value::boolean(true);
}

// join(sep?): every item must be a str; the separator is only evaluated
// (and type checked) when there are at least two items, as in ThingsDB.
Value m_list_join(Query& q, Value* self, Args& a) {
    a.at_most(1);
    auto& items = L(self)->items();
    std::string sep;
    if (a.size() == 1 && items.size() > 1) sep = a.str_arg(0);
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        q.poll();
        if (!items[i].is(VT::Str))
            raisef(TYPE_ERR, "expecting item %zu to be of type `str` but got type `%s` instead", i,
                   type_name(items[i]));
        if (i) out += sep;
        out += items[i].as_str();
    }
    return Value::str(std::move(out));
}

// --- sort -----------------------------------------------------------------

namespace {

// ThingsDB sorts with a global comparator context and refuses nesting.
bool g_sorting = false;
struct SortGuard {
    SortGuard() { g_sorting = true; }
    ~SortGuard() { g_sorting = false; }
};

// A merge sort that stays in bounds with any comparator (a user closure
// need not be consistent) and lets comparator exceptions pass through.
template <class Less>
void merge_sort(std::vector<Value>& v, Less less) {
    std::vector<Value> tmp(v.size());
    for (size_t width = 1; width < v.size(); width *= 2) {
        for (size_t lo = 0; lo < v.size(); lo += 2 * width) {
            poll_tick();  // about once per item over all passes; a closure's call polls too
            size_t mid = std::min(lo + width, v.size()), hi = std::min(lo + 2 * width, v.size());
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = less(v[j], v[i]) ? v[j++] : v[i++];
            while (i < mid) tmp[k++] = v[i++];
            while (j < hi) tmp[k++] = v[j++];
        }
        v.swap(tmp);
    }
}

int closure_cmp(Query& q, const Value& fn, const Value& x, const Value& y) {
    Value r = q.call(fn, {x, y});
    if (!r.is(VT::Int))
        raisef(TYPE_ERR, "expecting a return value of type `int` but got type `%s` instead",
               type_name(r));
    int64_t i = r.as_int();
    return i < 0 ? -1 : i > 0 ? 1 : 0;
}

}  // namespace

// sort(), sort(reverse), sort(closure), sort(key_closure, reverse).
// Returns a sorted copy; the receiver is not changed.
Value m_list_sort(Query& q, Value* self, Args& a) {
    a.at_most(2);
    if (g_sorting) raise(OPERATION_ERR, "function `sort` cannot be used recursively");
    std::vector<Value> items = L(self)->items();
    if (items.size() <= 1) return new_list(std::move(items));
    auto natural = [](bool rev) {
        return [rev](const Value& x, const Value& y) {
            return (rev ? compare(y, x, "<") : compare(x, y, "<")) < 0;
        };
    };
    if (a.size() == 0) {
        SortGuard g;
        merge_sort(items, natural(false));
        return new_list(std::move(items));
    }
    Value arg = a.eval(0);
    if (a.size() == 1 && arg.is(VT::Bool)) {
        SortGuard g;
        merge_sort(items, natural(arg.as_bool()));
        return new_list(std::move(items));
    }
    if (!arg.is(VT::Closure)) a.bad_type(0, "closure", arg);
    size_t np = arg.closure()->params.size();
    if (np != 1 && np != 2)
        raise(NUM_ARGUMENTS_ERR,
              "function `sort` requires a closure which accepts 1 or 2 arguments");
    bool rev = false;
    if (a.size() == 2) {
        Value b = a.eval(1);
        if (!b.is(VT::Bool)) a.bad_type(1, "bool", b);
        rev = b.as_bool();
        if (np == 2)
            raise(NUM_ARGUMENTS_ERR,
                  "cannot specify an order with a closure which takes two arguments; "
                  "in this case the order should be specified within the closure");
    }
    SortGuard g;
    if (np == 2) {
        merge_sort(items, [&](const Value& x, const Value& y) {
            return closure_cmp(q, arg, x, y) < 0;  // Query::call polls
        });
    } else {
        auto cmp = natural(rev);
        merge_sort(items, [&](const Value& x, const Value& y) {
            return cmp(q.call(arg, {x}), q.call(arg, {y}));  // Query::call polls
        });
    }
    return new_list(std::move(items));
}

// flat(depth = 1): nested lists and tuples spliced in, `depth` levels deep.
static void flat_fill(Query& q, const ListObj* l, int64_t depth, std::vector<Value>& out) {
    check_stack_depth();  // `depth` is the caller's number, the nesting the list's
    for (const Value& v : l->items()) {
        q.poll();
        if (depth > 0 && v.is(VT::List))
            flat_fill(q, v.list(), depth - 1, out);
        else
            out.push_back(v);
    }
}

Value m_list_flat(Query& q, Value* self, Args& a) {
    a.at_most(1);
    Value keep = *self;
    int64_t depth = a.size() == 1 ? a.int_arg(0) : 1;
    std::vector<Value> out;
    flat_fill(q, keep.list(), depth, out);
    return new_list(std::move(out));
}

// map_id(): the ids of a list of things (nil for a thing without id).
Value m_list_map_id(Query&, Value* self, Args& a) {
    a.exactly(0);
    std::vector<Value> out;
    for (const Value& v : L(self)->items()) {
        poll_tick();
        // ThingsDB 1.9 asks each item for its id(), as map(|x| x.id()).
        if (!v.is(VT::Thing)) raisef(LOOKUP_ERR, "type `%s` has no function `id`", type_name(v));
        Thing* t = v.thing();
        out.push_back(t->id ? Value::integer(static_cast<int64_t>(t->id)) : Value::nil());
    }
    return new_list(std::move(out));
}

// --- more: random item, copies, wraps, Types, restriction ---------------------

Value m_list_choice(Query&, Value* self, Args& a) {
    a.exactly(0);
    auto& items = self->list()->items();
    if (items.empty()) raise(LOOKUP_ERR, "choice from empty list");
    return items[random_below(items.size())];
}

Value m_list_copy(Query& q, Value* self, Args& a) { return copy_collection(q, self, a, false); }
Value m_list_dup(Query& q, Value* self, Args& a) { return copy_collection(q, self, a, true); }

Value m_list_map_wrap(Query& q, Value* self, Args& a) { return map_wrap(q, self, a); }
Value m_list_map_type(Query& q, Value* self, Args& a) { return map_type(q, self, a); }

Value m_list_restriction(Query& q, Value* self, Args& a) {
    a.exactly(0);
    Value keep = *self;
    return container_restriction(q, keep.list()->owner, SK::Arr);
}

}  // namespace tdb
