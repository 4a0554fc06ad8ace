// Indexing, slicing and every assignment into a thing or a list: `t.key =`,
// `x[i] =`, `x[a:b] =`, store_prop(); assignable() (what a value becomes when
// stored); the change notifications (prop_set, list_splice, set_add, ...)
// that mark things dirty and record watch-event jobs.
#include "core/api/error.h"
#include "core/api/events.h"
#include "core/lang/ast.h"
#include "core/lang/eval_util.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/restrict.h"

namespace tdb {

// Defined with the other hooks in eval.cpp, set by types.cpp.
extern void (*set_remove_hook)(Query& q, SetObj* s, const std::vector<Thing*>& removed);

namespace {

// The parts of a slice as written: evaluated first, clamped (clamp()) only
// after every sub-expression of the statement ran, against the length the
// list or string has then (code in the parts may change the list).
struct SliceParts {
    int64_t a = 0, b = 0, step = 1;
    bool has_start = false, has_stop = false;

    SliceParts(Query& q, const Node* const* parts) {
        auto get = [&](const Node* nd, bool& present) -> int64_t {
            present = false;
            if (!nd) return 0;
            Value v = q.eval(nd);
            if (v.is_nil()) return 0;
            if (!v.is(VT::Int))
                raisef(TYPE_ERR,
                       "slice indices must be of type `int` or `nil` but got got type `%s` "
                       "instead",
                       type_name(v));
            present = true;
            return v.as_int();
        };
        bool has_step;
        a = get(parts[0], has_start);
        b = get(parts[1], has_stop);
        step = get(parts[2], has_step);
        if (!has_step) step = 1;
        if (step == 0) raise(VALUE_ERR, "slice step cannot be zero");
    }

