// Core functions: errors (err, raise, try, assert and the *_err constructors),
// type tests (is_*), conversions (str, int, ...), range, json, wse/nse, now.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/lang/ast.h"
#include "core/api/codec.h"
#include "core/model/datetime.h"
#include "core/api/error.h"
#include "core/fn/fn.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/regex.h"
#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

namespace {

// ThingsDB's EX_MAX_SZ: the longest error message.
constexpr size_t kMaxErrMsg = 16383;
constexpr int kMinErrCode = -127;
constexpr int kMaxBuiltinErrCode = -50;
constexpr int kDefaultErrCode = -100;


// The message of an error made without one: the built-in text, or
// "error:<code>" for a user code (ThingsDB's verror cache).
std::string default_err_msg(int code) {
    if (code >= CANCELLED_ERR && code <= ASSERT_ERR) return error_default_msg(code);
    return fmt("error:%d", code);
}

void check_err_msg(const std::string& msg) {
    if (msg.size() > kMaxErrMsg)
        raisef(VALUE_ERR, "error messages should not exceed %d characters, got %zu characters",
               static_cast<int>(kMaxErrMsg), msg.size());
    if (!valid_utf8(msg)) raise(VALUE_ERR, "error messages must have valid UTF8 encoding");
}

// --- errors ----------------------------------------------------------------

// cancelled_err(), type_err(msg), ...: one instance per error code.
template <int Code>
Value f_make_err(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return make_error(Code, default_err_msg(Code));
    std::string msg = a.str_arg(0);
    check_err_msg(msg);
    return make_error(Code, std::move(msg));
}

Value f_err(Query&, Value*, Args& a) {
    a.at_most(2);
    if (a.size() == 0) return make_error(kDefaultErrCode, default_err_msg(kDefaultErrCode));
    int64_t code = a.int_arg(0);
    if (code < kMinErrCode || code > kMaxBuiltinErrCode)
        raisef(VALUE_ERR, "function `err` expects an error code between %d and %d but got %" PRId64 " instead",
               kMinErrCode, kMaxBuiltinErrCode, code);
    int c = static_cast<int>(code);
    if (a.size() == 1) return make_error(c, default_err_msg(c));
    std::string msg = a.str_arg(1);
    check_err_msg(msg);
    return make_error(c, std::move(msg));
}

Value f_raise(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) raise(kDefaultErrCode, default_err_msg(kDefaultErrCode));
    Value v = a.eval(0);
    if (v.is(VT::Str)) {
        check_err_msg(v.as_str());
        raise(kDefaultErrCode, v.as_str());
    }
    if (!v.is(VT::Error))
        raisef(TYPE_ERR,
               "function `raise` expects argument 1 to be of type `error` or type `str` but got type `%s` instead",
               type_name(v));
    raise(v.error()->code, v.error()->msg);
}

Value m_code(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::integer(self->error()->code);
}

Value m_msg(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::str(self->error()->msg);
}

// Only ThingsDB errors with a catchable code become values; internal codes,
// and every other C++ exception (out of memory, PostgreSQL errors, a
// cancel), pass through untouched.
Value f_try(Query&, Value*, Args& a) {
    a.at_least(1);
    int code;
    std::string msg;
    try {
        return a.eval(0);
    } catch (const Error& e) {
        if (e.code() < kMinErrCode || e.code() > kMaxBuiltinErrCode) throw;
        code = e.code();
        msg = e.msg();
    }
    for (int i = 1; i < a.size(); ++i) {
        Value want = a.eval(i);
        if (!want.is(VT::Error))
            raisef(TYPE_ERR, "function `try` expects arguments 2..X to be of type `error` but got type `%s` instead",
                   type_name(want));
        if (want.error()->code == code) return make_error(code, std::move(msg));
    }
    if (a.size() > 1) raise(code, msg);
    return make_error(code, std::move(msg));
}

// The leftmost source offset of an expression (a binary node sits on its
// operator, so the start is found among its operands).
uint32_t node_start(const Node* n) {
    uint32_t start = n->pos;
    for (const Node* k : n->kids)
        if (k) start = std::min(start, node_start(k));
    return start;
}

