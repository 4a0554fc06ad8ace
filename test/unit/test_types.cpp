// Types: definitions, defaults, conditions, checks, catalog functions, mod_type.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

std::string msg(const std::string& code) { return qerr(code).msg(); }
int code(const std::string& c) { return qerr(c).code(); }

TEST(Types, OptionalName) {
    EXPECT_EQ(q("set_type('User', {name: 'str?'}); unknown = User{}; user_nil = User{name: nil};"
                "iris = User{name: 'Iris'}; assert(is_err(try(User{name: 0}))); [unknown, "
                "user_nil, iris];"),
              "[{\"name\":null},{\"name\":null},{\"name\":\"Iris\"}]");
}

TEST(Types, Defaults) {
    const char* cases[][2] = {
        {"str", "\"\""},
        {"utf8", "\"\""},
        {"raw", "\"\""},
        {"bytes", "\"\""},
        {"bool", "false"},
        {"int", "0"},
        {"uint", "0"},
        {"pint", "1"},
        {"nint", "-1"},
        {"float", "0.0"},
        {"number", "0"},
        {"thing", "{}"},
        {"[]", "[]"},
        {"{}", "[]"},
        {"any", "null"},
        {"str?", "null"},
        {"[int]", "[]"},
        {"[str?]?", "null"},
        {"regex", "\"/.*/\""},
        {"closure", "\"||nil\""},
        {"error", "\"custom error\""},
        {"int<10:20>", "10"},
        {"int<-5:-3>", "-3"},
        {"int<0:10:5>", "5"},
        {"int<0:10>?", "null"},
        {"float<0:1:0.5>", "0.5"},
        {"float<-1:1>", "0.0"},
        {"str<1:10>", "\"-\""},
        {"str<3:10>", "\"---\""},
        {"str<::ThingsDB>", "\"ThingsDB\""},
        {"int<::42>", "42"},
        {"float<::3.14>", "3.14"},
        {"/^(e|h|l|o)*$/", "\"\""},
        {"/thingsdb/i<ThingsDB>", "\"ThingsDB\""},
        {"/^[0-9]{4}$/?", "null"},
        {"str<5:10:empty>?", "\"empty\""},
    };
    for (auto& c : cases)
        EXPECT_EQ(q(std::string("set_type('D', {v: '") + c[0] + "'}); D{}.v;"), c[1]) << c[0];
}

TEST(Types, Rejects) {
    EXPECT_EQ(code("set_type('D', {v: 'uint'}); D{v: -1};"), tdb::VALUE_ERR);
    EXPECT_EQ(msg("set_type('D', {v: 'uint'}); D{v: -1};"),
              "mismatch in type `D`; property `v` only accepts integer values greater than or "
              "equal to 0");
    EXPECT_EQ(msg("set_type('D', {v: 'pint'}); D{v: 0};"),
              "mismatch in type `D`; property `v` only accepts positive integer values");
    EXPECT_EQ(msg("set_type('D', {v: 'nint'}); D{v: 0};"),
              "mismatch in type `D`; property `v` only accepts negative integer values");
    EXPECT_EQ(
        msg("set_type('D', {v: 'int'}); D{v: 1.5};"),
        "mismatch in type `D`; type `float` is invalid for property `v` with definition `int`");
    EXPECT_EQ(msg("set_type('D', {v: '[int]'}); D{v: ['a']};"),
              "mismatch in type `D`; property `v` requires an array with items that matches "
              "definition `[int]`");
    EXPECT_EQ(msg("set_type('D', {v: 'int<0:10>'}); D{v: 11};"),
              "mismatch in type `D`; property `v` requires an integer value between 0 and 10 (both "
              "inclusive)");
    EXPECT_EQ(msg("set_type('D', {v: 'float<0:inf>'}); D{v: -1.0};"),
              "mismatch in type `D`; property `v` requires a float value between 0.000000 and inf "
              "(both inclusive)");
    EXPECT_EQ(msg("set_type('D', {v: 'str<1:1>'}); D{v: ''};"),
              "mismatch in type `D`; property `v` requires a string with a length of 1");
    EXPECT_EQ(msg("set_type('D', {v: 'str<3:10>'}); D{v: 'xx'};"),
              "mismatch in type `D`; property `v` requires a string with a length between 3 and 10 "
              "(both inclusive)");
    EXPECT_EQ(
        msg("set_type('D', {v: '/^(e|h|l|o)*$/'}); D{v: 'world'};"),
        "mismatch in type `D`; property `v` has a requirement to match pattern /^(e|h|l|o)*$/");
    EXPECT_EQ(msg("set_type('D', {v: 'int'}); D{w: 1};"), "type `D` has no property `w`");
    EXPECT_EQ(msg("set_type('D', {v: 'int'}); d = D{}; d.v = 'x';"),
              "mismatch in type `D`; type `str` is invalid for property `v` with definition `int`");
    EXPECT_EQ(msg("set_type('D', {v: 'int'}); d = D{}; d.w = 1;"), "type `D` has no property `w`");
}

