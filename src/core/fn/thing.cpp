// Methods of things: properties (get/set/del/...), iteration, copies,
// equality, search, events (emit), value restrictions (restrict,
// restriction), wraps and Type conversions (wrap, to_type, to_thing), load.
#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/api/events.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/poll.h"
#include "core/model/thing.h"
#include "core/model/restrict.h"
#include "core/model/value.h"
#include "core/model/wrap.h"
#include "core/schema/types.h"

namespace tdb {

namespace {

bool is_object(const Thing* t) { return t->type_id == kNoType; }

// Methods that only exist on object things answer for a Type instance the
// way ThingsDB's fallback lookup (fn_call_try) does.
void require_object(const Value& self, const char* name) {
    if (!is_object(self.thing()))
        raisef(LOOKUP_ERR, "type `%s` has no property or method `%s`", type_name(self), name);
}

// As require_object, reading the Type through type(): a stub is loaded first.
void require_loaded_object(const Value& self, const char* name) {
    if (self.thing()->type() != kNoType)
        raisef(LOOKUP_ERR, "type `%s` has no property or method `%s`", type_name(self), name);
}

// ThingsDB refuses to change a stored thing in a query that is not a change.
void test_thing_operation(Query& q, const Thing* t) {
    if (t->stored() && !q.is_change())
        raisef(OPERATION_ERR, "operation on a stored thing; %s(...)` to enforce a change",
               q.enforce_hint());
}

// Closures run while it is iterated: marked in use (value.h).
using InUse = InUseMark<Thing>;

Prop* find_prop(Thing* t, const std::string& key) {
    for (Prop& p : t->props())
        if (p.key == key) return &p;
    return nullptr;
}

[[noreturn]] void prop_not_found(const Thing* t, const std::string& key) {
    if (!valid_utf8(key)) raise(VALUE_ERR, "properties must have valid UTF-8 encoding");
    // ThingsDB shows at most 30 bytes of the name.
    size_t n = std::min<size_t>(key.size(), 30);
    raisef(LOOKUP_ERR, "thing `#%llu` has no property `%.*s%s`",
           static_cast<unsigned long long>(t->id), static_cast<int>(n), key.data(),
           n == key.size() ? "" : "...");
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
        bool eq =
            p.val.is(VT::Thing) ? thing_equals(p.val.thing(), *other, deep) : equals(p.val, *other);
        if (!eq) return false;
    }
    return true;
}

}  // namespace

// --- the methods ---------------------------------------------------------

Value m_thing_id(Query&, Value* self, Args& a) {
    a.exactly(0);
    Thing* t = self->thing();
    return t->stored() ? Value::integer(static_cast<int64_t>(t->id)) : Value::nil();
}

Value m_thing_keys(Query&, Value* self, Args& a) {
    a.exactly(0);
    std::vector<Value> keys;
    for (const Prop& p : self->thing()->props()) poll_tick(), keys.push_back(Value::str(p.key));
    return make_list(std::move(keys));
}

Value m_thing_values(Query&, Value* self, Args& a) {
    a.exactly(0);
    std::vector<Value> vals;
    for (const Prop& p : self->thing()->props()) poll_tick(), vals.push_back(p.val);
    return make_list(std::move(vals));
}

Value m_thing_len(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::integer(static_cast<int64_t>(self->thing()->props().size()));
}

Value m_thing_has(Query&, Value* self, Args& a) {
    a.exactly(1);
    std::string key = a.str_arg(0);
    return Value::boolean(self->thing()->get(key) != nullptr);
}

Value m_thing_get(Query&, Value* self, Args& a) {
    a.between(1, 2);
    Value keep = *self;  // the receiver stays alive while the default is evaluated
    std::string key = a.str_arg(0);
    if (Value* v = keep.thing()->get(key)) return *v;
    return a.size() == 2 ? a.eval(1) : Value::nil();
}

Value m_thing_set(Query& q, Value* self, Args& a) {
    a.exactly(2);
    Value keep = *self;
    Thing* t = keep.thing();
    test_thing_operation(q, t);
    q.check_not_in_use(keep);
    std::string key = a.str_arg(0);
    Value v = a.eval(1);
    if (!valid_utf8(key)) raise(VALUE_ERR, "properties must have valid UTF-8 encoding");
    q.check_not_in_use(keep);  // the value expression may have started an iteration
    q.check_prop_free(t, key);
    v = q.assignable_to(std::move(v), t, key, Query::Into::Prop);
    put_prop(q, t, key, v);
    return v;
}

Value m_thing_del(Query& q, Value* self, Args& a) {
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
        q.check_prop_free(t, key);
        Value old = swap_remove(t, i);
        q.prop_del(t, key);
        return old;
    }
    prop_not_found(t, key);
}