const std::string* source_of(Query& q, const Node* n) {
    for (const auto& prog : q.programs)
        for (const auto& owned : prog->nodes)
            if (owned.get() == n) return &prog->source;
    return nullptr;
}

// The text of an argument as written: from its start up to the `,` or `)`
// that ends it (brackets and string literals are skipped over).
std::string argument_text(const std::string& src, uint32_t start) {
    int depth = 0;
    size_t i = start;
    for (; i < src.size(); ++i) {
        char c = src[i];
        if (c == '\'' || c == '"' || c == '`') {
            size_t j = src.find(c, i + 1);
            // A doubled quote is an escaped quote inside the literal.
            while (j != std::string::npos && j + 1 < src.size() && src[j + 1] == c) j = src.find(c, j + 2);
            if (j == std::string::npos) break;
            i = j;
        } else if (c == '(' || c == '[' || c == '{') {
            ++depth;
        } else if (c == ')' || c == ']' || c == '}') {
            if (depth == 0) break;
            --depth;
        } else if (c == ',' && depth == 0) {
            break;
        }
    }
    size_t end = i;
    while (end > start && std::isspace(static_cast<unsigned char>(src[end - 1]))) --end;
    return src.substr(start, end - start);
}

Value f_assert(Query& q, Value*, Args& a) {
    a.between(1, 2);
    if (truthy(a.eval(0))) return Value::nil();
    if (a.size() == 1) {
        const Node* n = a.node(0);
        const std::string* src = source_of(q, n);
        if (!src) raise(ASSERT_ERR, error_default_msg(ASSERT_ERR));
        raisef(ASSERT_ERR, "assertion statement `%s` has failed", argument_text(*src, node_start(n)).c_str());
    }
    std::string msg = a.str_arg(1);
    check_err_msg(msg);
    raise(ASSERT_ERR, msg);
}

// --- type tests --------------------------------------------------------------

template <bool (*Test)(const Value&)>
Value f_is(Query&, Value*, Args& a) {
    a.exactly(1);
    return Value::boolean(Test(a.eval(0)));
}

bool t_array(const Value& v) { return v.is(VT::List); }
bool t_list(const Value& v) { return v.is(VT::List) && !v.list()->tuple; }
bool t_tuple(const Value& v) { return v.is(VT::List) && v.list()->tuple; }
bool t_bool(const Value& v) { return v.is(VT::Bool); }
bool t_bytes(const Value& v) { return v.is(VT::Bytes); }
bool t_closure(const Value& v) { return v.is(VT::Closure); }
bool t_datetime(const Value& v) { return v.is(VT::Datetime); }
bool t_timeval(const Value& v) { return v.is(VT::Timeval); }
bool t_enum(const Value& v) { return v.is(VT::EnumMember); }
bool t_err(const Value& v) { return v.is(VT::Error); }
bool t_float(const Value& v) { return v.is(VT::Float); }
bool t_int(const Value& v) { return v.is(VT::Int); }
bool t_nil(const Value& v) { return v.is_nil(); }
bool t_raw(const Value& v) { return v.is(VT::Str) || v.is(VT::Bytes); }
bool t_regex(const Value& v) { return v.is(VT::Regex); }
bool t_set(const Value& v) { return v.is(VT::Set); }
bool t_str(const Value& v) { return v.is(VT::Str); }
bool t_thing(const Value& v) { return v.is(VT::Thing); }
bool t_future(const Value& v) { return v.is(VT::Future); }
// ThingsDB: ints and bools are never inf/nan. is_inf gives type_err for any
// other non-float; is_nan says true for it.
Value f_is_inf(Query&, Value*, Args& a) {
    a.exactly(1);
    Value v = a.eval(0);
    if (v.is(VT::Float)) return Value::boolean(std::isinf(v.as_float()));
    if (v.is(VT::Int) || v.is(VT::Bool)) return Value::boolean(false);
    a.bad_type(0, "float", v);
}
bool t_nan(const Value& v) {
    if (v.is(VT::Float)) return std::isnan(v.as_float());
    return !(v.is(VT::Int) || v.is(VT::Bool));
}
bool t_utf8(const Value& v) { return v.is(VT::Str) && valid_utf8(v.as_str()); }
bool t_ascii(const Value& v) {
    if (!v.is(VT::Str)) return false;
    for (unsigned char c : v.as_str())
        if (c >= 0x80) return false;
    return true;
}