TEST(Types, DefinitionErrors) {
    // every such message ends with a pointer to ThingsDB's documentation
    const std::string see = "; see https://docs.thingsdb.io/v1/data-types/type";
    auto m = [&](const std::string& def) {
        std::string e = msg("set_type('Foo', {a: '" + def + "'});");
        if (e.size() < see.size() || e.compare(e.size() - see.size(), see.size(), see) != 0)
            return "(no doc suffix) " + e;
        return e.substr(0, e.size() - see.size());
    };
    EXPECT_EQ(m(""),
              "invalid declaration for `a` on type `Foo`; type declarations must not be empty");
    EXPECT_EQ(m("?"),
              "invalid declaration for `a` on type `Foo`; expecting a valid type declaration but "
              "got `?` instead");
    EXPECT_EQ(m("[[int]]"),
              "invalid declaration for `a` on type `Foo`; unexpected `[`; nested array "
              "declarations are not allowed");
    EXPECT_EQ(m("[str<1:10>]"),
              "invalid declaration for `a` on type `Foo`; nested range conditions are not allowed");
    EXPECT_EQ(
        m("[/abc/]"),
        "invalid declaration for `a` on type `Foo`; nested pattern conditions are not allowed");
    EXPECT_EQ(m("/abc/"),
              "invalid declaration for `a` on type `Foo`; a non-nillable pattern requires a valid "
              "default value; "
              "for example: /(e|h|l|o)+/<hello>");
    EXPECT_EQ(m("/abc"),
              "invalid declaration for `a` on type `Foo`; pattern condition syntax is invalid");
    EXPECT_EQ(m("int>"),
              "invalid declaration for `a` on type `Foo`; expecting a `<` character after `int`");
    EXPECT_EQ(m("uint<0:10>"),
              "invalid declaration for `a` on type `Foo`; additional info <..> can be applied to "
              "`int`, `float`, "
              "`str`, `email`, `url` and `tel`");
    EXPECT_EQ(m("float<>"),
              "invalid declaration for `a` on type `Foo`; expecting a colon (:) after the minimum "
              "value of the range");
    EXPECT_EQ(m("str<-1:5>"),
              "invalid declaration for `a` on type `Foo`; the minimum value for a string range "
              "must not be negative");
    EXPECT_EQ(m("int<-1: -5>"),
              "invalid declaration for `a` on type `Foo`; expecting the maximum value to be "
              "greater than or equal "
              "to the minimum value");
    EXPECT_EQ(m("str<0:5a>"),
              "invalid declaration for `a` on type `Foo`; expecting character `>` after `str<0:5`");
    EXPECT_EQ(m("float<nan:10>"),
              "invalid declaration for `a` on type `Foo`; not-a-number (nan) values are not "
              "allowed to specify a range");
    EXPECT_EQ(m("int<0:10:-5>"),
              "invalid declaration for `a` on type `Foo`; the provided default value does not "
              "match the condition");
    EXPECT_EQ(m("str<1:10:>"),
              "invalid declaration for `a` on type `Foo`; the provided default value does not "
              "match the condition");
    EXPECT_EQ(code("set_type('Foo', {a: 'int<0:9223372036854775808>'});"), tdb::OVERFLOW_ERR);
    EXPECT_EQ(m("foo"),
              "invalid declaration for `a` on type `Foo`; unknown type `foo` in declaration");
    EXPECT_EQ(m("{int}"),
              "invalid declaration for `a` on type `Foo`; type `set` cannot contain type `int`");
    EXPECT_EQ(
        m("{thing?}"),
        "invalid declaration for `a` on type `Foo`; type `set` cannot contain a nillable type");
    EXPECT_EQ(
        m("Foo"),
        "invalid declaration for `a` on type `Foo`; missing `?` after declaration `Foo`; circular "
        "dependencies must be nillable at least at one point in the chain");
    EXPECT_EQ(q("set_type('Foo', {a: 'Foo?'}); Foo{}.a;"), "null");
}

