// Field definitions: prefix flags, bool/email/url/tel defaults, enum default
// members, 'thing<..>' value restrictions, and how wrapping shows them.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

const std::string kSee = "; see https://docs.thingsdb.io/v1/data-types/type";

std::string decl(const std::string& field, const std::string& type, const std::string& what) {
    return "invalid declaration for `" + field + "` on type `" + type + "`; " + what + kSee;
}

TEST(TypeDefs, PrefixFlags) {
    tdb::Error e = qerr("set_type('Acct', {tag: '!!str'});");
    EXPECT_EQ(e.code(), tdb::VALUE_ERR);
    EXPECT_EQ(e.msg(), decl("tag", "Acct", "duplicate flags"));
    expect_err("set_type('Acct', {tag: '+*-str'});", tdb::VALUE_ERR,
               decl("tag", "Acct", "conflicting flags `-` and `+`"));
    expect_err("set_type('Acct', {tag: '*!'});", tdb::VALUE_ERR,
               decl("tag", "Acct", "missing declaration after flags"));
    expect_err("set_type('Acct', {tag: '?str'});", tdb::TYPE_ERR,
               decl("tag", "Acct", "skip nil flags for property which cannot contain nil"));
    expect_err("set_type('Acct', {tag: '?[str]'});", tdb::TYPE_ERR,
               decl("tag", "Acct", "skip nil flags for property which cannot contain nil"));
    // flags keep the definition's meaning for instances
    EXPECT_EQ(q("set_type('Acct', {tag: '?str?', n: '!int', any: '&any'}); Acct{n: 4};"),
              "{\"tag\":null,\"n\":4,\"any\":null}");
}

TEST(TypeDefs, SkipFlagsWhenWrapping) {
    EXPECT_EQ(q("set_type('Src', {a: 'str?', b: 'int', c: '[]?'});"
                "set_type('_V', {a: '?str?', b: '!int', c: '![]?'}, true);"
                "[Src{}, Src{a: 'x', b: 2, c: [1]}, {a: nil, b: 0, c: []}].map_wrap('_V');"),
              "[{},{\"a\":\"x\",\"b\":2,\"c\":[1]},{}]");
    // the 4th argument of set_type hides the id
    EXPECT_EQ(q("set_type('_W', {x: 'int'}, true, true); .t = {x: 3}; .t.wrap('_W');"),
              "{\"x\":3}");
}

TEST(TypeDefs, BoolDefault) {
    EXPECT_EQ(q("set_type('Opt', {on: 'bool<true>', off: 'bool<false>?', n: 'bool<true>?'});"
                "[Opt{}, Opt{on: false, n: nil}];"),
              "[{\"on\":true,\"off\":false,\"n\":true},{\"on\":false,\"off\":false,\"n\":null}]");
    expect_err("set_type('Opt', {on: 'bool<yes>'});", tdb::VALUE_ERR,
               decl("on", "Opt", "the default value must be either true or false"));
    expect_err("set_type('Opt', {on: 'bool >'});", tdb::VALUE_ERR,
               decl("on", "Opt", "expecting a `<` character after `bool`"));
}

TEST(TypeDefs, EmailUrlTel) {
    EXPECT_EQ(q("set_type('Card', {m: 'email', w: 'url?', p: 'tel<+31 (0)6-1234>',"
                "d: 'email<me@example.org>'}); Card{};"),
              "{\"m\":\"\",\"w\":null,\"p\":\"+31 (0)6-1234\",\"d\":\"me@example.org\"}");
    expect_err("set_type('Card', {m: 'url<nope>'});", tdb::VALUE_ERR,
               decl("m", "Card", "the default value must be a URL"));
    expect_err("set_type('Card', {m: 'tel<>'});", tdb::VALUE_ERR,
               decl("m", "Card", "the default value must be a telephone number"));
    expect_err("set_type('Card', {m: 'email<x>'});", tdb::VALUE_ERR,
               decl("m", "Card", "the default value must be an email address"));
    expect_err("set_type('Card', {m: 'tel'}); Card{m: 'call me'};", tdb::VALUE_ERR,
               "mismatch in type `Card`; property `m` only accepts a telephone number");
    expect_err("set_type('Card', {m: 'email'}); c = Card{}; c.m = 'no-at-sign';", tdb::VALUE_ERR,
               "mismatch in type `Card`; property `m` only accepts an email address");
    expect_err("set_type('Card', {m: 'url'}); Card{m: 3};", tdb::TYPE_ERR,
               "mismatch in type `Card`; type `int` is invalid for property `m` with definition "
               "`url`");
    EXPECT_EQ(q("set_type('Card', {m: 'email?'}); Card{m: 'a.b@c.nl'}.m;"), "\"a.b@c.nl\"");
}

