// Regular expressions (PCRE2), ThingsDB's regex values.
#pragma once

#include "core/api/pure.h"

#include <string>
#include <string_view>
#include <vector>

#include "core/model/value.h"

namespace tdb {

struct RegexObj : Obj {
    ~RegexObj() override;
    std::string pattern;   // without slashes
    std::string flags;     // e.g. "i"
    void* code = nullptr;  // pcre2_code_8*, JIT compiled where the platform allows
    // The search may be split into pieces of start positions (see RegexScan);
    // false for patterns whose meaning depends on where a search starts (\G,
    // backtracking verbs such as (*COMMIT)).
    bool piecewise = true;
};

// Compiles /pattern/flags; value_err with PCRE2's message when invalid.
Value make_regex(std::string pattern, std::string flags);

// The first match: the whole match followed by its groups (empty if none;
// an unset group is returned as `nil` by the caller, marked here by set=false).
struct RegexGroup {
    bool set;
    std::string text;
};

// Repeated searches of one subject (test, match, split and the loops over
// every match). The subject is checked to be UTF-8 once, here, and every
// search then skips PCRE2's own check (which would read the whole subject
// per search). A subject that is no valid UTF-8 has no match. Each search
// is bounded by PCRE2's match, depth and heap limits (operation_err when
// one is reached) and runs in pieces of start positions with a check for
// interrupts (cancel, statement_timeout) between them, so no search runs
// on after a cancel. The subject must outlive the scan.
class RegexScan {
public:
    RegexScan(const RegexObj* re, std::string_view subject);
    ~RegexScan();
    RegexScan(const RegexScan&) = delete;
    RegexScan& operator=(const RegexScan&) = delete;
    // The first match that starts at or after `start`: the whole match and
    // its groups, or empty without a match. *match_end: where it ends.
    std::vector<RegexGroup> next(size_t start, size_t* match_end = nullptr);
    // Whether there is a match at or after `start`.
    bool found(size_t start = 0);

private:
    int search(size_t start);
    const RegexObj* re_;
    std::string_view s_;
    void* md_ = nullptr;  // pcre2_match_data_8*
    bool valid_ = false;
};

// True when the regex matches somewhere in the subject.
bool regex_test(const RegexObj* re, std::string_view subject);
// One search (RegexScan::next) of a subject.
std::vector<RegexGroup> regex_match(const RegexObj* re, std::string_view subject, size_t start = 0,
                                    size_t* match_end = nullptr);

}  // namespace tdb
