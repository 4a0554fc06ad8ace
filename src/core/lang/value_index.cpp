// ValueIndex (value_index.h): the hash must give equal values equal hashes
// under every rule of equals() (ops.cpp): int, bool and float by value, str
// and bytes by their bytes, datetime and timeval by the timestamp, lists item
// by item, sets by members, regexes by pattern and flags, errors by code,
// every other value by identity.
#include "core/lang/value_index.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <string_view>

#include "core/api/error.h"
#include "core/lang/ops.h"
#include "core/model/datetime.h"
#include "core/model/poll.h"
#include "core/model/regex.h"
#include "core/model/room.h"
#include "core/model/thing.h"

namespace tdb {

namespace {

bool is_number(const Value& v) { return v.is(VT::Int) || v.is(VT::Float) || v.is(VT::Bool); }

int64_t int_of(const Value& v) { return v.is(VT::Bool) ? (v.as_bool() ? 1 : 0) : v.as_int(); }

// The bits of a number's double value; -0.0 and 0.0 are one value.
uint64_t double_key(double d) {
    if (d == 0.0) d = 0.0;
    uint64_t k;
    std::memcpy(&k, &d, sizeof k);
    return k;
}

size_t mix(size_t h, size_t x) { return h ^ (x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)); }

size_t number_hash(const Value& v) {
    double d = v.is(VT::Float) ? v.as_float() : static_cast<double>(int_of(v));
    return std::hash<uint64_t>()(double_key(d));
}

}  // namespace

size_t ValueIndex::hash(const Value& v) {
    poll_tick();
    if (is_number(v)) return number_hash(v);
    switch (v.type()) {
        case VT::Str:
        case VT::Bytes:  // a str equals the bytes of the same content
            return mix(1, std::hash<std::string_view>()(v.as_str()));
        case VT::Datetime:
        case VT::Timeval:
            return mix(2, std::hash<int64_t>()(v.datetime()->ts));
        case VT::Nil:
            return 3;
        case VT::Regex:
            return mix(mix(4, std::hash<std::string>()(v.regex()->pattern)),
                       std::hash<std::string>()(v.regex()->flags));
        case VT::Error:
            return mix(5, std::hash<int>()(v.error()->code));
        case VT::List: {
            auto it = memo_.find(v.object());
            if (it != memo_.end()) return it->second.second;
            static thread_local int nesting = 0;
            NestingGuard guard(nesting);  // as deep as equals() goes
            size_t h = mix(6, v.list()->items().size());
            for (const Value& item : v.list()->items()) h = mix(h, hash(item));
            memo_.emplace(v.object(), std::make_pair(v, h));
            return h;
        }
        case VT::Set: {
            auto it = memo_.find(v.object());
            if (it != memo_.end()) return it->second.second;
            size_t sum = 0;  // members in any order
            for (const auto& t : v.set()->items) {
                poll_tick();
                sum += std::hash<const void*>()(t.get());
            }
            size_t h = mix(mix(7, v.set()->items.size()), sum);
            memo_.emplace(v.object(), std::make_pair(v, h));
            return h;
        }
        case VT::Room:  // equal by id once stored (ops.cpp)
            if (v.room()->id) return mix(9, std::hash<uint64_t>()(v.room()->id));
            return mix(8 + static_cast<size_t>(v.type()), std::hash<const void*>()(v.object()));
        default:
            return mix(8 + static_cast<size_t>(v.type()), std::hash<const void*>()(v.object()));
    }
}

bool ValueIndex::find_number(const Value& v, bool add) {
    bool is_float = v.is(VT::Float);
    double d = is_float ? v.as_float() : static_cast<double>(int_of(v));
    if (std::isnan(d)) return false;  // nan equals nothing, itself included
    uint8_t& g = nums_[double_key(d)];
    bool found = is_float ? g != 0 : (g & kFloat) || ((g & kInt) && ints_.count(int_of(v)));
    if (!found && add) {
        g |= is_float ? kFloat : kInt;
        if (!is_float) ints_.insert(int_of(v));
    }
    return found;
}

bool ValueIndex::contains(const Value& v) {
    if (is_number(v)) return find_number(v, false);
    auto range = others_.equal_range(hash(v));
    for (auto it = range.first; it != range.second; ++it) {
        poll_tick();
        if (equals(it->second, v)) return true;
    }
    return false;
}

bool ValueIndex::add(const Value& v) {
    if (is_number(v)) {
        if (poll_tick(), find_number(v, true)) return false;
        return true;
    }
    size_t h = hash(v);
    auto range = others_.equal_range(h);
    for (auto it = range.first; it != range.second; ++it) {
        poll_tick();
        if (equals(it->second, v)) return false;
    }
    others_.emplace(h, v);
    return true;
}

}  // namespace tdb
