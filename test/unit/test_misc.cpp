// Core functions: errors, try/raise/assert, is_*, conversions, range, json, wse.
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;

TEST(Misc, ErrorConstructors) {
    EXPECT_EQ(q("type_err().code()"), "-61");
    EXPECT_EQ(q("type_err().msg()"), "\"object of inappropriate type\"");
    EXPECT_EQ(q("value_err('bad').msg()"), "\"bad\"");
    EXPECT_EQ(q("cancelled_err().code()"), "-64");
    EXPECT_EQ(q("operation_err().code()"), "-63");
    EXPECT_EQ(q("num_arguments_err().code()"), "-62");
    EXPECT_EQ(q("overflow_err().code()"), "-59");
    EXPECT_EQ(q("zero_div_err().code()"), "-58");
    EXPECT_EQ(q("max_quota_err().code()"), "-57");
    EXPECT_EQ(q("auth_err().code()"), "-56");
    EXPECT_EQ(q("forbidden_err().code()"), "-55");
    EXPECT_EQ(q("lookup_err().msg()"), "\"requested resource not found\"");
    EXPECT_EQ(q("bad_data_err().code()"), "-53");
    EXPECT_EQ(q("syntax_err().code()"), "-52");
    EXPECT_EQ(q("node_err().code()"), "-51");
    EXPECT_EQ(q("assert_err().msg()"), "\"assertion statement has failed\"");
    EXPECT_EQ(q("is_err(lookup_err())"), "true");
    expect_err("type_err('a', 'b')", tdb::NUM_ARGUMENTS_ERR,
               "function `type_err` takes at most 1 argument but 2 were given");
    expect_err(
        "value_err(1)", tdb::TYPE_ERR,
        "function `value_err` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err("type_err().code(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `code` takes 0 arguments but 1 was given");
    expect_err("type_err().msg(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `msg` takes 0 arguments but 1 was given");
}

TEST(Misc, Err) {
    EXPECT_EQ(q("err().code()"), "-100");
    EXPECT_EQ(q("err().msg()"), "\"error:-100\"");
    EXPECT_EQ(q("err(-61).msg()"), "\"object of inappropriate type\"");
    EXPECT_EQ(q("err(-120).msg()"), "\"error:-120\"");
    EXPECT_EQ(q("err(-100, 'my error').msg()"), "\"my error\"");
    EXPECT_EQ(q("err(-50, 'x').code()"), "-50");
    expect_err("err(1, 'x', 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `err` takes at most 2 arguments but 3 were given");
    expect_err("err('x')", tdb::TYPE_ERR,
               "function `err` expects argument 1 to be of type `int` but got type `str` instead");
    expect_err("err(-49)", tdb::VALUE_ERR,
               "function `err` expects an error code between -127 and -50 but got -49 instead");
    expect_err("err(-128)", tdb::VALUE_ERR,
               "function `err` expects an error code between -127 and -50 but got -128 instead");
    expect_err("err(-100, 1)", tdb::TYPE_ERR,
               "function `err` expects argument 2 to be of type `str` but got type `int` instead");
}

TEST(Misc, Raise) {
    expect_err("raise()", -100, "error:-100");
    expect_err("raise(lookup_err('gone'))", tdb::LOOKUP_ERR, "gone");
    expect_err("raise(err(-110, 'custom'))", -110, "custom");
    expect_err("raise('oops')", -100, "oops");
    expect_err("raise(1)", tdb::TYPE_ERR,
               "function `raise` expects argument 1 to be of type `error` or type `str` but got "
               "type `int` instead");
    expect_err("raise(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `raise` takes at most 1 argument but 2 were given");
}

TEST(Misc, Try) {
    EXPECT_EQ(q("try(1 + 1)"), "2");
    EXPECT_EQ(q("try(raise(type_err('x'))).code()"), "-61");
    EXPECT_EQ(q("try(raise(type_err('x'))).msg()"), "\"x\"");
    EXPECT_EQ(q("is_err(try(1 / 0))"), "true");
    EXPECT_EQ(q("try(1 / 0, zero_div_err()).code()"), "-58");
    EXPECT_EQ(q("try(raise(type_err()), value_err(), type_err()).code()"), "-61");
    // only the listed errors are caught
    expect_err("try(1 / 0, type_err())", tdb::ZERO_DIV_ERR, "division or modulo by zero");
    expect_err("try()", tdb::NUM_ARGUMENTS_ERR,
               "function `try` requires at least 1 argument but 0 were given");
    expect_err(
        "try(raise(), 1)", tdb::TYPE_ERR,
        "function `try` expects arguments 2..X to be of type `error` but got type `int` instead");
}

TEST(Misc, Assert) {
    EXPECT_EQ(q("assert(true)"), "null");
    EXPECT_EQ(q("assert(1 > 0, 'fine')"), "null");
    expect_err("assert(false)", tdb::ASSERT_ERR, "assertion statement `false` has failed");
    expect_err("x = 1; assert(x > 2)", tdb::ASSERT_ERR, "assertion statement `x > 2` has failed");
    expect_err("assert(  [1, 2].len() == 3  )", tdb::ASSERT_ERR,
               "assertion statement `[1, 2].len() == 3` has failed");
    expect_err("assert(nil, 'my message')", tdb::ASSERT_ERR, "my message");
    expect_err("assert()", tdb::NUM_ARGUMENTS_ERR,
               "function `assert` requires at least 1 argument but 0 were given");
    expect_err("assert(1, 'a', 'b')", tdb::NUM_ARGUMENTS_ERR,
               "function `assert` takes at most 2 arguments but 3 were given");
    expect_err(
        "assert(0, 1)", tdb::TYPE_ERR,
        "function `assert` expects argument 2 to be of type `str` but got type `int` instead");
}

TEST(Misc, IsFunctions) {
    EXPECT_EQ(q("[is_array([]), is_array([[]][0]), is_array('')]"), "[true,true,false]");
    EXPECT_EQ(q("[is_list([]), is_list([[]][0])]"), "[true,false]");
    EXPECT_EQ(q("[is_tuple([]), is_tuple([[]][0])]"), "[false,true]");
    EXPECT_EQ(q("[is_bool(true), is_bool(1)]"), "[true,false]");
    EXPECT_EQ(q("[is_bytes(bytes('a')), is_bytes('a')]"), "[true,false]");
    EXPECT_EQ(q("[is_closure(||1), is_closure(1)]"), "[true,false]");
    EXPECT_EQ(q("[is_err(err()), is_error(err()), is_err(1)]"), "[true,true,false]");
    EXPECT_EQ(q("[is_float(1.0), is_float(1)]"), "[true,false]");
    EXPECT_EQ(q("[is_int(1), is_int(1.0)]"), "[true,false]");
    EXPECT_EQ(q("[is_inf(inf), is_inf(-inf), is_inf(1.0), is_inf(1), is_inf(true)]"),
              "[true,true,false,false,false]");
    EXPECT_EQ(q("[is_nan(nan), is_nan(1.0), is_nan(1), is_nan(true), is_nan('a')]"),
              "[true,false,false,false,true]");
    EXPECT_EQ(q("[is_nil(nil), is_nil(0)]"), "[true,false]");
    EXPECT_EQ(q("[is_raw('a'), is_raw(bytes('')), is_raw(1)]"), "[true,true,false]");
    EXPECT_EQ(q("[is_set(set()), is_set([])]"), "[true,false]");
    EXPECT_EQ(q("[is_str(''), is_str(bytes(''))]"), "[true,false]");
    EXPECT_EQ(q("[is_thing({}), is_thing(.), is_thing(1)]"), "[true,true,false]");
    EXPECT_EQ(q("[is_utf8('é'), is_utf8(1)]"), "[true,false]");
    EXPECT_EQ(q("[is_ascii('abc'), is_ascii('é')]"), "[true,false]");
    EXPECT_EQ(q("[is_regex(/a/), is_regex('a')]"), "[true,false]");
    EXPECT_EQ(q("[is_datetime(1), is_timeval(1), is_enum(1)]"), "[false,false,false]");
    expect_err("is_int()", tdb::NUM_ARGUMENTS_ERR,
               "function `is_int` takes 1 argument but 0 were given");
    expect_err("is_str(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `is_str` takes 1 argument but 2 were given");
}

TEST(Misc, Type) {
    EXPECT_EQ(q("[type(nil), type(1), type(1.5), type(true), type('a'), type(bytes('a'))]"),
              "[\"nil\",\"int\",\"float\",\"bool\",\"str\",\"bytes\"]");
    EXPECT_EQ(
        q("[type([]), type([[]][0]), type(set()), type({}), type(||1), type(err()), type(/a/)]"),
        "[\"list\",\"tuple\",\"set\",\"thing\",\"closure\",\"error\",\"regex\"]");
    expect_err("type()", tdb::NUM_ARGUMENTS_ERR,
               "function `type` takes 1 argument but 0 were given");
}

TEST(Misc, Str) {
    EXPECT_EQ(q("str()"), "\"\"");
    EXPECT_EQ(q("str('a')"), "\"a\"");
    EXPECT_EQ(q("str(nil)"), "\"nil\"");
    EXPECT_EQ(q("str(true)"), "\"true\"");
    EXPECT_EQ(q("str(42)"), "\"42\"");
    EXPECT_EQ(q("str(1.5)"), "\"1.5\"");
    EXPECT_EQ(q("str(bytes('hi'))"), "\"hi\"");
    EXPECT_EQ(q("str(value_err('m'))"), "\"m\"");
    EXPECT_EQ(q("str(/a.*/i)"), "\"/a.*/i\"");
    expect_err("str([])", tdb::TYPE_ERR, "cannot convert type `list` to `str`");
    expect_err("str(set())", tdb::TYPE_ERR, "cannot convert type `set` to `str`");
    expect_err("str(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `str` takes at most 1 argument but 2 were given");
}

TEST(Misc, IntFloatBool) {
    EXPECT_EQ(q("int()"), "0");
    EXPECT_EQ(q("int(1.9)"), "1");
    EXPECT_EQ(q("int(-1.9)"), "-1");
    EXPECT_EQ(q("int(true)"), "1");
    EXPECT_EQ(q("int('42')"), "42");
    EXPECT_EQ(q("int('0x1f')"), "31");
    EXPECT_EQ(q("int('12abc')"), "12");
    EXPECT_EQ(q("int('abc')"), "0");
    EXPECT_EQ(q("int(type_err())"), "-61");
    expect_err("int('99999999999999999999')", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("int(1.0e+300)", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("int(inf)", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("int(nan)", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("int(nil)", tdb::TYPE_ERR, "cannot convert type `nil` to `int`");
    expect_err("int([])", tdb::TYPE_ERR, "cannot convert type `list` to `int`");
    expect_err("int(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `int` takes at most 1 argument but 2 were given");
    EXPECT_EQ(q("float()"), "0.0");
    EXPECT_EQ(q("float(2)"), "2.0");
    EXPECT_EQ(q("float('1.5')"), "1.5");
    EXPECT_EQ(q("float(false)"), "0.0");
    expect_err("float({})", tdb::TYPE_ERR, "cannot convert type `thing` to `float`");
    EXPECT_EQ(
        q("[bool(), bool(0), bool(1), bool(''), bool('a'), bool([]), bool({}), bool({a: 1})]"),
        "[false,false,true,false,true,false,false,true]");
    expect_err("bool(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `bool` takes at most 1 argument but 2 were given");
}

TEST(Misc, BytesListSetThing) {
    EXPECT_EQ(q("type(bytes())"), "\"bytes\"");
    EXPECT_EQ(q("str(bytes('ab'))"), "\"ab\"");
    EXPECT_EQ(q("bytes(bytes('ab')) == bytes('ab')"), "true");
    expect_err("bytes(1)", tdb::TYPE_ERR, "cannot convert type `int` to `bytes`");
    EXPECT_EQ(q("list()"), "[]");
    EXPECT_EQ(q("list([1, 2])"), "[1,2]");
    EXPECT_EQ(q("type(list([[1]][0]))"), "\"list\"");
    EXPECT_EQ(q("a = {}; list(set(a)).len()"), "1");
    expect_err("list('a')", tdb::TYPE_ERR, "cannot convert type `str` to `list`");
    EXPECT_EQ(q("set().len()"), "0");
    EXPECT_EQ(q("a = {}; b = {}; set([a, b, a]).len()"), "2");
    EXPECT_EQ(q("a = {}; b = {}; set(a, b).len()"), "2");
    expect_err("set([1])", tdb::TYPE_ERR, "cannot add type `int` to a set");
    expect_err("set(1)", tdb::TYPE_ERR, "cannot convert type `int` to `set`");
    EXPECT_EQ(q("thing()"), "{}");
    EXPECT_EQ(q("t = {a: 1}; thing(t) == t"), "true");
    EXPECT_EQ(q(".k = {v: 7}; thing(.k.id()).v"), "7");
    expect_err("thing(999999999)", tdb::LOOKUP_ERR,
               "collection `stuff` has no `thing` with id 999999999");
    expect_err("thing('a')", tdb::TYPE_ERR, "cannot convert type `str` to `thing`");
    expect_err("thing(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `thing` takes at most 1 argument but 2 were given");
}

TEST(Misc, Regex) {
    EXPECT_EQ(q("type(regex('a+'))"), "\"regex\"");
    EXPECT_EQ(q("str(regex('a+', 'i'))"), "\"/a+/i\"");
    expect_err("regex()", tdb::NUM_ARGUMENTS_ERR,
               "function `regex` requires at least 1 argument but 0 were given");
    expect_err(
        "regex(1)", tdb::TYPE_ERR,
        "function `regex` expects argument 1 to be of type `str` but got type `int` instead");
}

TEST(Misc, Range) {
    EXPECT_EQ(q("range(3)"), "[0,1,2]");
    EXPECT_EQ(q("range(2, 5)"), "[2,3,4]");
    EXPECT_EQ(q("range(0, 10, 3)"), "[0,3,6,9]");
    EXPECT_EQ(q("range(5, 0, -2)"), "[5,3,1]");
    EXPECT_EQ(q("range(-2)"), "[]");
    EXPECT_EQ(q("range(3, 1)"), "[]");
    EXPECT_EQ(q("range(100000).len()"), "100000");
    expect_err("range(100001)", tdb::OPERATION_ERR, "maximum range length exceeded");
    expect_err("range(0, 10, 0)", tdb::VALUE_ERR, "step value must not be zero");
    expect_err("range()", tdb::NUM_ARGUMENTS_ERR,
               "function `range` requires at least 1 argument but 0 were given");
    expect_err("range(1, 2, 3, 4)", tdb::NUM_ARGUMENTS_ERR,
               "function `range` takes at most 3 arguments but 4 were given");
    expect_err(
        "range('a')", tdb::TYPE_ERR,
        "function `range` expects argument 1 to be of type `int` but got type `str` instead");
    expect_err(
        "range(0, 1, 1.0)", tdb::TYPE_ERR,
        "function `range` expects argument 3 to be of type `int` but got type `float` instead");
}

TEST(Misc, Json) {
    EXPECT_EQ(q("json_dump([1, 'a', nil, true])"), "\"[1,\\\"a\\\",null,true]\"");
    EXPECT_EQ(q("json_load('{\"a\": [1, 2.5]}')"), "{\"a\":[1,2.5]}");
    expect_err("json_dump()", tdb::NUM_ARGUMENTS_ERR,
               "function `json_dump` requires at least 1 argument but 0 were given");
    expect_err(
        "json_load(1)", tdb::TYPE_ERR,
        "function `json_load` expects argument 1 to be of type `str` but got type `int` instead");
}

TEST(Misc, WseNseNow) {
    EXPECT_EQ(q("wse()"), "null");
    EXPECT_EQ(q("wse(1 + 1)"), "2");
    EXPECT_EQ(q("wse(.w = 3); .w"), "3");
    EXPECT_EQ(q("nse(5)"), "5");
    expect_err("wse(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `wse` takes at most 1 argument but 2 were given");
    expect_err("nse(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `nse` takes at most 1 argument but 2 were given");
    EXPECT_EQ(q("is_float(now())"), "true");
    expect_err("now(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `now` takes 0 arguments but 1 was given");
}

TEST(Misc, TryLetsOtherExceptionsThrough) {
    // a cancel or statement timeout from the storage is not a ThingsDB error
    fresh_storage().interrupts_after = 0;
    EXPECT_THROW(qk("try(range(100000).map(|x| x))"), std::runtime_error);
    // internal results like a failed assert inside try are caught
    EXPECT_EQ(q("try(assert(false)).code()"), "-50");
    EXPECT_EQ(q("try(assert(false)).msg()"), "\"assertion statement `false` has failed\"");
}

TEST(Misc, AssertInsideClosure) {
    expect_err("[1, 2].map(|x| assert(x < 2, 'too big'))", tdb::ASSERT_ERR, "too big");
    expect_err("[1, 2].map(|x| assert(x < 2))", tdb::ASSERT_ERR,
               "assertion statement `x < 2` has failed");
    expect_err("assert('a,b' == 'c')", tdb::ASSERT_ERR,
               "assertion statement `'a,b' == 'c'` has failed");
}