TEST(TypeDefs, EnumDefaultMember) {
    const char* mk = "set_enum('Size', {S: 1, M: 2, L: 3});";
    EXPECT_EQ(q(std::string(mk) + "set_type('Shirt', {s: 'Size{L}', t: 'Size{M}?'}); Shirt{};"),
              "{\"s\":3,\"t\":2}");
    expect_err(std::string(mk) + "set_type('Shirt', {s: 'Size{}'});", tdb::TYPE_ERR,
               decl("s", "Shirt",
                    "if you want the default enum member, remove the curly brackets `{}` from "
                    "the definition"));
    expect_err(std::string(mk) + "set_type('Shirt', {s: 'Size{XL}'});", tdb::LOOKUP_ERR,
               decl("s", "Shirt", "cannot find member `XL` on enum type `Size`"));
    expect_err(std::string(mk) + "set_type('Shirt', {s: 'Sizes{S}'});", tdb::TYPE_ERR,
               decl("s", "Shirt", "unknown type `Sizes` in declaration"));
    expect_err(
        std::string(mk) + "set_type('Shirt', {s: '[Size{S}]?'});", tdb::TYPE_ERR,
        decl("s", "Shirt", "type `list` cannot contain enum type `Size` with a default value"));
    expect_err(std::string(mk) + "set_type('Shirt', {s: '{Size}'});", tdb::TYPE_ERR,
               decl("s", "Shirt", "type `set` cannot contain enum type `Size`"));
    expect_err(
        std::string(mk) + "set_type('Shirt', {s: 'thing<Size{M}>'});", tdb::TYPE_ERR,
        decl("s", "Shirt", "type `thing` cannot contain enum type `Size` with a default value"));
    // a default member is in use; renames follow into the definition
    expect_err(std::string(mk) + "set_type('Shirt', {s: 'Size{L}'}); mod_enum('Size', 'del', 'L');",
               tdb::OPERATION_ERR, "enum member `Size{L}` is still in use");
    EXPECT_EQ(
        q(std::string(mk) + "set_type('Shirt', {s: '!Size{L}?', r: '[Size]', u: 'thing<Size>'});"
                            "rename_enum('Size', 'Fit'); mod_enum('Fit', 'ren', 'L', 'Large');"
                            "type_info('Shirt').load().fields;"),
        "[[\"s\",\"!Fit{Large}?\"],[\"r\",\"[Fit]\"],[\"u\",\"thing<Fit>\"]]");
}

TEST(TypeDefs, ThingRestriction) {
    const char* mk = "set_enum('Lvl', {Lo: 1, Hi: 9}); set_type('Box', {v: 'thing<Lvl>'});";
    EXPECT_EQ(q(std::string(mk) + "b = Box{v: {x: Lvl{Hi}}}; b.v.restriction();"), "\"Lvl\"");
    EXPECT_EQ(q(std::string(mk) + "Box{}.v.restriction();"), "\"Lvl\"");
    expect_err(std::string(mk) + "Box{v: {x: 1}};", tdb::TYPE_ERR,
               "mismatch in type `Box`; property `v` requires a thing with values that matches "
               "definition `thing<Lvl>`");
    expect_err(std::string(mk) + "Box{}.v.y = 'str';", tdb::TYPE_ERR, "restriction mismatch");
}

TEST(TypeDefs, EnumMembersWhenWrapping) {
    const char* mk = "set_enum('Co', {Red: 7, Blue: 8}); .c = {e: Co{Blue}};";
    EXPECT_EQ(q(std::string(mk) + ".c.wrap(&{e: 'int'});"), "{\"e\":8}");
    EXPECT_EQ(q(std::string(mk) + ".c.wrap(&{e: '*str'});"), "{\"e\":\"Blue\"}");
    EXPECT_EQ(q(std::string(mk) + ".c.wrap(&{e: 'str'});"), "{}");
    EXPECT_EQ(q(std::string(mk) + ".c.wrap(&{e: '*int'});"), "{}");
    EXPECT_EQ(q(std::string(mk) + ".c.wrap(&{e: 'enum'});"), "{\"e\":8}");
    EXPECT_EQ(q(std::string(mk) + ".c.wrap(&{e: '*enum'});"), "{\"e\":\"Blue\"}");
    EXPECT_EQ(q(std::string(mk) + ".c.wrap(&{e: 'Co'});"), "{\"e\":8}");
}

