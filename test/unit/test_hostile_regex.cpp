// Regexes on hostile subjects: every search checks for interrupts (cancel,
// statement_timeout) between bounded pieces of work, PCRE2's limits end
// catastrophic backtracking with an error, and a search split into pieces
// finds what one search finds.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "harness.h"

namespace {

// 2,100 characters where /(a|aa)+$/ backtracks at every start position
// (within the limit: a run of 20 `a`), and a long run of ordinary matches.
const std::string kBacktrack =
    "b = range(20).map(|| 'a').join('') + '!'; "
    "s = range(100).map(|| b).join(''); ";
const std::string kLong = "s = range(3000).map(|| 'ab').join(''); ";

TEST(HostileRegex, SplitChecksForInterrupts) {
    EXPECT_TRUE(cancelled_inside(kLong, "s.split(/a/).len();"));
    EXPECT_TRUE(cancelled_inside(kLong, "s.split(/b/, 2000).len();"));
}

TEST(HostileRegex, OneSearchChecksForInterrupts) {
    EXPECT_TRUE(cancelled_inside(kBacktrack, "/(a|aa)+$/.test(s);"));
    EXPECT_TRUE(cancelled_inside(kBacktrack, "s.test(/(a|aa)+$/);"));
    EXPECT_TRUE(cancelled_inside(kBacktrack, "/(a|aa)+$/.match(s);"));
    EXPECT_TRUE(cancelled_inside(kBacktrack, "/(a|aa)+$/g.match(s);"));
    EXPECT_TRUE(cancelled_inside(kBacktrack, "s.split(/(a|aa)+$/);"));
}

TEST(HostileRegex, FieldConditionChecksForInterrupts) {
    EXPECT_TRUE(
        cancelled_inside("set_type('R', {v: '/^(a|aa)+$/?'}); " + kBacktrack, "try(R{v: s});"));
}

TEST(HostileRegex, MatchLimitIsAnError) {
    const std::string s = "s = range(34).map(|| 'a').join('') + '!'; ";
    const char* msg_start = "regular expression '/(a|aa)+$/' cannot be matched, ";
    for (const char* code : {"/(a|aa)+$/.test(s)", "s.test(/(a|aa)+$/)", "/(a|aa)+$/.match(s)",
                             "/(a|aa)+$/g.match(s)", "s.split(/(a|aa)+$/)"}) {
        tdb::Error e = qerr(s + code);
        EXPECT_EQ(e.code(), tdb::OPERATION_ERR) << code;
        EXPECT_EQ(e.msg().rfind(msg_start, 0), 0u) << code << ": " << e.msg();
    }
}

TEST(HostileRegex, PiecesFindWhatOneSearchFinds) {
    // A match far behind the first pieces, with its groups.
    EXPECT_EQ(q("s = range(50000).map(|| 'ab').join('') + 'Xyz'; /X(y)z/.match(s);"),
              "[\"Xyz\",\"y\"]");
    // Lookbehind across a piece boundary; multi-byte characters in every piece.
    EXPECT_EQ(q("s = range(30000).map(|| 'é').join('') + 'ab'; /(?<=é)a/.test(s);"), "true");
    EXPECT_EQ(q("s = range(30000).map(|| 'é').join('') + '!x'; s.split(/!/)[1];"), "\"x\"");
    EXPECT_EQ(q("s = range(30000).map(|| 'éb').join(''); s.split(/b/).len();"), "30001");
    // No match anywhere; the empty match at the end.
    EXPECT_EQ(q("s = range(30000).map(|| 'ab').join(''); /c/.test(s);"), "false");
    EXPECT_EQ(q("s = range(30000).map(|| 'ab').join(''); /$/.test(s);"), "true");
    // \G and verbs are searched in one piece (PCRE2 skips to the first `a`
    // before (*COMMIT) is passed).
    EXPECT_EQ(q("s = range(30000).map(|| 'b').join('') + 'a'; /\\Ga/.test(s);"), "false");
    EXPECT_EQ(q("s = range(30000).map(|| 'b').join('') + 'a'; /(*COMMIT)a/.test(s);"), "true");
}

}  // namespace
