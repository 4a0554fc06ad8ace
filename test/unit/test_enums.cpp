// Enums: set_enum, mod_enum, lookups, members in Type fields, stored members.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

const char* kColor = "set_enum('Color', {RED: '#f00', GREEN: '#0f0', BLUE: '#00f'});";

TEST(Enums, Members) {
    EXPECT_EQ(q(std::string(kColor) + "Color{GREEN}.value();"), "\"#0f0\"");
    EXPECT_EQ(q(std::string(kColor) + "Color{GREEN}.name();"), "\"GREEN\"");
    EXPECT_EQ(q(std::string(kColor) + "Color{||'BLUE'}.value();"), "\"#00f\"");
    EXPECT_EQ(q(std::string(kColor) + "Color{RED};"), "\"#f00\"");
    EXPECT_EQ(q(std::string(kColor) + "type(Color{RED});"), "\"Color\"");
    EXPECT_EQ(qerr(std::string(kColor) + "Color{PINK};").msg(),
              "enum `Color` has no member `PINK`");
    EXPECT_EQ(q(std::string(kColor) + "enum_map('Color').GREEN.value();"), "\"#0f0\"");
}

TEST(Enums, DefaultMember) {
    EXPECT_EQ(q(std::string(kColor) + "set_type('Brush', {color: 'Color'}); Brush{}.color.name();"),
              "\"RED\"");
    EXPECT_EQ(q(std::string(kColor) +
                "mod_enum('Color', 'def', 'GREEN'); set_type('Brush', {color: 'Color'});"
                "Brush{}.color.name();"),
              "\"GREEN\"");
    EXPECT_EQ(qerr(std::string(kColor) + "set_type('Brush', {color: 'Color'}); Brush{color: 'x'};")
                  .code(),
              tdb::TYPE_ERR);
}

TEST(Enums, Mod) {
    EXPECT_EQ(
        q("set_enum('Color', {RED: '#f00', GREEN: '#0f0', MOON: '#fff'});"
          "mod_enum('Color', 'ren', 'MOON', 'BLUE'); mod_enum('Color', 'mod', 'BLUE', '#00f');"
          "mod_enum('Color', 'add', 'BLACK', '#000'); [Color{BLUE}.value(), "
          "Color{BLACK}.value()];"),
        "[\"#00f\",\"#000\"]");
    EXPECT_EQ(q("set_enum('Color', {RED: 1}); del_enum('Color'); has_enum('Color');"), "false");
    EXPECT_EQ(q("set_enum('E', {A: 1, B: 2}); enum_info('E');"),
              "{\"enum_id\":0,\"name\":\"E\",\"default\":\"A\",\"created_at\":1700000000,"
              "\"modified_at\":null,"
              "\"members\":[[\"A\",1],[\"B\",2]],\"methods\":{}}");
    EXPECT_EQ(qerr("set_enum('E', {A: 1, B: 'x'});").code(), tdb::TYPE_ERR);
}

TEST(Enums, Stored) {
    fresh_storage();
    EXPECT_EQ(qk(std::string(kColor) +
                 "set_type('Brush', {color: 'Color'}); .b = Brush{color: Color{BLUE}}; nil;"),
              "null");
    EXPECT_EQ(qk(".b.color.name();"), "\"BLUE\"");
    EXPECT_EQ(qk("mod_enum('Color', 'mod', 'BLUE', '#00e'); .b.color;"), "\"#00e\"");
    EXPECT_EQ(qk(".b.color.value();"), "\"#00e\"");
}