TEST(TypeDefs, MethodErrorsShowTheirMessage) {
    EXPECT_EQ(q("set_type('_M', {n: 'int', half: |this| this.n / 0, up: |this| wse(this.n = 1)},"
                "true); {n: 2}.wrap('_M');"),
              "{\"n\":2,\"half\":\"division or modulo by zero\",\"up\":\"failed to compute "
              "property; method has side effects\"}");
}

}  // namespace

namespace {

TEST(TypeDefs, MigrationValueThatDoesNotFitGetsTheDefault) {
    const char* mk =
        "set_type('Tag', {label: 'str'}); set_type('Doc', {t: 'str'});"
        ".d1 = Doc{t: 'one'}; .d2 = Doc{t: 'two'};";
    // the change completes with the default for the instance (its own value
    // does not fit either), then raises what the callback's answer broke
    tdb::Error e = qerr(std::string(mk) + "mod_type('Doc', 'mod', 't', 'Tag', |d| d.t);");
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    EXPECT_EQ(e.msg(),
              "field `t` on type `Doc` is modified but at least one error has occurred using the "
              "given callback: mismatch in type `Doc`; type `str` is invalid for property `t` "
              "with definition `Tag`");
    EXPECT_EQ(q(std::string(mk) +
                "try(mod_type('Doc', 'mod', 't', 'Tag', |d| d.t == 'one' ? Tag{label: 'x'} : 1));"
                "[.d1.t.label, .d2.t.label];"),
              "[\"x\",\"\"]");
    EXPECT_EQ(
        q(std::string(mk) + "try(mod_type('Doc', 'add', 'n', 'int', |d| d.t == 'one' ? 5 : 'no'));"
                            "[.d1.n, .d2.n];"),
        "[5,0]");
    expect_err(std::string(mk) + "mod_type('Doc', 'add', 'n', 'int', |d| 'no');",
               tdb::OPERATION_ERR,
               "field `n` is added to type `Doc` but at least one error has occurred using the "
               "given callback; mismatch in type `Doc`; type `str` is invalid for property `n` "
               "with definition `int`");
}

TEST(TypeDefs, EnumMethodsTasks) {
    const char* mk =
        "set_enum('Dir', {Up: 1, Down: -1}); mod_enum('Dir', 'add', 'neg', |d| -d.value());";
    EXPECT_EQ(q(std::string(mk) + "mod_enum('Dir', 'ren', 'neg', 'flip'); Dir{Up}.flip();"), "-1");
    EXPECT_EQ(q(std::string(mk) + "mod_enum('Dir', 'del', 'neg'); is_err(try(Dir{Up}.neg()));"),
              "true");
    expect_err(std::string(mk) + "mod_enum('Dir', 'add', 'Up', ||0);", tdb::VALUE_ERR,
               "member or method `Up` already exists on enum `Dir`");
    expect_err(std::string(mk) + "mod_enum('Dir', 'add', 'neg', 3);", tdb::VALUE_ERR,
               "member or method `neg` already exists on enum `Dir`");
    expect_err(std::string(mk) + "mod_enum('Dir', 'mod', 'neg', 3);", tdb::TYPE_ERR,
               "cannot convert a method into a member");
    expect_err(std::string(mk) + "mod_enum('Dir', 'mod', 'Down', ||3);", tdb::TYPE_ERR,
               "cannot convert a member into a method");
}

TEST(TypeDefs, EnumCallAndClosureLookup) {
    const char* mk = "set_enum('Hue', {Amber: 'a', Teal: 't'});";
    EXPECT_EQ(q(std::string(mk) + "[Hue(), Hue('t'), Hue{|| 'Teal'}].map(|h| h.name());"),
              "[\"Amber\",\"Teal\",\"Teal\"]");
    expect_err(std::string(mk) + "Hue(2);", tdb::TYPE_ERR,
               "enum `Hue` is expecting a value of type `str` but got type `int` instead");
    expect_err(std::string(mk) + "Hue('q');", tdb::LOOKUP_ERR,
               "enum `Hue` has no member with value `q`");
    expect_err(std::string(mk) + "Hue{|| 't'};", tdb::LOOKUP_ERR, "enum `Hue` has no member `t`");
    expect_err(std::string(mk) + "Hue{|| 0};", tdb::TYPE_ERR,
               "enumerator lookup is expecting type `str` but got type `int` instead");
}

TEST(TypeDefs, RelationNeedsStoredThings) {
    const char* mk = "set_type('Nd', {up: 'Nd?', down: 'Nd?'}); set_type('Gr', {m: '{Gr}'});";
    const char* msg =
        "failed to create relation; relations must be created using a property on a stored thing "
        "(a thing with an Id)";
    expect_err(std::string(mk) + "a = Nd{}; a.down = Nd{}; mod_type('Nd', 'rel', 'up', 'down');",
               tdb::TYPE_ERR, msg);
    expect_err(std::string(mk) + ".g = Gr{}; x = Gr{m: set(.g)}; mod_type('Gr', 'rel', 'm', 'm');",
               tdb::TYPE_ERR, msg);
    // stored ones, or unstored ones that point nowhere, are fine
    EXPECT_EQ(
        q(std::string(mk) + "b = Nd{}; .a = Nd{up: Nd{}}; mod_type('Nd', 'rel', 'up', 'down');"
                            "[is_nil(b.up), .a.up.down == .a];"),
        "[true,true]");
}

TEST(TypeDefs, Messages) {
    expect_err("{}.wrap(1);", tdb::TYPE_ERR,
               "function `wrap` expects argument 1 to be of type `str` or `<anonymous>` but got "
               "type `int` instead");
    expect_err("[{}].map_wrap(nil);", tdb::TYPE_ERR,
               "function `map_wrap` expects argument 1 to be of type `str` or `<anonymous>` but "
               "got type `nil` instead");
    EXPECT_EQ(q("[{a: 1, b: 2}].map_wrap(&{a: 'int'});"), "[{\"a\":1}]");
    expect_err("set_type('_Q', {x: 'int'}, true); {}.wrap('_Q').nope();", tdb::LOOKUP_ERR,
               "type `_Q` has no method `nope`");
    expect_err("set_type('Q', {}); mod_type('Q', 'idx2', 'x');", tdb::VALUE_ERR,
               "function `mod_type` expects argument 2 to be `all`, `add`, `del`, `hid`, `mod`, "
               "`rel`, `ren` or `wpo` but got `idx2` instead");
    expect_err("set_type('Q', {}); Q('1');", tdb::TYPE_ERR, "cannot convert type `str` to `Q`");
    expect_err("set_type('Q', {v: 'int'}); .q = Q{}; mod_type('Q', 'mod', 'v', 'bool');",
               tdb::OPERATION_ERR,
               "cannot apply type declaration `bool` to `v` on type `Q` without a closure to "
               "migrate existing instances; the old declaration `int` is not compatible with the "
               "new declaration; see https://docs.thingsdb.io/v1/collection-api/mod_type");
    tdb::Error e = qerr("x = {}; x['a b'] = 'int'; set_type('Q', x);");
    EXPECT_EQ(e.msg(),
              "type keys must follow the naming rules; see "
              "https://docs.thingsdb.io/v1/collection-api/set_type");
    e = qerr("x = {}; x['1'] = 1; set_enum('Q', x);");
    EXPECT_EQ(e.msg(),
              "enum member must follow the naming rules; see "
              "https://docs.thingsdb.io/v1/collection-api/set_enum");
}

}  // namespace

