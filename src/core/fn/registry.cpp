// The table of built-in functions and methods, and argument checking with
// ThingsDB's messages.
#include "core/fn/fn.h"

#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/lang/query.h"
#include "core/model/restrict.h"
#include "core/model/thing.h"

namespace tdb {

namespace {

struct Registry {
    std::unordered_map<std::string, FnDef> functions;
    std::unordered_map<std::string, FnDef> methods[static_cast<int>(VT::Future) + 1];
    std::unordered_set<std::string> changing;
};

Registry& registry() {
    static Registry r;
    return r;
}

void ensure_registered() {
    static bool done = false;
    if (done) return;
    done = true;
    register_core_functions();
    register_str_methods();
    register_list_methods();
    register_thing_methods();
    register_set_methods();
    register_collection_functions();
    register_procedure_functions();
    register_user_functions();
    register_datetime_functions();
    register_type_functions();
    register_enum_functions();
    register_event_methods();
    register_math_functions();
    register_util_functions();
    register_restrict_methods();
}

const char* plural(int n) { return n == 1 ? "" : "s"; }
const char* was(int n) { return n == 1 ? "was" : "were"; }

}  // namespace

void register_functions(std::initializer_list<FnDef> defs) {
    Registry& r = registry();
    for (const FnDef& d : defs) {
        r.functions[d.name] = d;
        if (d.flags & FN_CHANGE) r.changing.insert(d.name);
    }
}

void register_methods(VT receiver, std::initializer_list<FnDef> defs) {
    Registry& r = registry();
    for (const FnDef& d : defs) {
        r.methods[static_cast<int>(receiver)][d.name] = d;
        if (d.flags & FN_CHANGE) r.changing.insert(d.name);
    }
}

const FnDef* find_function(std::string_view name) {
    ensure_registered();
    auto& m = registry().functions;
    auto it = m.find(std::string(name));
    return it == m.end() ? nullptr : &it->second;
}

const FnDef* find_method(VT receiver, std::string_view name) {
    ensure_registered();
    auto& m = registry().methods[static_cast<int>(receiver)];
    auto it = m.find(std::string(name));
    return it == m.end() ? nullptr : &it->second;
}

bool name_may_change(std::string_view name) {
    ensure_registered();
    return registry().changing.count(std::string(name)) != 0;
}

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
        raisef(NUM_ARGUMENTS_ERR, "function `%s` takes at most %d argument%s but %d %s given", name_,
               n, plural(n), n_, was(n_));
}

void Args::between(int lo, int hi) const {
    at_least(lo);
    at_most(hi);
}

void Args::bad_type(int i, const char* want, const Value& got) const {
    raisef(TYPE_ERR, "function `%s` expects argument %d to be of type `%s` but got type `%s` instead",
           name_, i + 1, want, type_name(got));
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
           "function `%s` expects argument %d to be of type `int` or `float` but got type `%s` instead",
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
