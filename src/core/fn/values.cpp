// Values: the type tests (is_*), type(), the conversions and constructors of
// each type (str(), int(), list(), thing(), regex(), ...), range(), and JSON
// (json_dump, json_load).
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/datetime.h"
#include "core/model/regex.h"
#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

// --- type tests --------------------------------------------------------------

namespace {

template <bool (*Test)(const Value&)>
Value type_test(Args& a) {
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

}  // namespace

Value fn_is_array(Query&, Value*, Args& a) { return type_test<t_array>(a); }
Value fn_is_ascii(Query&, Value*, Args& a) { return type_test<t_ascii>(a); }
Value fn_is_bool(Query&, Value*, Args& a) { return type_test<t_bool>(a); }
Value fn_is_bytes(Query&, Value*, Args& a) { return type_test<t_bytes>(a); }
Value fn_is_closure(Query&, Value*, Args& a) { return type_test<t_closure>(a); }
Value fn_is_datetime(Query&, Value*, Args& a) { return type_test<t_datetime>(a); }
Value fn_is_enum(Query&, Value*, Args& a) { return type_test<t_enum>(a); }
Value fn_is_err(Query&, Value*, Args& a) { return type_test<t_err>(a); }
Value fn_is_float(Query&, Value*, Args& a) { return type_test<t_float>(a); }
Value fn_is_future(Query&, Value*, Args& a) { return type_test<t_future>(a); }
Value fn_is_int(Query&, Value*, Args& a) { return type_test<t_int>(a); }
Value fn_is_list(Query&, Value*, Args& a) { return type_test<t_list>(a); }
Value fn_is_nan(Query&, Value*, Args& a) { return type_test<t_nan>(a); }
Value fn_is_nil(Query&, Value*, Args& a) { return type_test<t_nil>(a); }
Value fn_is_raw(Query&, Value*, Args& a) { return type_test<t_raw>(a); }
Value fn_is_regex(Query&, Value*, Args& a) { return type_test<t_regex>(a); }
Value fn_is_set(Query&, Value*, Args& a) { return type_test<t_set>(a); }
Value fn_is_str(Query&, Value*, Args& a) { return type_test<t_str>(a); }
Value fn_is_thing(Query&, Value*, Args& a) { return type_test<t_thing>(a); }
Value fn_is_timeval(Query&, Value*, Args& a) { return type_test<t_timeval>(a); }
Value fn_is_tuple(Query&, Value*, Args& a) { return type_test<t_tuple>(a); }
Value fn_is_utf8(Query&, Value*, Args& a) { return type_test<t_utf8>(a); }

// ThingsDB: ints and bools are never inf/nan. is_inf gives type_err for any
// other non-float; is_nan (t_nan) says true for it.
Value fn_is_inf(Query&, Value*, Args& a) {
    a.exactly(1);
    Value v = a.eval(0);
    if (v.is(VT::Float)) return Value::boolean(std::isinf(v.as_float()));
    if (v.is(VT::Int) || v.is(VT::Bool)) return Value::boolean(false);
    a.bad_type(0, "float", v);
}

Value fn_type(Query&, Value*, Args& a) {
    a.exactly(1);
    return Value::str(type_name(a.eval(0)));
}

// --- conversions -------------------------------------------------------------

[[noreturn]] static void cannot_convert(const Value& v, const char* to) {
    raisef(TYPE_ERR, "cannot convert type `%s` to `%s`", type_name(v), to);
}

Value fn_str(Query&, Value*, Args& a) {
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

Value fn_bytes(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return Value::bytes("");
    Value v = a.eval(0);
    if (v.is(VT::Bytes)) return v;
    if (v.is(VT::Str)) return Value::bytes(v.as_str());
    cannot_convert(v, "bytes");
}

// ThingsDB's ti_val_overflow_cast: a float that does not fit an int64.
static bool float_overflows_int(double d) {
    return !(d >= -9223372036854775808.0 && d < 9223372036854775808.0);
}

Value fn_int(Query&, Value*, Args& a) {
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

Value fn_float(Query&, Value*, Args& a) {
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

Value fn_bool(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return Value::boolean(false);
    return Value::boolean(truthy(a.eval(0)));
}

Value fn_list(Query& q, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return make_list();
    Value v = a.eval(0);
    if (v.is(VT::List)) return make_list(v.list()->items());
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

static void add_to_set(SetObj* s, const Value& v) {
    if (!v.is(VT::Thing)) raisef(TYPE_ERR, "cannot add type `%s` to a set", type_name(v));
    s->add(v.thing());
}

Value fn_set(Query& q, Value*, Args& a) {
    Value out = Value::obj(VT::Set, new SetObj());
    if (a.size() == 1) {
        Value v = a.eval(0);
        if (v.is(VT::Set)) return v;
        if (v.is(VT::List)) {
            for (const Value& item : v.list()->items()) {
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

static const char* scope_display(const Query& q) {
    switch (q.scope().kind) {
        case Scope::THINGSDB:
            return "@thingsdb";
        case Scope::NODE:
            return "@node";
        default:
            return "@collection";
    }
}

Value fn_thing(Query& q, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return new_thing();
    Value v = a.eval(0);
    if (v.is(VT::Thing)) return v;
    if (!v.is(VT::Int)) cannot_convert(v, "thing");
    Collection* c = q.collection();
    if (!c)
        raisef(LOOKUP_ERR,
               "scope `%s` has no stored things; you might want to query a `@collection` scope?",
               scope_display(q));
    int64_t id = v.as_int();
    Value t = id > 0 ? c->thing_by_id(static_cast<uint64_t>(id)) : Value::nil();
    if (t.is_nil())
        raisef(LOOKUP_ERR, "collection `%s` has no `thing` with id %" PRId64, c->row().name.c_str(),
               id);
    return t;
}

Value fn_regex(Query&, Value*, Args& a) {
    a.between(1, 2);
    std::string pattern = a.str_arg(0);
    std::string flags = a.size() == 2 ? a.str_arg(1) : std::string();
    return make_regex(std::move(pattern), std::move(flags));
}

Value fn_range(Query& q, Value*, Args& a) {
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
    check_list_size(n);
    std::vector<Value> items;
    items.reserve(n);
    int64_t x = start;
    // No poll: at most max_range plain stores (a poll per item costs 1% of the
    // interpreter benchmarks that build ranges).
    for (uint64_t i = 0; i < n; ++i, x += step) items.push_back(Value::integer(x));
    return make_list(std::move(items));
}

// JSON text as yajl's beautify mode writes it (ThingsDB's json_dump uses
// yajl): an element per line, four spaces a level, ": " after a key, an empty
// container as an opening and a closing line, a newline at the end. `in` is
// compact JSON (no white space outside strings).
static std::string beautify_json(const std::string& in) {
    enum St { MapStart, MapKey, MapVal, ArrStart, InArr };
    std::vector<St> st;
    std::string out;
    auto indent = [&](size_t n) { out.append(n * 4, ' '); };
    // Before a value or key: the separator and the indent its state asks for.
    auto before = [&]() {
        if (st.empty()) return;
        St& s = st.back();
        if (s == MapKey || s == InArr)
            out += ",\n";
        else if (s == MapVal)
            out += ": ";
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
Value fn_json_dump(Query& q, Value*, Args& a) {
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
                    raisef(TYPE_ERR,
                           "expecting `deep` to be of type `int` but got type `%s` instead",
                           type_name(p.val));
                int64_t d = p.val.as_int();
                if (d < 0 || d > 127)
                    raisef(VALUE_ERR,
                           "expecting a `deep` value between 0 and 127 but got %lld instead",
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

Value fn_json_load(Query& q, Value*, Args& a) {
    a.exactly(1);
    std::string text = a.str_arg(0);
    return json_load_value(q, text);
}

// wse() makes the query a change before its argument runs, so stored
// closures with side effects may be called inside it.

}  // namespace tdb
