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

// A future resolves at once here (there are no modules): it holds the value
// it resolved to, or the error its closure raised, and the arguments its
// `then` closure gets (the value first).
struct FutureObj : Obj {
    Value value;
    std::vector<Value> args;
    bool failed = false;
    Value error;
};

Value future_value(const Value& v) {
    auto* f = static_cast<FutureObj*>(v.object());
    return f->failed ? f->error : f->value;
}

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
    try {
        f->value = q.call(first, vars.data(), static_cast<int>(vars.size()));
    } catch (const Error& e) {
        if (!catchable(e)) throw;
        f->failed = true;
        f->error = make_error(e.code(), e.msg());
    }
    f->args.push_back(f->value);
    return out;
}

// then(closure): the closure gets the value and the future's arguments; the
// future resolves to what it returns. Skipped when the future failed.
Value m_future_then(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    Value fn = a.closure_arg(0);
    FutureObj* f = F(&keep);
    if (f->failed) return keep;
    auto* r = new FutureObj();
    Value out = make_future(r);
    try {
        r->value = q.call(fn, f->args.data(), static_cast<int>(f->args.size()));
    } catch (const Error& e) {
        if (!catchable(e)) throw;
        r->failed = true;
        r->error = make_error(e.code(), e.msg());
    }
    r->args.push_back(r->value);
    return out;
}

// else(closure): called with the error when the future failed.
Value m_future_else(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    Value fn = a.closure_arg(0);
    FutureObj* f = F(&keep);
    if (!f->failed) return keep;
    auto* r = new FutureObj();
    Value out = make_future(r);
    r->value = q.call(fn, {f->error});
    r->args.push_back(r->value);
    return out;
}

}  // namespace tdb
