// mod_type 'mod' without a migration closure: the new definition must allow
// every value the old one allows, judged by the definitions (not by the
// values the instances hold now); `any` fields refuse futures. The tasks'
// own argument checks, each naming its task and linking its page; and
// which instances type_count and type_all see.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

using tdb::LOOKUP_ERR;
using tdb::NUM_ARGUMENTS_ERR;
using tdb::OPERATION_ERR;
using tdb::TYPE_ERR;
using tdb::VALUE_ERR;

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

// Every task names itself in its errors ("function `mod_type` with task
// `add`") and links its own page, as ThingsDB's do.
TEST(TypesMod, TasksNameThemselves) {
    const std::string t = "set_type('T', {a: 'int', m: |this| 1}); ";
    struct {
        const char* code;
        int kind;
        const char* msg;
    } cases[] = {
        {"mod_type('T', 'add', 'x');", NUM_ARGUMENTS_ERR,
         "function `mod_type` with task `add` requires at least 4 arguments but 3 were given; see "
         "https://docs.thingsdb.io/v1/collection-api/mod_type/add"},
        {"mod_type('T', 'mod', 'a', 'int', |x| 1, 2);", NUM_ARGUMENTS_ERR,
         "function `mod_type` with task `mod` takes at most 5 arguments but 6 were given; see "
         "https://docs.thingsdb.io/v1/collection-api/mod_type/mod"},
        {"mod_type('T', 'del', 'a', 1);", NUM_ARGUMENTS_ERR,
         "function `mod_type` with task `del` takes 3 arguments but 4 were given; see "
         "https://docs.thingsdb.io/v1/collection-api/mod_type/del"},
        {"mod_type('T', 'ren', 'a');", NUM_ARGUMENTS_ERR,
         "function `mod_type` with task `ren` takes 4 arguments but 3 were given; see "
         "https://docs.thingsdb.io/v1/collection-api/mod_type/ren"},
        {"mod_type('T', 'ren', 'a', 1);", TYPE_ERR,
         "function `mod_type` with task `ren` expects argument 4 to be of type `str` but got "
         "type `int` instead; see https://docs.thingsdb.io/v1/collection-api/mod_type/ren"},
        {"mod_type('T', 'wpo', 1);", TYPE_ERR,
         "function `mod_type` with task `wpo` expects argument 3 to be of type `bool` but got "
         "type `int` instead; see https://docs.thingsdb.io/v1/collection-api/mod_type/wpo"},
        {"mod_type('T', 'hid', nil);", TYPE_ERR,
         "function `mod_type` with task `hid` expects argument 3 to be of type `bool` but got "
         "type `nil` instead; see https://docs.thingsdb.io/v1/collection-api/mod_type/hid"},
        {"mod_type('T', 'mod', 'a', 'int', 'x');", TYPE_ERR,
         "function `mod_type` with task `mod` expects argument 5 to be of type `closure` but got "
         "type `str` instead; see https://docs.thingsdb.io/v1/collection-api/mod_type/mod"},
        // argument 3 of the tasks on a property is mod_type's own
        {"mod_type('T', 'del', 1);", TYPE_ERR,
         "function `mod_type` expects argument 3 to be of type `str` but got type `int` "
         "instead; see https://docs.thingsdb.io/v1/collection-api/mod_type"},
        {"mod_type('T', 'add', 'a b', 'int');", VALUE_ERR,
         "function `mod_type` expects argument 3 to follow the naming rules; see "
         "https://docs.thingsdb.io/v1/overview/names"},
    };
    for (const auto& c : cases) {
        tdb::Error e = qerr(t + c.code);
        EXPECT_EQ(e.code(), c.kind) << c.code;
        EXPECT_EQ(e.msg(), c.msg) << c.code;
    }
}