namespace {

TEST(TypeDefs, SharedMigrationDefaultAndMore) {
    // the default a failed migration value gets is one value for all instances
    EXPECT_EQ(q("set_type('Log', {lines: '[str]'}); set_type('Job', {log: 'str'});"
                ".j1 = Job{}; .j2 = Job{}; try(mod_type('Job', 'mod', 'log', 'Log', |j| 7));"
                ".j1.log.lines.push('x'); [.j2.log.lines, .j1.log == .j2.log];"),
              "[[\"x\"],true]");
    // new_type gives the name
    EXPECT_EQ(q("set_type('Pair', {l: new_type('L'), r: new_type('R')}); [type_info('Pair').load()"
                ".fields, Pair{}];"),
              "[[[\"l\",\"L\"],[\"r\",\"R\"]],{\"l\":{},\"r\":{}}]");
    // 'enum' takes any member, or nil
    EXPECT_EQ(q("set_enum('On', {Y: 1}); set_type('Sw', {e: 'enum'}); s = Sw{}; a = s.e;"
                "s.e = On{Y}; b = s.e; s.e = nil; [a, b, s.e];"),
              "[null,1,null]");
    expect_err("set_type('Sw', {e: 'enum'}); Sw{e: 1};", tdb::TYPE_ERR,
               "mismatch in type `Sw`; type `int` is invalid for property `e` with definition "
               "`enum`");
    // a set shows through a list definition of things
    EXPECT_EQ(q("set_type('Pn', {n: 'int'}); set_type('Grp', {m: '[Pn]', s: '[str]'});"
                "return {m: set({n: 1, k: 2}), s: set({n: 1})}.wrap('Grp'), 2;"),
              "{\"m\":[{\"n\":1}]}");
}

}  // namespace
