// ThingsDB's rule for names of collections, procedures, Types, enums and
// their members (ti_name_is_valid_strn): 1..255 characters, a letter or `_`
// first, then letters, digits or `_`.
#pragma once

#include "core/api/pure.h"

#include <string_view>

namespace tdb {

inline bool valid_name(std::string_view s) {
    if (s.empty() || s.size() > 255) return false;
    auto alpha = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    if (!alpha(s[0])) return false;
    for (char c : s)
        if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

}  // namespace tdb