// What add and mod accept as argument 4 and 5, in ThingsDB's order of checks.
TEST(TypesMod, AddAndModArguments) {
    const std::string t =
        "set_type('T', {a: 'int', m: |this| 1}); set_type('W', {a: 'int'}, true); ";
    expect_err(t + "mod_type('T', 'add', 'a', 'str');", LOOKUP_ERR,
               "property or method `a` already exists on type `T`");
    expect_err(t + "mod_type('T', 'add', 'm', |x| 1);", LOOKUP_ERR,
               "property or method `m` already exists on type `T`");
    expect_err(t + "mod_type('T', 'add', 'k', |this| 2, 5);", NUM_ARGUMENTS_ERR,
               "function `mod_type` with task `add` takes at most 4 arguments when used to add a "
               "new method; see https://docs.thingsdb.io/v1/collection-api/mod_type/add");
    expect_err(t + "mod_type('T', 'add', 'k', 1);", TYPE_ERR,
               "function `mod_type` with task `add` expects argument 4 to be of type `str` or type "
               "`closure` but got type `int` instead; see "
               "https://docs.thingsdb.io/v1/collection-api/mod_type/add");
    // a wrap-only type has no instances to give a value or to migrate
    for (const char* five : {"5", "|w| 5", "nil"})
        expect_err(t + "mod_type('W', 'add', 'b', 'int', " + five + ");", NUM_ARGUMENTS_ERR,
                   "function `mod_type` with task `add` takes at most 4 arguments when used on a "
                   "type with wrap-only mode enabled; see "
                   "https://docs.thingsdb.io/v1/collection-api/mod_type/add");
    expect_err(t + "mod_type('W', 'mod', 'a', 'str', |w| '');", NUM_ARGUMENTS_ERR,
               "function `mod_type` with task `mod` takes at most 4 arguments when used on a type "
               "with wrap-only mode enabled; see "
               "https://docs.thingsdb.io/v1/collection-api/mod_type/mod");
    EXPECT_EQ(q(t + "mod_type('W', 'add', 'b', 'int'); mod_type('W', 'mod', 'a', 'str'); "
                    "type_info('W').fields;"),
              "[[\"a\",\"str\"],[\"b\",\"int\"]]");
    expect_err(t + "mod_type('T', 'mod', 'zz', 'int');", LOOKUP_ERR,
               "type `T` has no property or method `zz`");
    expect_err(t + "mod_type('T', 'mod', 'm', |this| 2, |x| 1);", NUM_ARGUMENTS_ERR,
               "function `mod_type` with task `mod` takes at most 4 arguments when used to modify "
               "a method; see https://docs.thingsdb.io/v1/collection-api/mod_type/mod");
    expect_err(t + "mod_type('T', 'mod', 'a', |this| 2);", TYPE_ERR,
               "cannot convert a property into a method; see "
               "https://docs.thingsdb.io/v1/collection-api/mod_type/mod");
    expect_err(t + "mod_type('T', 'mod', 'm', 'int');", TYPE_ERR,
               "cannot convert a method into a property; see "
               "https://docs.thingsdb.io/v1/collection-api/mod_type/mod");
    expect_err(t + "mod_type('T', 'mod', 'a', nil);", TYPE_ERR,
               "function `mod_type` with task `mod` expects argument 4 to be of type `str` or type "
               "`closure` but got type `nil` instead; see "
               "https://docs.thingsdb.io/v1/collection-api/mod_type/mod");
    expect_err(t + "mod_type('T', 'ren', 'zz', 'y');", LOOKUP_ERR,
               "type `T` has no property or method `zz`");
    expect_err(t + "mod_type('T', 'rel', 'zz', nil);", LOOKUP_ERR, "type `T` has no property `zz`");
    // renaming to the same name, and wpo/hid to what they are, change nothing
    EXPECT_EQ(q(t + "mod_type('T', 'ren', 'a', 'a'); mod_type('T', 'hid', false); "
                    "mod_type('W', 'wpo', true); type_info('T').fields;"),
              "[[\"a\",\"int\"]]");
}

// type_count and type_all see the stored instances and the new ones a
// variable reaches (through things without an id, lists, sets and wraps); a
// new instance that no variable holds is gone.
TEST(TypesMod, InstancesHeldByVariables) {
    const std::string t = "set_type('T', {n: 'int'}); set_type('V', {n: 'int'}, true); .s = T{}; ";
    struct {
        const char* code;
        const char* count;
    } cases[] = {
        {"x = T{};", "2"},           {"x = [T{}, T{}, 1];", "3"},
        {"x = {a: {b: T{}}};", "2"}, {"x = set([T{}]);", "2"},
        {"x = T{}.wrap('V');", "2"}, {"x = T{}; y = x;", "2"},
        {"x = T{}; x = nil;", "1"},  {"T{}; [T{}];", "1"},
        {"x = [.s];", "1"},          {"x = T{}; x.n = 1; .s.n = 2;", "2"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(q(t + c.code + " type_count('T');"), c.count) << c.code;
        EXPECT_EQ(q(t + c.code + " type_all('T').len();"), c.count) << c.code;
    }
    EXPECT_EQ(q(t + "type_count('V');"), "0");
    // a closure's own variables count while it runs
    EXPECT_EQ(q(t + "[1].map(|_| {y = T{}; type_count('T')});"), "[2]");
}

}  // namespace
