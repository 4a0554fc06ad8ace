// Math: abs, ceil, floor, round, pow, sqrt, exp, log10, log2, loge, sin,
// cos, tan, int.bit_count and the constants MATH_E, MATH_PI, INT_MIN and
// INT_MAX (ThingsDB's fn<name>.h, one function each).
//
// Every function takes an `int` or a `float` ("function `%s` expects
// argument 1 to be of type `int` or `float` ..."; a bool is neither).
// abs/ceil/floor/round keep an int an int; the others return a float.
#include <cmath>
#include <cstdint>
#include <string_view>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/model/value.h"

namespace tdb {

namespace {

// ThingsDB's ti_val_overflow_cast: a float that does not fit an int64
// (nan included).
bool overflows_int(double d) { return !(d >= -9223372036854775808.0 && d < 9223372036854775808.0); }

Value to_int_checked(double d) {
    if (overflows_int(d)) raise(OVERFLOW_ERR, "integer overflow");
    return Value::integer(static_cast<int64_t>(d));
}

// The single number argument of the one-argument functions.
Value number(Args& a) {
    a.exactly(1);
    Value v = a.eval(0);
    if (!v.is(VT::Int) && !v.is(VT::Float))
        raisef(TYPE_ERR,
               "function `%s` expects argument 1 to be of type `int` or `float` but got type `%s` "
               "instead",
               a.name(), type_name(v));
    return v;
}

double as_double(const Value& v) {
    return v.is(VT::Int) ? static_cast<double>(v.as_int()) : v.as_float();
}

}  // namespace

Value fn_abs(Query&, Value*, Args& a) {
    Value v = number(a);
    if (v.is(VT::Int)) {
        int64_t i = v.as_int();
        if (i >= 0) return v;
        if (i == INT64_MIN) raise(OVERFLOW_ERR, "integer overflow");
        return Value::integer(-i);
    }
    double d = v.as_float();
    if (d >= 0 || std::isnan(d)) return v;
    return Value::number(-d);
}

Value fn_ceil(Query&, Value*, Args& a) {
    Value v = number(a);
    return v.is(VT::Int) ? v : to_int_checked(std::ceil(v.as_float()));
}

Value fn_floor(Query&, Value*, Args& a) {
    Value v = number(a);
    return v.is(VT::Int) ? v : to_int_checked(std::floor(v.as_float()));
}

// round(x, digits?): as ThingsDB, round(x * 10^digits) / 10^digits; an int
// stays an int.
Value fn_round(Query&, Value*, Args& a) {
    a.between(1, 2);
    Value v = a.eval(0);
    if (!v.is(VT::Int) && !v.is(VT::Float))
        raisef(TYPE_ERR,
               "function `round` expects argument 1 to be of type `int` or `float` but got type "
               "`%s` instead",
               type_name(v));
    double d = as_double(v), m = 1.0;
    if (a.size() == 2) m = std::pow(10.0, static_cast<double>(a.int_arg(1)));
    d = std::round(d * m) / m;
    return v.is(VT::Int) ? to_int_checked(d) : Value::number(d);
}

Value fn_pow(Query&, Value*, Args& a) {
    a.exactly(2);
    double base = a.number_arg(0);
    double power = a.number_arg(1);
    return Value::number(std::pow(base, power));
}

namespace {

// A function of one float that keeps nan as it is.
template <double (*F)(double)>
Value unary(Query&, Value*, Args& a) {
    Value v = number(a);
    double d = as_double(v);
    if (std::isnan(d)) return v;
    return Value::number(F(d));
}

// The logarithms and sqrt refuse what is outside their domain.
template <double (*F)(double), bool Zero>
Value domain(Query&, Value*, Args& a) {
    Value v = number(a);
    double d = as_double(v);
    if (std::isnan(d)) return v;
    if (Zero ? d < 0 : d <= 0) raise(VALUE_ERR, "math domain error");
    return Value::number(F(d));
}

// sin, cos and tan of an infinity have no value: a domain error, as the
// logarithms of negatives (a NaN argument stays NaN).
template <double (*F)(double)>
Value periodic(Query&, Value*, Args& a) {
    Value v = number(a);
    double d = as_double(v);
    if (std::isnan(d)) return v;
    if (std::isinf(d)) raise(VALUE_ERR, "math domain error");
    return Value::number(F(d));
}

double c_exp(double d) { return std::exp(d); }
double c_sin(double d) { return std::sin(d); }
double c_cos(double d) { return std::cos(d); }
double c_tan(double d) { return std::tan(d); }
double c_log10(double d) { return std::log10(d); }
double c_log2(double d) { return std::log2(d); }
double c_log(double d) { return std::log(d); }
double c_sqrt(double d) { return std::sqrt(d); }

}  // namespace

Value fn_sqrt(Query& q, Value* self, Args& a) { return domain<c_sqrt, true>(q, self, a); }
Value fn_exp(Query& q, Value* self, Args& a) { return unary<c_exp>(q, self, a); }
Value fn_log10(Query& q, Value* self, Args& a) { return domain<c_log10, false>(q, self, a); }
Value fn_log2(Query& q, Value* self, Args& a) { return domain<c_log2, false>(q, self, a); }
Value fn_loge(Query& q, Value* self, Args& a) { return domain<c_log, false>(q, self, a); }
Value fn_sin(Query& q, Value* self, Args& a) { return periodic<c_sin>(q, self, a); }
Value fn_cos(Query& q, Value* self, Args& a) { return periodic<c_cos>(q, self, a); }
Value fn_tan(Query& q, Value* self, Args& a) { return periodic<c_tan>(q, self, a); }

// int.bit_count(): the number of ones in the absolute value.
Value m_int_bit_count(Query&, Value* self, Args& a) {
    a.exactly(0);
    int64_t i = self->as_int();
    uint64_t v = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
    return Value::integer(__builtin_popcountll(v));
}

namespace {

// ThingsDB's other fixed names with an int value: the log levels and the
// NO_IDS flag of the wrap and return options.
bool fixed_constant(std::string_view name, Value& out) {
    static const struct {
        std::string_view name;
        int64_t value;
    } fixed[] = {{"DEBUG", 0}, {"INFO", 1},     {"WARNING", 2},
                 {"ERROR", 3}, {"CRITICAL", 4}, {"NO_IDS", 32}};
    for (const auto& f : fixed) {
        if (f.name == name) {
            out = Value::integer(f.value);
            return true;
        }
    }
    return false;
}

}  // namespace

bool math_constant(std::string_view name, Value& out) {
    if (name == "MATH_E")
        out = Value::number(M_E);
    else if (name == "MATH_PI")
        out = Value::number(M_PI);
    else if (name == "INT_MIN")
        out = Value::integer(INT64_MIN);
    else if (name == "INT_MAX")
        out = Value::integer(INT64_MAX);
    else if (!fixed_constant(name, out))
        return false;
    return true;
}

}  // namespace tdb
