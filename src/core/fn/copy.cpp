// Copies of values (ThingsDB's ti_val_copy / ti_val_dup) for thing, list,
// set and wrap copy()/dup(), and the `deep` argument they take.
#include <cstdint>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/model/room.h"
#include "core/model/thing.h"
#include "core/model/value.h"
#include "core/schema/types.h"

namespace tdb {

// ThingsDB caps `deep` for copies and comparisons at 127.
constexpr int64_t kMaxDeep = 127;

// `deep` given as an argument: ThingsDB's ti_deep_from_val messages.
int deep_from_val(const Value& v) {
    if (!v.is(VT::Int))
        raisef(TYPE_ERR, "expecting `deep` to be of type `int` but got type `%s` instead",
               type_name(v));
    int64_t d = v.as_int();
    if (d < 0 || d > kMaxDeep)
        raisef(VALUE_ERR, "expecting a `deep` value between 0 and %d but got %lld instead",
               static_cast<int>(kMaxDeep), static_cast<long long>(d));
    return static_cast<int>(d);
}

namespace {

Value copy_list(Query& q, const ListObj* src, int deep, bool keep_type, bool tuple) {
    Value out = make_list();
    ListObj* l = out.list();
    l->tuple = tuple;
    l->items().reserve(src->items().size());
    for (const Value& item : src->items()) {
        q.poll();
        Value c = copy_value(q, item, deep, keep_type);
        if (c.is(VT::List)) c.list()->tuple = true;  // a list inside a list is a tuple
        l->items().push_back(std::move(c));
    }
    return out;
}

}  // namespace

Value copy_thing(Query& q, Thing* src, int deep, bool keep_type) {
    Value out = new_thing();
    Thing* t = out.thing();
    if (keep_type) {   // dup keeps the Type and a restriction, copy neither
        src->props();  // a stub's type and restriction come with its properties
        t->type_id = src->type_id;
        t->restriction = src->restriction;
        // A new instance: found by Catalog::instances (a change of its Type reaches it).
        if (t->type_id != kNoType && q.collection()) Catalog::of(q).made.emplace_back(t);
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
    check_stack_depth();  // `deep` counts things only: nested lists recurse without it
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
        case VT::Room:  // as ThingsDB's ti_room_copy: a copy holds a new room
            return new_room();
        default:
            return v;
    }
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

}  // namespace tdb
