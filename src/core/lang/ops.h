// Operations on values: equality, ordering, arithmetic, conversion to text.
#pragma once

#include "core/api/pure.h"

#include <string>

#include "core/model/value.h"

namespace tdb {

enum class Op : uint8_t;
// Applies a binary operator (`+`, `<`, `==`, ...); raises type_err,
// overflow_err and zero_div_err as ThingsDB does.
Value binary(Op op, const Value& a, const Value& b);

// Unary `-` (neg) or `+` of a value: ints, floats and bools (as 0/1).
Value prefix_sign(bool neg, const Value& v);
// A run of `~` (its parity `invert`) over a value the signs after the run
// (their parity `neg`) have not been applied to yet, as ThingsDB applies one
// sequence of prefix operators; `after_not` when the value is a `!`'s.
Value prefix_invert(bool invert, bool neg, bool after_not, const Value& v);

// ThingsDB's `==`: int and float compare by value, things by identity,
// lists item by item, errors by code and message.
bool equals(const Value& a, const Value& b);

// ThingsDB's ordering for `<` and sort(): numbers with numbers (bool counts
// as a number), str with str (bytewise), nil with nil, datetimes; else type_err
// "`<` not supported between `%s` and `%s`" (op is the operator text).
int compare(const Value& a, const Value& b, const char* op);

// The text str(v) gives: a str as it is, nil "nil", true "true", an int in
// decimal, a float as ThingsDB prints it, a thing "thing:#42", ...
std::string to_display(const Value& v);

// Render a float as ThingsDB/JSON does.
std::string float_repr(double d);

}  // namespace tdb