TEST(Enums, DelMemberInUse) {
    fresh_storage();
    EXPECT_EQ(qk(std::string(kColor) +
                 "set_type('Brush', {color: 'Color'}); .b = [Brush{color: Color{BLUE}}]; nil;"),
              "null");
    // a new query: the brush is not loaded, the stored member is found
    EXPECT_EQ(qerr("mod_enum('Color', 'del', 'BLUE');", "@:stuff", true).msg(),
              "enum member `Color{BLUE}` is still in use");
    EXPECT_EQ(qerr("x = Color{GREEN}; mod_enum('Color', 'del', 'GREEN');", "@:stuff", true).msg(),
              "enum member `Color{GREEN}` is still in use");
    EXPECT_EQ(qk("mod_enum('Color', 'del', 'GREEN'); enum_map('Color').keys();"),
              "[\"RED\",\"BLUE\"]");
    EXPECT_EQ(qk(".b[0].color = Color{RED}; nil;"), "null");
    EXPECT_EQ(qk("mod_enum('Color', 'del', 'BLUE'); enum_map('Color').keys();"), "[\"RED\"]");
    // a plain thing holding a member counts too
    EXPECT_EQ(qk("mod_enum('Color', 'add', 'PINK', '#fcc'); .p = {c: Color{PINK}}; nil;"), "null");
    EXPECT_EQ(qerr("mod_enum('Color', 'del', 'PINK');", "@:stuff", true).code(),
              tdb::OPERATION_ERR);
}
// A thing that is a member's value is a stored reference of the enum.
TEST(Enums, ThingValueCounted) {
    MemStorage& st = fresh_storage();
    auto refs_of_name = [&](const std::string& name) -> int64_t {
        for (auto& [id, r] : st.things)
            if (r.thing.props_json.find("\"" + name + "\"") != std::string::npos) return r.refs;
        return -1;  // not stored
    };
    EXPECT_EQ(qk("set_enum('E', {A: {n: 'a1', sub: {n: 's1'}}, B: {n: 'b1'}}); nil;"), "null");
    // both member things are stored, each counted once (by the enum)
    EXPECT_EQ(refs_of_name("a1"), 1);
    EXPECT_EQ(refs_of_name("b1"), 1);
    EXPECT_EQ(refs_of_name("s1"), 1);
    EXPECT_EQ(qk(".x = E{A}.value(); nil;"), "null");
    EXPECT_EQ(refs_of_name("a1"), 2);
    EXPECT_EQ(qk(".del('x'); E{A}.value().sub.n;"), "\"s1\"");
    EXPECT_EQ(refs_of_name("a1"), 1);
    // a new value releases the old one, which is freed with what it holds
    EXPECT_EQ(qk("mod_enum('E', 'mod', 'A', {n: 'a2'}); nil;"), "null");
    EXPECT_EQ(refs_of_name("a1"), -1);
    EXPECT_EQ(refs_of_name("s1"), -1);
    EXPECT_EQ(refs_of_name("a2"), 1);
    // added, then deleted: released
    EXPECT_EQ(qk("mod_enum('E', 'add', 'C', {n: 'c1'}); nil;"), "null");
    EXPECT_EQ(refs_of_name("c1"), 1);
    EXPECT_EQ(qk("mod_enum('E', 'del', 'C'); nil;"), "null");
    EXPECT_EQ(refs_of_name("c1"), -1);
    // added and deleted in one query: never stored
    EXPECT_EQ(qk("mod_enum('E', 'add', 'D', {n: 'd1'}); mod_enum('E', 'del', 'D'); nil;"), "null");
    EXPECT_EQ(refs_of_name("d1"), -1);
    // a failed set_enum holds nothing
    EXPECT_EQ(qerr("set_enum('F', {A: {n: 'f1'}, B: 1});", "@:stuff", true).code(), tdb::TYPE_ERR);
    EXPECT_EQ(refs_of_name("f1"), -1);
    // del_enum releases every member's thing
    EXPECT_EQ(qk("del_enum('E'); nil;"), "null");
    EXPECT_EQ(refs_of_name("a2"), -1);
    EXPECT_EQ(refs_of_name("b1"), -1);
}

// The tasks of mod_enum name themselves and link their pages; del, mod and
// ren look the member or method up first; renaming to the same name and making
// the default the default change nothing.
TEST(Enums, ModEnumTasks) {
    const std::string e = "set_enum('E', {A: 1, B: 2, m: |this| 1}); ";
    expect_err(e + "mod_enum('E', 'add', 'C');", tdb::NUM_ARGUMENTS_ERR,
               "function `mod_enum` with task `add` takes 4 arguments but 3 were given; see "
               "https://docs.thingsdb.io/v1/collection-api/mod_enum/add");
    expect_err(e + "mod_enum('E', 'def', 'A', 1);", tdb::NUM_ARGUMENTS_ERR,
               "function `mod_enum` with task `def` takes 3 arguments but 4 were given; see "
               "https://docs.thingsdb.io/v1/collection-api/mod_enum/def");
    expect_err(
        e + "mod_enum('E', 'ren', 'A', 1);", tdb::TYPE_ERR,
        "function `mod_enum` with task `ren` expects argument 4 to be of type `str` but "
        "got type `int` instead; see https://docs.thingsdb.io/v1/collection-api/mod_enum/ren");
    for (const char* task : {"del', 'Z'", "mod', 'Z', 1", "ren', 'Z', 'Y'"})
        expect_err(e + "mod_enum('E', '" + task + ");", tdb::LOOKUP_ERR,
                   "enum `E` has no member or method `Z`");
    expect_err(e + "mod_enum('E', 'mod', 'A', |x| 1);", tdb::TYPE_ERR,
               "cannot convert a member into a method; see "
               "https://docs.thingsdb.io/v1/collection-api/mod_enum/mod");
    expect_err(e + "mod_enum('E', 'add', 'a b', 1);", tdb::VALUE_ERR,
               "function `mod_enum` expects argument 3 to follow the naming rules; see "
               "https://docs.thingsdb.io/v1/overview/names");
    expect_err("set_enum('F', {X: 1}); mod_enum('F', 'del', 'X');", tdb::LOOKUP_ERR,
               "cannot delete `F{X}` as this is the last enum member");
    EXPECT_EQ(q(e + "mod_enum('E', 'ren', 'A', 'A'); mod_enum('E', 'def', 'A'); "
                    "enum_info('E').members;"),
              "[[\"A\",1],[\"B\",2]]");
}
}  // namespace
