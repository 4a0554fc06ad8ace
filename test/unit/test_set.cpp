// set methods: results, mutation, and ThingsDB's errors.
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;

namespace {

// Three things and a set holding the first two.
const std::string kSetup = "a = {n: 1}; b = {n: 2}; c = {n: 3}; s = set(a, b); ";

std::string qs(const std::string& code) { return q(kSetup + code); }

}  // namespace

TEST(Set, AddHasLen) {
    EXPECT_EQ(qs("s.len()"), "2");
    EXPECT_EQ(qs("s.add(c, a)"), "1");
    EXPECT_EQ(qs("s.add(c); s.len()"), "3");
    EXPECT_EQ(qs("s.add(a, a)"), "0");
    EXPECT_EQ(qs("s.has(a)"), "true");
    EXPECT_EQ(qs("s.has(c)"), "false");
    expect_err(kSetup + "s.add()", tdb::NUM_ARGUMENTS_ERR,
               "function `add` requires at least 1 argument but 0 were given");
    expect_err(kSetup + "s.add(1)", tdb::TYPE_ERR, "cannot add type `int` to a set");
    expect_err(kSetup + "s.has()", tdb::NUM_ARGUMENTS_ERR,
               "function `has` takes 1 argument but 0 were given");
    expect_err(
        kSetup + "s.has(1)", tdb::TYPE_ERR,
        "function `has` expects argument 1 to be of type `thing` but got type `int` instead");
    expect_err(kSetup + "s.len(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `len` takes 0 arguments but 1 was given");
}

TEST(Set, Remove) {
    EXPECT_EQ(qs("s.remove(a).map(|t| t.n)"), "[1]");
    EXPECT_EQ(qs("s.remove(a); s.len()"), "1");
    EXPECT_EQ(qs("s.remove(c)"), "[]");
    EXPECT_EQ(qs("s.remove(|t| t.n > 1).map(|t| t.n)"), "[2]");
    EXPECT_EQ(qs("s.remove(|t| true, 1); s.len()"), "1");
    expect_err(kSetup + "s.remove()", tdb::NUM_ARGUMENTS_ERR,
               "function `remove` requires at least 1 argument but 0 were given");
    expect_err(kSetup + "s.remove(1)", tdb::TYPE_ERR,
               "function `remove` expects argument 1 to be of type `closure` or type `thing` but "
               "got type `int` instead");
    expect_err(
        kSetup + "s.remove(a, 1)", tdb::TYPE_ERR,
        "function `remove` expects argument 2 to be of type `thing` but got type `int` instead");
    expect_err(
        kSetup + "s.remove(|| 1, 1, 1)", tdb::NUM_ARGUMENTS_ERR,
        "function `remove` takes at most 2 arguments when using a `closure` but 3 were given");
    expect_err(
        kSetup + "s.remove(|| 1, 'x')", tdb::TYPE_ERR,
        "function `remove` expects argument 2 to be of type `int` but got type `str` instead");
}

TEST(Set, Clear) {
    EXPECT_EQ(qs("s.clear()"), "null");
    EXPECT_EQ(qs("s.clear(); s.len()"), "0");
    expect_err(kSetup + "s.clear(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `clear` takes 0 arguments but 1 was given");
}

TEST(Set, Iteration) {
    EXPECT_EQ(qs("s.map(|t| t.n)"), "[1,2]");
    EXPECT_EQ(qs("s.map(|t, id| id)"), "[null,null]");
    EXPECT_EQ(qs("s.filter(|t| t.n > 1).map(|t| t.n)"), "[2]");
    EXPECT_EQ(qs("type(s.filter(|t| true))"), "\"set\"");
    EXPECT_EQ(qs("x = 0; s.each(|t| x += t.n); x"), "3");
    EXPECT_EQ(qs("s.find(|t| t.n == 2).n"), "2");
    EXPECT_EQ(qs("s.find(|t| t.n == 5)"), "null");
    EXPECT_EQ(qs("s.find(|t| t.n == 5, 0)"), "0");
    EXPECT_EQ(qs("s.some(|t| t.n == 2)"), "true");
    EXPECT_EQ(qs("s.some(|t| t.n == 3)"), "false");
    EXPECT_EQ(qs("s.every(|t| t.n > 0)"), "true");
    EXPECT_EQ(qs("s.every(|t| t.n > 1)"), "false");
    EXPECT_EQ(qs("s.reduce(|acc, t| acc + t.n, 0)"), "3");
    for (const char* m : {"map", "filter", "each", "some", "every"}) {
        expect_err(kSetup + "s." + m + "()", tdb::NUM_ARGUMENTS_ERR,
                   std::string("function `") + m + "` takes 1 argument but 0 were given");
        expect_err(kSetup + "s." + m + "(1)", tdb::TYPE_ERR,
                   std::string("function `") + m +
                       "` expects argument 1 to be of type `closure` but got type `int` instead");
    }
    expect_err("set().reduce(|a, b| a)", tdb::LOOKUP_ERR,
               "reduce on empty set with no initial value set");
}

TEST(Set, One) {
    EXPECT_EQ(qs("s.one().n"), "1");
    expect_err("set().one()", tdb::LOOKUP_ERR, "one from empty set");
    expect_err(kSetup + "s.one(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `one` takes 0 arguments but 1 was given");
}

TEST(Set, InUse) {
    expect_err(kSetup + "s.each(|| s.add(c))", tdb::OPERATION_ERR,
               "cannot change type `set` while the value is in use");
    expect_err(kSetup + "s.map(|t| s.remove(t))", tdb::OPERATION_ERR,
               "cannot change type `set` while the value is in use");
}

TEST(Set, Stored) {
    EXPECT_EQ(q(".s = set(); .s.add({n: 1}); .s.len()"), "1");
    EXPECT_EQ(q(".s = set(); .s.add({n: 1}); .s.map(|t, id| is_int(id))"), "[true]");
}
