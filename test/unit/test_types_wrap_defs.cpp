// Wrapping a Type instance: a field shows when the instance's definition of
// it fits the wrapping definition (whatever the value is now), and methods
// of the wrapping type render at the collection's depth or their own.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

// Item holds values that fit many wrapping definitions; each wrapping type
// has one field, and the result says whether it showed.
std::string shows(const std::string& field, const std::string& def) {
    std::string r =
        q("set_enum('Lvl', {LOW: 1, HIGH: 2}); set_type('Item', {qty: 'int<2:8>', ratio: "
          "'float<0:1>', code: 'str<2:4>', tag: '/^[a-z]+$/i<abc>', opt: 'int?', pos: 'pint', "
          "sz: 'utf8<1:3>', lvl: 'Lvl'}); set_type('W', {" +
          field + ": '" + def +
          "'}, true); i = Item{qty: 3, ratio: 0.5, code: 'ab', opt: 4, pos: 5, sz: 'x'};"
          "i.wrap('W');");
    return r == "{}" ? "false" : "true";
}

TEST(TypesWrapDefs, RangesByDefinition) {
    // int<2:8> fits ranges that contain it, not ranges that cut it
    EXPECT_EQ(shows("qty", "int<0:100>"), "true");
    EXPECT_EQ(shows("qty", "int<2:8>"), "true");
    EXPECT_EQ(shows("qty", "int<3:8>"), "false");  // 3 would fit the value, not the range
    EXPECT_EQ(shows("qty", "int<2:7>"), "false");
    EXPECT_EQ(shows("qty", "uint"), "true");
    EXPECT_EQ(shows("qty", "pint"), "true");
    EXPECT_EQ(shows("qty", "nint"), "false");
    EXPECT_EQ(shows("qty", "float<0:10>"), "false");
    EXPECT_EQ(shows("qty", "number"), "true");
    EXPECT_EQ(shows("ratio", "float<-5:5>"), "true");
    EXPECT_EQ(shows("ratio", "float<0:0.9>"), "false");
    EXPECT_EQ(shows("ratio", "float"), "true");
    EXPECT_EQ(shows("ratio", "int"), "false");
    EXPECT_EQ(shows("code", "str<0:4>"), "true");
    EXPECT_EQ(shows("code", "str<2:3>"), "false");
    EXPECT_EQ(shows("code", "raw"), "true");
    EXPECT_EQ(shows("code", "/.*/"), "false");
    EXPECT_EQ(shows("sz", "utf8"), "true");
    EXPECT_EQ(shows("code", "utf8"), "false");
}

TEST(TypesWrapDefs, PatternsNillableEnums) {
    // a pattern shows through the same pattern only (flags count)
    EXPECT_EQ(shows("tag", "/^[a-z]+$/i<xyz>"), "true");
    EXPECT_EQ(shows("tag", "/^[a-z]+$/i?"), "true");
    EXPECT_EQ(shows("tag", "/^[a-z]+$/<abc>"), "false");
    EXPECT_EQ(shows("tag", "str"), "true");
    // a nillable definition does not fit a definition without nil
    EXPECT_EQ(shows("opt", "int"), "false");
    EXPECT_EQ(shows("opt", "int?"), "true");
    EXPECT_EQ(shows("opt", "any"), "true");
    EXPECT_EQ(shows("pos", "uint?"), "true");
    // an enum field: the same enum, its members' kind, or names with '*'
    EXPECT_EQ(shows("lvl", "Lvl"), "true");
    EXPECT_EQ(shows("lvl", "int"), "true");
    EXPECT_EQ(shows("lvl", "str"), "false");
    EXPECT_EQ(shows("lvl", "*str"), "true");
}

TEST(TypesWrapDefs, PlainThingsByValue) {
    // a thing without a Type is still judged by its values
    EXPECT_EQ(q("set_type('W', {n: 'int<3:8>'}, true); [{n: 3}.wrap('W'), {n: 2}.wrap('W')];"),
              "[{\"n\":3},{}]");
}

TEST(TypesWrapDefs, MethodDepth) {
    const std::string setup =
        "set_type('Box', {inner: 'thing?'}); set_type('V', {inner: 'any', "
        "plain: || {a: {b: {c: 1}}}, deeper: || {return {a: {b: {c: 1}}}, 3}}, true);"
        "b = Box{inner: {x: {y: 1}}};";
    // the wrap uses one level; a method starts again at the collection's depth
    EXPECT_EQ(q(setup + "b.wrap('V');"),
              "{\"inner\":{},\"plain\":{\"a\":{}},\"deeper\":{\"a\":{\"b\":{\"c\":1}}}}");
    EXPECT_EQ(q(setup + "return b.wrap('V'), 2;"),
              "{\"inner\":{\"x\":{}},\"plain\":{\"a\":{}},\"deeper\":{\"a\":{\"b\":{\"c\":1}}}}");
}

}  // namespace
