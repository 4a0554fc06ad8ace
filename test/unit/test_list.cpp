// list and tuple methods: results, mutation, and ThingsDB's errors.
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;

TEST(List, PushPopShiftUnshift) {
    EXPECT_EQ(q("x = [1]; x.push(2, 3)"), "3");
    EXPECT_EQ(q("x = [1]; x.push(2, 3); x"), "[1,2,3]");
    EXPECT_EQ(q("x = [1, 2]; x.pop()"), "2");
    EXPECT_EQ(q("x = [1, 2]; x.pop(); x"), "[1]");
    EXPECT_EQ(q("x = [1, 2]; x.shift()"), "1");
    EXPECT_EQ(q("x = [1, 2]; x.shift(); x"), "[2]");
    EXPECT_EQ(q("x = [3]; x.unshift(1, 2)"), "3");
    EXPECT_EQ(q("x = [3]; x.unshift(1, 2); x"), "[1,2,3]");
    // A list pushed into a list becomes a tuple.
    EXPECT_EQ(q("x = []; x.push([1]); type(x[0])"), "\"tuple\"");
    expect_err("[].push()", tdb::NUM_ARGUMENTS_ERR,
               "function `push` requires at least 1 argument but 0 were given");
    expect_err("[].unshift()", tdb::NUM_ARGUMENTS_ERR,
               "function `unshift` requires at least 1 argument but 0 were given");
    expect_err("[1].pop(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `pop` takes 0 arguments but 1 was given");
    expect_err("[1].shift(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `shift` takes 0 arguments but 1 was given");
    expect_err("[].pop()", tdb::LOOKUP_ERR, "pop from empty list");
    expect_err("[].shift()", tdb::LOOKUP_ERR, "shift from empty list");
}

TEST(List, TupleRefusesChanges) {
    for (const char* m :
         {"push(1)", "pop()", "shift()", "unshift(1)", "splice(0, 1)", "extend([1])", "clear()",
          "remove(|x| x)", "fill(0)", "extend_unique([1])"}) {
        std::string name(m, std::string(m).find('('));
        expect_err(std::string("x = [[1]]; x[0].") + m, tdb::LOOKUP_ERR,
                   "type `tuple` has no function `" + name + "`");
    }
    // Reading methods work on tuples.
    EXPECT_EQ(q("[[1, 2]][0].len()"), "2");
    EXPECT_EQ(q("[[2, 1]][0].sort()"), "[1,2]");
    EXPECT_EQ(q("[[1, 2]][0].map(|x| x * 2)"), "[2,4]");
}

TEST(List, InUse) {
    expect_err("x = [1, 2]; x.map(|| x.push(1))", tdb::OPERATION_ERR,
               "cannot change type `list` while the value is in use");
    expect_err("x = [1, 2]; x.each(|| x.pop())", tdb::OPERATION_ERR,
               "cannot change type `list` while the value is in use");
    // The receiver is locked while the arguments are evaluated, too.
    expect_err("x = [1]; x.push(x.pop())", tdb::OPERATION_ERR,
               "cannot change type `list` while the value is in use");
    expect_err("x = [1, 2]; x.remove(|| x.clear())", tdb::OPERATION_ERR,
               "cannot change type `list` while the value is in use");
}

TEST(List, Splice) {
    EXPECT_EQ(q("x = [1, 2, 3, 4]; x.splice(1, 2)"), "[2,3]");
    EXPECT_EQ(q("x = [1, 2, 3, 4]; x.splice(1, 2, 'a'); x"), R"([1,"a",4])");
    EXPECT_EQ(q("x = [1, 2, 3]; x.splice(-1, 1, 8, 9); x"), "[1,2,8,9]");
    EXPECT_EQ(q("x = [1, 2, 3]; x.splice(10, 5, 4); x"), "[1,2,3,4]");
    EXPECT_EQ(q("x = [1, 2, 3]; x.splice(0, -1, 0); x"), "[0,1,2,3]");
    EXPECT_EQ(q("x = [1, 2, 3]; x.splice(-5, 3); x"), "[2,3]");
    expect_err("[].splice(0)", tdb::NUM_ARGUMENTS_ERR,
               "function `splice` requires at least 2 arguments but 1 was given");
    expect_err(
        "[].splice('a', 0)", tdb::TYPE_ERR,
        "function `splice` expects argument 1 to be of type `int` but got type `str` instead");
    expect_err(
        "[].splice(0, nil)", tdb::TYPE_ERR,
        "function `splice` expects argument 2 to be of type `int` but got type `nil` instead");
}

