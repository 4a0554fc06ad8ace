// nse() before anything that changes keeps a query from becoming a change
// (a refused change then says to remove it), and a set placed in a list
// becomes a tuple of its things.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

using tdb::OPERATION_ERR;

TEST(LangNse, NseFirstKeepsQueryReadOnly) {
    fresh_storage();
    qk("set_type('Card', {title: 'str'}); .box = {n: 1}; .blank = {}; nil;");
    const std::string m = "operation on a stored thing; remove `nse(...)` to enforce a change";
    for (const char* code : {"nse(); .box.n = 2;", "nse(); .blank.to_type('Card');",
                             "nse(); .box.del('n');", "nse(1 + 1); .box.m = 3;"}) {
        tdb::Error e = qerr(code, "@:stuff", true);
        EXPECT_EQ(e.code(), OPERATION_ERR) << code;
        EXPECT_EQ(e.msg(), m) << code;
    }
    // unstored things change freely; the query stays no change
    EXPECT_EQ(qk("nse(); c = {}; c.to_type('Card'); c.title = 'x'; [c.title, change_id()];"),
              "[\"x\",null]");
    // a change met before nse(), or in its argument, makes the query a
    // change: nse() then fails
    EXPECT_EQ(qerr("nse(.box.n = 5);", "@:stuff", true).msg(),
              "function `nse` failed; at least one side-effect is enforced; see "
              "https://docs.thingsdb.io/v1/collection-api/nse");
    EXPECT_EQ(qerr(".box.n = 5; nse();", "@:stuff", true).msg(),
              "function `nse` failed; at least one side-effect is enforced; see "
              "https://docs.thingsdb.io/v1/collection-api/nse");
    // without nse() the hint stays the one about wse()
    EXPECT_EQ(qk(".box.n;"), "1");
}

TEST(LangNse, SetInListIsTuple) {
    EXPECT_EQ(q("a = []; s = set({}, {}); a.push(s); [is_tuple(a[0]), a[0].len(), is_set(s)];"),
              "[true,2,true]");
    EXPECT_EQ(q("a = [0]; a[0] = set({}); a.unshift(set()); [is_tuple(a[0]), is_tuple(a[1])];"),
              "[true,true]");
    // a list literal keeps the set itself
    EXPECT_EQ(q("a = [set({})]; is_set(a[0]);"), "true");
    fresh_storage();
    qk(".items = []; .items.push(set({k: 1}, {k: 2})); nil;");
    EXPECT_EQ(qk("[is_tuple(.items[0]), .items[0].map(|t| t.k)];"), "[true,[1,2]]");
}

}  // namespace
