// mod_type 'mod' without a migration closure: the new definition must allow
// every value the old one allows, judged by the definitions (not by the
// values the instances hold now); `any` fields refuse futures.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

using tdb::OPERATION_ERR;
using tdb::TYPE_ERR;

std::string mod(const std::string& from, const std::string& to) {
    return "set_enum('Hue', {R: 1, G: 2}); set_type('Pin', {v: '" + from +
           "'}); mod_type('Pin', 'mod', 'v', '" + to + "'); 'ok';";
}

std::string incompatible(const std::string& from, const std::string& to) {
    return "cannot apply type declaration `" + to +
           "` to `v` on type `Pin` without a closure to migrate existing instances; the old "
           "declaration `" +
           from +
           "` is not compatible with the new declaration; see "
           "https://docs.thingsdb.io/v1/collection-api/mod_type";
}

TEST(TypesMod, WideningIsAllowed) {
    for (auto& p : std::vector<std::pair<std::string, std::string>>{{"int<0:5>", "int<-1:9>"},
                                                                    {"int<1:5>", "pint"},
                                                                    {"pint", "uint"},
                                                                    {"int", "number"},
                                                                    {"float<0:1>", "float"},
                                                                    {"utf8", "str"},
                                                                    {"str<1:3>", "raw"},
                                                                    {"Hue", "Hue?"},
                                                                    {"[int]", "[number]"},
                                                                    {"str", "any"}})
        EXPECT_EQ(q(mod(p.first, p.second)), "\"ok\"") << p.first << " -> " << p.second;
}

TEST(TypesMod, NarrowingIsRefused) {
    // refused even while no instance (or only fitting values) exists
    for (auto& p : std::vector<std::pair<std::string, std::string>>{{"enum", "Hue"},
                                                                    {"Hue", "int"},
                                                                    {"int<0:9>", "int<0:5>"},
                                                                    {"int<0:5>", "pint"},
                                                                    {"number", "int"},
                                                                    {"str", "utf8"},
                                                                    {"/a+/<a>", "/a+/<aa>"},
                                                                    {"[int]", "{Pin}"},
                                                                    {"[number]", "[int]"}})
        expect_err(mod(p.first, p.second), OPERATION_ERR, incompatible(p.first, p.second));
    expect_err("set_type('Pin', {v: 'int?'}); .p = Pin{v: 3}; mod_type('Pin', 'mod', 'v', 'int');",
               OPERATION_ERR,
               "cannot apply type declaration `int` to `v` on type `Pin` without a closure to "
               "migrate existing instances; the old declaration was nillable while the new "
               "declaration is not; see https://docs.thingsdb.io/v1/collection-api/mod_type");
    // with a closure the values decide
    EXPECT_EQ(q("set_type('Pin', {v: 'int?'}); .p = Pin{v: 3}; mod_type('Pin', 'mod', 'v', 'int',"
                " |p| is_nil(p.v) ? 0 : p.v); .p.v;"),
              "3");
    // a wrap-only type has no instances to keep valid
    EXPECT_EQ(q("set_type('Pin', {v: 'str'}, true); mod_type('Pin', 'mod', 'v', 'int'); 'ok';"),
              "\"ok\"");
}

TEST(TypesMod, AnyRefusesFutures) {
    const std::string m =
        "mismatch in type `Slot`; property `x` allows `any` type with the exception of the "
        "`future` and `module` type";
    expect_err("set_type('Slot', {x: 'any'}); Slot{x: future(|| 1)};", TYPE_ERR, m);
    expect_err("set_type('Slot', {x: 'any'}); s = Slot{}; s.x = future(|| 1);", TYPE_ERR, m);
    EXPECT_EQ(q("set_type('Slot', {x: 'any'}); Slot{x: 1}.x;"), "1");
}

}  // namespace
