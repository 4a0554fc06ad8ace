// ThingsDB's language rules of this round: the documentation link of a
// built-in's errors, str.replace() with a regex or a closure, regex flags,
// `return` inside an expression.
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;

namespace {

const std::string kDocs = "https://docs.thingsdb.io/v1/";

std::string msg(const std::string& code, const std::string& scope = "@:stuff") {
    return qerr(code, scope).msg();
}

}  // namespace

TEST(DocLinks, ArgumentErrorsOfFunctionsNameTheirPage) {
    EXPECT_EQ(msg("refs(1, 2)"), "function `refs` takes 1 argument but 2 were given; see " + kDocs +
                                     "collection-api/refs");
    EXPECT_EQ(msg("new_procedure(nil, || 1)"),
              "function `new_procedure` expects argument 1 to be of type `str` but got type `nil` "
              "instead; see " +
                  kDocs + "procedures-api/new_procedure");
    EXPECT_EQ(msg("has_user()", "@thingsdb"),
              "function `has_user` takes 1 argument but 0 were given; see " + kDocs +
                  "thingsdb-api/has_user");
    EXPECT_EQ(msg("procedure_doc(7)"),
              "function `procedure_doc` expects argument 1 to be of type `str` but got type `int` "
              "instead; see " +
                  kDocs + "procedures-api/procedure_doc");
    EXPECT_EQ(msg("value_err(1, 2, 3)"),
              "function `value_err` takes at most 1 argument but 3 were given; see " + kDocs +
                  "errors/value_err");
}

TEST(DocLinks, MethodsNameTheirReceiversPage) {
    EXPECT_EQ(msg(".r = room(); .r.set_name(1)"),
              "function `set_name` expects argument 1 to be of type `str` or `nil` but got type "
              "`int` instead; see " +
                  kDocs + "data-types/room/set_name");
    EXPECT_EQ(
        msg("task(datetime(), || nil).id(1)"),
        "function `id` takes 0 arguments but 1 was given; see " + kDocs + "data-types/task/id");
    EXPECT_EQ(msg("[3, 4].index_of()"),
              "function `index_of` takes 1 argument but 0 were given; see " + kDocs +
                  "data-types/list/index_of");
    // A tuple's methods are the list's.
    EXPECT_EQ(msg("t = [[1]]; t[0].first(1, 2)"),
              "function `first` takes at most 1 argument but 2 were given; see " + kDocs +
                  "data-types/list/first");
    EXPECT_EQ(msg("'ab'.starts_with(nil)"),
              "function `starts_with` expects argument 1 to be of type `str` but got type `nil` "
              "instead; see " +
                  kDocs + "data-types/str/starts_with");
    EXPECT_EQ(msg("{}.has(1, 2)"), "function `has` takes 1 argument but 2 were given; see " +
                                       kDocs + "data-types/thing/has");
}

TEST(DocLinks, OtherFaultsTheFunctionDocuments) {
    EXPECT_EQ(msg("[].max()"), "max() on empty list; see " + kDocs + "data-types/list/max");
    EXPECT_EQ(msg("{}.search({}, {limit: 'x'})"),
              "expecting `limit` to be of type `int` but got type `str` instead; see " + kDocs +
                  "data-types/thing/search");
    EXPECT_EQ(msg("{}.search({}, {depth: 1})"),
              "invalid search option `depth`; see " + kDocs + "data-types/thing/search");
    EXPECT_EQ(msg("datetime(2020, 1, 1).replace({month: 13})"),
              "month 13 is out of range [1..12]; see " + kDocs + "data-types/datetime/replace");
    EXPECT_EQ(msg("timeval(0).replace({day: 'x'})"),
              "day must be of type `int` but got type `str` instead; see " + kDocs +
                  "data-types/datetime/replace");
    // ThingsDB gives the range its own words only.
    EXPECT_EQ(msg("{}.search({}, {limit: -1})"),
              "expecting a `limit` value between 0 and 255 but got -1 instead");
}

