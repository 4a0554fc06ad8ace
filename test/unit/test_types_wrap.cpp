// Types: wrapped values (fields, methods, id), map_wrap, map_type, new(),
// and enum().
#include <gtest/gtest.h>

#include "harness.h"

namespace {

const char* kTypes =
    "set_type('MathXY', {x: 'number', multiply: |this| this.x * this.y, plus: |this, n| this.x + "
    "n});"
    "set_type('P2', {x: 'number', y: 'number'});"
    "set_type('U', {name: 'str', age: 'int<0:150>', tags: '[str]'});";

std::string T(const std::string& code) { return std::string(kTypes) + code; }

TEST(TypesWrap, FieldsAndMethods) {
    EXPECT_EQ(q(T("w = P2{x: 6, y: 7}.wrap('MathXY'); [w.multiply(), w.plus(10), w.x, type(w)];")),
              "[42,16,6,\"<MathXY>\"]");
    // a plain thing and an anonymous type
    EXPECT_EQ(q(T("{x: 2, y: 3}.wrap('MathXY').multiply();")), "6");
    EXPECT_EQ(q("{x: 1, s: 'a'}.wrap(&{x: 'int', f: |t| t.x + 1}).f();"), "2");
    // only the type's fields can be read
    expect_err(T("P2{x: 1, y: 2}.wrap('MathXY').y;"), tdb::LOOKUP_ERR,
               "type `<MathXY>` has no property `y`");
    expect_err(T("{x: 'a'}.wrap('MathXY').x;"), tdb::LOOKUP_ERR,
               "type `<MathXY>` has no property `x`");
    expect_err(T("P2{}.wrap('MathXY').nope();"), tdb::LOOKUP_ERR,
               "type `MathXY` has no method `nope`");
    expect_err(T("P2{}.wrap('P2').multiply();"), tdb::LOOKUP_ERR,
               "type `P2` has no method `multiply`");
    // id(): nil until stored
    EXPECT_EQ(q(T("P2{}.wrap('MathXY').id();")), "null");
    fresh_storage();
    EXPECT_EQ(qk(T(".p = P2{x: 1, y: 2}; .p.wrap('MathXY').id() == .p.id();")), "true");
    // the type was deleted since: every property can be read
    EXPECT_EQ(qk("w = .p.wrap('MathXY'); del_type('MathXY'); w.y;"), "2");
}

TEST(TypesWrap, MapWrap) {
    EXPECT_EQ(q(T("[P2{x: 1, y: 2}, {x: 3}].map_wrap('MathXY').map(|w| w.x);")), "[1,3]");
    EXPECT_EQ(q(T("[P2{x: 1, y: 2}].map_wrap().map(|w| type(w));")), "[\"<P2>\"]");
    EXPECT_EQ(q(T("set(P2{x: 5, y: 1}).map_wrap('MathXY')[0].multiply();")), "5");
    EXPECT_EQ(q(T("[].map_wrap('MathXY');")), "[]");
    expect_err(T("[{}].map_wrap();"), tdb::TYPE_ERR,
               "function `map_wrap` on a list with a non-typed `thing` requires 1 argument but 0 "
               "were given");
    expect_err(T("set({}).map_wrap();"), tdb::TYPE_ERR,
               "function `map_wrap` on a set with a non-typed `thing` requires 1 argument but 0 "
               "were given");
    expect_err(T("[1].map_wrap('P2');"), tdb::TYPE_ERR,
               "function `map_wrap` requires a list with items of type `thing` but found an item "
               "of type `int` instead");
    expect_err(T("[].map_wrap('Nope');"), tdb::LOOKUP_ERR, "type `Nope` not found");
    expect_err(
        T("[].map_wrap(1);"), tdb::TYPE_ERR,
        "function `map_wrap` expects argument 1 to be of type `str` or `<anonymous>` but got type "
        "`int` instead");
    expect_err(T("[].map_wrap('P2', 1);"), tdb::NUM_ARGUMENTS_ERR,
               "function `map_wrap` takes at most 1 argument but 2 were given");
}

TEST(TypesWrap, MapType) {
    EXPECT_EQ(q(T("[{name: 'a', age: 3, other: 1}, {name: 'b'}].map_type('U');")),
              "[{\"name\":\"a\",\"age\":3,\"tags\":[]},{\"name\":\"b\",\"age\":0,\"tags\":[]}]");
    EXPECT_EQ(q(T("[{name: 'a'}].map_type('U').map(|u| type(u));")), "[\"U\"]");
    // the source is left as it was; the list is a copy
    EXPECT_EQ(q(T("t = {name: 'a', tags: ['x']}; u = [t].map_type('U')[0]; u.tags.push('y'); "
                  "[t.tags, u.tags];")),
              "[[\"x\"],[\"x\",\"y\"]]");
    // an instance of the type is copied
    EXPECT_EQ(q(T("a = U{name: 'a'}; b = [a].map_type('U')[0]; b.name = 'b'; [a.name, b.name];")),
              "[\"a\",\"b\"]");
    expect_err(T("[{age: 200}].map_type('U');"), tdb::VALUE_ERR,
               "mismatch in type `U`; property `age` requires an integer value between 0 and 150 "
               "(both inclusive)");
    expect_err(T("[{age: 'x'}].map_type('U');"), tdb::TYPE_ERR,
               "mismatch in type `U`; type `str` is invalid for property `age` with definition "
               "`int<0:150>`");
    expect_err(T("[P2{}].map_type('U');"), tdb::TYPE_ERR,
               "cannot create an instance of type `U` from type `P2`");
    expect_err(T("['x'].map_type('U');"), tdb::TYPE_ERR,
               "function `map_type` cannot convert type `str` to `U`");
    expect_err(T("[].map_type();"), tdb::NUM_ARGUMENTS_ERR,
               "function `map_type` takes 1 argument but 0 were given");
    expect_err(T("set().map_type('U');"), tdb::LOOKUP_ERR, "type `set` has no function `map_type`");
    expect_err(T("mod_type('U', 'wpo', true); [{}].map_type('U');"), tdb::TYPE_ERR,
               "type `U` has wrap-only mode enabled");
    // ids of stored instances
    fresh_storage();
    EXPECT_EQ(qk(T(".u = U{name: 'z'}; .t = {}; [.u.id()].map_type('U')[0].name;")), "\"z\"");
    EXPECT_EQ(qerr("[.t.id()].map_type('U');", "@:stuff", true)
                      .msg()
                      .find("is of type `thing`, not `U`") != std::string::npos,
              true);
}

TEST(TypesWrap, New) {
    EXPECT_EQ(q(T("new('U');")), "{\"name\":\"\",\"age\":0,\"tags\":[]}");
    EXPECT_EQ(q(T("new('U', {name: 'n', age: 4, x: 1});")),
              "{\"name\":\"n\",\"age\":4,\"tags\":[]}");
    EXPECT_EQ(q(T("type(new('U', U{name: 'c'}));")), "\"U\"");
    expect_err(T("new('U', P2{});"), tdb::TYPE_ERR,
               "cannot create an instance of type `U` from type `P2`");
    expect_err(T("new('U', 1);"), tdb::TYPE_ERR,
               "new instances can be created from type `thing` but got type `int` instead");
    expect_err(T("new('U', {age: -1});"), tdb::VALUE_ERR,
               "mismatch in type `U`; property `age` requires an integer value between 0 and 150 "
               "(both inclusive)");
    expect_err(T("new(1);"), tdb::TYPE_ERR,
               "function `new` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err(T("new('Nope');"), tdb::LOOKUP_ERR, "type `Nope` not found");
    expect_err(T("new();"), tdb::NUM_ARGUMENTS_ERR,
               "function `new` requires at least 1 argument but 0 were given");
    expect_err(T("new('U', {}, 1);"), tdb::NUM_ARGUMENTS_ERR,
               "function `new` takes at most 2 arguments but 3 were given");
    expect_err(T("mod_type('U', 'wpo', true); new('U');"), tdb::TYPE_ERR,
               "type `U` has wrap-only mode enabled");
}

TEST(TypesWrap, EnumFunction) {
    const std::string e =
        "set_enum('Col', {R: 'r', G: 'g'}); set_enum('Num', {ONE: 1, TWO: 2}); set_enum('Fl', {H: "
        "0.5});";
    EXPECT_EQ(q(e + "[enum('Col').name(), enum('Col', 'g').name(), enum('Num', 2).name(), "
                    "enum('Num', 1.0).name()];"),
              "[\"R\",\"G\",\"TWO\",\"ONE\"]");
    EXPECT_EQ(q(e + "mod_enum('Col', 'def', 'G'); enum('Col').name();"), "\"G\"");
    expect_err(e + "enum('Col', 'G');", tdb::LOOKUP_ERR, "enum `Col` has no member with value `G`");
    expect_err(e + "enum('Col', 1);", tdb::TYPE_ERR,
               "enum `Col` is expecting a value of type `str` but got type `int` instead");
    expect_err(e + "enum('Num', 3);", tdb::LOOKUP_ERR, "enum `Num` has no member with value 3");
    expect_err(e + "enum('Num', 2.5);", tdb::LOOKUP_ERR,
               "enum `Num` has no member with value 2.500000");
    expect_err(e + "enum('Col', bytes('x'));", tdb::LOOKUP_ERR,
               "enum `Col` has no member with a value equal to the given bytes");
    expect_err(e + "enum('Nope');", tdb::LOOKUP_ERR, "enum `Nope` not found");
    expect_err(e + "enum(1);", tdb::TYPE_ERR,
               "function `enum` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err(e + "enum();", tdb::NUM_ARGUMENTS_ERR,
               "function `enum` requires at least 1 argument but 0 were given");
    expect_err("enum('X');", tdb::LOOKUP_ERR, "enum `X` not found");
}

// A rejected set_type changes nothing (a new type goes again; an existing
// one keeps its definition).
TEST(TypesWrap, SetTypeRejectedChangesNothing) {
    EXPECT_EQ(q("try(set_type('Bad', {a: 'int', b: 'nope'})); has_type('Bad');"), "false");
    EXPECT_EQ(q("new_type('H'); try(set_type('H', {a: 'int', b: 'nope'})); type_info('H').fields;"),
              "[]");
    EXPECT_EQ(q("set_type('H', {a: 'int'}); try(set_type('H', {x: 'str', y: 'nope'})); "
                "type_info('H').fields;"),
              "[[\"a\",\"int\"]]");
    // the next type gets the id the rejected one had
    EXPECT_EQ(q("try(set_type('Bad', {b: 'nope'})); set_type('Ok', {}); type_info('Ok').type_id;"),
              "0");
}

// Enum methods: member.method(..) with the member as `this`.
TEST(TypesWrap, EnumMethods) {
    EXPECT_EQ(q("set_enum('Lv', {LOW: 1, HIGH: 9, up: |this, n| this.value() + n}); "
                "[Lv{HIGH}.up(1), Lv{LOW}.up(2)];"),
              "[10,3]");
    EXPECT_EQ(q("set_enum('Lv', {LOW: 1}); mod_enum('Lv', 'add', 'nm', |this| this.name()); "
                "Lv{LOW}.nm();"),
              "\"LOW\"");
    expect_err("set_enum('Lv', {LOW: 1}); Lv{LOW}.nope();", tdb::LOOKUP_ERR,
               "type `Lv` has no function `nope`");
}

// A rejected value changes nothing, also with several values at once.
TEST(TypesWrap, RejectedValueChangesNothing) {
    const std::string box =
        "set_type('P', {x: 'int'}); set_type('Box', {ints: '[int]', ps: '{P}'});"
        "b = Box{ints: [1], ps: set(P{})};";
    EXPECT_EQ(q(box + "try(b.ints.extend([2, 'x'])); try(b.ints.push(3, nil)); "
                      "try(b.ints.splice(0, 0, 4, 'y'));"
                      "b.ints;"),
              "[1]");
    EXPECT_EQ(q(box + "e = try(b.ps.add(P{}, {})); [e.msg(), b.ps.len()];"),
              "[\"type `thing` is not allowed in restricted set\",1]");
    EXPECT_EQ(q(box + "try(b.ps.add(P{}, 1)); b.ps.len();"), "1");
    EXPECT_EQ(q(box + "b.ints.extend([2, 3]); b.ps.add(P{}, P{}); [b.ints, b.ps.len()];"),
              "[[1,2,3],3]");
}

// new_type(name, wrap_only?, hide_id?): bool flags, reserved names.
TEST(TypesWrap, NewTypeFlags) {
    EXPECT_EQ(q("new_type('A', true, true); [type_info('A').wrap_only, type_info('A').hide_id];"),
              "[true,true]");
    EXPECT_EQ(q("new_type('A'); [type_info('A').wrap_only, type_info('A').hide_id];"),
              "[false,false]");
    expect_err(
        "new_type('A', 1);", tdb::TYPE_ERR,
        "function `new_type` expects argument 2 to be of type `bool` but got type `int` instead");
    expect_err(
        "new_type('A', false, 'x');", tdb::TYPE_ERR,
        "function `new_type` expects argument 3 to be of type `bool` but got type `str` instead");
    expect_err("new_type('str');", tdb::VALUE_ERR, "name `str` is reserved");
    expect_err("new_type('thing');", tdb::VALUE_ERR, "name `thing` is reserved");
    expect_err("set_type('int', {a: 'str'});", tdb::VALUE_ERR, "name `int` is reserved");
    EXPECT_EQ(q("new_type('Str'); has_type('Str');"), "true");
}

// wrapped.copy([deep]) and wrapped.dup([deep]).
TEST(TypesWrap, CopyAndDup) {
    const std::string t = "set_type('Person', {name: 'str', pet: 'thing?'});";
    // only the type's fields, as a plain thing (the docs' example)
    EXPECT_EQ(q(t + "robot = {name: 'Foo', isHuman: false}; robot.wrap('Person').copy();"),
              "{\"name\":\"Foo\"}");
    EXPECT_EQ(q(t + "type(Person{name: 'a'}.wrap('Person').copy());"), "\"thing\"");
    // nested things are shared at deep 1, copied at deep 2
    EXPECT_EQ(
        q(t + "p = {name: 'a', pet: {n: 1}}; c = p.wrap('Person').copy(); c.pet.n = 2; p.pet.n;"),
        "2");
    EXPECT_EQ(
        q(t + "p = {name: 'a', pet: {n: 1}}; c = p.wrap('Person').copy(2); c.pet.n = 2; p.pet.n;"),
        "1");
    // the type was deleted since: the whole thing
    EXPECT_EQ(q(t + "w = {name: 'a', x: 1}.wrap('Person'); del_type('Person'); w.copy();"),
              "{\"name\":\"a\",\"x\":1}");
    // dup keeps the wrap, around a new thing
    EXPECT_EQ(q(t + "p = {name: 'a', x: 1}; d = p.wrap('Person').dup(); d.unwrap().x = 2; "
                    "[type(d), p.x, d];"),
              "[\"<Person>\",1,{\"name\":\"a\"}]");
    expect_err(t + "{}.wrap('Person').copy('x');", tdb::TYPE_ERR,
               "expecting `deep` to be of type `int` but got type `str` instead");
    expect_err(t + "{}.wrap('Person').dup(1, 2);", tdb::NUM_ARGUMENTS_ERR,
               "function `dup` takes at most 1 argument but 2 were given");
}

}  // namespace

// A closure made inside code that was parsed apart from the query (a method of a
// Type or an anonymous type, a stored closure) owns that code too: closure literals
// nested two and three deep in such a method run, whether the method is called or
// runs while the result is rendered.
TEST(TypesWrap, ClosuresNestedInMethodsParsedApart) {
    EXPECT_EQ(q("l = [1, 2, 3]; {}.wrap(&{m: |this| l.map(|x| l.find(|x| 1))});"),
              "{\"m\":[1,1,1]}");
    EXPECT_EQ(q("{}.wrap(&{m: |this| [1, 2].map(|x| [3].map(|y| [x, y].map(|z| z * 10)))}).m();"),
              "[[[10,30]],[[20,30]]]");
    EXPECT_EQ(
        q("set_type('N1', {n: 'int', m: |this| range(this.n).map(|i| [i].filter(|j| j > 0))}); "
          ".n1 = N1{n: 3}; .n1.m();"),
        "[[],[1],[2]]");
    EXPECT_NE(q(".n1.wrap('N1');", "@:stuff", true).find("\"m\":[[],[1],[2]]"), std::string::npos);
    EXPECT_EQ(q(".f = |a| [a].map(|x| [x].map(|y| y + 1)); nil;"), "null");
    EXPECT_EQ(q(".f(4);", "@:stuff", true), "[[5]]");
}
