// JSON in and out: results, json_dump/json_load, and the stored form of
// properties (plain JSON where JSON can say it, tagged objects elsewhere).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "value.h"

namespace tdb {

class Query;
class Collection;
struct Thing;

void json_escape(std::string& out, std::string_view s);
std::string base64_encode(std::string_view in);
bool base64_decode(std::string_view in, std::string& out);

// json_dump(): values that JSON can hold (things as objects, no ids).
std::string json_dump_value(Query& q, const Value& v);
// json_load(): objects become new things, arrays lists.
Value json_load_value(Query& q, std::string_view text);

// The stored form of a thing's properties, and the ids of the things they
// reference (for reference counting).
std::string encode_props(const Thing* t, std::vector<uint64_t>* refs);
// Reads stored properties into t (references resolve through the collection).
void decode_props(Collection& c, Thing* t, std::string_view json, std::vector<uint64_t>* refs);
// Resolves a stored enum member {"!m": [enum_id, mid]} (set by types.cpp).
extern Value (*stored_member_hook)(uint32_t enum_id, uint32_t mid);
// The restriction of a thing (thing.restrict(), restrict.cpp): stored as
// the first property under the reserved key "!"; old rows have none.
extern uint64_t (*restriction_decode_hook)(const std::string& stored);
extern std::string (*restriction_encode_hook)(uint64_t restriction);

// Only the ids a stored properties text references.
std::vector<uint64_t> refs_of(std::string_view json);

}  // namespace tdb