TEST(DocLinks, ErrorsOfOtherCodeKeepTheirText) {
    // An error of the closure a built-in runs is the closure's.
    EXPECT_EQ(msg("[1].map(|x| x.nope())"), "type `int` has no function `nope`");
    EXPECT_EQ(msg("[1].filter(|x| 1 / 0)"), "division or modulo by zero");
    // A built-in called inside another names its own page, once.
    EXPECT_EQ(
        msg("[[1, 2]].map(|x| x.len(0))"),
        "function `len` takes 0 arguments but 1 was given; see " + kDocs + "data-types/list/len");
    EXPECT_EQ(
        msg("[{}].map(|t| t.map())"),
        "function `map` takes 1 argument but 0 were given; see " + kDocs + "data-types/thing/map");
    // Errors about no call at all.
    EXPECT_EQ(msg("nope()"), "function `nope` is undefined");
    EXPECT_EQ(msg("(1).nope()"), "type `int` has no function `nope`");
    // A message a user raises is kept as it is.
    EXPECT_EQ(msg("raise('function `raise` x')"), "function `raise` x");
    EXPECT_EQ(msg("assert(false, 'function `assert` y')"), "function `assert` y");
    EXPECT_EQ(msg("alt_raise(1/0, -100, 'function `alt_raise` z')"), "function `alt_raise` z");
    EXPECT_EQ(msg("try(raise('function `try` w'), lookup_err())"), "function `try` w");
    // try() sees the message with its link.
    EXPECT_EQ(q("try(refs()).msg()"), "\"function `refs` takes 1 argument but 0 were given; see " +
                                          kDocs + "collection-api/refs\"");
}

TEST(StrReplace, RegexWithAString) {
    EXPECT_EQ(q("'a1b22c333'.replace(/[0-9]+/, '#')"), "\"a#b#c#\"");
    EXPECT_EQ(q("'a1b22c333'.replace(/[0-9]+/, '#', 2)"), "\"a#b#c333\"");
    EXPECT_EQ(q("'a1b22c333'.replace(/[0-9]+/, '#', 0)"), "\"a1b22c333\"");
    EXPECT_EQ(q("'ABab'.replace(/b/i, '-')"), "\"A-a-\"");
    EXPECT_EQ(q("'xyz'.replace(/q/, '-')"), "\"xyz\"");
    // An empty match replaces once, where it is found.
    EXPECT_EQ(q("'abc'.replace(/x*/, '-')"), "\"-abc\"");
    EXPECT_EQ(q("'abc'.replace(/(?=c)/, '-')"), "\"ab-c\"");
    expect_err("'abc'.replace(/b/, 'x', -2)", tdb::VALUE_ERR,
               "function `replace` does not support backward (negative) replacements when used "
               "with a regular expression; see " +
                   kDocs + "data-types/str/replace");
}

TEST(StrReplace, RegexWithAClosure) {
    // Groups first, then the match, its start, its end and the subject.
    EXPECT_EQ(q("'k=v; a=b'.replace(/(\\w)=(\\w)/, |k, v| `{v}={k}`)"), "\"v=k; b=a\"");
    EXPECT_EQ(q("'k=v; a=b'.replace(/(\\w)=(\\w)/, |k, v, m, s, e| `[{m}@{s}-{e}]`)"),
              "\"[k=v@0-3]; [a=b@5-8]\"");
    EXPECT_EQ(q("'abc'.replace(/b/, |m, s, e, o| `<{m}{s}{e}{o.len()}>`)"), "\"a<b123>c\"");
    EXPECT_EQ(q("'aaa'.replace(/a/, |m| m.upper(), 2)"), "\"AAa\"");
    EXPECT_EQ(q("'ab'.replace(/z/, |m| nil)"), "\"ab\"");
    expect_err("'ab'.replace(/a/, |m| 1)", tdb::TYPE_ERR,
               "replace callback is expecting a return value of type `str` but got type `int` "
               "instead; see " +
                   kDocs + "data-types/str/replace");
    expect_err("'ab'.replace(/a/, |m| m.nope())", tdb::LOOKUP_ERR,
               "type `str` has no function `nope`");
}

