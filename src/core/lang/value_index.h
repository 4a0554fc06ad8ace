// ValueIndex: a set of values under ThingsDB's `==` (ops.h equals) with
// constant expected time per lookup, for the built-ins that ask "is an equal
// value already there?" of every item (unique, is_unique, extend_unique).
#pragma once

#include "core/api/pure.h"

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/model/value.h"

namespace tdb {

class ValueIndex {
public:
    // Whether a value equal to v was added.
    bool contains(const Value& v);
    // Adds v when no equal value is there; true when added.
    bool add(const Value& v);

private:
    // `==` is not transitive for numbers: an int equals a float of the same
    // double value, but two ints equal only when exact (2^53 and 2^53 + 1
    // both equal the float 2^53). So numbers group by their double value; a
    // group knows whether it holds a float (equal to every number of the
    // group) and whether it holds an int; ints_ holds the exact ints.
    enum : uint8_t { kFloat = 1, kInt = 2 };
    std::unordered_map<uint64_t, uint8_t> nums_;
    std::unordered_set<int64_t> ints_;
    // Every other value: by a hash consistent with equals, then equals.
    std::unordered_multimap<size_t, Value> others_;
    // Hashes of containers, so a list held many times is hashed once (no
    // user code runs while an index lives, so no container changes); the
    // value is held so its address is not reused by another container.
    std::unordered_map<const Obj*, std::pair<Value, size_t>> memo_;
    size_t hash(const Value& v);
    bool find_number(const Value& v, bool add);
};

}  // namespace tdb
