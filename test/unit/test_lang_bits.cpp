// `<<`, `>>` and `~` as ThingsDB has them: the shift's place between `+ -`
// and `&`, int and bool operands, counts taken modulo the operand's width,
// and a run of `~` in front of the other prefix operators.
#include <gtest/gtest.h>

#include "harness.h"

TEST(Shifts, IntAndBoolOperands) {
    EXPECT_EQ(q("1 << 4"), "16");
    EXPECT_EQ(q("256 >> 4"), "16");
    EXPECT_EQ(q("-8 >> 1"), "-4");  // the sign is kept
    EXPECT_EQ(q("-1 >> 63"), "-1");
    EXPECT_EQ(q("5 << true"), "10");
    EXPECT_EQ(q("true << 3"), "8");
    EXPECT_EQ(q("true >> 1"), "0");
    EXPECT_EQ(q("false << 2"), "0");
    EXPECT_EQ(q("x = 3; y = 2; x << y"), "12");
    EXPECT_EQ(q("1 << 62"), "4611686018427387904");
    EXPECT_EQ(q("1 << 63"), "-9223372036854775808");  // into the sign bit, no error
}

TEST(Shifts, CountsAreTakenModuloTheWidth) {
    EXPECT_EQ(q("1 << 64"), "1");
    EXPECT_EQ(q("1 << 65"), "2");
    EXPECT_EQ(q("1 << -1"), "-9223372036854775808");  // -1 & 63 = 63
    EXPECT_EQ(q("1024 >> 66"), "256");
    // A bool is a 32-bit C int in ThingsDB's shift.
    EXPECT_EQ(q("true << 31"), "-2147483648");
    EXPECT_EQ(q("true << 33"), "2");
}

TEST(Shifts, OtherOperandsAreTypeErrors) {
    expect_err("1.0 << 2", tdb::TYPE_ERR, "bitwise `<<` not supported between `float` and `int`");
    expect_err("2 >> 0.5", tdb::TYPE_ERR, "bitwise `>>` not supported between `int` and `float`");
    expect_err("'a' << 1", tdb::TYPE_ERR, "bitwise `<<` not supported between `str` and `int`");
    expect_err("nil >> nil", tdb::TYPE_ERR, "bitwise `>>` not supported between `nil` and `nil`");
    expect_err("set() << set()", tdb::TYPE_ERR,
               "bitwise `<<` not supported between `set` and `set`");
    expect_err("[1] << 1", tdb::TYPE_ERR, "bitwise `<<` not supported between `list` and `int`");
}

TEST(Shifts, BindBetweenAdditionAndBitwiseAnd) {
    EXPECT_EQ(q("1 + 2 << 3"), "24");  // (1 + 2) << 3
    EXPECT_EQ(q("1 << 2 + 3"), "32");  // 1 << (2 + 3)
    EXPECT_EQ(q("2 * 2 << 1"), "8");
    EXPECT_EQ(q("1 << 2 & 7"), "4");  // (1 << 2) & 7
    EXPECT_EQ(q("7 & 1 << 2"), "4");  // 7 & (1 << 2)
    EXPECT_EQ(q("1 | 1 << 3"), "9");
    EXPECT_EQ(q("1 << 2 < 5"), "true");  // shifts before comparisons
    EXPECT_EQ(q("5 > 1 << 2"), "true");
    EXPECT_EQ(q("64 >> 1 >> 2"), "8");  // left associative
    EXPECT_EQ(q("1 << 2 << 3"), "32");
    // `<=`, `>=`, `<` and `>` are still comparisons.
    EXPECT_EQ(q("1 <= 2 && 2 >= 1 && 1 < 2 && 2 > 1"), "true");
}

TEST(Shifts, NoCompoundAssignment) {
    expect_err("a = 1; a <<= 2", tdb::SYNTAX_ERR,
               "error at line 1, position 11, unexpected character `=`");
    expect_err("1 << ", tdb::SYNTAX_ERR, "error at line 1, position 5");
}