TEST(Types, RestrictedListAndSet) {
    EXPECT_EQ(q("set_type('Note', {text: 'str', timestamp: 'uint'}); set_type('Book', {title: "
                "'str', notes: '[Note]'});"
                "book = Book{title: 'x'}; book.notes.push(Note{text: 'a', timestamp: 1});"
                "assert(is_err(try(book.notes.push({test: 1})))); return(book, 2);"),
              "{\"title\":\"x\",\"notes\":[{\"text\":\"a\",\"timestamp\":1}]}");
    EXPECT_EQ(msg("set_type('T', {arr: '[int]'}); T{}.arr.push('test');"),
              "type `str` is not allowed in restricted array");
    EXPECT_EQ(msg("set_type('T', {arr: '[int]'}); t = T{}; t.arr.push(1); t.arr[0] = 'x';"),
              "type `str` is not allowed in restricted array");
    EXPECT_EQ(q("set_type('T', {arr: '[int]'}); t = T{}; t.arr.extend([1, 2]); t.arr;"), "[1,2]");
    EXPECT_EQ(
        q("set_type('User', {name: 'str'}); set_type('Group', {users: '{User}'}); g = Group{};"
          "g.users.add(User{name: 'a'}); assert(is_err(try(g.users.add({name: 'b'})))); "
          "g.users.len();"),
        "1");
}

TEST(Types, CatalogFunctions) {
    EXPECT_EQ(q("set_type('A', {x: 'int'}); [has_type('A'), has_type('B')];"), "[true,false]");
    EXPECT_EQ(
        q("set_type('A', {x: 'int'}); rename_type('A', 'B'); [has_type('A'), has_type('B')];"),
        "[false,true]");
    EXPECT_EQ(q("new_type('A'); del_type('A'); has_type('A');"), "false");
    EXPECT_EQ(msg("new_type('A'); new_type('A');"), "type `A` already exists");
    EXPECT_EQ(msg("type_info('X');"), "type `X` not found");
    EXPECT_EQ(q("set_type('A', {x: 'int', f: |this| this.x}); type_info('A').fields;"),
              "[[\"x\",\"int\"]]");
    EXPECT_EQ(
        q("set_type('A', {x: 'int'}); set_type('B', {a: 'A'}); types_info().map(|t| t.name);"),
        "[\"A\",\"B\"]");
    EXPECT_EQ(q("set_type('A', {x: 'int'}); type(A{});"), "\"A\"");
    EXPECT_EQ(msg("set_type('A', {x: 'int'}); set_type('B', {a: 'A'}); del_type('A');"),
              "type `A` is used by at least one other type");
}

