// Methods of lists, sets, things and closures added with the function
// library: flat, map_id, vmap, ren, closure.call, closure.doc.
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;

TEST(Values, Flat) {
    EXPECT_EQ(q("[1, [2, [3, [4]]], 5].flat()"), "[1,2,[3,[4]],5]");
    EXPECT_EQ(q("[1, [2, [3, [4]]], 5].flat(2)"), "[1,2,3,[4],5]");
    EXPECT_EQ(q("[1, [2, [3, [4]]], 5].flat(10)"), "[1,2,3,4,5]");
    EXPECT_EQ(q("[[1], [2]].flat(0)"), "[[1],[2]]");
    EXPECT_EQ(q("[].flat()"), "[]");
    EXPECT_EQ(q("[[1, 2]][0].flat()"), "[1,2]");  // on a tuple
    EXPECT_EQ(q("x = [[1]]; y = x.flat(); y.push(2); x"), "[[1]]");
    expect_err("[].flat(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `flat` takes at most 1 argument but 2 were given");
    expect_err("[].flat('1')", tdb::TYPE_ERR,
               "function `flat` expects argument 1 to be of type `int` but got type `str` instead");
}

TEST(Values, MapId) {
    EXPECT_EQ(q(".a = {}; .b = {}; [.a, .b, {}].map_id() == [.a.id(), .b.id(), nil]"), "true");
    EXPECT_EQ(q("[].map_id()"), "[]");
    EXPECT_EQ(q(".s = set({}, {}); .s.map_id().len()"), "2");
    EXPECT_EQ(q("set({}).map_id()"), "[null]");
    expect_err("[{}, 1].map_id()", tdb::LOOKUP_ERR, "type `int` has no function `id`");
    expect_err("[{}, {}, \"x\"].map_id()", tdb::LOOKUP_ERR, "type `str` has no function `id`");
    expect_err("[].map_id(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `map_id` takes 0 arguments but 1 was given");
    expect_err("set().map_id(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `map_id` takes 0 arguments but 1 was given");
}

TEST(Values, Vmap) {
    EXPECT_EQ(q("{a: 1, b: 2}.vmap(|v| v * 10)"), "{\"a\":10,\"b\":20}");
    EXPECT_EQ(q("{}.vmap(|v| v)"), "{}");
    EXPECT_EQ(q("t = {a: [1]}; n = t.vmap(|v| v); n.a.push(2); t.a"), "[1]");
    expect_err("{}.vmap()", tdb::NUM_ARGUMENTS_ERR,
               "function `vmap` takes 1 argument but 0 were given");
    expect_err(
        "{}.vmap(1)", tdb::TYPE_ERR,
        "function `vmap` expects argument 1 to be of type `closure` but got type `int` instead");
    expect_err("t = {a: 1}; t.vmap(|v| t.x = v)", tdb::OPERATION_ERR,
               "cannot change type `thing` while the value is in use");
}

TEST(Values, Ren) {
    EXPECT_EQ(q("t = {a: 1, b: 2}; t.ren('a', 'c'); t"), "{\"c\":1,\"b\":2}");
    EXPECT_EQ(q("t = {a: 1, b: 2}; t.ren('a', 'b'); t"), "{\"b\":1}");
    EXPECT_EQ(q("t = {a: 1}; t.ren('a', 'a')"), "null");
    EXPECT_EQ(q(".x = 1; .ren('x', 'y'); .y"), "1");
    fresh_storage();
    qk(".x = 1; nil");
    EXPECT_EQ(qk(".ren('x', 'z'); nil"), "null");
    EXPECT_EQ(qk(".keys()"), "[\"z\"]");  // stored
    expect_err("{}.ren('a', 'b')", tdb::LOOKUP_ERR, "thing `#0` has no property `a`");
    expect_err("{}.ren('a')", tdb::NUM_ARGUMENTS_ERR,
               "function `ren` takes 2 arguments but 1 was given");
    expect_err("{a: 1}.ren(1, 'b')", tdb::TYPE_ERR,
               "function `ren` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err("{a: 1}.ren('a', nil)", tdb::TYPE_ERR,
               "function `ren` expects argument 2 to be of type `str` but got type `nil` instead");
    expect_err("t = {a: 1}; t.map(|| t.ren('a', 'b'))", tdb::OPERATION_ERR,
               "cannot change type `thing` while the value is in use");
}

TEST(Values, ClosureCallDoc) {
    EXPECT_EQ(q("f = |a, b| a + b; f.call(1, 2)"), "3");
    EXPECT_EQ(q("(|| 42).call()"), "42");
    EXPECT_EQ(q("f = |x| {'Doubles x.'; x * 2}; f.doc()"), "\"Doubles x.\"");
    EXPECT_EQ(q("(|x| x).doc()"), "\"\"");
    // As ThingsDB: missing arguments are nil, extra ones are not even evaluated.
    EXPECT_EQ(q("f = |a, b| [a, b]; f.call(1)"), "[1,null]");
    EXPECT_EQ(q("f = |a| a; f.call(1, undefined_var)"), "1");
    EXPECT_EQ(q("(||7).call(1, 2)"), "7");
    expect_err("f = |a| a; f.call(undefined_var)", tdb::LOOKUP_ERR,
               "variable `undefined_var` is undefined");
    expect_err("(|| 1).doc(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `doc` takes 0 arguments but 1 was given");
    expect_err("x = 1; x.call()", tdb::LOOKUP_ERR, "type `int` has no function `call`");
}
