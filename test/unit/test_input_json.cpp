// Client JSON (tdb_query's vars, tdb_call's params, tdb_run's json arguments) is data: it is
// decoded as ThingsDB decodes a client's arguments, never by the rules of the stored form.
#include <gtest/gtest.h>

#include "core/api/engine.h"
#include "harness.h"

namespace {

std::string qv(const std::string& code, const std::string& vars_json,
               const std::string& scope = "@:stuff") {
    tdb::QueryRequest req;
    req.scope = scope;
    req.code = code;
    req.vars_json = vars_json;
    return tdb::run_query(storage(), req);
}

tdb::Error qv_err(const std::string& code, const std::string& vars_json,
                  const std::string& scope = "@:stuff") {
    try {
        qv(code, vars_json, scope);
    } catch (const tdb::Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error for " << vars_json;
    return tdb::Error(0, "");
}

}  // namespace

// Every tagged key of the stored form is a plain property, stored and read back as one.
TEST(InputJson, StoredFormKeysArePlainProperties) {
    for (const char* k : {"!s", "!b", "!f", "!c", "!r", "!m", "!e", "!d", "!t", "!x", "#x", "$x"}) {
        fresh_storage();
        std::string vars = std::string("{\"v\": {\"") + k + "\": [1.5], \"a\": {\"" + k +
                           "\": [{\"" + k + "\": 1}]}}}";
        qv(".v = v; nil", vars);
        EXPECT_EQ(qk(".v.keys()"), std::string("[\"") + k + "\",\"a\"]") << k;
        EXPECT_EQ(qk(".v.values()[0]"), "[1.5]") << k;
        EXPECT_EQ(qk(std::string(".v.a.get('") + k + "')[0].keys()"),
                  std::string("[\"") + k + "\"]")
            << k;
    }
}

TEST(InputJson, ReservedKeysAreRefusedAnywhere) {
    fresh_storage();
    for (const char* k : {"%", "&", ".", "(", "'", " ", "+", ",", "-"}) {
        std::string one = std::string("{\"v\": {\"") + k + "\": 1}}";
        tdb::Error e = qv_err(".v = v", one);
        EXPECT_EQ(e.code(), tdb::VALUE_ERR) << k;
        EXPECT_EQ(e.msg(), std::string("property `") + k + "` is reserved") << k;
        std::string nested = std::string("{\"v\": [[{\"a\": {\"") + k + "\": 1}}]]}";
        EXPECT_EQ(qv_err(".v = v", nested).code(), tdb::VALUE_ERR) << k;
    }
    // `!` is the stored restriction: never a property, also not beside other keys
    EXPECT_EQ(qv_err("v", R"({"v": {"!": "str"}})").code(), tdb::BAD_DATA_ERR);
    EXPECT_EQ(qv_err("v", R"({"v": {"a": 1, "!": "str"}})").code(), tdb::BAD_DATA_ERR);
    EXPECT_EQ(qv_err("1", R"({"!": "str"})").msg(), "property `!` is reserved");
    EXPECT_EQ(qv_err("1", R"({"#": 1})").msg(), "property `#` is reserved");
    expect_err(R"(json_load('{"!": "str"}'))", tdb::VALUE_ERR, "property `!` is reserved");
    expect_err(R"(json_load('[{"#": 1}]'))", tdb::VALUE_ERR, "property `#` is reserved");
    EXPECT_EQ(q(R"(json_load('{"!s": [1.5]}').keys())"), R"(["!s"])");
}

TEST(InputJson, AnIdIsAThingThatExists) {
    fresh_storage();
    std::string id = qk(".t = {n: 7}; .t.id()");
    EXPECT_EQ(qv(".t == v", "{\"v\": {\"#\": " + id + "}}"), "true");
    EXPECT_EQ(qv("v[0].n", "{\"v\": [{\"#\": " + id + "}]}"), "7");
    tdb::Error e = qv_err("v", R"({"v": {"#": 999999}})");
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(),
              "thing `#999999` not found; if you want to create a new thing then remove the id "
              "(`#`) and try again");
    EXPECT_EQ(qv_err("v", R"({"v": {"#": 0}})").code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(qv_err("v", R"({"v": {"#": -3}})").msg(), "expecting an integer value as thing id");
    EXPECT_EQ(qv_err("v", R"({"v": {"#": "1"}})").code(), tdb::TYPE_ERR);
    EXPECT_EQ(qv_err("v", "{\"v\": {\"#\": " + id + ", \"n\": 1}}").code(), tdb::BAD_DATA_ERR);
    EXPECT_EQ(qv_err("v", R"({"v": {"#": 1}})", "@thingsdb").msg(),
              "cannot unpack a `thing` without a collection");
}

TEST(InputJson, ClientKinds) {
    fresh_storage();
    EXPECT_EQ(qv("[type(s), s.len()]", R"({"s": {"$": [{"a": 1}, {"b": 2}]}})"), R"(["set",2])");
    EXPECT_EQ(qv_err("s", R"({"s": {"$": [1.5]}})").msg(), "sets can only contain things");
    EXPECT_EQ(qv_err("s", R"({"s": {"$": [], "a": 1}})").code(), tdb::BAD_DATA_ERR);
    EXPECT_EQ(qv("f(1)", R"({"f": {"/": "|x| x + 1"}})"), "2");
    EXPECT_EQ(qv_err("f", R"({"f": {"/": 1}})").code(), tdb::BAD_DATA_ERR);
    EXPECT_EQ(qv("r.test('A')", R"({"r": {"*": "/a/i"}})"), "true");
    EXPECT_EQ(qv_err("r", R"({"r": {"*": "a"}})").code(), tdb::BAD_DATA_ERR);
    EXPECT_EQ(qv("[e.code(), e.msg()]",
                 R"x({"e": {"!": "err()", "error_msg": "boom", "error_code": -100}})x"),
              R"([-100,"boom"])");
    EXPECT_EQ(
        qv_err("e", R"x({"e": {"!": "err()", "error_msg": "boom", "error_code": 1}})x").code(),
        tdb::BAD_DATA_ERR);
}

// Numbers follow JSON's grammar, in json_load and in a client's values alike: what is
// not a JSON number is invalid JSON, never read as some number.
TEST(InputJson, NumbersAsJsonWritesThem) {
    EXPECT_EQ(q("json_load('[0, -0, 12, -3.5, 1e3, 2E-2, 1.5e+2, -0.25]');"),
              "[0,0,12,-3.5,1000.0,0.02,150.0,-0.25]");
    for (const char* bad : {"[3, ..]", "[.5]", "[1.]", "[01]", "[1e]", "[1e+]", "[-]", "[--1]",
                            "[1.2.3]", "[+1]", "{\"c\": [3, ..]}", "[1-2]"}) {
        tdb::Error e = qerr(std::string("json_load('") + bad + "');");
        EXPECT_EQ(e.code(), tdb::VALUE_ERR) << bad << ": " << e.msg();
    }
}
