// Methods of things: properties (get/set/del/...), iteration, copies, equality.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/fn/fn.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/thing.h"
#include "core/model/value.h"
#include "core/model/wrap.h"

namespace tdb {

namespace {

// ThingsDB caps `deep` for copies and comparisons at 127.
constexpr int64_t kMaxDeep = 127;

bool is_object(const Thing* t) { return t->type_id == kNoType; }


// Methods that only exist on object things answer for a Type instance the
// way ThingsDB's fallback lookup (fn_call_try) does.
void require_object(const Value& self, const char* name) {
    if (!is_object(self.thing()))
        raisef(LOOKUP_ERR, "type `%s` has no property or method `%s`", type_name(self), name);
}

// ThingsDB refuses to change a stored thing in a query that is not a change.
void test_thing_operation(Query& q, const Thing* t) {
    if (t->stored() && !q.is_change())
        raise(OPERATION_ERR, "operation on a stored thing; use `wse(...)` to enforce a change");
}

// Marks a thing as being iterated for as long as the guard lives, so
// changing it from inside the closure is refused (ThingsDB's value lock).
struct InUse {
    explicit InUse(Thing* t) : t_(t) { ++t_->in_use; }
    ~InUse() { --t_->in_use; }
    InUse(const InUse&) = delete;
    InUse& operator=(const InUse&) = delete;
    Thing* t_;
};

Prop* find_prop(Thing* t, const std::string& key) {
    for (Prop& p : t->props())
        if (p.key == key) return &p;
    return nullptr;
}

[[noreturn]] void prop_not_found(const Thing* t, const std::string& key) {
    if (!valid_utf8(key)) raise(VALUE_ERR, "properties must have valid UTF-8 encoding");
    // ThingsDB shows at most 30 bytes of the name.
    size_t n = std::min<size_t>(key.size(), 30);
    raisef(LOOKUP_ERR, "thing `#%llu` has no property `%.*s%s`", static_cast<unsigned long long>(t->id),
           static_cast<int>(n), key.data(), n == key.size() ? "" : "...");
}

// Removes props[i] the way ThingsDB's vec_swap_remove does: the last
// property takes the place of the removed one.
Value swap_remove(Thing* t, size_t i) {
    auto& props = t->props();
    Value v = std::move(props[i].val);
    if (i + 1 != props.size()) props[i] = std::move(props.back());
    props.pop_back();
    return v;
}

// Sets or replaces a property and records the change.
void put_prop(Query& q, Thing* t, const std::string& key, Value v) {
    if (Prop* p = find_prop(t, key))
        p->val = std::move(v);
    else
        t->props().push_back(Prop{key, std::move(v)});
    q.prop_set(t, key);
}

// `deep` given as an argument: ThingsDB's ti_deep_from_val messages.
int deep_from_val(const Value& v) {
    if (!v.is(VT::Int))
        raisef(TYPE_ERR, "expecting `deep` to be of type `int` but got type `%s` instead", type_name(v));
    int64_t d = v.as_int();
    if (d < 0 || d > kMaxDeep)
        raisef(VALUE_ERR, "expecting a `deep` value between 0 and %d but got %lld instead",
               static_cast<int>(kMaxDeep), static_cast<long long>(d));
    return static_cast<int>(d);
}

// ThingsDB's ti_val_copy / ti_val_dup: `deep` counts levels of things that
// are copied; below that things are shared. A copy loses the Type of an
// instance, a dup keeps it.
Value copy_value(Query& q, const Value& v, int deep, bool keep_type);

Value copy_list(Query& q, const ListObj* src, int deep, bool keep_type, bool tuple) {
    Value out = make_list();
    ListObj* l = out.list();
    l->tuple = tuple;
    l->items.reserve(src->items.size());
    for (const Value& item : src->items) {
        q.poll();
        Value c = copy_value(q, item, deep, keep_type);
        if (c.is(VT::List)) c.list()->tuple = true;  // a list inside a list is a tuple
        l->items.push_back(std::move(c));
    }
    return out;
}

Value copy_thing(Query& q, Thing* src, int deep, bool keep_type) {
    Value out = new_thing();
    Thing* t = out.thing();
    if (keep_type) {   // dup keeps the Type and a restriction, copy neither
        src->props();   // a stub's type and restriction come with its properties
        t->type_id = src->type_id;
        t->restriction = src->restriction;
    }
    for (const Prop& p : src->props()) {
        q.poll();
        Value c = copy_value(q, p.val, deep - 1, keep_type);
        t->props().push_back(Prop{p.key, q.assignable(std::move(c), nullptr, false)});
    }
    return out;
}

Value copy_value(Query& q, const Value& v, int deep, bool keep_type) {
    if (deep <= 0) return q.assignable(v, nullptr, false);
    switch (v.type()) {
        case VT::Thing:
            return copy_thing(q, v.thing(), deep, keep_type);
        case VT::List:
            return copy_list(q, v.list(), deep, keep_type, false);
        case VT::Set: {
            Value out = Value::obj(VT::Set, new SetObj());
            for (const Ref<Thing>& t : v.set()->items) {
                q.poll();
                Value c = copy_thing(q, t.get(), deep, keep_type);
                out.set()->add(c.thing());
            }
            return out;
        }
        default:
            return v;
    }
}

// ThingsDB's ti_thing_equals: same thing, or (down to `deep` levels) the
// same keys with equal values.
bool thing_equals(Thing* a, const Value& bv, int deep) {
    if (!bv.is(VT::Thing)) return false;
    Thing* b = bv.thing();
    if (a == b || deep == 0) return true;
    if (a->props().size() != b->props().size()) return false;
    --deep;
    for (const Prop& p : a->props()) {
        Value* other = b->get(p.key);
        if (!other) return false;
        bool eq = p.val.is(VT::Thing) ? thing_equals(p.val.thing(), *other, deep) : equals(p.val, *other);
        if (!eq) return false;
    }
    return true;
}

// --- the methods ---------------------------------------------------------

Value m_id(Query&, Value* self, Args& a) {
    a.exactly(0);
    Thing* t = self->thing();
    return t->stored() ? Value::integer(static_cast<int64_t>(t->id)) : Value::nil();
}

Value m_keys(Query&, Value* self, Args& a) {
    a.exactly(0);
    std::vector<Value> keys;
    for (const Prop& p : self->thing()->props()) keys.push_back(Value::str(p.key));
    return make_list(std::move(keys));
}

Value m_values(Query&, Value* self, Args& a) {
    a.exactly(0);
    std::vector<Value> vals;
    for (const Prop& p : self->thing()->props()) vals.push_back(p.val);
    return make_list(std::move(vals));
}

Value m_len(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::integer(static_cast<int64_t>(self->thing()->props().size()));
}

Value m_has(Query&, Value* self, Args& a) {
    a.exactly(1);
    std::string key = a.str_arg(0);
    return Value::boolean(self->thing()->get(key) != nullptr);
}

Value m_get(Query&, Value* self, Args& a) {
    a.between(1, 2);
    Value keep = *self;   // the receiver stays alive while the default is evaluated
    std::string key = a.str_arg(0);
    if (Value* v = keep.thing()->get(key)) return *v;
    return a.size() == 2 ? a.eval(1) : Value::nil();
}

Value m_set(Query& q, Value* self, Args& a) {
    a.exactly(2);
    Value keep = *self;
    Thing* t = keep.thing();
    test_thing_operation(q, t);
    q.check_not_in_use(keep);
    std::string key = a.str_arg(0);
    Value v = a.eval(1);
    if (!valid_utf8(key)) raise(VALUE_ERR, "properties must have valid UTF-8 encoding");
    q.check_not_in_use(keep);  // the value expression may have started an iteration
    v = q.assignable_to(std::move(v), t, key, Query::Into::Prop);
    put_prop(q, t, key, v);
    return v;
}

Value m_del(Query& q, Value* self, Args& a) {
    require_object(*self, "del");
    a.exactly(1);
    Value keep = *self;
    Thing* t = keep.thing();
    test_thing_operation(q, t);
    q.check_not_in_use(keep);
    std::string key = a.str_arg(0);
    auto& props = t->props();
    for (size_t i = 0; i < props.size(); ++i) {
        if (props[i].key != key) continue;
        Value old = swap_remove(t, i);
        q.prop_del(t, key);
        return old;
    }
    prop_not_found(t, key);
}

Value m_clear(Query& q, Value* self, Args& a) {
    require_object(*self, "clear");
    a.exactly(0);
    Value keep = *self;
    Thing* t = keep.thing();
    test_thing_operation(q, t);
    q.check_not_in_use(keep);
    Props old;
    old.swap(t->props());
    for (const Prop& p : old) q.prop_del(t, p.key);
    return Value::nil();
}

Value m_each(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    Thing* t = keep.thing();
    InUse lock(t);
    Value fn = a.closure_arg(0);
    auto& props = t->props();
    for (size_t i = 0; i < props.size(); ++i) {
        q.poll();
        q.call(fn, {Value::str(props[i].key), props[i].val});
    }
    return Value::nil();
}

Value m_map(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    Thing* t = keep.thing();
    InUse lock(t);
    Value fn = a.closure_arg(0);
    auto& props = t->props();
    std::vector<Value> out;
    out.reserve(props.size());
    for (size_t i = 0; i < props.size(); ++i) {
        q.poll();
        Value r = q.call(fn, {Value::str(props[i].key), props[i].val});
        if (r.is(VT::List)) r.list()->tuple = true;   // nested in the result list
        out.push_back(std::move(r));
    }
    return make_list(std::move(out));
}

Value m_filter(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    Thing* t = keep.thing();
    InUse lock(t);
    Value fn = a.closure_arg(0);
    Value out = new_thing();
    auto& props = t->props();
    for (size_t i = 0; i < props.size(); ++i) {
        q.poll();
        Value r = q.call(fn, {Value::str(props[i].key), props[i].val});
        if (truthy(r))
            out.thing()->props().push_back(Prop{props[i].key, q.assignable(props[i].val, nullptr, false)});
    }
    return out;
}

Value m_remove(Query& q, Value* self, Args& a) {
    require_object(*self, "remove");
    a.between(1, 2);
    Value keep = *self;
    Thing* t = keep.thing();
    q.check_not_in_use(keep);
    Value fn = a.closure_arg(0);
    int64_t limit = a.size() == 2 ? a.int_arg(1) : INT64_MAX;
    std::vector<std::string> hits;
    {
        InUse lock(t);
        auto& props = t->props();
        for (size_t i = 0; i < props.size(); ++i) {
            if (static_cast<int64_t>(hits.size()) == limit) break;
            q.poll();
            if (truthy(q.call(fn, {Value::str(props[i].key), props[i].val}))) hits.push_back(props[i].key);
        }
    }
    std::vector<Value> removed;
    for (const std::string& key : hits) {
        auto& props = t->props();
        for (size_t i = 0; i < props.size(); ++i) {
            if (props[i].key != key) continue;
            removed.push_back(swap_remove(t, i));
            q.prop_del(t, key);
            break;
        }
    }
    return make_list(std::move(removed));
}

Value m_assign(Query& q, Value* self, Args& a) {
    require_object(*self, "assign");
    a.exactly(1);
    Value keep = *self;
    Thing* t = keep.thing();
    test_thing_operation(q, t);
    q.check_not_in_use(keep);
    Value src = a.thing_arg(0);
    q.check_not_in_use(keep);
    // A snapshot: assigning a thing to itself must not see its own writes.
    Props props = src.thing()->props();
    for (Prop& p : props) {
        q.poll();
        put_prop(q, t, p.key, q.assignable_to(std::move(p.val), t, p.key, Query::Into::Prop));
    }
    return keep;
}

Value m_copy(Query& q, Value* self, Args& a) {
    a.at_most(1);
    Value keep = *self;
    // ThingsDB reads the deep argument of copy() as dup()'s (ti_deep_from_val).
    int deep = a.size() == 1 ? deep_from_val(a.eval(0)) : 1;
    if (deep == 0) return keep;
    return copy_thing(q, keep.thing(), deep, false);
}

Value m_dup(Query& q, Value* self, Args& a) {
    a.at_most(1);
    Value keep = *self;
    int deep = a.size() == 1 ? deep_from_val(a.eval(0)) : 1;
    if (deep == 0) return keep;
    return copy_thing(q, keep.thing(), deep, true);
}

// list.copy([deep]), set.copy([deep]) and their dup(): ThingsDB copies lists
// and sets too, with a deep of 0 by default (a new list or set with the same
// items); a higher deep copies the things in it that many levels.
Value copy_collection(Query& q, Value* self, Args& a, bool keep_type) {
    a.at_most(1);
    Value keep = *self;
    int deep = a.size() == 1 ? deep_from_val(a.eval(0)) : 0;
    return copy_value(q, keep, deep, keep_type);
}
Value m_coll_copy(Query& q, Value* self, Args& a) { return copy_collection(q, self, a, false); }
Value m_coll_dup(Query& q, Value* self, Args& a) { return copy_collection(q, self, a, true); }

Value m_equals(Query&, Value* self, Args& a) {
    a.between(1, 2);
    Value keep = *self;
    Value other = a.eval(0);
    int deep = a.size() == 2 ? deep_from_val(a.eval(1)) : 1;
    return Value::boolean(thing_equals(keep.thing(), other, deep));
}

// vmap(closure): a new thing with the same keys and closure(value) as values.
Value m_vmap(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    Thing* t = keep.thing();
    InUse lock(t);
    Value fn = a.closure_arg(0);
    Value out = new_thing();
    auto& props = t->props();
    for (size_t i = 0; i < props.size(); ++i) {
        q.poll();
        Value r = q.call(fn, {props[i].val});
        out.thing()->props().push_back(Prop{props[i].key, q.assignable(std::move(r), nullptr, false)});
    }
    return out;
}

// ---- search(thing, options) ------------------------------------------------
// ThingsDB's do__f_search: where a thing is referenced, walking the values of
// the receiver `deep` levels of things down (default 1), up to `limit`
// results (default 1). Each result is a new thing {parent, parent_type, key,
// key_type}: the thing that holds the reference, the property (or field)
// whose value holds it, and that value's type (a thing inside a list is
// found under the list's key with key_type "list").
constexpr int64_t kMaxSearchLimit = 255;

struct Search {
    Query& q;
    const Thing* needle;
    Value parent;
    int deep = 1;
    int64_t limit = 1;
    std::vector<Value> results;
    std::vector<const Thing*> visiting;   // things being walked (cycles)
};

bool search_walk(Search& s, Thing* t);

// True when the search is done (the limit is reached).
bool search_thing(Search& s, Thing* t, const std::string& key, const Value& root) {
    for (const Thing* v : s.visiting)
        if (v == t) return false;
    if (t == s.needle) {
        Value r = new_thing();
        auto& p = r.thing()->props();
        p.push_back(Prop{"parent", s.parent});
        p.push_back(Prop{"parent_type", Value::str(type_name(s.parent))});
        p.push_back(Prop{"key", Value::str(key)});
        p.push_back(Prop{"key_type", Value::str(type_name(root))});
        s.results.push_back(std::move(r));
        if (--s.limit == 0) return true;
    }
    if (s.deep == 1) return false;
    --s.deep;
    s.visiting.push_back(t);
    Value prev = s.parent;
    s.parent = make_thing(t);
    bool done = search_walk(s, t);
    s.parent = prev;
    s.visiting.pop_back();
    ++s.deep;
    return done;
}

bool search_value(Search& s, const std::string& key, const Value& root, const Value& v) {
    s.q.poll();
    switch (v.type()) {
        case VT::Thing:
            return search_thing(s, v.thing(), key, root);
        case VT::Wrap:
            return search_thing(s, static_cast<WrapObj*>(v.object())->thing.get(), key, root);
        case VT::EnumMember:
            return v.member()->val.is(VT::Thing) && search_thing(s, v.member()->val.thing(), key, root);
        case VT::List:
            for (const Value& item : std::vector<Value>(v.list()->items))
                if (search_value(s, key, v, item)) return true;
            return false;
        case VT::Set:
            for (const Ref<Thing>& t : std::vector<Ref<Thing>>(v.set()->items))
                if (search_thing(s, t.get(), key, root)) return true;
            return false;
        default:
            return false;
    }
}

bool search_walk(Search& s, Thing* t) {
    Props props = t->props();   // a snapshot: the walk may load things
    for (const Prop& p : props)
        if (search_value(s, p.key, p.val, p.val)) return true;
    return false;
}

Value m_search(Query& q, Value* self, Args& a) {
    a.between(1, 2);
    Value keep = *self;
    Value needle = a.thing_arg(0);
    Search s{q, needle.thing(), keep, 1, 1, {}, {}};
    if (a.size() == 2) {
        Value opts = a.eval(1);
        if (!opts.is(VT::Thing)) a.bad_type(1, "thing", opts);
        for (const Prop& p : Props(opts.thing()->props())) {
            if (p.key == "deep") {
                s.deep = deep_from_val(p.val);
            } else if (p.key == "limit") {
                if (!p.val.is(VT::Int))
                    raisef(TYPE_ERR, "expecting `limit` to be of type `int` but got type `%s` instead",
                           type_name(p.val));
                if (p.val.as_int() < 0 || p.val.as_int() > kMaxSearchLimit)
                    raisef(VALUE_ERR, "expecting a `limit` value between 0 and %lld but got %lld instead",
                           static_cast<long long>(kMaxSearchLimit), static_cast<long long>(p.val.as_int()));
                s.limit = p.val.as_int();
            } else {
                raisef(VALUE_ERR, "invalid search option `%s`", p.key.c_str());
            }
        }
    }
    if (s.deep && s.limit) search_walk(s, keep.thing());
    return make_list(std::move(s.results));
}

// ren(old, new): renames a property (replacing one named `new`); nil.
Value m_ren(Query& q, Value* self, Args& a) {
    require_object(*self, "ren");
    a.exactly(2);
    Value keep = *self;
    Thing* t = keep.thing();
    q.check_not_in_use(keep);
    std::string from, to;
    {
        InUse lock(t);   // ThingsDB locks the thing while the arguments run
        from = a.str_arg(0);
        to = a.str_arg(1);
    }
    test_thing_operation(q, t);
    if (!valid_utf8(to)) raise(VALUE_ERR, "properties must have valid UTF-8 encoding");
    if (to.size() == 1 && to[0] >= 0x20 && to[0] <= 0x2f) raisef(VALUE_ERR, "property `%c` is reserved", to[0]);
    if (!find_prop(t, from)) prop_not_found(t, from);
    if (from == to) return Value::nil();
    // Renamed in place (the property keeps its position); a property that
    // already had the new name goes.
    auto& props = t->props();
    for (size_t i = 0; i < props.size(); ++i) {
        if (props[i].key == to) {
            props.erase(props.begin() + static_cast<std::ptrdiff_t>(i));
            break;
        }
    }
    find_prop(t, from)->key = to;
    q.prop_del(t, from);
    q.prop_set(t, to);
    return Value::nil();
}

}  // namespace

// For wrapped values (wrap.cpp): copy/dup of one value, and `deep` as given.
Value thing_copy_value(Query& q, const Value& v, int deep, bool keep_type) {
    return copy_value(q, v, deep, keep_type);
}
int thing_deep_arg(const Value& v) { return deep_from_val(v); }

void register_thing_methods() {
    register_methods(VT::Thing, {
        {"id", m_id, FN_ANY_SCOPE},
        {"keys", m_keys, FN_ANY_SCOPE},
        {"values", m_values, FN_ANY_SCOPE},
        {"len", m_len, FN_ANY_SCOPE},
        {"has", m_has, FN_ANY_SCOPE},
        {"get", m_get, FN_ANY_SCOPE},
        {"set", m_set, FN_ANY_SCOPE | FN_CHANGE},
        {"del", m_del, FN_ANY_SCOPE | FN_CHANGE},
        {"clear", m_clear, FN_ANY_SCOPE | FN_CHANGE},
        {"remove", m_remove, FN_ANY_SCOPE | FN_CHANGE},
        {"assign", m_assign, FN_ANY_SCOPE | FN_CHANGE},
        {"each", m_each, FN_ANY_SCOPE},
        {"map", m_map, FN_ANY_SCOPE},
        {"filter", m_filter, FN_ANY_SCOPE},
        {"copy", m_copy, FN_ANY_SCOPE},
        {"dup", m_dup, FN_ANY_SCOPE},
        {"equals", m_equals, FN_ANY_SCOPE},
        {"vmap", m_vmap, FN_ANY_SCOPE},
        {"ren", m_ren, FN_ANY_SCOPE | FN_CHANGE},
        {"search", m_search, FN_ANY_SCOPE},
    });
    for (VT vt : {VT::List, VT::Set})
        register_methods(vt, {
            {"copy", m_coll_copy, FN_ANY_SCOPE},
            {"dup", m_coll_dup, FN_ANY_SCOPE},
        });
}

}  // namespace tdb
