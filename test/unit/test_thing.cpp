// thing methods: results, changes of stored things and ThingsDB's errors.
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;

TEST(Thing, Id) {
    EXPECT_EQ(q("{}.id()"), "null");
    EXPECT_EQ(q("is_int(.id())"), "true");
    EXPECT_EQ(q(".x = {}; is_int(.x.id())"), "true");
    EXPECT_EQ(q("t = {}; .x = t; t.id() == .x.id()"), "true");
    expect_err("{}.id(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `id` takes 0 arguments but 1 was given");
}

TEST(Thing, KeysValuesLen) {
    EXPECT_EQ(q("{a: 1, b: 'x'}.keys()"), "[\"a\",\"b\"]");
    EXPECT_EQ(q("{a: 1, b: 'x'}.values()"), "[1,\"x\"]");
    EXPECT_EQ(q("{}.keys()"), "[]");
    EXPECT_EQ(q("{a: 1, b: 2, c: 3}.len()"), "3");
    EXPECT_EQ(q("{}.len()"), "0");
    expect_err("{}.keys(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `keys` takes 0 arguments but 1 was given");
    expect_err("{}.values(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `values` takes 0 arguments but 2 were given");
    expect_err("{}.len(nil)", tdb::NUM_ARGUMENTS_ERR,
               "function `len` takes 0 arguments but 1 was given");
}

TEST(Thing, HasGet) {
    EXPECT_EQ(q("{a: 1}.has('a')"), "true");
    EXPECT_EQ(q("{a: 1}.has('b')"), "false");
    EXPECT_EQ(q("{a: 1}.get('a')"), "1");
    EXPECT_EQ(q("{a: 1}.get('b')"), "null");
    EXPECT_EQ(q("{a: 1}.get('b', 42)"), "42");
    EXPECT_EQ(q("{a: 1}.get('a', 42)"), "1");
    expect_err("{}.has()", tdb::NUM_ARGUMENTS_ERR,
               "function `has` takes 1 argument but 0 were given");
    expect_err("{}.has(1)", tdb::TYPE_ERR,
               "function `has` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err("{}.get()", tdb::NUM_ARGUMENTS_ERR,
               "function `get` requires at least 1 argument but 0 were given");
    expect_err("{}.get('a', 1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `get` takes at most 2 arguments but 3 were given");
    expect_err("{}.get(nil)", tdb::TYPE_ERR,
               "function `get` expects argument 1 to be of type `str` but got type `nil` instead");
}

TEST(Thing, Set) {
    EXPECT_EQ(q("t = {}; t.set('a', 1)"), "1");
    EXPECT_EQ(q("t = {a: 0}; t.set('b', 2); t.set('a', 1); t"), "{\"a\":1,\"b\":2}");
    // lists stored in a thing are copies, not the variable's list
    EXPECT_EQ(q("l = [1]; t = {}; t.set('l', l); l.push(2); t.l"), "[1]");
    // stored: the root changes and keeps it
    EXPECT_EQ(q(".set('x', 5); .x"), "5");
    expect_err("{}.set('a')", tdb::NUM_ARGUMENTS_ERR,
               "function `set` takes 2 arguments but 1 was given");
    expect_err("{}.set(1, 2)", tdb::TYPE_ERR,
               "function `set` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err("t = {a: 1}; t.each(|| t.set('b', 1))", tdb::OPERATION_ERR,
               "cannot change type `thing` while the value is in use");
}

TEST(Thing, Del) {
    EXPECT_EQ(q("t = {a: 1, b: 2}; t.del('a')"), "1");
    EXPECT_EQ(q("t = {a: 1, b: 2}; t.del('a'); t"), "{\"b\":2}");
    // ThingsDB moves the last property into the place of the removed one
    EXPECT_EQ(q("t = {a: 1, b: 2, c: 3}; t.del('a'); t.keys()"), "[\"c\",\"b\"]");
    EXPECT_EQ(q(".y = 1; .del('y'); .has('y')"), "false");
    expect_err("{}.del('x')", tdb::LOOKUP_ERR, "thing `#0` has no property `x`");
    expect_err("{}.del('abcdefghijklmnopqrstuvwxyz0123456789')", tdb::LOOKUP_ERR,
               "thing `#0` has no property `abcdefghijklmnopqrstuvwxyz0123...`");
    expect_err("{}.del()", tdb::NUM_ARGUMENTS_ERR,
               "function `del` takes 1 argument but 0 were given");
    expect_err("{}.del(1)", tdb::TYPE_ERR,
               "function `del` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err("t = {a: 1}; t.map(|| t.del('a'))", tdb::OPERATION_ERR,
               "cannot change type `thing` while the value is in use");
}

