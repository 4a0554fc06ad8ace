// closure() and the methods of closures (call, doc).
#include <string>
#include <vector>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/schema/procedures.h"
#include "core/model/value.h"

namespace tdb {

// closure(): `||nil`; closure(str) parses the text; a closure stays itself.
Value fn_closure(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return closure_from_source("||nil");
    Value v = a.eval(0);
    if (v.is(VT::Closure)) return v;
    if (!v.is(VT::Str)) raisef(TYPE_ERR, "cannot convert type `%s` to `closure`", type_name(v));
    return closure_from_source(v.as_str());
}

// closure.call(args...): as ThingsDB's fn_call, a missing argument is nil and
// arguments past the closure's own are not evaluated.
Value m_closure_call(Query& q, Value* self, Args& a) {
    Value keep = *self;
    int n = static_cast<int>(keep.closure()->params.size());
    std::vector<Value> args;
    for (int i = 0; i < n; ++i) args.push_back(i < a.size() ? a.eval(i) : Value::nil());
    return q.call(keep, args.data(), n);
}

// closure.doc(): the closure's doc string ("" without one).
Value m_closure_doc(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::str(closure_doc(*self));
}

}  // namespace tdb