TEST(List, ExtendClear) {
    EXPECT_EQ(q("x = [1]; x.extend([2, 3])"), "3");
    EXPECT_EQ(q("x = [1]; x.extend(x); x"), "[1,1]");
    EXPECT_EQ(q("x = [1]; x.extend([[2]][0]); x"), "[1,2]");
    EXPECT_EQ(q("x = [1, 2]; x.extend_unique([2, 3, 3]); x"), "[1,2,3]");
    EXPECT_EQ(q("x = [1, 2]; x.clear()"), "null");
    EXPECT_EQ(q("x = [1, 2]; x.clear(); x"), "[]");
    expect_err("[].extend()", tdb::NUM_ARGUMENTS_ERR,
               "function `extend` takes 1 argument but 0 were given");
    expect_err(
        "[].extend(1)", tdb::TYPE_ERR,
        "function `extend` expects argument 1 to be of type `list` or type `tuple` but got type "
        "`int` instead");
    expect_err("[].clear(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `clear` takes 0 arguments but 1 was given");
}

TEST(List, Remove) {
    EXPECT_EQ(q("x = [1, 2, 3, 4]; x.remove(|v| v % 2 == 0)"), "[2,4]");
    EXPECT_EQ(q("x = [1, 2, 3, 4]; x.remove(|v| v % 2 == 0); x"), "[1,3]");
    EXPECT_EQ(q("x = [1, 2, 3, 4]; x.remove(|v| v > 1, 2); x"), "[1,4]");
    EXPECT_EQ(q("x = [1, 2, 3, 4]; x.remove(|v| v > 1, -2)"), "[3,4]");
    EXPECT_EQ(q("x = [1, 2, 3]; x.remove(|_, i| i == 1)"), "[2]");
    EXPECT_EQ(q("x = [1]; x.remove(|v| v > 5)"), "[]");
    expect_err("[].remove()", tdb::NUM_ARGUMENTS_ERR,
               "function `remove` requires at least 1 argument but 0 were given");
    expect_err("[].remove(|| 1, 1, 1)", tdb::NUM_ARGUMENTS_ERR,
               "function `remove` takes at most 2 arguments but 3 were given");
    expect_err(
        "[].remove(1)", tdb::TYPE_ERR,
        "function `remove` expects argument 1 to be of type `closure` but got type `int` instead");
    expect_err(
        "[].remove(|| 1, 'a')", tdb::TYPE_ERR,
        "function `remove` expects argument 2 to be of type `int` but got type `str` instead");
}

TEST(List, MapFilterEach) {
    EXPECT_EQ(q("[1, 2, 3].map(|x| x * 10)"), "[10,20,30]");
    EXPECT_EQ(q("['a', 'b'].map(|x, i| i)"), "[0,1]");
    EXPECT_EQ(q("[1, 2].map(|| nil)"), "[null,null]");
    EXPECT_EQ(q("[1, 2].map(|x| [x])"), "[[1],[2]]");
    EXPECT_EQ(q("[1, 2, 3, 4].filter(|x| x > 2)"), "[3,4]");
    EXPECT_EQ(q("[1, 2, 3].filter(|_, i| i != 1)"), "[1,3]");
    EXPECT_EQ(q("t = 0; [1, 2, 3].each(|x| t += x); t"), "6");
    EXPECT_EQ(q("[1].each(|x| x)"), "null");
    for (const char* m : {"map", "filter", "each", "find_index", "some", "every"}) {
        expect_err(std::string("[1].") + m + "()", tdb::NUM_ARGUMENTS_ERR,
                   std::string("function `") + m + "` takes 1 argument but 0 were given");
        expect_err(std::string("[1].") + m + "(1)", tdb::TYPE_ERR,
                   std::string("function `") + m +
                       "` expects argument 1 to be of type `closure` but got type `int` instead");
    }
}