Value f_type(Query&, Value*, Args& a) {
    a.exactly(1);
    return Value::str(type_name(a.eval(0)));
}

// --- conversions -------------------------------------------------------------

[[noreturn]] void cannot_convert(const Value& v, const char* to) {
    raisef(TYPE_ERR, "cannot convert type `%s` to `%s`", type_name(v), to);
}

Value f_str(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return Value::str("");
    Value v = a.eval(0);
    switch (v.type()) {
        case VT::Str:
            return v;
        case VT::Bytes:
            if (!valid_utf8(v.as_str())) raise(VALUE_ERR, "binary data has no valid UTF8 encoding");
            return Value::str(v.as_str());
        case VT::Error:
            return Value::str(v.error()->msg);
        case VT::Regex:
            return Value::str("/" + v.regex()->pattern + "/" + v.regex()->flags);
        case VT::List:
        case VT::Set:
        case VT::Future:
            cannot_convert(v, "str");
        default:
            return Value::str(to_display(v));
    }
}

Value f_bytes(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return Value::bytes("");
    Value v = a.eval(0);
    if (v.is(VT::Bytes)) return v;
    if (v.is(VT::Str)) return Value::bytes(v.as_str());
    cannot_convert(v, "bytes");
}

// ThingsDB's ti_val_overflow_cast: a float that does not fit an int64.
bool float_overflows_int(double d) { return !(d >= -9223372036854775808.0 && d < 9223372036854775808.0); }

Value f_int(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return Value::integer(0);
    Value v = a.eval(0);
    switch (v.type()) {
        case VT::Int:
            return v;
        case VT::Float:
            if (float_overflows_int(v.as_float())) raise(OVERFLOW_ERR, "integer overflow");
            return Value::integer(static_cast<int64_t>(v.as_float()));
        case VT::Bool:
            return Value::integer(v.as_bool() ? 1 : 0);
        case VT::Str: {
            // strtoll with base 0, as ThingsDB: junk after a number is ignored.
            errno = 0;
            long long i = std::strtoll(v.as_str().c_str(), nullptr, 0);
            if (errno == ERANGE) raise(OVERFLOW_ERR, "integer overflow");
            return Value::integer(i);
        }
        case VT::Error:
            return Value::integer(v.error()->code);
        case VT::Datetime:
        case VT::Timeval:
            return Value::integer(v.datetime()->ts);
        default:
            cannot_convert(v, "int");
    }
}

Value f_float(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return Value::number(0.0);
    Value v = a.eval(0);
    switch (v.type()) {
        case VT::Float:
            return v;
        case VT::Int:
            return Value::number(static_cast<double>(v.as_int()));
        case VT::Bool:
            return Value::number(v.as_bool() ? 1.0 : 0.0);
        case VT::Str:
            return Value::number(std::strtod(v.as_str().c_str(), nullptr));
        case VT::Error:
            return Value::number(static_cast<double>(v.error()->code));
        case VT::Datetime:
        case VT::Timeval:
            return Value::number(static_cast<double>(v.datetime()->ts));
        default:
            cannot_convert(v, "float");
    }
}

Value f_bool(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return Value::boolean(false);
    return Value::boolean(truthy(a.eval(0)));
}

Value f_list(Query& q, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return make_list();
    Value v = a.eval(0);
    if (v.is(VT::List)) return make_list(v.list()->items);
    if (v.is(VT::Set)) {
        std::vector<Value> items;
        items.reserve(v.set()->items.size());
        for (const Ref<Thing>& t : v.set()->items) {
            q.poll();
            items.push_back(make_thing(t.get()));
        }
        return make_list(std::move(items));
    }
    cannot_convert(v, "list");
}

void add_to_set(SetObj* s, const Value& v) {
    if (!v.is(VT::Thing)) raisef(TYPE_ERR, "cannot add type `%s` to a set", type_name(v));
    s->add(v.thing());
}

