// Built-in functions and methods: how they are called and registered.
#pragma once

#include "core/api/pure.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/error.h"
#include "core/model/value.h"

namespace tdb {

class Query;
struct Node;

// The arguments of one call, not yet evaluated: a function decides when (and
// whether) to evaluate each one, as ThingsDB's `try`, `wse` and `||` need.
class Args {
public:
    Args(Query& q, const char* name, const Node* const* nodes, int n)
        : q_(q), name_(name), nodes_(nodes), n_(n) {}
    int size() const { return n_; }
    const char* name() const { return name_; }
    const Node* node(int i) const { return nodes_[i]; }
    Value eval(int i) const;   // evaluates argument i (0-based)
    Query& query() const { return q_; }

    // "function `%s` takes %d argument(s) but %d were given" and friends.
    void exactly(int n) const;
    void at_least(int n) const;
    void at_most(int n) const;
    void between(int lo, int hi) const;

    // Evaluate argument i and require a type:
    // "function `%s` expects argument %d to be of type `%s` but got type `%s` instead"
    int64_t int_arg(int i) const;
    double number_arg(int i) const;     // int or float
    std::string str_arg(int i) const;
    Value closure_arg(int i) const;
    Value thing_arg(int i) const;
    [[noreturn]] void bad_type(int i, const char* want, const Value& got) const;

private:
    Query& q_;
    const char* name_;
    const Node* const* nodes_;
    int n_;
};

// self is nullptr for a function, the receiver for a method.
using FnImpl = Value (*)(Query& q, Value* self, Args& a);

enum FnFlags : unsigned {
    FN_NONE = 0,
    FN_CHANGE = 1,          // may change stored data (a query using it is a change)
    FN_THINGSDB = 2,        // available in the @thingsdb scope
    FN_COLLECTION = 4,      // available in collection scopes
    FN_ANY_SCOPE = FN_THINGSDB | FN_COLLECTION,
};

struct FnDef {
    const char* name;
    FnImpl impl;
    unsigned flags;
};

// Methods are keyed by receiver type; VT::List covers tuples too.
void register_functions(std::initializer_list<FnDef> defs);
void register_methods(VT receiver, std::initializer_list<FnDef> defs);
const FnDef* find_function(std::string_view name);
const FnDef* find_method(VT receiver, std::string_view name);
// Every built-in name that exists as a function or method (for flags).
bool name_may_change(std::string_view name);

// Registration of each group (called once, from the registry).
void register_core_functions();     // fn_misc.cpp: is_*, conversions, errors, ...
void register_str_methods();        // fn_str.cpp
void register_list_methods();       // fn_list.cpp
void register_thing_methods();      // fn_thing.cpp
void register_set_methods();        // fn_set.cpp
void register_collection_functions();  // fn_collections.cpp: @thingsdb scope
void register_procedure_functions();   // fn_procedures.cpp: procedures API, call by name
void register_user_functions();     // fn_users.cpp: users, tokens, grant/revoke
void register_datetime_functions();    // fn_datetime.cpp: datetime, timeval, time zones
void register_type_functions();     // fn_types.cpp: Types (and the hooks of types.cpp)
void register_enum_functions();     // fn_enums.cpp: enums
void register_event_methods();      // fn_emit.cpp: thing.emit
void register_math_functions();     // fn_math.cpp: abs, ceil, ..., int.bit_count
// MATH_E, MATH_PI, INT_MIN, INT_MAX (fn_math.cpp): names that are no variable.
bool math_constant(std::string_view name, Value& out);
void register_util_functions();     // fn_util.cpp: base64, is_email, rand*, future, log, ...
void register_restrict_methods();   // restrict.cpp: thing.restrict, restriction
// The value a future resolved to (or its error), as rendered (fn_util.cpp).
Value future_value(const Value& v);

}  // namespace tdb
