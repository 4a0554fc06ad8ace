// future() and the methods of futures (then, else).
#include <string>
#include <unordered_set>
#include <vector>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/model/poll.h"
#include "core/model/thing.h"
#include "core/model/wrap.h"
#include "core/model/value.h"

namespace tdb {

// A future resolves at once here: it holds the value it resolved to and the
// arguments its `then` closure gets (the value first). Without modules no
// future fails: an error in a future's closure ends the query, as in ThingsDB.
struct FutureObj : Obj {
    Value value;
    std::vector<Value> args;
};

Value future_value(const Value& v) { return static_cast<FutureObj*>(v.object())->value; }

namespace {

Value make_future(FutureObj* f) { return Value::obj(VT::Future, f); }

// Whether v is or holds a stored thing (one with an Id), through lists,
// sets, wraps and the properties of things that are not stored; `seen`
// ends the walk at a thing met before (things may hold themselves).
bool holds_stored(const Value& v, std::unordered_set<const Thing*>& seen) {
    check_stack_depth();
    const Thing* t = thing_or_wrapped(v);
    if (t) {
        if (t->stored()) return true;
        if (!seen.insert(t).second) return false;
        for (const Prop& p : const_cast<Thing*>(t)->props()) {
            poll_tick();
            if (holds_stored(p.val, seen)) return true;
        }
        return false;
    }
    if (v.is(VT::List)) {
        for (const Value& item : v.list()->items()) {
            poll_tick();
            if (holds_stored(item, seen)) return true;
        }
    } else if (v.is(VT::Set)) {
        for (const auto& item : v.set()->items) {
            poll_tick();
            if (item->stored()) return true;
        }
    }
    return false;
}
FutureObj* F(Value* self) { return static_cast<FutureObj*>(self->object()); }

// ThingsDB's limit of futures open on one closure (TI_CLOSURE_MAX_FUTURE_COUNT).
constexpr int kMaxFutureCount = 255;

// ThingsDB runs a future's closure after the query, in a context of its own,
// and every future made in a query is still open then: it counts the futures
// made on each closure (one per closure's code, as it keeps one closure per
// node) and refuses the 256th. Here the closure runs at once, from call depth
// 0, and the count only grows within the query. An error in the closure ends
// the query, as there.
void count_future(Query& q, const Value& fn) {
    int& count = q.future_counts[fn.closure()->node];
    if (count >= kMaxFutureCount)
        raise(OPERATION_ERR,
              "maximum future count on closure has been reached; see "
              "https://docs.thingsdb.io/v1/data-types/closure");
    ++count;
}

Value run_future_closure(Query& q, const Value& fn, const Value* args, int n) {
    count_future(q, fn);
    struct Depth {
        Query& q;
        int old;
        ~Depth() { q.swap_call_depth(old); }
    } depth{q, q.swap_call_depth(0)};
    return q.call(fn, args, n);
}

}  // namespace

// future(nil, args...) resolves to nil; future(closure) calls the closure at
// once with the variables named as its parameters (ThingsDB hands their
// values to the future), future(closure, [values]) with the values of the
// list, one for each parameter. A thing (a module request) is refused: there
// are no modules.
Value fn_future(Query& q, Value*, Args& a) {
    a.at_least(1);
    Value first = a.eval(0);
    auto* f = new FutureObj();
    Value out = make_future(f);
    if (first.is_nil()) {
        f->args.push_back(Value::nil());
        for (int i = 1; i < a.size(); ++i) f->args.push_back(a.eval(i));
        return out;
    }
    if (first.is(VT::Thing)) {
        Value* m = first.thing()->get("module");
        if (!m) raise(LOOKUP_ERR, "missing `module` in future request");
        if (!m->is(VT::Str))
            raisef(TYPE_ERR, "expecting `module` to be of type `str` but got type `%s` instead",
                   type_name(*m));
        raisef(LOOKUP_ERR, "module `%s` not found", m->as_str().c_str());
    }
    if (!first.is(VT::Closure))
        raisef(TYPE_ERR,
               "function `future` expects argument 1 to be of type `thing`, `closure` or `nil` "
               "but got type `%s` instead",
               type_name(first));
    if (a.size() > 2)
        raise(NUM_ARGUMENTS_ERR,
              "function `future` expects at most 2 arguments when the first argument is of type "
              "`closure`");
    std::vector<Value> vars;
    if (a.size() == 2) {
        Value given = a.eval(1);
        if (!given.is(VT::List))
            raisef(TYPE_ERR,
                   "function `future` expects argument 2 to be of type `list` or `tuple` but got "
                   "type `%s` instead",
                   type_name(given));
        if (given.list()->items().size() != first.closure()->params.size())
            raise(NUM_ARGUMENTS_ERR,
                  "number of future closure arguments must match the arguments in the provided "
                  "list");
        // A copy: the closure may change the list it was given.
        vars = given.list()->items();
    } else {
        for (const std::string& p : first.closure()->params) {
            Value* v = q.find_var(intern(p));
            if (!v) raisef(LOOKUP_ERR, "variable `%s` is undefined", p.c_str());
            vars.push_back(*v);
        }
    }
    // ThingsDB: a future's closure runs in a context of its own, where a
    // stored thing can only be found again by its Id.
    std::unordered_set<const Thing*> seen;
    for (const Value& v : vars)
        if (holds_stored(v, seen))
            raise(OPERATION_ERR, "context does not allow arguments which are stored by Id");
    f->value = run_future_closure(q, first, vars.data(), static_cast<int>(vars.size()));
    f->args.push_back(f->value);
    return out;
}

// then(closure): the closure gets the value and the future's arguments; the
// future resolves to what it returns.
Value m_future_then(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    Value fn = a.closure_arg(0);
    FutureObj* f = F(&keep);
    auto* r = new FutureObj();
    Value out = make_future(r);
    r->value = run_future_closure(q, fn, f->args.data(), static_cast<int>(f->args.size()));
    r->args.push_back(r->value);
    return out;
}

// else(closure): ThingsDB calls it when a module's future fails; no future
// fails here, so it is only checked and counted on its closure, as there.
Value m_future_else(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    count_future(q, a.closure_arg(0));
    return keep;
}

}  // namespace tdb
