// Args: evaluating the arguments of a built-in and checking their number
// and types, with ThingsDB's messages.
#include <string>

#include "core/fn/fn.h"
#include "core/lang/query.h"

namespace tdb {

namespace {

const char* plural(int n) { return n == 1 ? "" : "s"; }
const char* was(int n) { return n == 1 ? "was" : "were"; }

}  // namespace

Value Args::eval(int i) const { return q_.eval(nodes_[i]); }

void Args::exactly(int n) const {
    if (n_ != n)
        raisef(NUM_ARGUMENTS_ERR, "function `%s` takes %d argument%s but %d %s given", name_, n,
               plural(n), n_, was(n_));
}

void Args::at_least(int n) const {
    if (n_ < n)
        raisef(NUM_ARGUMENTS_ERR, "function `%s` requires at least %d argument%s but %d %s given",
               name_, n, plural(n), n_, was(n_));
}

void Args::at_most(int n) const {
    if (n_ > n)
        raisef(NUM_ARGUMENTS_ERR, "function `%s` takes at most %d argument%s but %d %s given",
               name_, n, plural(n), n_, was(n_));
}

void Args::between(int lo, int hi) const {
    at_least(lo);
    at_most(hi);
}

void Args::bad_type(int i, const char* want, const Value& got) const {
    raisef(TYPE_ERR,
           "function `%s` expects argument %d to be of type `%s` but got type `%s` instead", name_,
           i + 1, want, type_name(got));
}

int64_t Args::int_arg(int i) const {
    Value v = eval(i);
    if (!v.is(VT::Int)) bad_type(i, "int", v);
    return v.as_int();
}

double Args::number_arg(int i) const {
    Value v = eval(i);
    if (v.is(VT::Int)) return static_cast<double>(v.as_int());
    if (v.is(VT::Float)) return v.as_float();
    raisef(TYPE_ERR,
           "function `%s` expects argument %d to be of type `int` or `float` but got type `%s` "
           "instead",
           name_, i + 1, type_name(v));
}

std::string Args::str_arg(int i) const {
    Value v = eval(i);
    if (!v.is(VT::Str)) bad_type(i, "str", v);
    return v.as_str();
}

Value Args::closure_arg(int i) const {
    Value v = eval(i);
    if (!v.is(VT::Closure)) bad_type(i, "closure", v);
    return v;
}

Value Args::thing_arg(int i) const {
    Value v = eval(i);
    if (!v.is(VT::Thing)) bad_type(i, "thing", v);
    return v;
}

}  // namespace tdb
