// Value restrictions: things whose property values must all fit one
// definition ('int', 'str', 'T', an enum, ...), as ThingsDB's value
// restriction (a thing's `spec`). The methods restrict() and restriction()
// are in fn/thing.cpp, fn/list.cpp and fn/set.cpp.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <string>

#include "core/model/value.h"

namespace tdb {

class Query;
struct Thing;
enum class SK : uint8_t;  // schema/types.h

// Thing::restriction packs a restriction in one number: 0 is none; the low
// byte is the kind (RK), bit 8 "nil allowed" (Types and enums only), the high
// 32 bits the type_id or enum_id.
enum class RK : uint8_t {
    None,
    Thing,
    Raw,
    Str,
    Utf8,
    Bytes,
    Int,
    UInt,
    PInt,
    NInt,
    Float,
    Number,
    Bool,
    Arr,
    Set,
    Datetime,
    Timeval,
    Regex,
    Closure,
    Error,
    Room,
    Task,
    Email,
    Url,
    Tel,
    Type,
    Enum,
};

// Raises type_err "restriction mismatch" when the value may
// not go into a property of t; nothing when t has no restriction.
void check_restriction(Query& q, const Thing* t, const Value& v);

// The 'email', 'url' and 'tel' checks (fn/util.cpp).
bool restriction_pattern_ok(char which, const std::string& s);

// ThingsDB's ti_spec_from_raw for thing.restrict(): a built-in name, a Type
// or an enum (`?` allows nil), no conditions. Raises value_err otherwise.
uint64_t parse_restriction(Query& q, const std::string& raw);
// Whether v fits restriction r (ThingsDB's ti_val_is_spec).
bool restriction_allows(uint64_t r, const Value& v);
// r, or 0 when r is a Type or enum that is gone (as ThingsDB drops it).
uint64_t live_restriction(Query& q, uint64_t r);
// The definition as ThingsDB's ti_spec_raw writes it, nil for none.
Value restriction_value(Query& q, uint64_t r);
// list.restriction() / set.restriction(): the item definition of the Type
// field (of kind container, SK::Arr or SK::Set) that holds it, else nil.
Value container_restriction(Query& q, const Owner& owner, SK container);

// The stored form of a restriction (the hooks of codec.h, installed by
// init_core()): a built-in name, or ":t<type_id>@<created_at>" / ":e..." (and
// "?"), so a restriction to a deleted Type or enum does not pass to a later
// one that gets the same id.
std::string encode_restriction(uint64_t restriction);
uint64_t decode_restriction(const std::string& stored);

}  // namespace tdb
