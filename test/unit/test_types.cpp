// Types: definitions, defaults, conditions, checks, catalog functions, mod_type.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

std::string msg(const std::string& code) { return qerr(code).msg(); }
int code(const std::string& c) { return qerr(c).code(); }

TEST(Types, OptionalName) {
    EXPECT_EQ(q("set_type('User', {name: 'str?'}); unknown = User{}; user_nil = User{name: nil};"
                "iris = User{name: 'Iris'}; assert(is_err(try(User{name: 0}))); [unknown, user_nil, iris];"),
              "[{\"name\":null},{\"name\":null},{\"name\":\"Iris\"}]");
}

TEST(Types, Defaults) {
    const char* cases[][2] = {
        {"str", "\"\""}, {"utf8", "\"\""}, {"raw", "\"\""}, {"bytes", "\"\""}, {"bool", "false"},
        {"int", "0"}, {"uint", "0"}, {"pint", "1"}, {"nint", "-1"}, {"float", "0.0"}, {"number", "0"},
        {"thing", "{}"}, {"[]", "[]"}, {"{}", "[]"}, {"any", "null"}, {"str?", "null"}, {"[int]", "[]"},
        {"[str?]?", "null"}, {"regex", "\"/.*/\""}, {"closure", "\"||nil\""},
        {"error", "{\"error_code\":-100,\"error_msg\":\"custom error\"}"},
        {"int<10:20>", "10"}, {"int<-5:-3>", "-3"}, {"int<0:10:5>", "5"}, {"int<0:10>?", "null"},
        {"float<0:1:0.5>", "0.5"}, {"float<-1:1>", "0.0"}, {"str<1:10>", "\"-\""}, {"str<3:10>", "\"---\""},
        {"str<::ThingsDB>", "\"ThingsDB\""}, {"int<::42>", "42"}, {"float<::3.14>", "3.14"},
        {"/^(e|h|l|o)*$/", "\"\""}, {"/thingsdb/i<ThingsDB>", "\"ThingsDB\""}, {"/^[0-9]{4}$/?", "null"},
        {"str<5:10:empty>?", "\"empty\""},
    };
    for (auto& c : cases)
        EXPECT_EQ(q(std::string("set_type('D', {v: '") + c[0] + "'}); D{}.v;"), c[1]) << c[0];
}

TEST(Types, Rejects) {
    EXPECT_EQ(code("set_type('D', {v: 'uint'}); D{v: -1};"), tdb::VALUE_ERR);
    EXPECT_EQ(msg("set_type('D', {v: 'uint'}); D{v: -1};"),
              "mismatch in type `D`; property `v` only accepts integer values greater than or equal to 0");
    EXPECT_EQ(msg("set_type('D', {v: 'pint'}); D{v: 0};"),
              "mismatch in type `D`; property `v` only accepts positive integer values");
    EXPECT_EQ(msg("set_type('D', {v: 'nint'}); D{v: 0};"),
              "mismatch in type `D`; property `v` only accepts negative integer values");
    EXPECT_EQ(msg("set_type('D', {v: 'int'}); D{v: 1.5};"),
              "mismatch in type `D`; type `float` is invalid for property `v` with definition `int`");
    EXPECT_EQ(msg("set_type('D', {v: '[int]'}); D{v: ['a']};"),
              "mismatch in type `D`; property `v` requires an array with items that match definition `[int]`");
    EXPECT_EQ(msg("set_type('D', {v: 'int<0:10>'}); D{v: 11};"),
              "mismatch in type `D`; property `v` requires an integer value between 0 and 10 (both inclusive)");
    EXPECT_EQ(msg("set_type('D', {v: 'float<0:inf>'}); D{v: -1.0};"),
              "mismatch in type `D`; property `v` requires a float value between 0.000000 and inf (both inclusive)");
    EXPECT_EQ(msg("set_type('D', {v: 'str<1:1>'}); D{v: ''};"),
              "mismatch in type `D`; property `v` requires a string with a length of 1");
    EXPECT_EQ(msg("set_type('D', {v: 'str<3:10>'}); D{v: 'xx'};"),
              "mismatch in type `D`; property `v` requires a string with a length between 3 and 10 (both inclusive)");
    EXPECT_EQ(msg("set_type('D', {v: '/^(e|h|l|o)*$/'}); D{v: 'world'};"),
              "mismatch in type `D`; property `v` has a requirement to match pattern /^(e|h|l|o)*$/");
    EXPECT_EQ(msg("set_type('D', {v: 'int'}); D{w: 1};"), "type `D` has no property `w`");
    EXPECT_EQ(msg("set_type('D', {v: 'int'}); d = D{}; d.v = 'x';"),
              "mismatch in type `D`; type `str` is invalid for property `v` with definition `int`");
    EXPECT_EQ(msg("set_type('D', {v: 'int'}); d = D{}; d.w = 1;"), "type `D` has no property `w`");
}

