// The table of built-ins (src/core/fn/table.cpp), checked on its rows: names
// in byte order and without repeats, per receiver; and the lookups built
// from it find every row.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "core/fn/fn.h"

namespace {

TEST(FnTable, FunctionsAreSortedAndUnique) {
    auto rows = tdb::builtin_functions();
    ASSERT_FALSE(rows.empty());
    for (size_t i = 1; i < rows.size(); ++i)
        EXPECT_LT(std::strcmp(rows[i - 1].name, rows[i].name), 0)
            << "`" << rows[i].name << "` after `" << rows[i - 1].name << "`";
}

TEST(FnTable, MethodsAreSortedAndUniquePerReceiver) {
    auto rows = tdb::builtin_methods();
    ASSERT_FALSE(rows.empty());
    for (size_t i = 1; i < rows.size(); ++i) {
        const tdb::MethodDef& a = rows[i - 1];
        const tdb::MethodDef& b = rows[i];
        SCOPED_TRACE(std::string("`") + b.fn.name + "` after `" + a.fn.name + "`");
        ASSERT_LE(static_cast<int>(a.receiver), static_cast<int>(b.receiver));
        if (a.receiver == b.receiver) {
            EXPECT_LT(std::strcmp(a.fn.name, b.fn.name), 0);
        }
    }
}

// What init_core() checks before it builds the lookup (a fault aborts).
TEST(FnTable, StartUpCheckFindsRepeatsAndDisorder) {
    EXPECT_EQ(tdb::fn_table_fault(tdb::builtin_functions(), tdb::builtin_methods()), "");
    const tdb::FnDef f[] = {{"a", nullptr, 0}, {"b", nullptr, 0}, {"b", nullptr, 0}};
    EXPECT_EQ(tdb::fn_table_fault(f, {}), "function repeated: `b` after `b`");
    const tdb::FnDef g[] = {{"b", nullptr, 0}, {"a", nullptr, 0}};
    EXPECT_EQ(tdb::fn_table_fault(g, {}), "functions out of order: `a` after `b`");
    const tdb::MethodDef m[] = {{tdb::VT::Str, {"len", nullptr, 0}},
                                {tdb::VT::List, {"len", nullptr, 0}},
                                {tdb::VT::List, {"len", nullptr, 0}}};
    EXPECT_EQ(tdb::fn_table_fault({}, std::span(m, 2)), "");  // one name, two receivers
    EXPECT_EQ(tdb::fn_table_fault({}, m), "method repeated: `len` after `len`");
    const tdb::MethodDef n[] = {{tdb::VT::List, {"a", nullptr, 0}},
                                {tdb::VT::Str, {"b", nullptr, 0}}};
    EXPECT_EQ(tdb::fn_table_fault({}, n), "receivers out of order: `b` after `a`");
}

TEST(FnTable, RowsAreComplete) {
    for (const tdb::FnDef& d : tdb::builtin_functions()) {
        SCOPED_TRACE(d.name);
        EXPECT_NE(d.name[0], '\0');
        EXPECT_NE(d.impl, nullptr);
        // A function is called only in the scopes its flags name.
        EXPECT_NE(d.flags & tdb::FN_ANY_SCOPE, 0u);
    }
    for (const tdb::MethodDef& m : tdb::builtin_methods()) {
        SCOPED_TRACE(m.fn.name);
        EXPECT_NE(m.fn.name[0], '\0');
        EXPECT_NE(m.fn.impl, nullptr);
    }
}

TEST(FnTable, LookupFindsEveryRow) {
    for (const tdb::FnDef& d : tdb::builtin_functions())
        EXPECT_EQ(tdb::find_function(d.name), &d) << d.name;
    for (const tdb::MethodDef& m : tdb::builtin_methods())
        EXPECT_EQ(tdb::find_method(m.receiver, m.fn.name), &m.fn) << m.fn.name;
    EXPECT_EQ(tdb::find_function("push"), nullptr);  // a method only
    EXPECT_EQ(tdb::find_method(tdb::VT::Str, "push"), nullptr);
    EXPECT_EQ(tdb::find_function(""), nullptr);
    ASSERT_NE(tdb::find_method(tdb::VT::Timeval, "format"),
              nullptr);  // datetime's, for timeval too
    EXPECT_EQ(tdb::find_method(tdb::VT::Timeval, "format")->impl,
              tdb::find_method(tdb::VT::Datetime, "format")->impl);
}

// The parser's guess whether a query is a change: any row of that name with
// FN_CHANGE, a function or any receiver's method.
TEST(FnTable, NameMayChangeFollowsTheFlags) {
    for (const tdb::FnDef& d : tdb::builtin_functions()) {
        if (d.flags & tdb::FN_CHANGE) {
            EXPECT_TRUE(tdb::name_may_change(d.name)) << d.name;
        }
    }
    for (const tdb::MethodDef& m : tdb::builtin_methods()) {
        if (m.fn.flags & tdb::FN_CHANGE) {
            EXPECT_TRUE(tdb::name_may_change(m.fn.name)) << m.fn.name;
        }
    }
    EXPECT_TRUE(tdb::name_may_change("push"));
    EXPECT_TRUE(tdb::name_may_change("set"));  // set() is no change, thing.set() is
    EXPECT_FALSE(tdb::name_may_change("len"));
    EXPECT_FALSE(tdb::name_may_change("now"));
    EXPECT_FALSE(tdb::name_may_change("no_such_function"));
}

}  // namespace