TEST(List, FindIndexOfHas) {
    EXPECT_EQ(q("[1, 2, 3].find(|x| x > 1)"), "2");
    EXPECT_EQ(q("[1, 2, 3].find(|x| x > 5)"), "null");
    EXPECT_EQ(q("[1, 2, 3].find(|x| x > 5, 'no')"), "\"no\"");
    EXPECT_EQ(q("[1, 2, 3].find_index(|x| x == 3)"), "2");
    EXPECT_EQ(q("[1, 2, 3].find_index(|x| x == 5)"), "null");
    EXPECT_EQ(q("[1, 'a', 2.0].index_of(2)"), "2");
    EXPECT_EQ(q("[1, 'a'].index_of('b')"), "null");
    EXPECT_EQ(q("[1, 'a'].has('a')"), "true");
    EXPECT_EQ(q("[1, 'a'].has(2)"), "false");
    expect_err("[].find()", tdb::NUM_ARGUMENTS_ERR,
               "function `find` requires at least 1 argument but 0 were given");
    expect_err("[].find(|| 1, 2, 3)", tdb::NUM_ARGUMENTS_ERR,
               "function `find` takes at most 2 arguments but 3 were given");
    expect_err("[].index_of()", tdb::NUM_ARGUMENTS_ERR,
               "function `index_of` takes 1 argument but 0 were given");
    expect_err("[].has(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `has` takes 1 argument but 2 were given");
}

TEST(List, SomeEvery) {
    EXPECT_EQ(q("[1, 2].some(|x| x > 1)"), "true");
    EXPECT_EQ(q("[1, 2].some(|x| x > 2)"), "false");
    EXPECT_EQ(q("[].some(|x| true)"), "false");
    EXPECT_EQ(q("[1, 2].every(|x| x > 0)"), "true");
    EXPECT_EQ(q("[1, 2].every(|x| x > 1)"), "false");
    EXPECT_EQ(q("[].every(|x| false)"), "true");
}

TEST(List, Reduce) {
    EXPECT_EQ(q("[1, 2, 3].reduce(|a, b| a + b)"), "6");
    EXPECT_EQ(q("[1, 2, 3].reduce(|a, b| a + b, 10)"), "16");
    EXPECT_EQ(q("[5].reduce(|a, b| a + b)"), "5");
    EXPECT_EQ(q("[].reduce(|a, b| a + b, 0)"), "0");
    EXPECT_EQ(q("['a', 'b'].reduce(|a, _, i| a + i, 0)"), "1");
    expect_err("[].reduce(|a, b| a + b)", tdb::LOOKUP_ERR,
               "reduce on empty list with no initial value set");
    expect_err("[].reduce()", tdb::NUM_ARGUMENTS_ERR,
               "function `reduce` requires at least 1 argument but 0 were given");
    expect_err("[].reduce(|| 1, 1, 1)", tdb::NUM_ARGUMENTS_ERR,
               "function `reduce` takes at most 2 arguments but 3 were given");
    expect_err(
        "[1].reduce(1)", tdb::TYPE_ERR,
        "function `reduce` expects argument 1 to be of type `closure` but got type `int` instead");
}

TEST(List, Sort) {
    EXPECT_EQ(q("[3, 1, 2].sort()"), "[1,2,3]");
    EXPECT_EQ(q("['b', 'a', 'c'].sort()"), R"(["a","b","c"])");
    EXPECT_EQ(q("[3, 1.5, 2].sort(true)"), "[3,2,1.5]");
    EXPECT_EQ(q("[3, 1, 2].sort(|a, b| b - a)"), "[3,2,1]");
    EXPECT_EQ(q("['bb', 'a', 'ccc'].sort(|s| s.len())"), R"(["a","bb","ccc"])");
    EXPECT_EQ(q("['bb', 'a', 'ccc'].sort(|s| s.len(), true)"), R"(["ccc","bb","a"])");
    // sort() returns a new list and leaves the receiver alone.
    EXPECT_EQ(q("x = [2, 1]; x.sort(); x"), "[2,1]");
    // Nothing to sort: the arguments are not even looked at.
    EXPECT_EQ(q("[1].sort(123)"), "[1]");
    expect_err("[1, 'a'].sort()", tdb::TYPE_ERR, "`<` not supported between `str` and `int`");
    expect_err("[1, 2].sort(1, 2, 3)", tdb::NUM_ARGUMENTS_ERR,
               "function `sort` takes at most 2 arguments but 3 were given");
    expect_err(
        "[1, 2].sort(1)", tdb::TYPE_ERR,
        "function `sort` expects argument 1 to be of type `closure` but got type `int` instead");
    expect_err("[1, 2].sort(|| 0)", tdb::NUM_ARGUMENTS_ERR,
               "function `sort` requires a closure which accepts 1 or 2 arguments");
    expect_err("[1, 2].sort(|a, b| 0, true)", tdb::NUM_ARGUMENTS_ERR,
               "cannot specify an order with a closure which takes two arguments; "
               "in this case the order should be specified within the closure");
    expect_err(
        "[1, 2].sort(|a| a, 1)", tdb::TYPE_ERR,
        "function `sort` expects argument 2 to be of type `bool` but got type `int` instead");
    expect_err("[1, 2].sort(|a, b| 'x')", tdb::TYPE_ERR,
               "expecting a return value of type `int` but got type `str` instead");
}