TEST(Types, DefinitionErrors) {
    auto m = [](const std::string& def) { return msg("set_type('Foo', {a: '" + def + "'});"); };
    EXPECT_EQ(m(""), "invalid declaration for `a` on type `Foo`; type declarations must not be empty");
    EXPECT_EQ(m("?"), "invalid declaration for `a` on type `Foo`; expecting a valid type declaration but got `?` instead");
    EXPECT_EQ(m("[[int]]"), "invalid declaration for `a` on type `Foo`; unexpected `[`; nested array declarations are not allowed");
    EXPECT_EQ(m("[str<1:10>]"), "invalid declaration for `a` on type `Foo`; nested range conditions are not allowed");
    EXPECT_EQ(m("[/abc/]"), "invalid declaration for `a` on type `Foo`; nested pattern conditions are not allowed");
    EXPECT_EQ(m("/abc/"),
              "invalid declaration for `a` on type `Foo`; a non-nillable pattern requires a valid default value; "
              "for example: /(e|h|l|o)+/<hello>");
    EXPECT_EQ(m("/abc"), "invalid declaration for `a` on type `Foo`; pattern condition syntax is invalid");
    EXPECT_EQ(m("int>"), "invalid declaration for `a` on type `Foo`; expecting a `<` character after `int`");
    EXPECT_EQ(m("uint<0:10>"),
              "invalid declaration for `a` on type `Foo`; additional info <..> can be applied to `int`, `float`, "
              "`str`, `email`, `url` and `tel`");
    EXPECT_EQ(m("float<>"),
              "invalid declaration for `a` on type `Foo`; expecting a colon (:) after the minimum value of the range");
    EXPECT_EQ(m("str<-1:5>"),
              "invalid declaration for `a` on type `Foo`; the minimum value for a string range must not be negative");
    EXPECT_EQ(m("int<-1: -5>"),
              "invalid declaration for `a` on type `Foo`; expecting the maximum value to be greater than or equal "
              "to the minimum value");
    EXPECT_EQ(m("str<0:5a>"), "invalid declaration for `a` on type `Foo`; expecting character `>` after `str<0:5`");
    EXPECT_EQ(m("float<nan:10>"),
              "invalid declaration for `a` on type `Foo`; not-a-number (nan) values are not allowed to specify a range");
    EXPECT_EQ(m("int<0:10:-5>"),
              "invalid declaration for `a` on type `Foo`; the provided default value does not match the condition");
    EXPECT_EQ(m("str<1:10:>"),
              "invalid declaration for `a` on type `Foo`; the provided default value does not match the condition");
    EXPECT_EQ(code("set_type('Foo', {a: 'int<0:9223372036854775808>'});"), tdb::OVERFLOW_ERR);
    EXPECT_EQ(m("foo"), "invalid declaration for `a` on type `Foo`; unknown type `foo` in declaration");
    EXPECT_EQ(m("{int}"), "invalid declaration for `a` on type `Foo`; type `set` cannot contain type `int`");
    EXPECT_EQ(m("{thing?}"), "invalid declaration for `a` on type `Foo`; type `set` cannot contain a nillable type");
    EXPECT_EQ(m("Foo"),
              "invalid declaration for `a` on type `Foo`; missing `?` after declaration `Foo`; circular "
              "dependencies must be nillable at least at one point in the chain");
    EXPECT_EQ(q("set_type('Foo', {a: 'Foo?'}); Foo{}.a;"), "null");
}

