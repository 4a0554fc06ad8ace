// Methods of set (ThingsDB's `set` data type: a set of things).
//
// Closures over a set get (thing, id) where id is nil for a thing that is
// not stored yet. Iteration follows the set's insertion order.
#include <climits>
#include <string>
#include <vector>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/restrict.h"
#include "core/model/thing.h"
#include "core/schema/types.h"
#include "core/model/value.h"

namespace tdb {
namespace {

SetObj* S(Value* self) { return self->set(); }

// Closures run while it is iterated: marked in use (value.h).
using InUse = InUseMark<SetObj>;

Value id_of(const Thing* t) {
    return t->id ? Value::integer(static_cast<int64_t>(t->id)) : Value::nil();
}

// A snapshot of the members: closures may not change the set, but the
// snapshot keeps every thing alive however the closure behaves.
std::vector<Ref<Thing>> members(SetObj* s) { return s->items; }

Value call_on(Query& q, const Value& fn, const Ref<Thing>& t) {
    q.poll();
    return q.call(fn, {make_thing(t.get()), id_of(t.get())});
}

Value new_set(const std::vector<Thing*>& things) {
    auto* s = new SetObj();
    Value v = Value::obj(VT::Set, s);
    for (Thing* t : things) s->add(t);
    return v;
}

}  // namespace

// --- mutating -------------------------------------------------------------

// ThingsDB's ti_query_test_vset_operation, then its lock: as a list's
// (list.cpp), a set a stored thing holds changes only in a change.
static void mutating(Query& q, Value* self) {
    const Thing* owner = self->set()->owner.thing;
    if (owner && owner->stored() && !q.is_change())
        raisef(OPERATION_ERR, "operation on a stored set; %s(...)` to enforce a change",
               q.enforce_hint());
    q.check_not_in_use(*self);
}

// add(thing, ...): returns how many things were new to the set.
Value m_set_add(Query& q, Value* self, Args& a) {
    a.at_least(1);
    mutating(q, self);
    SetObj* s = S(self);
    std::vector<Thing*> added;
    std::vector<Value> keep;  // holds the added things until notified
    InUse lock(s);            // like ThingsDB's lock: arguments cannot change s
    // All arguments are evaluated and checked before the first is added: a
    // rejected one changes nothing.
    std::vector<Value> vals;
    for (int i = 0; i < a.size(); ++i) {
        Value v = a.eval(i);
        if (!v.is(VT::Thing)) raisef(TYPE_ERR, "cannot add type `%s` to a set", type_name(v));
        vals.push_back(std::move(v));
    }
    for (const Value& v : vals) check_set_item(q, s->owner.thing, s->owner.key, v);
    for (Value& v : vals) {
        if (s->has(v.thing())) continue;
        v = q.assignable_to(std::move(v), s->owner.thing, s->owner.key, Query::Into::Set);
        if (s->add(v.thing())) {
            added.push_back(v.thing());
            keep.push_back(std::move(v));
        }
    }
    if (!added.empty()) q.set_add(s, added);
    return Value::integer(static_cast<int64_t>(added.size()));
}

// remove(thing, ...) or remove(closure, limit?): returns the removed things.
Value m_set_remove(Query& q, Value* self, Args& a) {
    a.at_least(1);
    mutating(q, self);
    SetObj* s = S(self);
    InUse lock(s);  // the arguments and closure cannot change s meanwhile
    Value first = a.eval(0);
    std::vector<Ref<Thing>> removed;
    if (first.is(VT::Closure)) {
        if (a.size() > 2)
            raisef(NUM_ARGUMENTS_ERR,
                   "function `remove` takes at most 2 arguments when using a `closure` "
                   "but %d were given",
                   a.size());
        int64_t limit = a.size() == 2 ? a.int_arg(1) : LLONG_MAX;
        for (auto& t : members(s)) {
            if (limit == 0 || static_cast<int64_t>(removed.size()) == limit) break;
            if (truthy(call_on(q, first, t))) removed.push_back(t);
        }
    } else {
        for (int i = 0; i < a.size(); ++i) {
            Value v = i == 0 ? first : a.eval(i);
            if (!v.is(VT::Thing)) {
                if (i == 0)
                    raisef(TYPE_ERR,
                           "function `remove` expects argument 1 to be of type `closure` "
                           "or type `thing` but got type `%s` instead",
                           type_name(v));
                raisef(TYPE_ERR,
                       "function `remove` expects argument %d to be of type `thing` "
                       "but got type `%s` instead",
                       i + 1, type_name(v));
            }
            Ref<Thing> t(v.thing());
            if (s->has(t.get())) removed.push_back(t);
        }
    }
    // A thing given twice is removed (and returned) once.
    std::vector<Thing*> gone = s->remove_all(removed);
    std::vector<Value> out;
    for (Thing* t : gone) out.push_back(make_thing(t));
    if (!gone.empty()) q.set_remove(s, gone);
    return make_list(std::move(out));
}

Value m_set_clear(Query& q, Value* self, Args& a) {
    a.exactly(0);
    mutating(q, self);
    SetObj* s = S(self);
    std::vector<Ref<Thing>> old = s->items;  // alive until notified
    std::vector<Thing*> gone;
    for (auto& t : old) gone.push_back(t.get());
    s->clear();
    if (!gone.empty()) q.set_remove(s, gone);
    return Value::nil();
}

// --- reading --------------------------------------------------------------

Value m_set_len(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::integer(static_cast<int64_t>(S(self)->items.size()));
}

Value m_set_has(Query&, Value* self, Args& a) {
    a.exactly(1);
    Value v = a.thing_arg(0);
    return Value::boolean(S(self)->has(v.thing()));
}

Value m_set_one(Query&, Value* self, Args& a) {
    a.exactly(0);
    SetObj* s = S(self);
    if (s->items.empty()) raise(LOOKUP_ERR, "one from empty set");
    return make_thing(s->items.front().get());
}

Value m_set_each(Query& q, Value* self, Args& a) {
    a.exactly(1);
    SetObj* s = S(self);
    InUse lock(s);
    Value fn = a.closure_arg(0);
    for (auto& t : members(s)) call_on(q, fn, t);
    return Value::nil();
}

Value m_set_map(Query& q, Value* self, Args& a) {
    a.exactly(1);
    SetObj* s = S(self);
    InUse lock(s);
    Value fn = a.closure_arg(0);
    std::vector<Value> out;
    for (auto& t : members(s)) out.push_back(q.assignable(call_on(q, fn, t), nullptr, true));
    return make_list(std::move(out));
}

// filter on a set returns a new set.
Value m_set_filter(Query& q, Value* self, Args& a) {
    a.exactly(1);
    SetObj* s = S(self);
    InUse lock(s);
    Value fn = a.closure_arg(0);
    std::vector<Thing*> keep;
    auto snap = members(s);
    for (auto& t : snap)
        if (truthy(call_on(q, fn, t))) keep.push_back(t.get());
    return new_set(keep);
}

Value m_set_find(Query& q, Value* self, Args& a) {
    a.between(1, 2);
    SetObj* s = S(self);
    InUse lock(s);
    Value fn = a.closure_arg(0);
    for (auto& t : members(s))
        if (truthy(call_on(q, fn, t))) return make_thing(t.get());
    return a.size() == 2 ? a.eval(1) : Value::nil();
}

Value m_set_some(Query& q, Value* self, Args& a) {
    a.exactly(1);
    SetObj* s = S(self);
    InUse lock(s);
    Value fn = a.closure_arg(0);
    for (auto& t : members(s))
        if (truthy(call_on(q, fn, t))) return Value::boolean(true);
    return Value::boolean(false);
}

Value m_set_every(Query& q, Value* self, Args& a) {
    a.exactly(1);
    SetObj* s = S(self);
    InUse lock(s);
    Value fn = a.closure_arg(0);
    for (auto& t : members(s))
        if (!truthy(call_on(q, fn, t))) return Value::boolean(false);
    return Value::boolean(true);
}

// reduce(closure, initial?): closure(accumulator, thing, id).
Value m_set_reduce(Query& q, Value* self, Args& a) {
    a.between(1, 2);
    SetObj* s = S(self);
    InUse lock(s);
    Value fn = a.closure_arg(0);
    auto snap = members(s);
    size_t start = 0;
    Value acc;
    if (a.size() == 2) {
        acc = a.eval(1);
    } else if (snap.empty()) {
        raise(LOOKUP_ERR, "reduce on empty set with no initial value set");
    } else {
        acc = make_thing(snap[0].get());
        start = 1;
    }
    for (size_t i = start; i < snap.size(); ++i) {
        q.poll();
        acc = q.call(fn, {acc, make_thing(snap[i].get()), id_of(snap[i].get())});
    }
    return acc;
}

// map_id(): the ids of the things (nil for a thing without id).
Value m_set_map_id(Query&, Value* self, Args& a) {
    a.exactly(0);
    std::vector<Value> out;
    for (auto& t : S(self)->items) out.push_back(id_of(t.get()));
    return make_list(std::move(out));
}

// --- copies, wraps, restriction ------------------------------------------------

Value m_set_copy(Query& q, Value* self, Args& a) { return copy_collection(q, self, a, false); }
Value m_set_dup(Query& q, Value* self, Args& a) { return copy_collection(q, self, a, true); }
Value m_set_map_wrap(Query& q, Value* self, Args& a) { return map_wrap(q, self, a); }

Value m_set_restriction(Query& q, Value* self, Args& a) {
    a.exactly(0);
    Value keep = *self;
    return container_restriction(q, keep.set()->owner, SK::Set);
}

}  // namespace tdb