TEST(List, ReverseUniqueJoin) {
    EXPECT_EQ(q("[1, 2, 3].reverse()"), "[3,2,1]");
    EXPECT_EQ(q("x = [1, 2]; x.reverse(); x"), "[1,2]");
    EXPECT_EQ(q("[1, 2, 1, 1.0, 'a', 'a'].unique()"), R"([1,2,"a"])");
    EXPECT_EQ(q("[1, 2].is_unique()"), "true");
    EXPECT_EQ(q("[1, 2, 1].is_unique()"), "false");
    EXPECT_EQ(q("['a', 'b', 'c'].join()"), "\"abc\"");
    EXPECT_EQ(q("['a', 'b', 'c'].join(', ')"), "\"a, b, c\"");
    EXPECT_EQ(q("['a'].join(1)"), "\"a\"");
    EXPECT_EQ(q("[].join('-')"), "\"\"");
    expect_err("['a', 1].join()", tdb::TYPE_ERR,
               "expecting item 1 to be of type `str` but got type `int` instead");
    expect_err("['a', 'b'].join(1)", tdb::TYPE_ERR,
               "function `join` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err("[].join(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `join` takes at most 1 argument but 2 were given");
    expect_err("[].reverse(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `reverse` takes 0 arguments but 1 was given");
    expect_err("[].unique(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `unique` takes 0 arguments but 1 was given");
}

TEST(List, FirstLastLen) {
    EXPECT_EQ(q("[1, 2].first()"), "1");
    EXPECT_EQ(q("[1, 2].last()"), "2");
    EXPECT_EQ(q("[].first('d')"), "\"d\"");
    EXPECT_EQ(q("[].last('d')"), "\"d\"");
    EXPECT_EQ(q("[1, 2].len()"), "2");
    expect_err("[].first()", tdb::LOOKUP_ERR, "no first item in an empty list");
    expect_err("[].last()", tdb::LOOKUP_ERR, "no last item in an empty list");
    expect_err("[].first(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `first` takes at most 1 argument but 2 were given");
    expect_err("[].len(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `len` takes 0 arguments but 1 was given");
}

TEST(List, CountSumMinMax) {
    EXPECT_EQ(q("[1, 2, 1, 1.0].count(1)"), "3");
    EXPECT_EQ(q("[1, 2, 3].count(|x| x > 1)"), "2");
    EXPECT_EQ(q("[1, 2, 3].sum()"), "6");
    EXPECT_EQ(q("[1, 2.5, true].sum()"), "4.5");
    EXPECT_EQ(q("[].sum()"), "0");
    EXPECT_EQ(q("['a', 'bb'].sum(|s| s.len())"), "3");
    EXPECT_EQ(q("[3, 1, 2].min()"), "1");
    EXPECT_EQ(q("[3, 1, 2].max()"), "3");
    EXPECT_EQ(q("['b', 'a'].min()"), "\"a\"");
    expect_err("[].count()", tdb::NUM_ARGUMENTS_ERR,
               "function `count` takes 1 argument but 0 were given");
    expect_err("['a'].sum()", tdb::TYPE_ERR, "`-/+` not supported by type `str`");
    expect_err("[9223372036854775807, 1].sum()", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err(
        "[].sum(1)", tdb::TYPE_ERR,
        "function `sum` expects argument 1 to be of type `closure` but got type `int` instead");
    expect_err("[].min()", tdb::LOOKUP_ERR, "min() on empty list");
    expect_err("[].max()", tdb::LOOKUP_ERR, "max() on empty list");
    expect_err("[1].min(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `min` takes 0 arguments but 1 was given");
    expect_err("[1, nil].max()", tdb::TYPE_ERR, "`<` not supported between `int` and `nil`");
}

TEST(List, FillAndUnknown) {
    EXPECT_EQ(q("x = [1, 2]; x.fill(0); x"), "[0,0]");
    expect_err("[].foo()", tdb::LOOKUP_ERR, "type `list` has no function `foo`");
}

TEST(List, StoredListChanges) {
    EXPECT_EQ(q(".a = [1]; .a.push(2); .a"), "[1,2]");
    EXPECT_EQ(q(".a = [1, 2, 3]; .a.splice(0, 1); .a.remove(|x| x == 3); .a"), "[2]");
}