TEST(StrReplace, StringWithAClosure) {
    // The start, the end and the subject.
    EXPECT_EQ(q("'a.b.c'.replace('.', |s, e, o| `{s}{e}{o.len()}`)"), "\"a125b345c\"");
    EXPECT_EQ(q("'a.b.c'.replace('.', |s| '_', 1)"), "\"a_b.c\"");
    EXPECT_EQ(q("'x--y--z'.replace('--', |s, e| `{e - s}`)"), "\"x2y2z\"");
    // From the end, ThingsDB passes the end of the occurrence as its start.
    EXPECT_EQ(q("'a.b.c'.replace('.', |s, e| `{s}{e}`, -1)"), "\"a.b45c\"");
    EXPECT_EQ(q("'a.b.c'.replace('.', |s, e| `{s}{e}`, -5)"), "\"a23b45c\"");
    expect_err("'a.b'.replace('.', |s| s)", tdb::TYPE_ERR,
               "replace callback is expecting a return value of type `str` but got type `int` "
               "instead");
    expect_err("'a'.replace(nil, 'b')", tdb::TYPE_ERR,
               "function `replace` expects argument 1 to be of type `str` or `regex` but got type "
               "`nil` instead");
    expect_err("'a'.replace('a', [])", tdb::TYPE_ERR,
               "function `replace` expects argument 2 to be of type `str` or `closure` but got "
               "type `list` instead");
}

TEST(RegexFlags, ThingsDBsFlagRules) {
    EXPECT_EQ(q("regex('A', 'ims').test('xa')"), "true");
    expect_err("regex('a', 'q')", tdb::VALUE_ERR, "unsupported regular expression flag: `q`");
    // Read from the last flag back.
    expect_err("regex('a', 'QiZ')", tdb::VALUE_ERR, "unsupported regular expression flag: `Z`");
    expect_err("regex('a', 'i ')", tdb::VALUE_ERR, "invalid regular expression flags");
    expect_err("regex('a', '\t')", tdb::VALUE_ERR, "invalid regular expression flags");
    // No escapes in a ThingsDB string: a backslash and a `t`.
    expect_err("regex('a', '\\t')", tdb::VALUE_ERR, "unsupported regular expression flag: `t`");
    expect_err("/a/u", tdb::VALUE_ERR, "unsupported regular expression flag: `u`");
}

TEST(ReturnInExpressions, EndsTheQueryOrClosureThere) {
    // The assignment around it never happens.
    EXPECT_EQ(q(".v = 1; .v = return 2; .v = 3"), "2");
    EXPECT_EQ(qk(".v"), "1");
    EXPECT_EQ(q("x = [1]; x[0] = return 7; x"), "7");
    EXPECT_EQ(q("[1, 2, 3].map(|x| x > 1 ? return x * 10 : x)"), "[1,20,30]");
    EXPECT_EQ(q(".l = []; .l.push(1, return 'out', 3)"), "\"out\"");
    EXPECT_EQ(qk(".l"), "[]");
    // try() does not catch it.
    EXPECT_EQ(q("try(return 4); 5"), "4");
    EXPECT_EQ(q("f = |a| {a.push(return a.len()); 0}; f([9, 9])"), "2");
    // In statement position it still ends loops and blocks.
    EXPECT_EQ(q("for (x in range(5)) { if (x == 3) return x; }; 9"), "3");
}

TEST(PrefixOperators, TakeNoClosure) {
    expect_err("!||nil", tdb::SYNTAX_ERR, "error at line 1, position 1, unexpected character `|`");
    expect_err("x = 1; - |a| a", tdb::SYNTAX_ERR,
               "error at line 1, position 9, unexpected character `|`");
    expect_err("!!+ ||1", tdb::SYNTAX_ERR, "error at line 1, position 4, unexpected character `|`");
    EXPECT_EQ(q("!(||nil)"), "false");
}
