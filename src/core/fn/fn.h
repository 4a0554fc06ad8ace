// Built-in functions and methods: how they are called (Args), their flags,
// and their lookup in the table of fn/table.cpp.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <span>
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
    // A method's arguments: the receiver names its page of the documentation.
    Args(Query& q, const char* name, const Node* const* nodes, int n, VT receiver)
        : q_(q), name_(name), nodes_(nodes), n_(n), method_(true), receiver_(receiver) {}
    int size() const { return n_; }
    const char* name() const { return name_; }
    const Node* node(int i) const { return nodes_[i]; }
    Value eval(int i) const;  // evaluates argument i (0-based)
    Query& query() const { return q_; }

    // "function `%s` takes %d argument(s) but %d were given" and friends.
    void exactly(int n) const;
    void at_least(int n) const;
    void at_most(int n) const;
    void between(int lo, int hi) const;

    // Evaluate argument i and require a type:
    // "function `%s` expects argument %d to be of type `%s` but got type `%s` instead"
    int64_t int_arg(int i) const;
    double number_arg(int i) const;  // int or float
    std::string str_arg(int i) const;
    Value closure_arg(int i) const;
    Value thing_arg(int i) const;
    [[noreturn]] void bad_type(int i, const char* want, const Value& got) const;

    // ThingsDB ends the errors a built-in raises about its own use (the
    // number and types of its arguments, and the other faults its page
    // documents) with "; see <its page>". doc() is that suffix. Messages
    // that start "function `NAME`" get it where the built-in is called
    // (documented_error); fail() raises any other such message with it.
    std::string doc() const;
    [[noreturn]] void fail(int code, const char* f, ...) const
        __attribute__((format(printf, 3, 4)));

    // The same arguments under the name and page ThingsDB gives a part of a
    // built-in: mod_type's tasks are "mod_type` with task `add" with the
    // page collection-api/mod_type/add.
    Args renamed(const char* name, const char* page) const;

private:
    Query& q_;
    const char* name_;
    const Node* const* nodes_;
    int n_;
    bool method_ = false;
    VT receiver_ = VT::Nil;
    const char* page_ = nullptr;  // below https://docs.thingsdb.io/v1/, when not the name's
};

// An error whose message is the user's (raise(), assert(), alt_raise(), a
// caught error raised again by try()): it never gets a documentation link.
class UserError : public Error {
public:
    using Error::Error;
};
[[noreturn]] void raise_user(int code, std::string msg);

// The address of a built-in's page: https://docs.thingsdb.io/v1/ then
// "data-types/<receiver>/<name>" for a method, "thingsdb-api/",
// "procedures-api/", "errors/" or "collection-api/" and the name for a
// function.
std::string fn_doc_url(std::string_view name, bool method, VT receiver);
// An error raised out of a call of the built-in `name`: its message with the
// page's address when it is about the call ("function `NAME` ...") and has
// none yet; otherwise nothing (the caller rethrows the error as it is).
bool documented_error(const Error& e, const Args& a, std::string& msg);

// self is nullptr for a function, the receiver for a method.
using FnImpl = Value (*)(Query& q, Value* self, Args& a);

enum FnFlags : unsigned {
    FN_NONE = 0,
    FN_CHANGE = 1,      // may change stored data (a query using it is a change)
    FN_THINGSDB = 2,    // available in the @thingsdb scope
    FN_COLLECTION = 4,  // available in collection scopes
    FN_ANY_SCOPE = FN_THINGSDB | FN_COLLECTION,
};

// One row of the table: a function, or a method of the receiver of MethodDef.
struct FnDef {
    const char* name;
    FnImpl impl;
    unsigned flags;
};

// Methods are keyed by receiver type; VT::List covers tuples too.
struct MethodDef {
    VT receiver;
    FnDef fn;
};

// Lookups in the table (fn/table.cpp); nullptr when there is no such built-in.
const FnDef* find_function(std::string_view name);
const FnDef* find_method(VT receiver, std::string_view name);
// Whether a built-in of this name (a function or any receiver's method) has
// FN_CHANGE: the parser's guess whether a query is a change.
bool name_may_change(std::string_view name);

// The rows themselves (for the table's unit test): functions by name,
// methods by receiver (VT order) and then by name.
std::span<const FnDef> builtin_functions();
std::span<const MethodDef> builtin_methods();
// Builds the lookup from the rows; aborts when fn_table_fault() finds a
// fault in them. Called by init_core().
void build_fn_table();
// "" when functions are in byte order by name and methods by receiver (VT
// order) and then by name, with no name twice for one receiver; else what
// is wrong, with the row.
std::string fn_table_fault(std::span<const FnDef> functions, std::span<const MethodDef> methods);

// ---- used by the evaluator ----
// MATH_E, MATH_PI, INT_MIN, INT_MAX (fn/math.cpp): names that are no variable.
bool math_constant(std::string_view name, Value& out);
// The value a future resolved to (or its error), as rendered (fn/future.cpp).
Value future_value(const Value& v);

}  // namespace tdb
