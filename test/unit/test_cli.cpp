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
