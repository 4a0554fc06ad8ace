// str methods: results and ThingsDB's argument errors.
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;

TEST(Str, Len) {
    EXPECT_EQ(q("'hello'.len()"), "5");
    EXPECT_EQ(q("''.len()"), "0");
    expect_err("'a'.len(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `len` takes 0 arguments but 1 was given");
}

TEST(Str, ContainsStartsEnds) {
    EXPECT_EQ(q("'hello'.contains('ell')"), "true");
    EXPECT_EQ(q("'hello'.contains('x')"), "false");
    EXPECT_EQ(q("'hello'.contains('')"), "true");
    EXPECT_EQ(q("'hello'.starts_with('he')"), "true");
    EXPECT_EQ(q("'hello'.starts_with('lo')"), "false");
    EXPECT_EQ(q("'hello'.ends_with('lo')"), "true");
    EXPECT_EQ(q("'hello'.ends_with('he')"), "false");
    expect_err("'a'.contains()", tdb::NUM_ARGUMENTS_ERR,
               "function `contains` takes 1 argument but 0 were given");
    expect_err(
        "'a'.contains(1)", tdb::TYPE_ERR,
        "function `contains` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err(
        "'a'.starts_with(nil)", tdb::TYPE_ERR,
        "function `starts_with` expects argument 1 to be of type `str` but got type `nil` instead");
    expect_err("'a'.ends_with('a', 'b')", tdb::NUM_ARGUMENTS_ERR,
               "function `ends_with` takes 1 argument but 2 were given");
}

TEST(Str, LowerUpper) {
    EXPECT_EQ(q("'HeLLo 1!'.lower()"), "\"hello 1!\"");
    EXPECT_EQ(q("'HeLLo 1!'.upper()"), "\"HELLO 1!\"");
    expect_err("'a'.lower(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `lower` takes 0 arguments but 1 was given");
    expect_err("'a'.upper(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `upper` takes 0 arguments but 2 were given");
}

TEST(Str, Trim) {
    EXPECT_EQ(q("'  a b \t'.trim()"), "\"a b\"");
    EXPECT_EQ(q("'  a b  '.trim_left()"), "\"a b  \"");
    EXPECT_EQ(q("'  a b  '.trim_right()"), "\"  a b\"");
    EXPECT_EQ(q("'   '.trim()"), "\"\"");
    expect_err("'a'.trim(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `trim` takes 0 arguments but 1 was given");
    expect_err("'a'.trim_left(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `trim_left` takes 0 arguments but 1 was given");
    expect_err("'a'.trim_right(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `trim_right` takes 0 arguments but 1 was given");
}

TEST(Str, Replace) {
    EXPECT_EQ(q("'a-b-c'.replace('-', '+')"), "\"a+b+c\"");
    EXPECT_EQ(q("'a-b-c'.replace('-', '')"), "\"abc\"");
    EXPECT_EQ(q("'a-b-c'.replace('-', '++', 1)"), "\"a++b-c\"");
    EXPECT_EQ(q("'a-b-c'.replace('-', '+', -1)"), "\"a-b+c\"");
    EXPECT_EQ(q("'a-b-c'.replace('-', '+', 0)"), "\"a-b-c\"");
    EXPECT_EQ(q("'aaa'.replace('aa', 'b')"), "\"ba\"");
    EXPECT_EQ(q("'aaa'.replace('aa', 'b', -1)"), "\"ab\"");
    EXPECT_EQ(q("'a'.replace('abc', 'x')"), "\"a\"");
    expect_err("'a'.replace('a')", tdb::NUM_ARGUMENTS_ERR,
               "function `replace` requires at least 2 arguments but 1 was given");
    expect_err("'a'.replace('a', 'b', 1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `replace` takes at most 3 arguments but 4 were given");
    expect_err(
        "'a'.replace(1, 'b')", tdb::TYPE_ERR,
        "function `replace` expects argument 1 to be of type `str` or `regex` but got type `int` "
        "instead");
    expect_err(
        "'a'.replace('a', 1)", tdb::TYPE_ERR,
        "function `replace` expects argument 2 to be of type `str` or `closure` but got type "
        "`int` instead");
    // ThingsDB names the count "argument 2".
    expect_err(
        "'a'.replace('a', 'b', 'c')", tdb::TYPE_ERR,
        "function `replace` expects argument 2 to be of type `int` but got type `str` instead");
    expect_err("'a'.replace('', 'b')", tdb::VALUE_ERR, "replace an empty string");
}

TEST(Str, Split) {
    EXPECT_EQ(q("'a b  c'.split()"), R"(["a","b","c"])");
    EXPECT_EQ(q("' a b '.split()"), R"(["","a","b",""])");
    EXPECT_EQ(q("''.split()"), R"([""])");
    EXPECT_EQ(q("'a,b,,c'.split(',')"), R"(["a","b","","c"])");
    EXPECT_EQ(q("'a--b--c'.split('--')"), R"(["a","b","c"])");
    EXPECT_EQ(q("'a,b,c'.split(',', 1)"), R"(["a","b,c"])");
    EXPECT_EQ(q("'a,b,c'.split(',', -1)"), R"(["a,b","c"])");
    EXPECT_EQ(q("'a,b,c'.split(',', 0)"), R"(["a,b,c"])");
    EXPECT_EQ(q("'a b c'.split(1)"), R"(["a","b c"])");
    EXPECT_EQ(q("'a b c'.split(-1)"), R"(["a b","c"])");
    EXPECT_EQ(q("'abc'.split(',')"), R"(["abc"])");
    expect_err("'a'.split(',', 1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `split` takes at most 2 arguments but 3 were given");
    expect_err(
        "'a'.split(1, 2)", tdb::NUM_ARGUMENTS_ERR,
        "function `split` takes at most 1 argument when the first argument is of type `int`");
    expect_err("'a'.split(nil)", tdb::TYPE_ERR,
               "function `split` expects argument 1 to be of type `str` or type `int` but got type "
               "`nil` instead");
    expect_err("'a'.split('')", tdb::VALUE_ERR, "empty separator");
    expect_err(
        "'a'.split(',', 'x')", tdb::TYPE_ERR,
        "function `split` expects argument 2 to be of type `int` but got type `str` instead");
}

TEST(Str, SplitRegexAndTest) {
    EXPECT_EQ(q("'a1b22c'.split(/[0-9]+/)"), R"(["a","b","c"])");
    EXPECT_EQ(q("'a1b22c'.split(/[0-9]+/, 1)"), R"(["a","b22c"])");
    expect_err("'a'.split(/a/, -1)", tdb::VALUE_ERR,
               "function `split` does not support backward (negative) splits when used with a "
               "regular expression");
    EXPECT_EQ(q("'hello'.test(/L+/i)"), "true");
    EXPECT_EQ(q("'hello'.test(/x/)"), "false");
    expect_err(
        "'a'.test('a')", tdb::TYPE_ERR,
        "function `test` expects argument 1 to be of type `regex` but got type `str` instead");
}

TEST(Str, UnknownMethod) {
    expect_err("'a'.push(1)", tdb::LOOKUP_ERR, "type `str` has no function `push`");
}
