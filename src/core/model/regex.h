// Regular expressions (PCRE2), ThingsDB's regex values.
#pragma once

#include "core/api/pure.h"

#include <string>
#include <string_view>

#include "core/model/value.h"

namespace tdb {

struct RegexObj : Obj {
    ~RegexObj() override;
    std::string pattern;   // without slashes
    std::string flags;     // e.g. "i"
    void* code = nullptr;  // pcre2_code_8*
};

// Compiles /pattern/flags; value_err with PCRE2's message when invalid.
Value make_regex(std::string pattern, std::string flags);
// True when the regex matches somewhere in the subject.
bool regex_test(const RegexObj* re, std::string_view subject);
// The first match: the whole match followed by its groups (empty if none;
// an unset group is returned as `nil` by the caller, marked here by set=false).
struct RegexGroup {
    bool set;
    std::string text;
};
std::vector<RegexGroup> regex_match(const RegexObj* re, std::string_view subject, size_t start = 0,
                                    size_t* match_end = nullptr);

}  // namespace tdb