TEST(Types, RestrictedListAndSet) {
    EXPECT_EQ(q("set_type('Note', {text: 'str', timestamp: 'uint'}); set_type('Book', {title: 'str', notes: '[Note]'});"
                "book = Book{title: 'x'}; book.notes.push(Note{text: 'a', timestamp: 1});"
                "assert(is_err(try(book.notes.push({test: 1})))); return(book, 2);"),
              "{\"title\":\"x\",\"notes\":[{\"text\":\"a\",\"timestamp\":1}]}");
    EXPECT_EQ(msg("set_type('T', {arr: '[int]'}); T{}.arr.push('test');"),
              "type `str` is not allowed in restricted array");
    EXPECT_EQ(msg("set_type('T', {arr: '[int]'}); t = T{}; t.arr.push(1); t.arr[0] = 'x';"),
              "type `str` is not allowed in restricted array");
    EXPECT_EQ(q("set_type('T', {arr: '[int]'}); t = T{}; t.arr.extend([1, 2]); t.arr;"), "[1,2]");
    EXPECT_EQ(q("set_type('User', {name: 'str'}); set_type('Group', {users: '{User}'}); g = Group{};"
                "g.users.add(User{name: 'a'}); assert(is_err(try(g.users.add({name: 'b'})))); g.users.len();"),
              "1");
}

TEST(Types, CatalogFunctions) {
    EXPECT_EQ(q("set_type('A', {x: 'int'}); [has_type('A'), has_type('B')];"), "[true,false]");
    EXPECT_EQ(q("set_type('A', {x: 'int'}); rename_type('A', 'B'); [has_type('A'), has_type('B')];"), "[false,true]");
    EXPECT_EQ(q("new_type('A'); del_type('A'); has_type('A');"), "false");
    EXPECT_EQ(msg("new_type('A'); new_type('A');"), "type `A` already exists");
    EXPECT_EQ(msg("type_info('X');"), "type `X` not found");
    EXPECT_EQ(q("set_type('A', {x: 'int', f: |this| this.x}); type_info('A').fields;"), "[[\"x\",\"int\"]]");
    EXPECT_EQ(q("set_type('A', {x: 'int'}); set_type('B', {a: 'A'}); types_info().map(|t| t.name);"), "[\"A\",\"B\"]");
    EXPECT_EQ(q("set_type('A', {x: 'int'}); type(A{});"), "\"A\"");
    EXPECT_EQ(msg("set_type('A', {x: 'int'}); set_type('B', {a: 'A'}); del_type('A');"),
              "type `A` is used by at least one other type");
}

TEST(Types, Stored) {
    fresh_storage();
    EXPECT_EQ(qk("set_type('User', {name: 'str'}); .iris = User{name: 'Iris'}; .iris.id() > 0;"), "true");
    EXPECT_EQ(qk("type(.iris);"), "\"User\"");
    EXPECT_EQ(qk("User(.iris.id()).name;"), "\"Iris\"");
    EXPECT_EQ(qerr("User(123456789);", "@:stuff", true).code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(qerr(".other = {}; User(.other.id());", "@:stuff", true).code(), tdb::TYPE_ERR);
    EXPECT_EQ(qk("type_count('User');"), "1");
    EXPECT_EQ(qk("mod_type('User', 'add', 'age', 'uint', 7); .iris.age;"), "7");
    EXPECT_EQ(qk(".iris.age;"), "7");
    EXPECT_EQ(qk("mod_type('User', 'ren', 'age', 'years'); .iris.years;"), "7");
    EXPECT_EQ(qk("mod_type('User', 'mod', 'years', 'number'); .iris.years = 2.5; .iris.years;"), "2.5");
    EXPECT_EQ(qk("mod_type('User', 'del', 'years'); .iris.has('years');"), "false");
    EXPECT_EQ(qk("mod_type('User', 'add', 'n', 'int', |u| u.name.len()); .iris.n;"), "4");
}

TEST(Types, Methods) {
    EXPECT_EQ(q("set_type('Person', {name: 'str', age: 'int', whoami: |this| `{this.name} is {this.age}`});"
                ".iris = Person{name: 'Iris', age: 7}; .iris.whoami();"),
              "\"Iris is 7\"");
    EXPECT_EQ(msg("set_type('P', {name: 'str'}); P{}.nope();"), "type `P` has no property or method `nope`");
}

}  // namespace