TEST(Types, Stored) {
    fresh_storage();
    EXPECT_EQ(qk("set_type('User', {name: 'str'}); .iris = User{name: 'Iris'}; .iris.id() > 0;"),
              "true");
    EXPECT_EQ(qk("type(.iris);"), "\"User\"");
    EXPECT_EQ(qk("User(.iris.id()).name;"), "\"Iris\"");
    EXPECT_EQ(qerr("User(123456789);", "@:stuff", true).code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(qerr(".other = {}; User(.other.id());", "@:stuff", true).code(), tdb::TYPE_ERR);
    EXPECT_EQ(qk("type_count('User');"), "1");
    EXPECT_EQ(qk("mod_type('User', 'add', 'age', 'uint', 7); .iris.age;"), "7");
    EXPECT_EQ(qk(".iris.age;"), "7");
    EXPECT_EQ(qk("mod_type('User', 'ren', 'age', 'years'); .iris.years;"), "7");
    EXPECT_EQ(qk("mod_type('User', 'mod', 'years', 'number'); .iris.years = 2.5; .iris.years;"),
              "2.5");
    EXPECT_EQ(qk("mod_type('User', 'del', 'years'); .iris.has('years');"), "false");
    EXPECT_EQ(qk("mod_type('User', 'add', 'n', 'int', |u| u.name.len()); .iris.n;"), "4");
}

TEST(Types, Methods) {
    EXPECT_EQ(q("set_type('Person', {name: 'str', age: 'int', whoami: |this| `{this.name} is "
                "{this.age}`});"
                ".iris = Person{name: 'Iris', age: 7}; .iris.whoami();"),
              "\"Iris is 7\"");
    EXPECT_EQ(msg("set_type('P', {name: 'str'}); P{}.nope();"),
              "type `P` has no property or method `nope`");
}

TEST(Types, WrapAndUnwrap) {
    const std::string user =
        "set_type('User', {name: 'str', email: 'str', hash: 'str'});"
        "set_type('_User', {name: 'str', email: 'str', greet: |this| `hi {this.name}`}, true);";
    EXPECT_EQ(q(user + "u = User{name: 'Iris', email: 'i@x', hash: 'h'}; u.wrap('_User');"),
              "{\"name\":\"Iris\",\"email\":\"i@x\",\"greet\":\"hi Iris\"}");
    EXPECT_EQ(q(user + "type(User{}.wrap('_User'));"), "\"<_User>\"");
    EXPECT_EQ(q(user + "u = User{name: 'Iris'}; w = u.wrap('_User'); type(w.unwrap());"),
              "\"User\"");
    EXPECT_EQ(q(user + "{name: 'Cato', age: 5}.wrap('_User');"),
              "{\"name\":\"Cato\",\"greet\":\"hi Cato\"}");
    EXPECT_EQ(q(user + "{name: 5}.wrap('_User');"),
              "{\"greet\":\"hi 5\"}");  // a value that does not fit is left out
    EXPECT_EQ(msg(user + "{}.wrap();"),
              "using `wrap` on a non-typed `thing` requires 1 argument but 0 were given");
    EXPECT_EQ(msg(user + "{}.wrap('Nope');"), "type `Nope` not found");
    EXPECT_EQ(msg(user + "{}.wrap(1);"),
              "function `wrap` expects argument 1 to be of type `str` or `<anonymous>` but got "
              "type `int` instead; see https://docs.thingsdb.io/v1/data-types/thing/wrap");
    EXPECT_EQ(q(user + "User{name: 'a'}.wrap();"), "{\"name\":\"a\",\"email\":\"\",\"hash\":\"\"}");
    // stored: the id comes first, unless the type hides it
    fresh_storage();
    EXPECT_EQ(qk(user + ".u = User{name: 'Iris'}; .u.wrap('_User').unwrap().id() == .u.id();"),
              "true");
    EXPECT_EQ(qk("mod_type('_User', 'hid', true); .u.wrap('_User');"),
              "{\"name\":\"Iris\",\"email\":\"\",\"greet\":\"hi Iris\"}");
    // a wrap is stored as ThingsDB keeps it (test_types_wrap_store.cpp)
    EXPECT_EQ(qk("._w = .u.wrap('_User'); type(._w);"), "\"<_User>\"");
}

TEST(Types, WrapNested) {
    EXPECT_EQ(
        q("set_type('_P', {name: 'str'}, true); set_type('_G', {owner: '_P?', members: '[_P]'}, "
          "true);"
          "return({owner: {name: 'a', x: 1}, members: [{name: 'b', y: 2}], z: 3}.wrap('_G'), 2);"),
        "{\"owner\":{\"name\":\"a\"},\"members\":[{\"name\":\"b\"}]}");
    // deep 1 (the default) shows nested things as ids, as ThingsDB
    EXPECT_EQ(q("set_type('_P', {name: 'str'}, true); set_type('_G', {owner: '_P?'}, true); "
                "{owner: {name: 'a'}}.wrap('_G');"),
              "{\"owner\":{}}");
}

TEST(Types, WrapOnly) {
    EXPECT_EQ(msg("new_type('W', true); W{};"), "type `W` has wrap-only mode enabled");
    EXPECT_EQ(
        msg("set_type('W', {a: 'int'}); set_type('X', {w: 'W'}); mod_type('W', 'wpo', true);"),
        "type `W` is required by at least one other type without having `wrap-only` mode enabled");
    EXPECT_EQ(msg("set_type('W', {a: 'int'}); .w = W{}; mod_type('W', 'wpo', true);"),
              "a type can only be changed to `wrap-only` mode without having active instances; 1 "
              "active instance "
              "of type `W` has been found");
    EXPECT_EQ(q("set_type('W', {a: 'int'}); mod_type('W', 'wpo', true); type_info('W').wrap_only;"),
              "true");
}

TEST(Types, Anonymous) {
    const std::string user = "set_type('User', {name: 'str', email: 'str', hash: 'str'});";
    EXPECT_EQ(q(user + "User{name: 'Iris', email: 'e'}.wrap(&{name: 'str', email: 'str'});"),
              "{\"name\":\"Iris\",\"email\":\"e\"}");
    EXPECT_EQ(q("type(&{name: 'str'});"), "\"anonymous\"");
    EXPECT_EQ(q("type({a: 1}.wrap(&{a: 'int'}));"), "\"<anonymous>\"");
    EXPECT_EQ(q("return({a: 1, b: {c: 2, d: 3}, l: [{c: 4, e: 5}]}.wrap(&{a: 'int', b: {c: 'int'}, "
                "l: [{c: 'int'}]}), 2);"),
              "{\"a\":1,\"b\":{\"c\":2},\"l\":[{\"c\":4}]}");
    EXPECT_EQ(q("{a: 1}.wrap(ano({a: 'str', b: 'int?'}));"), "{}");
    fresh_storage();
    EXPECT_EQ(
        qk(user +
           ".u = User{name: 'Iris'}; w = .u.wrap(&{id: '#', name: 'str'}); w.unwrap().id() > 0;"),
        "true");
    EXPECT_EQ(qk("r = .u.wrap(&{id: '#', name: 'str'}); [r].map(|x| x.unwrap().name);"),
              "[\"Iris\"]");
    EXPECT_EQ(msg("{}.wrap(&{a: 1});"),
              "expecting a definition of type `str`, `thing` or `list` for property `a` on an "
              "anonymous type but got "
              "type `int` instead");
}

TEST(Types, ToTypeToThing) {
    EXPECT_EQ(q("set_type('P', {name: 'str', age: 'int'}); t = {name: 'Iris'}; t.to_type('P'); "
                "[type(t), t];"),
              "[\"P\",{\"name\":\"Iris\",\"age\":0}]");
    EXPECT_EQ(msg("set_type('P', {name: 'str'}); {name: 'a', x: 1}.to_type('P');"),
              "conversion failed; type `P` has no property `x` but the thing you are trying to "
              "convert has");
    EXPECT_EQ(
        msg("set_type('P', {name: 'str'}); {name: 1}.to_type('P');"),
        "mismatch in type `P`; type `int` is invalid for property `name` with definition `str`");
    EXPECT_EQ(msg("{}.to_type('Nope');"), "type `Nope` not found");
    EXPECT_EQ(q("set_type('P', {name: 'str'}); p = P{name: 'a'}; p.to_thing(); [type(p), p];"),
              "[\"thing\",{\"name\":\"a\"}]");
    EXPECT_EQ(msg("set_type('P', {name: 'str'}); set_type('Q', {p: 'P?'}); P{}.to_thing();"),
              "conversion `to_thing` has failed; type `P` is used as restriction and therefore "
              "ThingsDB is not able "
              "to guarantee the typed thing can be converted");
    fresh_storage();
    EXPECT_EQ(
        qk("set_type('P', {name: 'str', age: 'int'}); .t = {name: 'Iris'}; .t.to_type('P'); nil;"),
        "null");
    EXPECT_EQ(qk("[type(.t), .t.age];"), "[\"P\",0]");
    EXPECT_EQ(qk(".t.to_thing(); type(.t);"), "\"thing\"");
    EXPECT_EQ(qk("type(.t);"), "\"thing\"");
}

TEST(Types, DatetimeDefaults) {
    EXPECT_EQ(q("set_type('E', {at: 'datetime', tv: 'timeval', n: 'datetime?'}); e = E{};"
                "[type(e.at), type(e.tv), e.n, int(e.at), int(e.tv)];"),
              "[\"datetime\",\"timeval\",null,1700000000,1700000000]");
}

TEST(Types, ModTypeAll) {
    fresh_storage();
    EXPECT_EQ(qk("set_type('Player', {score: 'int'}); .players = [Player{score: 10}, Player{score: "
                 "2}]; nil;"),
              "null");
    EXPECT_EQ(qk("mod_type('Player', 'all', |p| p.score *= 10); .players.map(|p| p.score);"),
              "[100,20]");
    EXPECT_EQ(qk(".players.map(|p| p.score);"), "[100,20]");
    EXPECT_EQ(
        qerr("mod_type('Player', 'all', 1);", "@:stuff", true).msg(),
        "function `mod_type` with task `all` expects argument 3 to be of type `closure` but "
        "got type `int` instead; see https://docs.thingsdb.io/v1/collection-api/mod_type/all");
}

TEST(Types, ModTypeIdx) {
    fresh_storage();
    EXPECT_EQ(qk("set_type('C', {name: 'str'}); mod_type('C', 'idx', true); type_info('C').idx;"),
              "true");
    EXPECT_EQ(storage().type_indexes.size(), 1u);
    EXPECT_EQ(qk("type_info('C').idx;"), "true");
    EXPECT_EQ(qk("mod_type('C', 'idx', false); type_info('C').idx;"), "false");
    EXPECT_EQ(storage().type_indexes.size(), 0u);
    EXPECT_EQ(qerr("mod_type('C', 'idx', 1);", "@:stuff", true).msg(),
              "function `mod_type` with task `idx` expects argument 3 to be of type `bool` but got "
              "type `int` instead; see https://docs.thingsdb.io/v1/collection-api/mod_type/idx");
}

TEST(Types, Relations) {
    const std::string ab =
        "new_type('A'); new_type('B'); set_type('A', {b: 'B?'}); set_type('B', {a: 'A?'});"
        "mod_type('A', 'rel', 'b', 'a');";
    EXPECT_EQ(q(ab + ".a = A{}; .b = B{}; .a.b = .b; .b.a == .a;"), "true");
    EXPECT_EQ(q(ab + ".a = A{}; .b = B{}; .b.a = .a; .a.b == .b;"), "true");
    EXPECT_EQ(q(ab + ".a = A{}; .b = B{}; .a.b = .b; .a.b = nil; is_nil(.b.a);"), "true");
    EXPECT_EQ(
        q(ab +
          ".a1 = A{}; .a2 = A{}; .b = B{}; .a1.b = .b; .a2.b = .b; [is_nil(.a1.b), .b.a == .a2];"),
        "[true,true]");
    // ThingsDB's rule: a relation starts from a stored thing (one with an id)
    const char* no_id =
        "relations must be created using a property on a stored thing (a thing with an Id)";
    expect_err(ab + "b = B{}; a = A{b: b};", tdb::TYPE_ERR,
               std::string("mismatch in type `A` on property `b`; ") + no_id);
    expect_err(ab + ".b = B{}; a = A{}; a.b = .b;", tdb::TYPE_ERR,
               std::string("mismatch in type `A` on property `b`; ") + no_id);
    EXPECT_EQ(q(ab + "a = A{}; a.b = nil; .b = B{}; .b.a = a; [type(a.b), a.b == .b];"),
              "[\"B\",true]");
    // one to many: a set on one side
    const std::string us =
        "new_type('User'); set_type('Group', {users: '{User}'}); set_type('User', {group: "
        "'Group?'});"
        "mod_type('Group', 'rel', 'users', 'group');";
    EXPECT_EQ(q(us + ".g = Group{}; .u = User{}; .g.users.add(.u); .u.group == .g;"), "true");
    EXPECT_EQ(q(us + ".g = Group{}; .u = User{}; .u.group = .g; .g.users.has(.u);"), "true");
    EXPECT_EQ(
        q(us + ".g = Group{}; .u = User{}; .u.group = .g; .g.users.remove(.u); is_nil(.u.group);"),
        "true");
    EXPECT_EQ(q(us + ".g = Group{}; .h = Group{}; .u = User{}; .g.users.add(.u); .h.users.add(.u);"
                     "[.g.users.len(), .h.users.len(), .u.group == .h];"),
              "[0,1,true]");
    EXPECT_EQ(
        q(us + ".g = Group{}; .u = User{}; .g.users.add(.u); .g.users.clear(); is_nil(.u.group);"),
        "true");
    EXPECT_EQ(
        q(us + ".g = Group{}; .u = User{}; .v = User{}; .g.users = set(.u, .v); [.u.group == .g, "
               ".v.group == .g];"),
        "[true,true]");
    expect_err(us + "g = Group{}; g.users.add(User{});", tdb::TYPE_ERR, no_id);
    expect_err(us + "g = Group{}; g.users = set(User{});", tdb::TYPE_ERR,
               std::string("mismatch in type `Group` on property `users`; ") + no_id);
    EXPECT_EQ(q(us + "g = Group{}; g.users = set(); g.users.len();"), "0");
    EXPECT_EQ(q(us + "return(type_info('Group').relations, 2);"),
              "{\"users\":{\"type\":\"User\",\"property\":\"group\"}}");
    // many to many
    EXPECT_EQ(q("new_type('C'); set_type('S', {cs: '{C}'}); set_type('C', {ss: '{S}'}); "
                "mod_type('S', 'rel', 'cs', 'ss');"
                ".s = S{}; .c = C{}; .s.cs.add(.c); r = .c.ss.has(.s); .c.ss.remove(.s); "
                "[r, .s.cs.len()];"),
              "[true,0]");
    // existing instances follow
    EXPECT_EQ(q("new_type('A'); set_type('B', {a: 'A?'}); set_type('A', {b: 'B?'}); .b = B{};"
                ".a = A{b: .b}; mod_type('A', 'rel', 'b', 'a'); .b.a == .a;"),
              "true");
    // errors, as ThingsDB
    EXPECT_EQ(msg("new_type('A'); set_type('B', {a: 'A?'}); set_type('A', {b: 'B'}); mod_type('A', "
                  "'rel', 'b', 'a');"),
              "relations may only be configured between restricted sets and/or nillable typed");
    EXPECT_EQ(msg(ab + "mod_type('A', 'rel', 'b', 'a');"),
              "relation for `b` on type `A` already exists");
    EXPECT_EQ(msg("new_type('A'); set_type('B', {a: 'A?'}); set_type('A', {b: 'B?'}); "
                  "mod_type('A', 'rel', 'b', 'x');"),
              "type `B` has no property `x`");
    EXPECT_EQ(msg("new_type('A'); set_type('B', {a: 'A?'}); set_type('A', {b: 'B?'}); "
                  "mod_type('A', 'rel', 'x', 'a');"),
              "type `A` has no property `x`");
    EXPECT_EQ(msg("set_type('C', {}); new_type('A'); set_type('B', {c: 'C?'}); set_type('A', {b: "
                  "'B?'}); mod_type('A', 'rel', 'b', 'c');"),
              "failed to create relation; property `c` on type `B` is referring to type `C`");
    EXPECT_EQ(msg("new_type('A'); set_type('B', {a: 'A?'}); set_type('A', {b: 'B?'}); "
                  "mod_type('A', 'rel', 'b', nil);"),
              "missing relation for `b` on type `A`");
    EXPECT_EQ(msg(ab + "mod_type('A', 'rel', 'b', 1);"),
              "function `mod_type` with task `rel` expects argument 4 to be of type `str` or type "
              "`nil` but got type `int` instead; see "
              "https://docs.thingsdb.io/v1/collection-api/mod_type/rel");
    EXPECT_EQ(
        msg(ab + "mod_type('A', 'del', 'b');"),
        "cannot delete a property with a relation; you might want to remove the relation by using: "
        "`mod_type(\"A\", \"rel\", \"b\", nil);`");
    EXPECT_EQ(
        msg(ab + "mod_type('A', 'mod', 'b', 'B?');"),
        "cannot modify a property with a relation; you might want to remove the relation by using: "
        "`mod_type(\"A\", \"rel\", \"b\", nil);`");
    EXPECT_EQ(q(ab + "mod_type('A', 'rel', 'b', nil); a = A{}; b = B{}; a.b = b; is_nil(b.a);"),
              "true");
}

TEST(Types, RelationsStored) {
    fresh_storage();
    EXPECT_EQ(qk("new_type('User'); set_type('Group', {users: '{User}'}); set_type('User', {group: "
                 "'Group?'});"
                 "mod_type('Group', 'rel', 'users', 'group'); .g = Group{}; .u = User{}; "
                 ".g.users.add(.u); nil;"),
              "null");
    EXPECT_EQ(qk(".u.group == .g;"), "true");
    EXPECT_EQ(qk(".u.group = nil; .g.users.len();"), "0");
    EXPECT_EQ(qk(".g.users.len();"), "0");
    EXPECT_EQ(qk("return(type_info('User').relations, 2);"),
              "{\"group\":{\"type\":\"Group\",\"property\":\"users\"}}");
}

}  // namespace
