// Errors: err(), raise(), try(), assert(), alt_raise(), the constructors of
// each error kind (type_err(), ...), and the methods of error values.
#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <string>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/ast.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
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

// cancelled_err(), type_err(msg), ...: one instance per error code.
template <int Code>
Value make_err(Args& a) {
    a.at_most(1);
    if (a.size() == 0) return make_error(Code, default_err_msg(Code));
    std::string msg = a.str_arg(0);
    check_err_msg(msg);
    return make_error(Code, std::move(msg));
}

}  // namespace

Value fn_err(Query&, Value*, Args& a) {
    a.at_most(2);
    if (a.size() == 0) return make_error(kDefaultErrCode, default_err_msg(kDefaultErrCode));
    int64_t code = a.int_arg(0);
    if (code < kMinErrCode || code > kMaxBuiltinErrCode)
        raisef(VALUE_ERR,
               "function `err` expects an error code between %d and %d but got %" PRId64 " instead",
               kMinErrCode, kMaxBuiltinErrCode, code);
    int c = static_cast<int>(code);
    if (a.size() == 1) return make_error(c, default_err_msg(c));
    std::string msg = a.str_arg(1);
    check_err_msg(msg);
    return make_error(c, std::move(msg));
}

Value fn_raise(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) raise(kDefaultErrCode, default_err_msg(kDefaultErrCode));
    Value v = a.eval(0);
    if (v.is(VT::Str)) {
        check_err_msg(v.as_str());
        raise_user(kDefaultErrCode, v.as_str());
    }
    if (!v.is(VT::Error))
        raisef(TYPE_ERR,
               "function `raise` expects argument 1 to be of type `error` or type `str` but got "
               "type `%s` instead",
               type_name(v));
    raise_user(v.error()->code, v.error()->msg);
}

// Only ThingsDB errors with a catchable code become values; internal codes,
// and every other C++ exception (out of memory, PostgreSQL errors, a
// cancel), pass through untouched.
Value fn_try(Query&, Value*, Args& a) {
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
            raisef(TYPE_ERR,
                   "function `try` expects arguments 2..X to be of type `error` but got type `%s` "
                   "instead",
                   type_name(want));
        if (want.error()->code == code) return make_error(code, std::move(msg));
    }
    if (a.size() > 1) raise_user(code, msg);
    return make_error(code, std::move(msg));
}

namespace {

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
            while (j != std::string::npos && j + 1 < src.size() && src[j + 1] == c)
                j = src.find(c, j + 2);
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

}  // namespace

Value fn_assert(Query& q, Value*, Args& a) {
    a.between(1, 2);
    if (truthy(a.eval(0))) return Value::nil();
    if (a.size() == 1) {
        const Node* n = a.node(0);
        const std::string* src = source_of(q, n);
        if (!src) raise(ASSERT_ERR, error_default_msg(ASSERT_ERR));
        raisef(ASSERT_ERR, "assertion statement `%s` has failed",
               argument_text(*src, node_start(n)).c_str());
    }
    std::string msg = a.str_arg(1);
    check_err_msg(msg);
    raise_user(ASSERT_ERR, msg);
}

// alt_raise(expr, code, msg?): expr's value, or when expr raises a
// catchable error, that error again with another code (and message).
Value fn_alt_raise(Query&, Value*, Args& a) {
    a.between(2, 3);
    std::string msg;
    try {
        return a.eval(0);
    } catch (const Error& e) {
        if (!catchable(e)) throw;
        msg = e.msg();
    }
    int64_t code = a.int_arg(1);
    if (code < -127 || code > -50)
        raisef(VALUE_ERR,
               "function `alt_raise` expects an error code between -127 and -50 but got %" PRId64
               " instead",
               code);
    if (a.size() == 3) {
        msg = a.str_arg(2);
        if (msg.size() > 16383)
            raisef(VALUE_ERR,
                   "error messages should not exceed 16383 characters, got %zu characters",
                   msg.size());
    }
    raise_user(static_cast<int>(code), msg);
}

// cancelled_err(), type_err(msg), ...: an error of that kind.
Value fn_cancelled_err(Query&, Value*, Args& a) { return make_err<CANCELLED_ERR>(a); }
Value fn_operation_err(Query&, Value*, Args& a) { return make_err<OPERATION_ERR>(a); }
Value fn_num_arguments_err(Query&, Value*, Args& a) { return make_err<NUM_ARGUMENTS_ERR>(a); }
Value fn_type_err(Query&, Value*, Args& a) { return make_err<TYPE_ERR>(a); }
Value fn_value_err(Query&, Value*, Args& a) { return make_err<VALUE_ERR>(a); }
Value fn_overflow_err(Query&, Value*, Args& a) { return make_err<OVERFLOW_ERR>(a); }
Value fn_zero_div_err(Query&, Value*, Args& a) { return make_err<ZERO_DIV_ERR>(a); }
Value fn_max_quota_err(Query&, Value*, Args& a) { return make_err<MAX_QUOTA_ERR>(a); }
Value fn_auth_err(Query&, Value*, Args& a) { return make_err<AUTH_ERR>(a); }
Value fn_forbidden_err(Query&, Value*, Args& a) { return make_err<FORBIDDEN_ERR>(a); }
Value fn_lookup_err(Query&, Value*, Args& a) { return make_err<LOOKUP_ERR>(a); }
Value fn_bad_data_err(Query&, Value*, Args& a) { return make_err<BAD_DATA_ERR>(a); }
Value fn_syntax_err(Query&, Value*, Args& a) { return make_err<SYNTAX_ERR>(a); }
Value fn_node_err(Query&, Value*, Args& a) { return make_err<NODE_ERR>(a); }
Value fn_assert_err(Query&, Value*, Args& a) { return make_err<ASSERT_ERR>(a); }

// ---- methods of error values ------------------------------------------------

Value m_error_code(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::integer(self->error()->code);
}

Value m_error_msg(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::str(self->error()->msg);
}

}  // namespace tdb
