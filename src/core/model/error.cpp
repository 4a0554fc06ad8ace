// Error names, default messages and formatting helpers.
#include "core/api/error.h"

#include <cstdarg>
#include <cstdio>

namespace tdb {

uintptr_t g_stack_base = 0;

void stack_depth_exceeded() { raise(OPERATION_ERR, "maximum recursion depth exceeded"); }

const char* error_name(int code) {
    switch (code) {
        case CANCELLED_ERR:
            return "cancelled_err";
        case OPERATION_ERR:
            return "operation_err";
        case NUM_ARGUMENTS_ERR:
            return "num_arguments_err";
        case TYPE_ERR:
            return "type_err";
        case VALUE_ERR:
            return "value_err";
        case OVERFLOW_ERR:
            return "overflow_err";
        case ZERO_DIV_ERR:
            return "zero_div_err";
        case MAX_QUOTA_ERR:
            return "max_quota_err";
        case AUTH_ERR:
            return "auth_err";
        case FORBIDDEN_ERR:
            return "forbidden_err";
        case LOOKUP_ERR:
            return "lookup_err";
        case BAD_DATA_ERR:
            return "bad_data_err";
        case SYNTAX_ERR:
            return "syntax_err";
        case NODE_ERR:
            return "node_err";
        case ASSERT_ERR:
            return "assert_err";
        default:
            return "err";
    }
}

const char* error_default_msg(int code) {
    switch (code) {
        case CANCELLED_ERR:
            return "operation is cancelled before completion";
        case OPERATION_ERR:
            return "operation is not valid in the current context";
        case NUM_ARGUMENTS_ERR:
            return "wrong number of arguments";
        case TYPE_ERR:
            return "object of inappropriate type";
        case VALUE_ERR:
            return "object has the right type but an inappropriate value";
        case OVERFLOW_ERR:
            return "integer overflow";
        case ZERO_DIV_ERR:
            return "division or module by zero";
        case MAX_QUOTA_ERR:
            return "max quota is reached";
        case AUTH_ERR:
            return "authentication error";
        case FORBIDDEN_ERR:
            return "forbidden (access denied)";
        case LOOKUP_ERR:
            return "requested resource not found";
        case BAD_DATA_ERR:
            return "unable to handle request due to invalid data";
        case SYNTAX_ERR:
            return "syntax error in query";
        case NODE_ERR:
            return "node is temporary unable to handle the request";
        case ASSERT_ERR:
            return "assertion statement has failed";
        default:
            return "custom error";
    }
}

static std::string vfmt(const char* f, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    char buf[512];
    int n = std::vsnprintf(buf, sizeof buf, f, ap);
    std::string out;
    if (n < static_cast<int>(sizeof buf)) {
        out.assign(buf, n < 0 ? 0 : n);
    } else {
        out.resize(n);
        std::vsnprintf(out.data(), n + 1, f, ap2);
    }
    va_end(ap2);
    return out;
}

std::string fmt(const char* f, ...) {
    va_list ap;
    va_start(ap, f);
    std::string s = vfmt(f, ap);
    va_end(ap);
    return s;
}

void raise(int code, std::string msg) { throw Error(code, std::move(msg)); }

void raisef(int code, const char* f, ...) {
    va_list ap;
    va_start(ap, f);
    std::string s = vfmt(f, ap);
    va_end(ap);
    throw Error(code, std::move(s));
}

}  // namespace tdb