Value f_set(Query& q, Value*, Args& a) {
    Value out = Value::obj(VT::Set, new SetObj());
    if (a.size() == 1) {
        Value v = a.eval(0);
        if (v.is(VT::Set)) return v;
        if (v.is(VT::List)) {
            for (const Value& item : v.list()->items) {
                q.poll();
                add_to_set(out.set(), item);
            }
            return out;
        }
        if (!v.is(VT::Thing)) cannot_convert(v, "set");
        out.set()->add(v.thing());
        return out;
    }
    for (int i = 0; i < a.size(); ++i) add_to_set(out.set(), a.eval(i));
    return out;
}

const char* scope_display(const Query& q) {
    switch (q.scope().kind) {
        case Scope::THINGSDB: return "@thingsdb";
        case Scope::NODE: return "@node";
        default: return "@collection";
    }
}

Value f_thing(Query& q, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return new_thing();
    Value v = a.eval(0);
    if (v.is(VT::Thing)) return v;
    if (!v.is(VT::Int)) cannot_convert(v, "thing");
    Collection* c = q.collection();
    if (!c)
        raisef(LOOKUP_ERR, "scope `%s` has no stored things; you might want to query a `@collection` scope?",
               scope_display(q));
    int64_t id = v.as_int();
    Value t = id > 0 ? c->thing_by_id(static_cast<uint64_t>(id)) : Value::nil();
    if (t.is_nil())
        raisef(LOOKUP_ERR, "collection `%s` has no `thing` with id %" PRId64, c->row().name.c_str(), id);
    return t;
}

Value f_regex(Query&, Value*, Args& a) {
    a.between(1, 2);
    std::string pattern = a.str_arg(0);
    std::string flags = a.size() == 2 ? a.str_arg(1) : std::string();
    return make_regex(std::move(pattern), std::move(flags));
}

Value f_range(Query& q, Value*, Args& a) {
    a.between(1, 3);
    int64_t start = 0, stop, step = 1;
    if (a.size() == 1) {
        stop = a.int_arg(0);
    } else {
        start = a.int_arg(0);
        stop = a.int_arg(1);
        if (a.size() == 3) step = a.int_arg(2);
    }
    if (step == 0) raise(VALUE_ERR, "step value must not be zero");
    // The length in unsigned arithmetic: stop - start may not fit an int64.
    uint64_t n = 0;
    if (step > 0 && stop > start) {
        uint64_t span = static_cast<uint64_t>(stop) - static_cast<uint64_t>(start);
        n = (span - 1) / static_cast<uint64_t>(step) + 1;
    } else if (step < 0 && stop < start) {
        uint64_t span = static_cast<uint64_t>(start) - static_cast<uint64_t>(stop);
        uint64_t ustep = step == INT64_MIN ? (1ull << 63) : static_cast<uint64_t>(-step);
        n = (span - 1) / ustep + 1;
    }
    if (n > q.limits().max_range) raise(OPERATION_ERR, "maximum range length exceeded");
    std::vector<Value> items;
    items.reserve(n);
    int64_t x = start;
    for (uint64_t i = 0; i < n; ++i, x += step) items.push_back(Value::integer(x));
    return make_list(std::move(items));
}