Value m_thing_clear(Query& q, Value* self, Args& a) {
    require_object(*self, "clear");
    a.exactly(0);
    Value keep = *self;
    Thing* t = keep.thing();
    test_thing_operation(q, t);
    q.check_not_in_use(keep);
    for (const Prop& p : t->props()) q.check_prop_free(t, p.key);
    Props old;
    old.swap(t->props());
    for (const Prop& p : old) q.prop_del(t, p.key);
    return Value::nil();
}

Value m_thing_each(Query& q, Value* self, Args& a) {
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

Value m_thing_map(Query& q, Value* self, Args& a) {
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
        if (r.is(VT::List)) r.list()->tuple = true;  // nested in the result list
        out.push_back(std::move(r));
    }
    return make_list(std::move(out));
}

Value m_thing_filter(Query& q, Value* self, Args& a) {
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
            out.thing()->props().push_back(
                Prop{props[i].key, q.assignable(props[i].val, nullptr, false)});
    }
    return out;
}

Value m_thing_remove(Query& q, Value* self, Args& a) {
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
            if (truthy(q.call(fn, {Value::str(props[i].key), props[i].val})))
                hits.push_back(props[i].key);
        }
    }
    // Where each property is, kept up to date through the swaps: a search
    // per hit would make removing many properties quadratic.
    std::unordered_map<std::string, size_t> at;
    {
        auto& props = t->props();
        for (size_t i = 0; i < props.size(); ++i) poll_tick(), at.emplace(props[i].key, i);
    }
    std::vector<Value> removed;
    for (const std::string& key : hits) {
        q.poll();
        auto it = at.find(key);
        if (it == at.end()) continue;
        size_t i = it->second;
        at.erase(it);
        auto& props = t->props();
        if (i + 1 != props.size()) at[props.back().key] = i;  // the last one moves to i
        removed.push_back(swap_remove(t, i));
        q.prop_del(t, key);
    }
    return make_list(std::move(removed));
}

Value m_thing_assign(Query& q, Value* self, Args& a) {
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

Value m_thing_copy(Query& q, Value* self, Args& a) {
    a.at_most(1);
    Value keep = *self;
    // ThingsDB reads the deep argument of copy() as dup()'s (ti_deep_from_val).
    int deep = a.size() == 1 ? deep_from_val(a.eval(0)) : 1;
    if (deep == 0) return keep;
    return copy_thing(q, keep.thing(), deep, false);
}

Value m_thing_dup(Query& q, Value* self, Args& a) {
    a.at_most(1);
    Value keep = *self;
    int deep = a.size() == 1 ? deep_from_val(a.eval(0)) : 1;
    if (deep == 0) return keep;
    return copy_thing(q, keep.thing(), deep, true);
}

Value m_thing_equals(Query&, Value* self, Args& a) {
    a.between(1, 2);
    Value keep = *self;
    Value other = a.eval(0);
    int deep = a.size() == 2 ? deep_from_val(a.eval(1)) : 1;
    return Value::boolean(thing_equals(keep.thing(), other, deep));
}

// vmap(closure): a new thing with the same keys and closure(value) as values.
Value m_thing_vmap(Query& q, Value* self, Args& a) {
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
        out.thing()->props().push_back(
            Prop{props[i].key, q.assignable(std::move(r), nullptr, false)});
    }
    return out;
}

// ---- search(thing, options) ------------------------------------------------

namespace {

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
    std::vector<const Thing*> visiting;  // things being walked (cycles)
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
    check_stack_depth();  // `deep` counts things: nested lists recurse without it
    switch (v.type()) {
        case VT::Thing:
            return search_thing(s, v.thing(), key, root);
        case VT::Wrap:
            return search_thing(s, static_cast<WrapObj*>(v.object())->thing.get(), key, root);
        case VT::EnumMember:
            return v.member()->val.is(VT::Thing) &&
                   search_thing(s, v.member()->val.thing(), key, root);
        case VT::List:
            for (const Value& item : std::vector<Value>(v.list()->items()))
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
    Props props = t->props();  // a snapshot: the walk may load things
    for (const Prop& p : props)
        if (search_value(s, p.key, p.val, p.val)) return true;
    return false;
}

}  // namespace

Value m_thing_search(Query& q, Value* self, Args& a) {
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
                    a.fail(TYPE_ERR,
                           "expecting `limit` to be of type `int` but got type `%s` instead",
                           type_name(p.val));
                if (p.val.as_int() < 0 || p.val.as_int() > kMaxSearchLimit)
                    raisef(VALUE_ERR,
                           "expecting a `limit` value between 0 and %lld but got %lld instead",
                           static_cast<long long>(kMaxSearchLimit),
                           static_cast<long long>(p.val.as_int()));
                s.limit = p.val.as_int();
            } else {
                a.fail(VALUE_ERR, "invalid search option `%s`", p.key.c_str());
            }
        }
    }
    if (s.deep && s.limit) search_walk(s, keep.thing());
    return make_list(std::move(s.results));
}