TEST(Thing, Clear) {
    EXPECT_EQ(q("t = {a: 1, b: 2}; t.clear(); t"), "{}");
    EXPECT_EQ(q("t = {a: 1}; t.clear()"), "null");
    EXPECT_EQ(q(".z = 1; .clear(); .len()"), "0");
    expect_err("{}.clear(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `clear` takes 0 arguments but 1 was given");
}

TEST(Thing, EachMapFilter) {
    EXPECT_EQ(q("r = []; {a: 1, b: 2}.each(|k, v| r.push([k, v])); r"), "[[\"a\",1],[\"b\",2]]");
    EXPECT_EQ(q("{a: 1}.each(|| nil)"), "null");
    EXPECT_EQ(q("{a: 1, b: 2}.map(|k, v| k + str(v))"), "[\"a1\",\"b2\"]");
    EXPECT_EQ(q("{a: 1, b: 2}.map(|k| k)"), "[\"a\",\"b\"]");
    EXPECT_EQ(q("{}.map(|k| k)"), "[]");
    EXPECT_EQ(q("{a: 1, b: 2, c: 3}.filter(|_, v| v > 1)"), "{\"b\":2,\"c\":3}");
    EXPECT_EQ(q("{a: 1}.filter(|| false)"), "{}");
    expect_err("{}.each()", tdb::NUM_ARGUMENTS_ERR,
               "function `each` takes 1 argument but 0 were given");
    expect_err(
        "{}.map(1)", tdb::TYPE_ERR,
        "function `map` expects argument 1 to be of type `closure` but got type `int` instead");
    expect_err(
        "{}.filter(nil)", tdb::TYPE_ERR,
        "function `filter` expects argument 1 to be of type `closure` but got type `nil` instead");
}

TEST(Thing, Remove) {
    EXPECT_EQ(q("t = {a: 1, b: 2, c: 3}; t.remove(|_, v| v > 1)"), "[2,3]");
    EXPECT_EQ(q("t = {a: 1, b: 2, c: 3}; t.remove(|_, v| v > 1); t"), "{\"a\":1}");
    EXPECT_EQ(q("t = {a: 1, b: 2, c: 3}; t.remove(|| true, 1); t.keys()"), "[\"c\",\"b\"]");
    EXPECT_EQ(q("t = {a: 1}; t.remove(|| false)"), "[]");
    EXPECT_EQ(q("t = {a: 1}; t.remove(|| true, 0)"), "[]");
    expect_err("{}.remove()", tdb::NUM_ARGUMENTS_ERR,
               "function `remove` requires at least 1 argument but 0 were given");
    expect_err("{}.remove(|| 1, 1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `remove` takes at most 2 arguments but 3 were given");
    expect_err(
        "{}.remove('a')", tdb::TYPE_ERR,
        "function `remove` expects argument 1 to be of type `closure` but got type `str` instead");
    expect_err(
        "{}.remove(|| 1, 'x')", tdb::TYPE_ERR,
        "function `remove` expects argument 2 to be of type `int` but got type `str` instead");
    expect_err("t = {a: 1}; t.remove(|| t.del('a'))", tdb::OPERATION_ERR,
               "cannot change type `thing` while the value is in use");
}

TEST(Thing, Assign) {
    EXPECT_EQ(q("t = {a: 1}; t.assign({b: 2, a: 3})"), "{\"a\":3,\"b\":2}");
    EXPECT_EQ(q("t = {a: 1}; t.assign(t); t"), "{\"a\":1}");
    EXPECT_EQ(q(".assign({q: 1}); .q"), "1");
    expect_err("{}.assign()", tdb::NUM_ARGUMENTS_ERR,
               "function `assign` takes 1 argument but 0 were given");
    expect_err(
        "{}.assign(1)", tdb::TYPE_ERR,
        "function `assign` expects argument 1 to be of type `thing` but got type `int` instead");
}