// JSON text as yajl's beautify mode writes it (ThingsDB's json_dump uses
// yajl): an element per line, four spaces a level, ": " after a key, an empty
// container as an opening and a closing line, a newline at the end. `in` is
// compact JSON (no white space outside strings).
std::string beautify_json(const std::string& in) {
    enum St { MapStart, MapKey, MapVal, ArrStart, InArr };
    std::vector<St> st;
    std::string out;
    auto indent = [&](size_t n) { out.append(n * 4, ' '); };
    // Before a value or key: the separator and the indent its state asks for.
    auto before = [&]() {
        if (st.empty()) return;
        St& s = st.back();
        if (s == MapKey || s == InArr) out += ",\n";
        else if (s == MapVal) out += ": ";
        if (s != MapVal) indent(st.size());
    };
    // After a value or key: the state moves on.
    auto after = [&]() {
        if (st.empty()) return;
        St& s = st.back();
        s = s == MapStart || s == MapKey ? MapVal : s == MapVal ? MapKey : InArr;
    };
    size_t i = 0, n = in.size();
    while (i < n) {
        char c = in[i];
        if (c == ',' || c == ':') {
            ++i;
            continue;
        }
        if (c == '{' || c == '[') {
            before();
            out.push_back(c);
            out.push_back('\n');
            st.push_back(c == '{' ? MapStart : ArrStart);
            ++i;
            continue;
        }
        if (c == '}' || c == ']') {
            st.pop_back();
            out.push_back('\n');
            after();
            indent(st.size());
            out.push_back(c);
            ++i;
            continue;
        }
        size_t j = i;
        if (c == '"') {
            for (++j; j < n && in[j] != '"'; ++j)
                if (in[j] == '\\') ++j;
            ++j;
        } else {
            while (j < n && in[j] != ',' && in[j] != ':' && in[j] != '}' && in[j] != ']') ++j;
        }
        before();
        out.append(in, i, j - i);
        after();
        i = j;
    }
    out.push_back('\n');
    return out;
}

// json_dump(value, [options]): the value rendered as a query result renders
// it (things to `deep` levels, with their `#` ids) in JSON text. Options, a
// thing: `deep` (the query's deep by default) and `beautify`.
Value f_json_dump(Query& q, Value*, Args& a) {
    a.between(1, 2);
    Value v = a.eval(0);
    int deep = q.deep();
    bool beautify = false;
    if (a.size() == 2) {
        Value opts = a.eval(1);
        if (!opts.is(VT::Thing)) a.bad_type(1, "thing", opts);
        for (const Prop& p : opts.thing()->props()) {
            if (p.key == "deep") {
                if (!p.val.is(VT::Int))
                    raisef(TYPE_ERR, "expecting `deep` to be of type `int` but got type `%s` instead",
                           type_name(p.val));
                int64_t d = p.val.as_int();
                if (d < 0 || d > 127)
                    raisef(VALUE_ERR, "expecting a `deep` value between 0 and 127 but got %lld instead",
                           static_cast<long long>(d));
                deep = static_cast<int>(d);
            } else if (p.key == "beautify") {
                beautify = truthy(p.val);
            } else {
                raisef(LOOKUP_ERR, "invalid option `%s` for function `json_dump`", p.key.c_str());
            }
        }
    }
    std::string out = q.to_json(v, deep);
    return Value::str(beautify ? beautify_json(out) : out);
}

Value f_json_load(Query& q, Value*, Args& a) {
    a.exactly(1);
    std::string text = a.str_arg(0);
    return json_load_value(q, text);
}

// wse() makes the query a change before its argument runs, so stored
// closures with side effects may be called inside it.
Value f_wse(Query& q, Value*, Args& a) {
    a.at_most(1);
    q.set_change(true);
    return a.size() ? a.eval(0) : Value::nil();
}

// nse(): a query that is a change (decided from its code before it runs,
// or forced by wse()) cannot declare itself free of side effects.
Value f_nse(Query& q, Value*, Args& a) {
    a.at_most(1);
    if (q.is_change()) raise(OPERATION_ERR, "function `nse` failed; at least one side-effect is enforced");
    return a.size() ? a.eval(0) : Value::nil();
}

Value f_now(Query& q, Value*, Args& a) {
    a.exactly(0);
    return Value::number(q.storage().now());
}

}  // namespace

