// ThingsDB's operators: equality, ordering, arithmetic and bitwise/set logic;
// the text of operators (op_text) and of values (float_repr, to_display).
#include "core/lang/ops.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/lang/ast.h"
#include "core/lang/query.h"
#include "core/model/datetime.h"
#include "core/model/poll.h"
#include "core/api/error.h"
#include "core/model/regex.h"
#include "core/model/room.h"
#include "core/model/task.h"
#include "core/model/thing.h"

namespace tdb {

const char* op_text(Op op) {
    switch (op) {
        case Op::Mul:
            return "*";
        case Op::Div:
            return "/";
        case Op::Mod:
            return "%";
        case Op::Add:
            return "+";
        case Op::Sub:
            return "-";
        case Op::Shl:
            return "<<";
        case Op::Shr:
            return ">>";
        case Op::BitAnd:
            return "&";
        case Op::BitXor:
            return "^";
        case Op::BitOr:
            return "|";
        case Op::Lt:
            return "<";
        case Op::Gt:
            return ">";
        case Op::Eq:
            return "==";
        case Op::Ne:
            return "!=";
        case Op::Le:
            return "<=";
        case Op::Ge:
            return ">=";
        case Op::None:
            break;
    }
    return "";
}

namespace {

bool is_num(const Value& v) { return v.is(VT::Int) || v.is(VT::Float) || v.is(VT::Bool); }
bool is_raw(const Value& v) { return v.is(VT::Str) || v.is(VT::Bytes); }
double num(const Value& v) {
    if (v.is(VT::Float)) return v.as_float();
    if (v.is(VT::Bool)) return v.as_bool() ? 1.0 : 0.0;
    return static_cast<double>(v.as_int());
}
int64_t inum(const Value& v) { return v.is(VT::Bool) ? (v.as_bool() ? 1 : 0) : v.as_int(); }
bool int_like(const Value& v) { return v.is(VT::Int) || v.is(VT::Bool); }

// `<<` and `>>` give what ThingsDB's C shifts give on x86-64, where the
// count is taken modulo the operand's width: 64 bits for an int, 32 for a
// bool (a C `int` there); a right shift keeps the sign. Never undefined here.
int64_t shift(Op op, const Value& a, int64_t count) {
    if (a.is(VT::Bool)) {
        uint32_t x = a.as_bool() ? 1 : 0;
        unsigned s = static_cast<unsigned>(count & 31);
        return op == Op::Shl ? static_cast<int32_t>(x << s) : static_cast<int32_t>(x >> s);
    }
    int64_t x = a.as_int();
    unsigned s = static_cast<unsigned>(count & 63);
    return op == Op::Shl ? static_cast<int64_t>(static_cast<uint64_t>(x) << s) : x >> s;
}

[[noreturn]] void unsupported(Op op, const Value& a, const Value& b) {
    bool bitwise =
        op == Op::BitAnd || op == Op::BitXor || op == Op::BitOr || op == Op::Shl || op == Op::Shr;
    raisef(TYPE_ERR, "%s`%s` not supported between `%s` and `%s`", bitwise ? "bitwise " : "",
           op_text(op), type_name(a), type_name(b));
}

Value set_op(Op op, const Value& a, const Value& b) {
    auto* out = new SetObj();
    Value res = Value::obj(VT::Set, out);
    SetObj* x = a.set();
    SetObj* y = b.set();
    switch (op) {
        case Op::BitOr:
            for (auto& t : x->items) poll_tick(), out->add(t.get());
            for (auto& t : y->items) poll_tick(), out->add(t.get());
            break;
        case Op::BitAnd:
            for (auto& t : x->items)
                if (poll_tick(), y->has(t.get())) out->add(t.get());
            break;
        case Op::BitXor:
            for (auto& t : x->items)
                if (poll_tick(), !y->has(t.get())) out->add(t.get());
            for (auto& t : y->items)
                if (poll_tick(), !x->has(t.get())) out->add(t.get());
            break;
        case Op::Sub:
            for (auto& t : x->items)
                if (poll_tick(), !y->has(t.get())) out->add(t.get());
            break;
        default:
            unsupported(op, a, b);
    }
    return res;
}

Value arith(Op op, const Value& a, const Value& b) {
    if (op == Op::Add && is_raw(a) && is_raw(b)) {
        std::string s = a.as_str();
        s += b.as_str();
        return a.is(VT::Bytes) || b.is(VT::Bytes) ? Value::bytes(std::move(s))
                                                  : Value::str(std::move(s));
    }
    if (a.is(VT::Set) && b.is(VT::Set)) return set_op(op, a, b);
    if (!is_num(a) || !is_num(b)) unsupported(op, a, b);
    if (int_like(a) && int_like(b)) {
        int64_t x = inum(a), y = inum(b), r = 0;
        switch (op) {
            case Op::Add:
                if (__builtin_add_overflow(x, y, &r)) raise(OVERFLOW_ERR, "integer overflow");
                return Value::integer(r);
            case Op::Sub:
                if (__builtin_sub_overflow(x, y, &r)) raise(OVERFLOW_ERR, "integer overflow");
                return Value::integer(r);
            case Op::Mul:
                if (__builtin_mul_overflow(x, y, &r)) raise(OVERFLOW_ERR, "integer overflow");
                return Value::integer(r);
            case Op::Div:
                if (y == 0) raise(ZERO_DIV_ERR, "division or modulo by zero");
                if (x == INT64_MIN && y == -1) raise(OVERFLOW_ERR, "integer overflow");
                return Value::integer(x / y);
            case Op::Mod:
                if (y == 0) raise(ZERO_DIV_ERR, "division or modulo by zero");
                if (y == -1) return Value::integer(0);
                return Value::integer(x % y);
            case Op::BitAnd:
                return Value::integer(x & y);
            case Op::BitXor:
                return Value::integer(x ^ y);
            case Op::BitOr:
                return Value::integer(x | y);
            case Op::Shl:
            case Op::Shr:
                return Value::integer(shift(op, a, y));
            default:
                break;
        }
        unsupported(op, a, b);
    }
    double x = num(a), y = num(b);
    switch (op) {
        case Op::Add:
            return Value::number(x + y);
        case Op::Sub:
            return Value::number(x - y);
        case Op::Mul:
            return Value::number(x * y);
        case Op::Div:
            if (y == 0.0) raise(ZERO_DIV_ERR, "division or modulo by zero");
            return Value::number(x / y);
        case Op::Mod: {
            // ThingsDB truncates both operands to integers for `%`.
            if (!(std::fabs(x) < 9.2233720368547758e18) || !(std::fabs(y) < 9.2233720368547758e18))
                raise(OVERFLOW_ERR, "integer overflow");
            int64_t xi = static_cast<int64_t>(x), yi = static_cast<int64_t>(y);
            if (yi == 0) raise(ZERO_DIV_ERR, "division or modulo by zero");
            if (yi == -1) return Value::integer(0);
            return Value::integer(xi % yi);
        }
        default:
            unsupported(op, a, b);
    }
}

bool list_equals(const ListObj* x, const ListObj* y) {
    if (x == y) return true;
    if (x->items().size() != y->items().size()) return false;
    static thread_local int nesting = 0;
    NestingGuard guard(nesting);
    for (size_t i = 0; i < x->items().size(); ++i)
        if (poll_tick(), !equals(x->items()[i], y->items()[i])) return false;
    return true;
}

}  // namespace

bool equals(const Value& a, const Value& b) {
    if (is_num(a) && is_num(b)) {
        if (int_like(a) && int_like(b)) return inum(a) == inum(b);
        return num(a) == num(b);
    }
    if (is_raw(a) && is_raw(b)) return a.as_str() == b.as_str();
    if (is_datetime_like(a) && is_datetime_like(b)) return a.datetime()->ts == b.datetime()->ts;
    if (a.type() != b.type()) return false;
    switch (a.type()) {
        case VT::Nil:
            return true;
        case VT::List:
            return list_equals(a.list(), b.list());
        case VT::Set: {
            SetObj *x = a.set(), *y = b.set();
            if (x->items.size() != y->items.size()) return false;
            for (auto& t : x->items)
                if (poll_tick(), !y->has(t.get())) return false;
            return true;
        }
        case VT::Regex:
            return a.regex()->pattern == b.regex()->pattern && a.regex()->flags == b.regex()->flags;
        case VT::Error:
            return a.error()->code == b.error()->code;
        case VT::Room:  // one stored room, whichever object a query read it into
            return a.object() == b.object() || (a.room()->id && a.room()->id == b.room()->id);
        default:
            return a.object() == b.object();
    }
}

int compare(const Value& a, const Value& b, const char* op) {
    if (is_num(a) && is_num(b)) {
        if (int_like(a) && int_like(b)) {
            int64_t x = inum(a), y = inum(b);
            return x < y ? -1 : x > y ? 1 : 0;
        }
        double x = num(a), y = num(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    if (is_raw(a) && is_raw(b)) {
        int c = a.as_str().compare(b.as_str());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (is_datetime_like(a) && is_datetime_like(b)) {
        int64_t x = a.datetime()->ts, y = b.datetime()->ts;
        return x < y ? -1 : x > y ? 1 : 0;
    }
    raisef(TYPE_ERR, "`%s` not supported between `%s` and `%s`", op, type_name(a), type_name(b));
}

namespace {

int64_t checked_neg(int64_t v) {
    if (v == INT64_MIN) raise(OVERFLOW_ERR, "integer overflow");
    return -v;
}

}  // namespace

Value prefix_sign(bool neg, const Value& v) {
    switch (v.type()) {
        case VT::Int:
            return neg ? Value::integer(checked_neg(v.as_int())) : v;
        case VT::Float:
            return neg ? Value::number(-v.as_float()) : v;
        case VT::Bool:
            return Value::integer(neg ? -int64_t(v.as_bool()) : int64_t(v.as_bool()));
        default:
            raisef(TYPE_ERR, "operation not supported by type `%s`", type_name(v));
    }
}

// An odd run inverts the bits of the int; an even one only asks for a number,
// as `+` does. Without a `!`, a bool inverts as 0 or 1 whatever the signs
// (`~-true` is -2); after a `!` the signs apply first (`~-!0` is 0).
Value prefix_invert(bool invert, bool neg, bool after_not, const Value& v) {
    switch (v.type()) {
        case VT::Int: {
            int64_t i = neg ? checked_neg(v.as_int()) : v.as_int();
            return Value::integer(invert ? ~i : i);
        }
        case VT::Float:
            if (invert) raise(TYPE_ERR, "bit inversion on float");
            return Value::number(neg ? -v.as_float() : v.as_float());
        case VT::Bool: {
            int64_t b = v.as_bool() ? 1 : 0;
            if (!invert) return Value::integer(neg ? -b : b);
            return Value::integer(~(neg && after_not ? -b : b));
        }
        default:
            raisef(TYPE_ERR, "operation not supported by type `%s`", type_name(v));
    }
}

Value binary(Op op, const Value& a, const Value& b) {
    switch (op) {
        case Op::Eq:
            return Value::boolean(equals(a, b));
        case Op::Ne:
            return Value::boolean(!equals(a, b));
        case Op::Lt:
            return Value::boolean(compare(a, b, "<") < 0);
        case Op::Gt:
            return Value::boolean(compare(a, b, ">") > 0);
        case Op::Le:
            return Value::boolean(compare(a, b, "<=") <= 0);
        case Op::Ge:
            return Value::boolean(compare(a, b, ">=") >= 0);
        default:
            return arith(op, a, b);
    }
}

std::string float_repr(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    // Use the shortest text that reads back as the same double.
    for (int p = 1; p <= 17; ++p) {
        char t[40];
        std::snprintf(t, sizeof t, "%.*g", p, d);
        if (std::strtod(t, nullptr) == d) {
            std::strcpy(buf, t);
            break;
        }
    }
    // Positional notation for decimal exponents -4..15 (as Python's repr),
    // so 1500.0 is "1500.0" and not "1.5e+03".
    const char* ep = std::strchr(buf, 'e');
    int exp10 = ep ? std::atoi(ep + 1) : 0;
    if (ep && exp10 >= -4 && exp10 < 16) {
        int digits = 0;
        for (const char* c = buf; *c && *c != 'e'; ++c) digits += *c >= '0' && *c <= '9';
        std::snprintf(buf, sizeof buf, "%.*f", std::max(digits - 1 - exp10, 0), d);
    }
    std::string s(buf);
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    return s;
}

std::string to_display(const Value& v) {
    switch (v.type()) {
        case VT::Nil:
            return "nil";
        case VT::Bool:
            return v.as_bool() ? "true" : "false";
        case VT::Int:
            return std::to_string(v.as_int());
        case VT::Float:
            return float_repr(v.as_float());
        case VT::Str:
        case VT::Bytes:
            return v.as_str();
        case VT::Regex:
            return "/" + v.regex()->pattern + "/" + v.regex()->flags;
        case VT::Error:
            return v.error()->msg;
        case VT::Datetime:
        case VT::Timeval:
            return dt_to_iso(*v.datetime());
        case VT::Room:  // as ThingsDB's ti_room_str
            return v.room()->id ? "room:" + std::to_string(v.room()->id) : "room:nil";
        case VT::Task:
            return task_display(v);
        case VT::Closure:  // ThingsDB's ti_closure_def
            return format_closure(*v.closure()->prog, v.closure()->node);
        default:
            raisef(TYPE_ERR, "cannot convert type `%s` to `str`", type_name(v));
    }
}

}  // namespace tdb
