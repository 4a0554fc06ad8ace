// mod_type 'add' and 'mod' with a closure, in ThingsDB's order: 'add' adds
// the field (every instance at the default) before the closure runs on each
// instance; 'mod' gives the field its new definition but lets it take any
// value while the closure runs, then checks every value. The closure's
// answer for one instance (an error, nil, a value that does not fit) never
// stops the others: the change completes and the first error is raised
// after it.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

using tdb::OPERATION_ERR;

TEST(TypesMigrate, AddClosureSeesTheNewField) {
    // the closure makes instances that have the field already
    EXPECT_EQ(q("set_type('Item', {n: 'int'}); .i = Item{n: 2}; "
                "mod_type('Item', 'add', 'twin', 'Item?', |it| Item{n: it.n * 10}); "
                "[.i.twin.n, .i.twin.twin, type_count('Item')]"),
              "[20,null,2]");
    // and reads it at the default on the instance it runs for
    EXPECT_EQ(q("set_type('Item', {n: 'int'}); .i = Item{n: 2}; "
                "mod_type('Item', 'add', 'k', 'str', |it| `{it.k}-{it.n}`); .i.k"),
              "\"-2\"");
    // a value that fits only the new definition
    expect_err(
        "set_type('Box', {v: 'int'}); .b = Box{}; "
        "mod_type('Box', 'add', 'w', 'str', |b| Box{w: 1});",
        OPERATION_ERR,
        "field `w` is added to type `Box` but at least one error has occurred using the "
        "given callback; mismatch in type `Box`; type `int` is invalid for property `w` "
        "with definition `str`");
}

TEST(TypesMigrate, AddClosureErrorsAreAnswersOfOneInstance) {
    const char* mk = "set_type('A', {n: 'int'}); .a = A{n: 1}; .b = A{n: 2}; .c = A{n: 3}; ";
    // the other instances still get their value, the field stays
    EXPECT_EQ(q(std::string(mk) +
                "e = try(mod_type('A', 'add', 'z', 'int', |x| x.n == 2 ? raise('two') : x.n)); "
                "[e.msg(), .a.z, .b.z, .c.z, type_info('A').fields.len()]"),
              "[\"field `z` is added to type `A` but at least one error has occurred using the "
              "given callback; two\",1,0,3,2]");
    // nil keeps the default, without an error
    EXPECT_EQ(q(std::string(mk) + "mod_type('A', 'add', 'z', 'int<5:9>', |x| x.n == 2 ? nil : 6);"
                                  "[.a.z, .b.z, .c.z]"),
              "[6,5,6]");
    // what the language cannot catch (a cancel) still ends the query
    const char* many = "set_type('A', {n: 'int'}); .l = range(5000).map(|i| A{n: i}); ";
    EXPECT_TRUE(cancelled_inside(many, "mod_type('A', 'add', 'z', 'int', |x| x.n); nil"));
    EXPECT_TRUE(cancelled_inside(many, "mod_type('A', 'mod', 'n', 'str', |x| 's'); nil"));
}

TEST(TypesMigrate, ModClosureTakesAnyValueMeanwhile) {
    // the closure makes instances with values only the new definition fits
    EXPECT_EQ(q("set_type('Node', {next: 'str'}); .a = Node{}; "
                "mod_type('Node', 'mod', 'next', 'Node?', |n| Node{next: nil}); "
                "[type(.a.next), .a.next.next, type_info('Node').fields]"),
              "[\"Node\",null,[[\"next\",\"Node?\"]]]");
    // a value made meanwhile that the new definition refuses gets the default
    const char* mk = "set_type('A', {n: 'int'}); .x = A{}; ";
    EXPECT_EQ(
        q(std::string(mk) + "e = try(mod_type('A', 'mod', 'n', 'str', |a| {.y = A{n: 5}; 's'})); "
                            "[e.msg(), .x.n, .y.n]"),
        "[\"field `n` on type `A` is modified but at least one instance got "
        "an inappropriate value from the migration callback; to be compliant, ThingsDB has "
        "used the default value for this instance; callback response: mismatch in type "
        "`A`; type `int` is invalid for property `n` with definition `str`\",\"s\",\"\"]");
    // as does a migrated value the code changed afterwards
    EXPECT_EQ(q("set_type('A', {n: 'int'}); .x = A{n: 1}; .y = A{n: 2};"
                "try(mod_type('A', 'mod', 'n', 'str', |a| {.x.n = 7; 's'})); [.x.n, .y.n]"),
              "[\"\",\"s\"]");
}

TEST(TypesMigrate, ModClosureNilOrErrorKeepsAValueThatFits) {
    // nil keeps the instance's value when the new definition takes it
    EXPECT_EQ(q("set_type('H', {v: 'any'}); .h = H{v: 5}; .k = H{v: 'x'};"
                "e = try(mod_type('H', 'mod', 'v', 'int', |h| nil)); [e.msg(), .h.v, .k.v]"),
              "[\"field `v` on type `H` is modified but at least one failed "
              "attempt was made to keep the original value: mismatch in type `H`; type `str` is "
              "invalid for property `v` with definition `int`\",5,0]");
    // so does an error, which is raised after the change
    EXPECT_EQ(q("set_type('H', {v: 'int'}); .h = H{v: 5};"
                "e = try(mod_type('H', 'mod', 'v', 'number', |h| raise('no'))); "
                "[e.msg(), .h.v, type_info('H').fields]"),
              "[\"field `v` on type `H` is modified but at least one error has "
              "occurred using the given callback: no\",5,[[\"v\",\"number\"]]]");
    // a kept thing takes the restriction of the new definition
    EXPECT_EQ(q("set_type('N', {name: 'str'}); set_type('L', {m: 'thing'}); "
                ".l = L{m: {a: N{}}}; mod_type('L', 'mod', 'm', 'thing<N>', || nil); "
                "[is_err(try(.l.m.b = 1)), type(.l.m.a)]"),
              "[true,\"N\"]");
}

}  // namespace