void register_core_functions() {
    register_functions({
        {"err", f_err, FN_ANY_SCOPE},
        {"raise", f_raise, FN_ANY_SCOPE},
        {"try", f_try, FN_ANY_SCOPE},
        {"assert", f_assert, FN_ANY_SCOPE},
        {"cancelled_err", f_make_err<CANCELLED_ERR>, FN_ANY_SCOPE},
        {"operation_err", f_make_err<OPERATION_ERR>, FN_ANY_SCOPE},
        {"num_arguments_err", f_make_err<NUM_ARGUMENTS_ERR>, FN_ANY_SCOPE},
        {"type_err", f_make_err<TYPE_ERR>, FN_ANY_SCOPE},
        {"value_err", f_make_err<VALUE_ERR>, FN_ANY_SCOPE},
        {"overflow_err", f_make_err<OVERFLOW_ERR>, FN_ANY_SCOPE},
        {"zero_div_err", f_make_err<ZERO_DIV_ERR>, FN_ANY_SCOPE},
        {"max_quota_err", f_make_err<MAX_QUOTA_ERR>, FN_ANY_SCOPE},
        {"auth_err", f_make_err<AUTH_ERR>, FN_ANY_SCOPE},
        {"forbidden_err", f_make_err<FORBIDDEN_ERR>, FN_ANY_SCOPE},
        {"lookup_err", f_make_err<LOOKUP_ERR>, FN_ANY_SCOPE},
        {"bad_data_err", f_make_err<BAD_DATA_ERR>, FN_ANY_SCOPE},
        {"syntax_err", f_make_err<SYNTAX_ERR>, FN_ANY_SCOPE},
        {"node_err", f_make_err<NODE_ERR>, FN_ANY_SCOPE},
        {"assert_err", f_make_err<ASSERT_ERR>, FN_ANY_SCOPE},

        {"is_array", f_is<t_array>, FN_ANY_SCOPE},
        {"is_bool", f_is<t_bool>, FN_ANY_SCOPE},
        {"is_bytes", f_is<t_bytes>, FN_ANY_SCOPE},
        {"is_closure", f_is<t_closure>, FN_ANY_SCOPE},
        {"is_datetime", f_is<t_datetime>, FN_ANY_SCOPE},
        {"is_enum", f_is<t_enum>, FN_ANY_SCOPE},
        {"is_err", f_is<t_err>, FN_ANY_SCOPE},
        {"is_error", f_is<t_err>, FN_ANY_SCOPE},
        {"is_float", f_is<t_float>, FN_ANY_SCOPE},
        {"is_future", f_is<t_future>, FN_ANY_SCOPE},
        {"is_inf", f_is_inf, FN_ANY_SCOPE},
        {"is_int", f_is<t_int>, FN_ANY_SCOPE},
        {"is_list", f_is<t_list>, FN_ANY_SCOPE},
        {"is_nan", f_is<t_nan>, FN_ANY_SCOPE},
        {"is_nil", f_is<t_nil>, FN_ANY_SCOPE},
        {"is_raw", f_is<t_raw>, FN_ANY_SCOPE},
        {"is_regex", f_is<t_regex>, FN_ANY_SCOPE},
        {"is_set", f_is<t_set>, FN_ANY_SCOPE},
        {"is_str", f_is<t_str>, FN_ANY_SCOPE},
        {"is_thing", f_is<t_thing>, FN_ANY_SCOPE},
        {"is_timeval", f_is<t_timeval>, FN_ANY_SCOPE},
        {"is_tuple", f_is<t_tuple>, FN_ANY_SCOPE},
        {"is_utf8", f_is<t_utf8>, FN_ANY_SCOPE},
        {"is_ascii", f_is<t_ascii>, FN_ANY_SCOPE},

        {"type", f_type, FN_ANY_SCOPE},
        {"str", f_str, FN_ANY_SCOPE},
        {"bytes", f_bytes, FN_ANY_SCOPE},
        {"int", f_int, FN_ANY_SCOPE},
        {"float", f_float, FN_ANY_SCOPE},
        {"bool", f_bool, FN_ANY_SCOPE},
        {"list", f_list, FN_ANY_SCOPE},
        {"set", f_set, FN_ANY_SCOPE},
        {"thing", f_thing, FN_ANY_SCOPE},
        {"regex", f_regex, FN_ANY_SCOPE},
        {"range", f_range, FN_ANY_SCOPE},
        {"json_dump", f_json_dump, FN_ANY_SCOPE},
        {"json_load", f_json_load, FN_ANY_SCOPE},
        {"wse", f_wse, FN_ANY_SCOPE},
        {"nse", f_nse, FN_ANY_SCOPE},
        {"now", f_now, FN_ANY_SCOPE},
    });
    register_methods(VT::Error, {
        {"code", m_code, FN_ANY_SCOPE},
        {"msg", m_msg, FN_ANY_SCOPE},
    });
}

}  // namespace tdb
