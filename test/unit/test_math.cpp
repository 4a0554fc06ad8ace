// Math functions, int.bit_count and the math constants.
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;

namespace {

void expect_number_args(const std::string& fn) {
    expect_err(fn + "()", tdb::NUM_ARGUMENTS_ERR,
               "function `" + fn + "` takes 1 argument but 0 were given");
    expect_err(fn + "(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `" + fn + "` takes 1 argument but 2 were given");
    expect_err(
        fn + "('1')", tdb::TYPE_ERR,
        "function `" + fn +
            "` expects argument 1 to be of type `int` or `float` but got type `str` instead");
    expect_err(
        fn + "(true)", tdb::TYPE_ERR,
        "function `" + fn +
            "` expects argument 1 to be of type `int` or `float` but got type `bool` instead");
}

}  // namespace

TEST(Math, Abs) {
    EXPECT_EQ(q("abs(-5)"), "5");
    EXPECT_EQ(q("abs(5)"), "5");
    EXPECT_EQ(q("abs(-2.5)"), "2.5");
    EXPECT_EQ(q("abs(nan)"), "\"nan\"");
    EXPECT_EQ(q("abs(-inf)"), "\"inf\"");
    expect_err("abs(INT_MIN)", tdb::OVERFLOW_ERR, "integer overflow");
    expect_number_args("abs");
}

TEST(Math, CeilFloor) {
    EXPECT_EQ(q("ceil(1.2)"), "2");
    EXPECT_EQ(q("ceil(-1.2)"), "-1");
    EXPECT_EQ(q("ceil(7)"), "7");
    EXPECT_EQ(q("floor(1.8)"), "1");
    EXPECT_EQ(q("floor(-1.2)"), "-2");
    EXPECT_EQ(q("type(floor(3.0))"), "\"int\"");
    expect_err("floor(inf)", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("ceil(nan)", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("ceil(1.0e+300)", tdb::OVERFLOW_ERR, "integer overflow");
    expect_number_args("ceil");
    expect_number_args("floor");
}

TEST(Math, Round) {
    EXPECT_EQ(q("round(2.5)"), "3.0");
    EXPECT_EQ(q("round(-2.5)"), "-3.0");
    EXPECT_EQ(q("round(3.14159, 2)"), "3.14");
    EXPECT_EQ(q("round(1234, -2)"), "1200");
    EXPECT_EQ(q("round(7)"), "7");
    EXPECT_EQ(q("round(1.5, 0)"), "2.0");
    expect_err("round()", tdb::NUM_ARGUMENTS_ERR,
               "function `round` requires at least 1 argument but 0 were given");
    expect_err("round(1, 2, 3)", tdb::NUM_ARGUMENTS_ERR,
               "function `round` takes at most 2 arguments but 3 were given");
    expect_err("round('x')", tdb::TYPE_ERR,
               "function `round` expects argument 1 to be of type `int` or `float` but got type "
               "`str` instead");
    expect_err(
        "round(1.5, 1.0)", tdb::TYPE_ERR,
        "function `round` expects argument 2 to be of type `int` but got type `float` instead");
}

TEST(Math, Pow) {
    EXPECT_EQ(q("pow(2, 10)"), "1024.0");
    EXPECT_EQ(q("pow(4, 0.5)"), "2.0");
    EXPECT_EQ(q("pow(2, -1)"), "0.5");
    expect_err("pow(2)", tdb::NUM_ARGUMENTS_ERR,
               "function `pow` takes 2 arguments but 1 was given");
    expect_err("pow(nil, 2)", tdb::TYPE_ERR,
               "function `pow` expects argument 1 to be of type `int` or `float` but got type "
               "`nil` instead");
    expect_err("pow(2, '2')", tdb::TYPE_ERR,
               "function `pow` expects argument 2 to be of type `int` or `float` but got type "
               "`str` instead");
}

TEST(Math, SqrtExpLogs) {
    EXPECT_EQ(q("sqrt(16)"), "4.0");
    EXPECT_EQ(q("sqrt(0)"), "0.0");
    EXPECT_EQ(q("sqrt(2.25)"), "1.5");
    EXPECT_EQ(q("exp(0)"), "1.0");
    EXPECT_EQ(q("exp(1) == MATH_E"), "true");
    EXPECT_EQ(q("log10(1000)"), "3.0");
    EXPECT_EQ(q("log2(8)"), "3.0");
    EXPECT_EQ(q("loge(MATH_E)"), "1.0");
    EXPECT_EQ(q("loge(nan)"), "\"nan\"");
    expect_err("sqrt(-1)", tdb::VALUE_ERR, "math domain error");
    expect_err("log10(0)", tdb::VALUE_ERR, "math domain error");
    expect_err("log2(-1.5)", tdb::VALUE_ERR, "math domain error");
    expect_err("loge(0.0)", tdb::VALUE_ERR, "math domain error");
    for (const char* fn : {"sqrt", "exp", "log10", "log2", "loge"}) expect_number_args(fn);
}

TEST(Math, Trig) {
    EXPECT_EQ(q("sin(0)"), "0.0");
    EXPECT_EQ(q("cos(0)"), "1.0");
    EXPECT_EQ(q("tan(0.0)"), "0.0");
    EXPECT_EQ(q("round(sin(MATH_PI / 2), 6)"), "1.0");
    EXPECT_EQ(q("round(cos(MATH_PI), 6)"), "-1.0");
    EXPECT_EQ(q("round(tan(MATH_PI / 4), 6)"), "1.0");
    for (const char* fn : {"sin", "cos", "tan"}) expect_number_args(fn);
}

TEST(Math, Constants) {
    EXPECT_EQ(q("MATH_PI"), "3.141592653589793");
    EXPECT_EQ(q("MATH_E"), "2.718281828459045");
    EXPECT_EQ(q("INT_MAX"), "9223372036854775807");
    EXPECT_EQ(q("INT_MIN"), "-9223372036854775808");
    EXPECT_EQ(q("MATH_PI", "@thingsdb"), "3.141592653589793");
    EXPECT_EQ(q("INT_MAX = 1; INT_MAX"), "1");  // a variable wins
    expect_err("INT_MAX + 1", tdb::OVERFLOW_ERR, "integer overflow");
}

TEST(Math, BitCount) {
    EXPECT_EQ(q("x = 0; x.bit_count()"), "0");
    EXPECT_EQ(q("x = 255; x.bit_count()"), "8");
    EXPECT_EQ(q("x = -7; x.bit_count()"), "3");
    EXPECT_EQ(q("INT_MAX.bit_count()"), "63");
    EXPECT_EQ(q("INT_MIN.bit_count()"), "1");
    expect_err("x = 1; x.bit_count(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `bit_count` takes 0 arguments but 1 was given");
    expect_err("x = 1.0; x.bit_count()", tdb::LOOKUP_ERR,
               "type `float` has no function `bit_count`");
    expect_err("true.bit_count()", tdb::LOOKUP_ERR, "type `bool` has no function `bit_count`");
}
