// The text helpers of the tdb client (src/cli/cli_text.h).
#include <gtest/gtest.h>

#include "cli/cli_text.h"

using tdb::cli::input_complete;
using tdb::cli::pretty_json;
using tdb::cli::scope_line;

TEST(Cli, InputComplete) {
    EXPECT_TRUE(input_complete(""));
    EXPECT_TRUE(input_complete(".x = 1;"));
    EXPECT_FALSE(input_complete("{"));
    EXPECT_FALSE(input_complete("f = |x| {\n  x + ["));
    EXPECT_TRUE(input_complete("f = |x| {\n  x + [1]\n}"));
    EXPECT_FALSE(input_complete("'it''s"));
    EXPECT_TRUE(input_complete("'it''s'"));
    EXPECT_TRUE(input_complete("\"{[(\""));
    EXPECT_FALSE(input_complete("`abc"));
    EXPECT_TRUE(input_complete("1 // an open { in a comment"));
    EXPECT_FALSE(input_complete("1 /* open"));
    EXPECT_TRUE(input_complete("1 /* { */"));
    EXPECT_TRUE(input_complete("1)"));  // the server reports it
    EXPECT_TRUE(input_complete("[1, 2] / 2"));
}

TEST(Cli, PrettyJson) {
    EXPECT_EQ(pretty_json("1"), "1");
    EXPECT_EQ(pretty_json("\"a, b: {\""), "\"a, b: {\"");
    EXPECT_EQ(pretty_json("{}"), "{}");
    EXPECT_EQ(pretty_json("[ ]"), "[]");
    EXPECT_EQ(pretty_json("{\"a\": [1, {}], \"b\": \"x\\\"y\"}"),
              "{\n    \"a\": [\n        1,\n        {}\n    ],\n    \"b\": \"x\\\"y\"\n}");
    EXPECT_EQ(pretty_json("{\"a\": [1, {}], \"b\": null}", 0), "{\"a\":[1,{}],\"b\":null}");
    EXPECT_EQ(pretty_json("[1, 2]", 2), "[\n  1,\n  2\n]");
}

TEST(Cli, ScopeLine) {
    EXPECT_EQ(scope_line("@:stuff"), "@:stuff");
    EXPECT_EQ(scope_line("  @thingsdb ; "), "@thingsdb");
    EXPECT_EQ(scope_line("@collection:my_app"), "@collection:my_app");
    EXPECT_EQ(scope_line("@t"), "@t");
    EXPECT_EQ(scope_line(".x = 1"), "");
    EXPECT_EQ(scope_line("@"), "");
    EXPECT_EQ(scope_line("@:a b"), "");
}

TEST(Cli, RegexLiteralsAreSkippedWhole) {
    using tdb::cli::input_complete;
    // Quotes, braces and brackets inside a regex count for nothing.
    EXPECT_TRUE(input_complete("/'/.test(\"it's\")"));
    EXPECT_TRUE(input_complete("x = /\\{/; x.test('{')"));
    EXPECT_TRUE(input_complete("['a'].filter(|s| /[\"(]/i.test(s))"));
    EXPECT_TRUE(input_complete("/a\\/b'/.test('a/b')"));
    EXPECT_FALSE(input_complete("f = |s| /{/.test(s) && {"));
    // After an operand a slash divides: the quote after it opens a string.
    EXPECT_FALSE(input_complete("x = 4 / 2; y = 'a"));
    EXPECT_TRUE(input_complete("a = 6; b = 3; (a) / b / 1"));
    // A slash with no closing slash on its line is no regex.
    EXPECT_FALSE(input_complete("[1 /\n2"));
    // Comments are still comments.
    EXPECT_TRUE(input_complete("1 // a /' comment"));
    EXPECT_FALSE(input_complete("1 /* /'/ "));
}

TEST(Cli, ContinueKey) {
    using tdb::cli::ends_with_continue;
    std::string l = "if (x) 'a' \\";
    EXPECT_TRUE(ends_with_continue(l));
    EXPECT_EQ(l, "if (x) 'a' ");
    l = "x = 1;\\  \t";
    EXPECT_TRUE(ends_with_continue(l));
    EXPECT_EQ(l, "x = 1;");
    l = "x = '\\' + 1";
    EXPECT_FALSE(ends_with_continue(l));
    EXPECT_EQ(l, "x = '\\' + 1");
    l = "";
    EXPECT_FALSE(ends_with_continue(l));
}

TEST(Cli, OneShotScope) {
    std::string scope, code;
    EXPECT_TRUE(tdb::cli::scope_prefix("@thingsdb collections_info()", scope, code));
    EXPECT_EQ(scope, "@thingsdb");
    EXPECT_EQ(code, "collections_info()");
    EXPECT_TRUE(tdb::cli::scope_prefix("  @:shop\t.items\n.len()", scope, code));
    EXPECT_EQ(scope, "@:shop");
    EXPECT_EQ(code, ".items\n.len()");
    EXPECT_FALSE(tdb::cli::scope_prefix("@:shop", scope, code));
    EXPECT_FALSE(tdb::cli::scope_prefix("@:shop   ", scope, code));
    EXPECT_FALSE(tdb::cli::scope_prefix(".x = '@:a b'", scope, code));
    EXPECT_FALSE(tdb::cli::scope_prefix("@:a.b c", scope, code));
}

TEST(Cli, HistoryEntriesSurviveAsOneLine) {
    using tdb::cli::history_escape;
    using tdb::cli::history_unescape;
    const char* entries[] = {
        "if (x) {\n  'a'\n} else 'b'", "/\\{/.test(s)", "a\\nb", "\\", "", "x\n\ny\\\n"};
    for (const char* e : entries) {
        std::string line = history_escape(e);
        EXPECT_EQ(line.find('\n'), std::string::npos) << e;
        EXPECT_EQ(history_unescape(line), e);
    }
    // A line of an older file, without escapes, reads as it is.
    EXPECT_EQ(history_unescape(".x = 1; /a/.test('b')"), ".x = 1; /a/.test('b')");
}

TEST(Cli, WordBeforeTheCursor) {
    char before = 'x';
    std::string line = ".items.fil";
    EXPECT_EQ(tdb::cli::word_before(line, line.size(), &before), "fil");
    EXPECT_EQ(before, '.');
    line = "new_coll";
    EXPECT_EQ(tdb::cli::word_before(line, line.size(), &before), "new_coll");
    EXPECT_EQ(before, '\0');
    line = "x = ra";
    EXPECT_EQ(tdb::cli::word_before(line, 4, &before), "");
    EXPECT_EQ(before, ' ');
}