TEST(Thing, CopyDup) {
    EXPECT_EQ(q("t = {a: 1, b: {c: 2}}; c = t.copy(); c.b.c = 3; [c.a, t.b.c]"), "[1,3]");
    EXPECT_EQ(q("t = {a: {b: {c: 2}}}; c = t.copy(2); c.a.b.c = 3; [c.a == t.a, t.a.b.c]"),
              "[false,3]");
    EXPECT_EQ(q("t = {a: {b: 1}}; c = t.copy(2); c.a.b = 3; t.a.b"), "1");
    EXPECT_EQ(q("t = {}; t.copy(0) == t"), "true");
    EXPECT_EQ(q("t = {}; t.copy() == t"), "false");
    EXPECT_EQ(q("t = {l: [1]}; c = t.copy(); c.l.push(2); t.l"), "[1]");
    EXPECT_EQ(q("t = {a: {b: 1}}; c = t.dup(2); c.a.b = 3; t.a.b"), "1");
    EXPECT_EQ(q(".x = {}; .x.copy().id()"), "null");
    expect_err("{}.copy(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `copy` takes at most 1 argument but 2 were given");
    expect_err("{}.copy('a')", tdb::TYPE_ERR,
               "expecting `deep` to be of type `int` but got type `str` instead");
    expect_err("{}.copy(200)", tdb::VALUE_ERR,
               "expecting a `deep` value between 0 and 127 but got 200 instead");
    expect_err("{}.dup(-1)", tdb::VALUE_ERR,
               "expecting a `deep` value between 0 and 127 but got -1 instead");
    expect_err("{}.dup('a')", tdb::TYPE_ERR,
               "expecting `deep` to be of type `int` but got type `str` instead");
}

TEST(Thing, Equals) {
    EXPECT_EQ(q("{a: 1}.equals({a: 1})"), "true");
    EXPECT_EQ(q("{a: 1}.equals({a: 2})"), "false");
    EXPECT_EQ(q("{a: 1}.equals({b: 1})"), "false");
    EXPECT_EQ(q("{a: 1}.equals({a: 1, b: 1})"), "false");
    EXPECT_EQ(q("{a: 1}.equals(1)"), "false");
    EXPECT_EQ(q("{a: {b: 1}}.equals({a: {b: 1}})"), "true");
    EXPECT_EQ(q("{a: {b: 1}}.equals({a: {b: 2}})"),
              "true");  // deep 1: nested things are not compared
    EXPECT_EQ(q("{a: {b: 1}}.equals({a: {b: 2}}, 2)"), "false");
    EXPECT_EQ(q("{a: 1}.equals({a: 2}, 0)"), "true");
    expect_err("{}.equals()", tdb::NUM_ARGUMENTS_ERR,
               "function `equals` requires at least 1 argument but 0 were given");
    expect_err("{}.equals({}, 'x')", tdb::TYPE_ERR,
               "expecting `deep` to be of type `int` but got type `str` instead");
}

TEST(Thing, StoredChangesPersist) {
    EXPECT_EQ(q(".t = {a: 1, b: 2}; 0"), "0");
    EXPECT_EQ(qk(".t.set('c', 3); .t.del('a'); 0"), "0");
    EXPECT_EQ(qk(".t.keys()"), "[\"c\",\"b\"]");
    EXPECT_EQ(qk(".t.remove(|k| k == 'b'); .t.assign({d: 4}); 0"), "0");
    EXPECT_EQ(qk(".t.keys()"), "[\"c\",\"d\"]");
    EXPECT_EQ(qk(".t.clear(); 0"), "0");
    EXPECT_EQ(qk(".t.len()"), "0");
    // things set on a stored thing get an id
    EXPECT_EQ(qk(".t.set('n', {}); is_int(.t.n.id())"), "true");
}

TEST(Thing, TypeOfMethodsOnOtherValues) {
    expect_err("x = 1; x.keys()", tdb::LOOKUP_ERR, "type `int` has no function `keys`");
}

// Things attached in one assignment get their ids depth first, in the order the value holds
// them, whatever the shape: one list of many, many small lists, lists in things in lists, a
// thing met twice; the identity map then finds each by its id.
TEST(Thing, NewThingsGetIdsInOrderInEveryShape) {
    fresh_storage();
    qk(".a = range(3000).map(|i| {n: i}); nil");
    EXPECT_EQ(qk("ids = .a.map(|t| t.id()); ids.every(|id, i| i == 0 || id == ids[i - 1] + 1)"),
              "true");
    EXPECT_EQ(qk(".a.every(|t, i| thing(t.id()).n == i)"), "true");
    qk(".b = range(2000).map(|i| [{n: i}, {n: -i}]); nil");
    EXPECT_EQ(qk("ids = []; .b.each(|p| ids.extend(p.map(|t| t.id()))); "
                 "ids.every(|id, i| i == 0 || id == ids[i - 1] + 1)"),
              "true");
    EXPECT_EQ(qk("thing(.b[1999][1].id()).n"), "-1999");
    qk("t = {k: 1}; .c = [{l: [t, {m: [t]}]}, t]; nil");
    EXPECT_EQ(qk("[.c[0].id() + 1 == .c[1].id(), .c[1].id() + 1 == .c[0].l[1].id(), "
                 ".c[0].l[1].m[0] == .c[1]]"),
              "[true,true,true]");
}
