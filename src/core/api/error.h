// ThingsDB errors: the C++ exception that carries an error kind and message.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
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
    // hint: what the user can do about it, for the client only (PostgreSQL's HINT);
    // ThingsDB code never sees it (try() and err values keep code and message).
    Error(int code, std::string msg, std::string hint)
        : code_(code), msg_(std::move(msg)), hint_(std::move(hint)) {}
    int code() const { return code_; }
    const std::string& msg() const { return msg_; }
    const std::string& hint() const { return hint_; }
    const char* what() const noexcept override { return msg_.c_str(); }

    // Where a syntax error is: the code and a 1-based character position in it, for the
    // client only (PostgreSQL's internal query and position: psql marks the spot).
    // 0 when the error has no position.
    void locate(std::string source, size_t position) {
        source_ = std::move(source);
        position_ = position;
    }
    const std::string& source() const { return source_; }
    size_t position() const { return position_; }

private:
    int code_;
    std::string msg_;
    std::string hint_;
    std::string source_;
    size_t position_ = 0;
};

// "type_err" for -61, "err" for a user code.
const char* error_name(int code);
// The message an error constructor uses when none is given.
const char* error_default_msg(int code);

// printf-style formatting for messages.
std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));

[[noreturn]] void raise(int code, std::string msg);
[[noreturn]] void raisef(int code, const char* f, ...) __attribute__((format(printf, 2, 3)));

// The one stack guard of every recursive path of the core (parser, side-effect
// analysis, evaluator, value walks, readers, copies), as PostgreSQL's
// check_stack_depth(): the current frame's address against the base recorded when
// the outermost query or parse started (StackBase). The limit stays well below
// PostgreSQL's max_stack_depth (2 MB by default, measured from the backend's
// start) and a thread's 8 MB, so neither PostgreSQL's own check nor a stack
// overflow is ever reached from the core. One query runs at a time per
// backend, so the base is a plain global.
#if defined(__SANITIZE_ADDRESS__)
// AddressSanitizer's redzones make frames several times larger: the same
// depth of code needs several times the stack (its builds are tests only).
constexpr intptr_t kMaxStackUse = 5 * 1024 * 1024;
#else
constexpr intptr_t kMaxStackUse = 1024 * 1024;
#endif
extern uintptr_t g_stack_base;  // 0: no query or parse is running
// The frame address, not a local's: a sanitizer may keep locals elsewhere.
inline uintptr_t stack_here() { return reinterpret_cast<uintptr_t>(__builtin_frame_address(0)); }
inline bool stack_exhausted() {
    return g_stack_base && static_cast<intptr_t>(g_stack_base - stack_here()) > kMaxStackUse;
}
// operation_err "maximum recursion depth exceeded" when the stack is used up.
[[noreturn]] void stack_depth_exceeded();
inline void check_stack_depth() {
    if (stack_exhausted()) stack_depth_exceeded();
}
// Records the stack base unless an outer query or parse already did.
class StackBase {
public:
    StackBase() {
        if (!g_stack_base) {
            g_stack_base = stack_here();
            owner_ = true;
        }
    }
    ~StackBase() {
        if (owner_) g_stack_base = 0;
    }
    StackBase(const StackBase&) = delete;
    StackBase& operator=(const StackBase&) = delete;

private:
    bool owner_ = false;
};

// Bounds the nesting of lists in rendered, compared and stored values (the
// JSON reader refuses the same depth, so nothing is stored that could not be
// read back); each level also checks the stack.
constexpr int kMaxNesting = 1000;
struct NestingGuard {
    int& n;
    explicit NestingGuard(int& depth) : n(depth) {
        check_stack_depth();
        if (++n > kMaxNesting) {
            --n;
            raise(OPERATION_ERR, "maximum nesting depth exceeded");
        }
    }
    ~NestingGuard() { --n; }
};

}  // namespace tdb