// ren(old, new): renames a property (replacing one named `new`); nil.
Value m_thing_ren(Query& q, Value* self, Args& a) {
    require_object(*self, "ren");
    a.exactly(2);
    Value keep = *self;
    Thing* t = keep.thing();
    q.check_not_in_use(keep);
    std::string from, to;
    {
        InUse lock(t);  // ThingsDB locks the thing while the arguments run
        from = a.str_arg(0);
        to = a.str_arg(1);
    }
    test_thing_operation(q, t);
    if (!valid_utf8(to)) raise(VALUE_ERR, "properties must have valid UTF-8 encoding");
    if (to.size() == 1 && to[0] >= 0x20 && to[0] <= 0x2f)
        raisef(VALUE_ERR, "property `%c` is reserved", to[0]);
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

// ---- events, restrictions, wraps, Types, load ------------------------------

// As ThingsDB's do__f_emit: the event name must be a str; a thing that is not
// stored has no watchers, so nothing is recorded; the result is nil.
Value m_thing_emit(Query& q, Value* self, Args& a) {
    a.at_least(1);
    std::string event = a.str_arg(0);
    std::vector<Value> args;
    args.reserve(static_cast<size_t>(a.size() - 1));
    for (int i = 1; i < a.size(); ++i) args.push_back(a.eval(i));
    Thing* t = self->thing();
    if (records_jobs(t)) {
        q.set_change(true);  // the parser does not count `emit` (a room's is no change)
        q.add_job(t->id, job_event(q, event, args));
    }
    return Value::nil();
}

// thing.restrict(type_def | nil): the thing; a stored thing records a
// `restrict` job for its watchers.
Value m_thing_restrict(Query& q, Value* self, Args& a) {
    require_loaded_object(*self, "restrict");
    a.exactly(1);
    Value keep = *self;
    Thing* t = keep.thing();
    if (t->stored() && !q.is_change())
        raisef(OPERATION_ERR, "operation on a stored thing; %s(...)` to enforce a change",
               q.enforce_hint());
    q.check_not_in_use(keep);
    Value arg;
    {
        InUse lock(t);  // ThingsDB locks the thing while the argument runs
        arg = a.eval(0);
    }
    if (!arg.is(VT::Str) && !arg.is_nil()) a.bad_type(0, "str` or `nil", arg);
    uint64_t r = arg.is_nil() ? 0 : parse_restriction(q, arg.as_str());
    t->props();  // a stub's restriction comes with its properties
    if (r == live_restriction(q, t->restriction)) return keep;
    if (r) {
        for (const Prop& p : t->props()) {
            if (!restriction_allows(r, p.val))
                raise(VALUE_ERR,
                      "at least one of the existing values does not match the desired restriction");
        }
    }
    t->restriction = r;
    if (t->id && t->coll) {
        q.require_change();
        t->coll->mark_dirty(t);
        if (records_jobs(t)) {
            Value rv = restriction_value(q, r);
            std::string job = "{\"restrict\":";
            if (rv.is_nil())
                job += "null";
            else
                json_escape(job, rv.as_str());
            q.add_job(t->id, job + "}");
        }
    }
    return keep;
}

Value m_thing_restriction(Query& q, Value* self, Args& a) {
    require_loaded_object(*self, "restriction");
    a.exactly(0);
    Value keep = *self;
    Thing* t = keep.thing();
    t->props();
    return restriction_value(q, t->restriction);
}

Value m_thing_wrap(Query& q, Value* self, Args& a) {
    a.at_most(1);
    Thing* t = self->thing();
    Catalog& c = Catalog::of(q);
    if (a.size() == 0) {
        TypeDef* own = t->type() != kNoType ? c.type(t->type_id) : nullptr;
        if (!own)
            raise(NUM_ARGUMENTS_ERR,
                  "using `wrap` on a non-typed `thing` requires 1 argument but 0 were given");
        return make_wrap(t, *own, nullptr);
    }
    Value arg = a.eval(0);
    if (arg.is(VT::Ano)) {
        auto def = static_cast<AnoObj*>(arg.object())->def;
        return make_wrap(t, *def, def);
    }
    if (!arg.is(VT::Str)) a.bad_type(0, "str` or `<anonymous>", arg);
    TypeDef* td = q.collection() ? c.type(arg.as_str()) : nullptr;
    if (!td) raisef(LOOKUP_ERR, "type `%s` not found", arg.as_str().c_str());
    return make_wrap(t, *td, nullptr);
}

// thing.to_type('Type'): the thing becomes an instance in place.
Value m_thing_to_type(Query& q, Value* self, Args& a) {
    Thing* t = self->thing();
    // Not a method of instances: ThingsDB's fallback lookup answers (fn_call_try).
    if (t->type() != kNoType)
        raisef(LOOKUP_ERR, "type `%s` has no property or method `to_type`", type_name(*self));
    a.exactly(1);
    q.check_not_in_use(*self);
    std::string name = a.str_arg(0);
    Catalog& c = Catalog::of(q);
    TypeDef* td = q.collection() ? c.type(name) : nullptr;
    if (!td) raisef(LOOKUP_ERR, "type `%s` not found", name.c_str());
    if (td->wrap_only) raisef(TYPE_ERR, "type `%s` has wrap-only mode enabled", td->name.c_str());
    check_usable(*td);
    std::vector<Value> vals(td->fields.size());
    std::vector<bool> has(td->fields.size(), false);
    for (Prop& p : t->props()) {
        int i = td->field_index(p.key);
        if (i < 0)
            raisef(TYPE_ERR,
                   "conversion failed; type `%s` has no property `%s` but the thing you are trying "
                   "to convert has",
                   td->name.c_str(), p.key.c_str());
        const Field& f = td->fields[static_cast<size_t>(i)];
        if (!f.rel.empty())
            raisef(TYPE_ERR,
                   "conversion failed; property `%s` on type `%s` has a relation and can therefore "
                   "not be used as a "
                   "type to convert to",
                   f.name.c_str(), td->name.c_str());
        Value v = p.val;
        c.check_field(*td, f, v);
        vals[static_cast<size_t>(i)] = std::move(v);
        has[static_cast<size_t>(i)] = true;
    }
    Props props;
    for (size_t i = 0; i < td->fields.size(); ++i) {
        Value v = has[i] ? std::move(vals[i])
                         : q.assignable(c.default_value(*td, td->fields[i]), t, false);
        props.push_back({td->fields[i].name, std::move(v)});
    }
    t->props_ = std::move(props);
    for (Prop& p : t->props_) {
        if (p.val.is(VT::List))
            p.val.list()->owner = {t, p.key};
        else if (p.val.is(VT::Set))
            p.val.set()->owner = {t, p.key};
    }
    t->type_id = td->id;
    t->restriction = 0;  // an instance has no value restriction (to_thing does not bring it back)
    c.made.emplace_back(t);  // found by Catalog::instances before it is written
    if (t->id && t->coll) {
        q.require_change();
        t->coll->mark_dirty(t);
        q.add_job(t->id, "{\"to_type\":" + std::to_string(td->id) + "}");
    }
    return Value();
}

// instance.to_thing(): the instance becomes a plain thing in place.
Value m_thing_to_thing(Query& q, Value* self, Args& a) {
    Thing* t = self->thing();
    if (t->type() == kNoType)
        raisef(LOOKUP_ERR, "thing `#%llu` has no property or method `to_thing`",
               static_cast<unsigned long long>(t->id));
    a.exactly(0);
    q.check_not_in_use(*self);
    Catalog& c = Catalog::of(q);
    TypeDef* td = c.type(t->type_id);
    if (td) check_usable(*td);
    if (td) {
        for (auto& o : c.types)
            for (const Field& f : o->fields)
                if ((f.spec.kind == SK::Type && f.spec.ref == td->id) ||
                    (f.spec.nkind == SK::Type && f.spec.nref == td->id))
                    raisef(OPERATION_ERR,
                           "conversion `to_thing` has failed; type `%s` is used as restriction and "
                           "therefore "
                           "ThingsDB is not able to guarantee the typed thing can be converted",
                           td->name.c_str());
    }
    t->type_id = kNoType;
    if (t->id && t->coll) {
        q.require_change();
        t->coll->mark_dirty(t);
        q.add_job(t->id, "{\"to_thing\":null}");
    }
    return Value();
}

// ThingsDB's procedure_info() gives mpdata, read with `.load()`. Info values
// are plain (unstored) things here, so `.load()` on one returns it as is; on
// any other thing it behaves as a missing method or a property closure.
Value m_thing_load(Query& q, Value* self, Args& a) {
    Thing* t = self->thing();
    if (Value* p = t->get("load")) {
        if (!p->is(VT::Closure))
            raisef(TYPE_ERR, "property `load` is of type `%s` and is not callable", type_name(*p));
        Value c = *p;
        std::vector<const Node*> kids;
        for (int i = 0; i < a.size(); ++i) kids.push_back(a.node(i));
        return q.call_with_nodes(c, kids.data(), static_cast<int>(kids.size()));
    }
    if (t->stored())
        raisef(LOOKUP_ERR, "thing `#%llu` has no property or method `load`",
               static_cast<unsigned long long>(t->id));
    a.exactly(0);
    return *self;
}

}  // namespace tdb
