// thing.restrict(type_def) and restriction(): things whose property values
// must all fit one definition ('int', 'str', 'T', an enum, ...), as ThingsDB's
// value restriction (a thing's `spec`).
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <string>

#include "core/model/value.h"

namespace tdb {

class Query;
struct Thing;

// Thing::restriction packs a restriction in one number: 0 is none; the low
// byte is the kind (RK), bit 8 "nil allowed" (Types and enums only), the high
// 32 bits the type_id or enum_id.
enum class RK : uint8_t {
    None, Thing, Raw, Str, Utf8, Bytes, Int, UInt, PInt, NInt, Float, Number, Bool,
    Arr, Set, Datetime, Timeval, Regex, Closure, Error, Room, Task, Email, Url, Tel,
    Type, Enum,
};

// Raises type_err "restriction mismatch" when the value may
// not go into a property of t; nothing when t has no restriction.
void check_restriction(Query& q, const Thing* t, const Value& v);

// The 'email', 'url' and 'tel' checks (fn_util.cpp).
bool restriction_pattern_ok(char which, const std::string& s);

// thing.restrict, thing.restriction, list.restriction, set.restriction, and
// the stored form of a restriction (codec.h hooks).
void register_restrict_methods();

}  // namespace tdb