TEST(Invert, IntsAndTheParityOfARun) {
    EXPECT_EQ(q("~5"), "-6");
    EXPECT_EQ(q("~-5"), "4");  // `-5` is a literal
    EXPECT_EQ(q("~0"), "-1");
    EXPECT_EQ(q("~~5"), "5");
    EXPECT_EQ(q("~ ~ ~5"), "-6");
    EXPECT_EQ(q("x = 3; ~x"), "-4");
    EXPECT_EQ(q("x = 3; ~-x"), "2");  // the sign first, then the inversion
    EXPECT_EQ(q("~[7][0]"), "-8");    // of the whole expression after it
    EXPECT_EQ(q("~(1 + 1)"), "-3");
    EXPECT_EQ(q("~1 + 1"), "-1");  // a prefix binds tighter than any operator
    EXPECT_EQ(q("x = -9223372036854775807 - 1; ~x"), "9223372036854775807");
    expect_err("x = -9223372036854775807 - 1; ~-x", tdb::OVERFLOW_ERR, "integer overflow");
}

TEST(Invert, BoolsFloatsAndOthers) {
    EXPECT_EQ(q("~true"), "-2");
    EXPECT_EQ(q("~false"), "-1");
    EXPECT_EQ(q("~~true"), "1");  // an even run asks for a number, as `+` does
    EXPECT_EQ(q("~~-true"), "-1");
    // Without `!`, a bool inverts as 0 or 1 whatever signs follow.
    EXPECT_EQ(q("~-true"), "-2");
    EXPECT_EQ(q("~-+true"), "-2");
    // After `!` the signs apply to the bool first.
    EXPECT_EQ(q("~!0"), "-2");
    EXPECT_EQ(q("~-!0"), "0");
    EXPECT_EQ(q("~!'abc'"), "-1");  // `!` takes any value
    EXPECT_EQ(q("~~1.5"), "1.5");
    EXPECT_EQ(q("~~-1.5"), "-1.5");
    expect_err("~1.5", tdb::TYPE_ERR, "bit inversion on float");
    expect_err("~-1.5", tdb::TYPE_ERR, "bit inversion on float");
    expect_err("~'a'", tdb::TYPE_ERR, "operation not supported by type `str`");
    expect_err("~~nil", tdb::TYPE_ERR, "operation not supported by type `nil`");
    expect_err("~[]", tdb::TYPE_ERR, "operation not supported by type `list`");
    expect_err("~-'a'", tdb::TYPE_ERR, "operation not supported by type `str`");
}

TEST(Invert, ComesBeforeTheOtherPrefixes) {
    expect_err("!~1", tdb::SYNTAX_ERR, "error at line 1, position 1, unexpected character `~`");
    expect_err("-~x", tdb::SYNTAX_ERR, "error at line 1, position 1, unexpected character `~`");
    expect_err("x = 1; + ~x", tdb::SYNTAX_ERR,
               "error at line 1, position 9, unexpected character `~`");
    expect_err("~||1", tdb::SYNTAX_ERR, "error at line 1, position 1, unexpected character `|`");
    expect_err("~", tdb::SYNTAX_ERR, "error at line 1, position 1");
    EXPECT_EQ(q("!(~1)"), "false");
    EXPECT_EQ(q("1 - ~1"), "3");  // a binary `-` followed by a prefix `~`
}

TEST(Invert, ClosureTextKeepsTheRun) {
    EXPECT_EQ(q("str(|x| ~x)"), "\"|x| ~x\"");
    EXPECT_EQ(q("str(|x| ~ ~ -x << 2)"), "\"|x| ~~-x << 2\"");
    EXPECT_EQ(q("str(|a, b| a >> b & 1)"), "\"|a, b| a >> b & 1\"");
    EXPECT_EQ(q("f = |x| ~x << 1; f(2)"), "-6");
}
