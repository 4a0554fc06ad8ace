// ThingsDB errors: the C++ exception that carries an error kind and message.
#pragma once

#include "core/api/pure.h"

#include <exception>
#include <string>

namespace tdb {

// ThingsDB's built-in error codes; user errors use -100..-1 as well.
enum ErrCode : int {
    CANCELLED_ERR = -64,
    OPERATION_ERR = -63,
    NUM_ARGUMENTS_ERR = -62,
    TYPE_ERR = -61,
    VALUE_ERR = -60,
    OVERFLOW_ERR = -59,
    ZERO_DIV_ERR = -58,
    MAX_QUOTA_ERR = -57,
    AUTH_ERR = -56,
    FORBIDDEN_ERR = -55,
    LOOKUP_ERR = -54,
    BAD_DATA_ERR = -53,
    SYNTAX_ERR = -52,
    NODE_ERR = -51,
    ASSERT_ERR = -50,
};

class Error : public std::exception {
public:
    Error(int code, std::string msg) : code_(code), msg_(std::move(msg)) {}
    int code() const { return code_; }
    const std::string& msg() const { return msg_; }
    const char* what() const noexcept override { return msg_.c_str(); }

private:
    int code_;
    std::string msg_;
};

// "type_err" for -61, "err" for a user code.
const char* error_name(int code);
// The message an error constructor uses when none is given.
const char* error_default_msg(int code);

// printf-style formatting for messages.
std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));

[[noreturn]] void raise(int code, std::string msg);
[[noreturn]] void raisef(int code, const char* f, ...) __attribute__((format(printf, 2, 3)));

// Bounds the recursion over nested lists (rendering, storing, comparing): a
// list nested deeper is an error, not a stack overflow of the backend.
constexpr int kMaxNesting = 1000;
struct NestingGuard {
    int& n;
    explicit NestingGuard(int& depth) : n(depth) {
        if (++n > kMaxNesting) {
            --n;
            raise(OPERATION_ERR, "maximum nesting depth exceeded");
        }
    }
    ~NestingGuard() { --n; }
};

}  // namespace tdb