    // Python-style bounds for a length n.
    void clamp(int64_t n, int64_t& start, int64_t& stop) const {
        if (step > 0) {
            start = has_start ? (a < 0 ? std::max<int64_t>(a + n, 0) : std::min(a, n)) : 0;
            stop = has_stop ? (b < 0 ? std::max<int64_t>(b + n, 0) : std::min(b, n)) : n;
        } else {
            start = has_start ? (a < 0 ? std::max<int64_t>(a + n, -1) : std::min(a, n - 1)) : n - 1;
            stop = has_stop ? (b < 0 ? std::max<int64_t>(b + n, -1) : std::min(b, n - 1)) : -1;
        }
    }
};

int64_t list_index(const Value& idx, int64_t n) {
    if (!idx.is(VT::Int))
        raisef(TYPE_ERR, "expecting an index of type `int` but got type `%s` instead",
               type_name(idx));
    int64_t i = idx.as_int();
    if (i < 0) i += n;
    if (i < 0 || i >= n) raise(LOOKUP_ERR, "index out of range");
    return i;
}

}  // namespace

void Query::check_prop_free(Thing* t, const std::string& key) {
    const Value* cur = t->get(key);
    if (!cur) return;
    const bool list = cur->is(VT::List);
    const uint32_t in_use = list ? cur->list()->in_use : cur->is(VT::Set) ? cur->set()->in_use : 0;
    if (in_use)
        raisef(OPERATION_ERR,
               "cannot change or remove property `%s` on `#%llu` while the `%s` is in use",
               key.c_str(), static_cast<unsigned long long>(t->id), list ? "list" : "set");
}

void Query::check_not_in_use(const Value& v) {
    uint32_t in_use = 0;
    if (v.is(VT::List))
        in_use = v.list()->in_use;
    else if (v.is(VT::Set))
        in_use = v.set()->in_use;
    else if (v.is(VT::Thing))
        in_use = v.thing()->in_use;
    if (in_use)
        raisef(OPERATION_ERR, "cannot change type `%s` while the value is in use", type_name(v));
}

// Each notification marks the thing dirty and records the mutation as a
// watch-event job (events.h) unless the thing is new in this query.
void Query::prop_set(Thing* t, const std::string& key) {
    if (!t->id || !t->coll) return;
    require_change();
    t->coll->mark_dirty(t);
    if (records_jobs(t)) add_job(t->id, job_set(*this, key, *t->get(key)));
}

void Query::prop_del(Thing* t, const std::string& key) {
    if (!t->id || !t->coll) return;
    require_change();
    t->coll->mark_dirty(t);
    if (records_jobs(t)) add_job(t->id, job_del(key));
}

void Query::list_splice(ListObj* l, size_t index, size_t ndel, size_t nadd) {
    Thing* t = l->owner.thing;
    if (!t || !t->id || !t->coll) return;
    require_change();
    t->coll->mark_dirty(t);
    if (records_jobs(t)) add_job(t->id, job_splice(*this, l->owner.key, l, index, ndel, nadd));
}

void Query::set_add(SetObj* s, const std::vector<Thing*>& added) {
    Thing* t = s->owner.thing;
    if (!t || !t->id || !t->coll) return;
    require_change();
    t->coll->mark_dirty(t);
    if (records_jobs(t)) add_job(t->id, job_add(*this, s->owner.key, added));
}

void Query::set_remove(SetObj* s, const std::vector<Thing*>& removed) {
    if (set_remove_hook && s->owner.thing && s->owner.thing->type_id != kNoType)
        set_remove_hook(*this, s, removed);
    Thing* t = s->owner.thing;
    if (!t || !t->id || !t->coll) return;
    require_change();
    t->coll->mark_dirty(t);
    if (records_jobs(t)) add_job(t->id, job_remove(s->owner.key, removed));
}

Value Query::assignable_to(Value v, Thing* owner, const std::string& key, Into into) {
    if (owner && !owner->loaded) owner->props();  // its type_id comes with it
    // thing.restrict(): checked before any conversion, as ThingsDB does.
    if (owner && owner->restriction && into == Into::Prop) check_restriction(*this, owner, v);
    // One-character keys from ` ` to `/` are reserved (`#` is the id, `!`
    // holds a stored restriction).
    if (owner && into == Into::Prop && owner->type_id == kNoType && key.size() == 1 &&
        key[0] >= 0x20 && key[0] <= 0x2f)
        raisef(VALUE_ERR, "property `%c` is reserved", key[0]);
    if (owner && owner->type_id != kNoType && assign_hook) assign_hook(*this, v, owner, key, into);
    if (into == Into::List && v.is(VT::Set)) {
        // A set added to a list (push, insert, an index, ...) becomes a
        // tuple of its things, as ThingsDB does; a list literal keeps it.
        std::vector<Value> items;
        items.reserve(v.set()->items.size());
        for (auto& t : v.set()->items) {
            poll();
            items.push_back(make_thing(t.get()));
        }
        v = make_list(std::move(items));  // made a tuple (and its things stored) below
    }
    return assignable(std::move(v), owner, into == Into::List);
}

Value Query::assignable(Value v, Thing* owner, bool into_list) {
    Collection* c = owner && owner->id ? owner->coll : nullptr;
    switch (v.type()) {
        case VT::List: {
            ListObj* l = v.list();
            if (into_list) {
                if (l->tuple) break;
                if (v.object()->refs == 1 && !l->owner.thing) {
                    l->tuple = true;
                } else {
                    Value copy = make_list(l->items());
                    copy.list()->tuple = true;
                    v = std::move(copy);
                }
            } else if (l->tuple || v.object()->refs > 1 || l->owner.thing) {
                v = make_list(l->items());
            }
            check_list_size(v.list()->items().size());
            if (c) c->attach_value(v);
            break;
        }
        case VT::Set: {
            if (v.object()->refs > 1 || v.set()->owner.thing) {
                auto* s = new SetObj();
                for (auto& t : v.set()->items) s->add(t.get());
                v = Value::obj(VT::Set, s);
            }
            if (c) c->attach_value(v);
            break;
        }
        case VT::Thing:
            if (c) c->attach(v.thing());
            break;
        case VT::Room:  // gets its id when first stored
        case VT::Wrap:  // its thing does
            if (c) c->attach_value(v);
            break;
        case VT::Future:  // as ThingsDB: a future is never kept, it becomes nil
            v = Value::nil();
            break;
        case VT::Closure:
            // A closure kept in stored data is ThingsDB's unbound closure:
            // its text without white space (compact_closure) from then on.
            if (c && !v.closure()->stored)
                v = closure_from_source(compact_closure(v.closure()->source));
            break;
        default:
            break;
    }
    return v;
}

void Query::store_prop(Thing* t, const std::string& key, Value v) {
    v = assignable_to(std::move(v), t, key, Into::Prop);
    Value* cur = t->get(key);
    if (cur) {
        *cur = std::move(v);
    } else {
        t->props_.push_back({key, std::move(v)});
        cur = &t->props_.back().val;
    }
    if (cur->is(VT::List))
        cur->list()->owner = {t, key};
    else if (cur->is(VT::Set))
        cur->set()->owner = {t, key};
    prop_set(t, key);
}

Value Query::eval_prop_assign(const Node* n) {
    Value obj = eval(n->kids[0]);
    if (!obj.is(VT::Thing))
        raisef(TYPE_ERR, "cannot assign properties to `%s` type", type_name(obj));
    Thing* t = obj.thing();
    const std::string& key = interned(n->name);
    Value v = eval(n->kids[1]);
    check_not_in_use(obj);
    check_prop_free(t, key);
    if (n->op != Op::None) {
        Value* cur = t->get(key);
        if (!cur)
            raisef(LOOKUP_ERR, "thing %s has no property `%s`", thing_label(t).c_str(),
                   key.c_str());
        v = binary(n->op, *cur, v);
    }
    Value result = v;
    store_prop(t, key, std::move(v));
    return result;
}

Value Query::eval_index(const Node* n) {
    Value obj = eval(n->kids[0]);
    Value idx = eval(n->kids[1]);
    switch (obj.type()) {
        case VT::List: {
            const ListObj* l = obj.list();  // one item: a stored list is not decoded
            return l->at(static_cast<size_t>(list_index(idx, static_cast<int64_t>(l->size()))));
        }
        case VT::Str:
        case VT::Bytes: {
            const std::string& s = obj.as_str();
            size_t i = static_cast<size_t>(list_index(idx, static_cast<int64_t>(s.size())));
            std::string c(1, s[i]);
            return obj.is(VT::Str) ? Value::str(std::move(c)) : Value::bytes(std::move(c));
        }
        case VT::Thing: {
            if (!idx.is(VT::Str))
                raisef(TYPE_ERR, "expecting an index of type `str` but got type `%s` instead",
                       type_name(idx));
            Value* v = obj.thing()->get(idx.as_str());
            if (!v)
                raisef(LOOKUP_ERR, "thing %s has no property `%s`",
                       thing_label(obj.thing()).c_str(), idx.as_str().c_str());
            return *v;
        }
        default:
            raisef(TYPE_ERR, "type `%s` is not indexable", type_name(obj));
    }
}

Value Query::eval_index_assign(const Node* n) {
    Value obj = eval(n->kids[0]);
    Value idx = eval(n->kids[1]);
    if (obj.is(VT::Thing)) {
        if (!idx.is(VT::Str))
            raisef(TYPE_ERR, "expecting an index of type `str` but got type `%s` instead",
                   type_name(idx));
        Value v = eval(n->kids[2]);
        check_not_in_use(obj);
        if (n->op != Op::None) {
            Value* cur = obj.thing()->get(idx.as_str());
            if (!cur)
                raisef(LOOKUP_ERR, "thing %s has no property `%s`",
                       thing_label(obj.thing()).c_str(), idx.as_str().c_str());
            v = binary(n->op, *cur, v);
        }
        Value result = v;
        store_prop(obj.thing(), idx.as_str(), std::move(v));
        return result;
    }
    if (!obj.is(VT::List) || obj.list()->tuple) {
        if (obj.is(VT::List) || obj.is(VT::Str) || obj.is(VT::Bytes))
            raisef(TYPE_ERR, "type `%s` does not support index assignments", type_name(obj));
        raisef(TYPE_ERR, "type `%s` is not indexable", type_name(obj));
    }
    ListObj* l = obj.list();
    list_index(idx, static_cast<int64_t>(l->size()));  // its errors come first
    Value v = eval(n->kids[2]);
    check_not_in_use(obj);
    // The value's code may have changed the list: the index counts from now.
    size_t i = static_cast<size_t>(list_index(idx, static_cast<int64_t>(l->size())));
    if (n->op != Op::None) v = binary(n->op, l->at(i), v);
    Value result = v;
    v = assignable_to(std::move(v), l->owner.thing, l->owner.key, Into::List);
    // The conversion may run code (a Type's) that changed the list meanwhile.
    if (i >= l->size()) raise(LOOKUP_ERR, "index out of range");
    l->set_at(i, std::move(v));
    list_splice(l, i, 1, 1);
    return result;
}

Value Query::eval_slice(const Node* n) {
    Value obj = eval(n->kids[0]);
    bool is_list = obj.is(VT::List);
    if (!is_list && !obj.is(VT::Str) && !obj.is(VT::Bytes))
        raisef(TYPE_ERR, "type `%s` has no slice support", type_name(obj));
    SliceParts parts(*this, n->kids.data() + 1);
    int64_t len = is_list ? static_cast<int64_t>(obj.list()->items().size())
                          : static_cast<int64_t>(obj.as_str().size());
    int64_t start, stop, step = parts.step;
    parts.clamp(len, start, stop);
    if (is_list) {
        std::vector<Value> out;
        for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
            poll(), out.push_back(obj.list()->items()[static_cast<size_t>(i)]);
        return make_list(std::move(out));
    }
    std::string out;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
        out.push_back(obj.as_str()[static_cast<size_t>(i)]);
    return obj.is(VT::Str) ? Value::str(std::move(out)) : Value::bytes(std::move(out));
}

Value Query::eval_slice_assign(const Node* n) {
    Value obj = eval(n->kids[0]);
    if (!obj.is(VT::List) || obj.list()->tuple) {
        if (obj.is(VT::List) || obj.is(VT::Str) || obj.is(VT::Bytes))
            raisef(TYPE_ERR, "type `%s` does not support index assignments", type_name(obj));
        raisef(TYPE_ERR, "type `%s` has no slice support", type_name(obj));
    }
    ListObj* l = obj.list();
    SliceParts parts(*this, n->kids.data() + 1);
    if (parts.step != 1)
        raisef(VALUE_ERR, "slice assignments require a step value of 1 but got %lld instead",
               static_cast<long long>(parts.step));
    if (n->op != Op::None)
        raisef(TYPE_ERR, "unsupported operand type `%s=` for slice assignments", op_text(n->op));
    Value v = eval(n->kids[4]);
    if (!v.is(VT::List))
        raisef(TYPE_ERR,
               "slice assignments require a `list` or `tuple` type but got type `%s` instead",
               type_name(v));
    check_not_in_use(obj);
    std::vector<Value> add;
    for (const Value& item : v.list()->items())
        poll(), add.push_back(assignable_to(item, l->owner.thing, l->owner.key, Into::List));
    // Clamped once nothing else runs: the parts and the value may have
    // changed the list.
    int64_t start, stop;
    parts.clamp(static_cast<int64_t>(l->items().size()), start, stop);
    if (stop < start) stop = start;
    size_t s = static_cast<size_t>(start), e = static_cast<size_t>(stop);
    l->items().erase(l->items().begin() + static_cast<long>(s),
                     l->items().begin() + static_cast<long>(e));
    l->items().insert(l->items().begin() + static_cast<long>(s), add.begin(), add.end());
    list_splice(l, s, e - s, add.size());
    return Value();
}

}  // namespace tdb
