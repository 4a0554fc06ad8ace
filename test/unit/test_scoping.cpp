// Variable scoping, as ThingsDB resolves names: a lookup walks the whole
// variable stack (a closure sees the variables of the code that calls it,
// at the time of the call), `x = v` binds in the current frame only (a
// closure's assignment makes its own variable, dropped when it returns),
// and `x += v` updates the variable where it lives. The evaluator finds
// variables by slot instead of by name; these cases pin the behaviour.
#include <gtest/gtest.h>

#include "core/api/engine.h"
#include "harness.h"

namespace {

std::string q_vars(const std::string& code, const std::string& vars_json) {
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    req.vars_json = vars_json;
    return tdb::run_query(fresh_storage(), req);
}

}  // namespace

TEST(Scoping, ShadowingByParameters) {
    EXPECT_EQ(q("x = 1; f = |x| {x = x + 10; x}; [f(5), x]"), "[15,1]");
    EXPECT_EQ(q("x = 1; f = |x| x; [f(), x]"),
              "[null,1]");                       // a missing argument is nil, not the outer x
    EXPECT_EQ(q("f = |a, a| a; f(1, 2)"), "2");  // the last binding of a name wins
    EXPECT_EQ(q("a = 1; f = |a| |b| a + b; g = f(10); g(5)"),
              "6");  // no capture: a is looked up at the call
}

TEST(Scoping, AssignmentInAClosureStaysLocal) {
    EXPECT_EQ(q("a = 1; f = || {a = 2; a}; [f(), a]"), "[2,1]");
    expect_err("f = || {y = 2}; f(); y", tdb::LOOKUP_ERR, "variable `y` is undefined");
    EXPECT_EQ(q("f = || {y = 2; y * 3}; [f(), f()]"), "[6,6]");  // each call starts without y
    // the first assignment in a closure reads the outer value, then shadows it
    EXPECT_EQ(q("a = 1; f = || {a = a + 1; a = a + 1; a}; [f(), f(), a]"), "[3,3,1]");
}

TEST(Scoping, CompoundAssignmentUpdatesWhereTheVariableLives) {
    EXPECT_EQ(q("a = 1; f = || {a += 5}; f(); f(); a"), "11");
    EXPECT_EQ(q("n = 0; [1, 2, 3].map(|x| n += x); n"), "6");
    expect_err("f = || {z += 1}; f()", tdb::LOOKUP_ERR, "variable `z` is undefined");
    // once shadowed in the closure, += changes the closure's own copy
    EXPECT_EQ(q("a = 1; f = || {a = 10; a += 1; a}; [f(), a]"), "[11,1]");
}

TEST(Scoping, ClosuresSeeTheCallersVariables) {
    // dynamic lookup: the variables visible where the closure is called
    EXPECT_EQ(q("f = || v; g = |v| f(); g(7)"), "7");
    expect_err("f = || v; f()", tdb::LOOKUP_ERR, "variable `v` is undefined");
    EXPECT_EQ(q("f = || v; v = 3; f()"), "3");  // defined after the closure, before the call
    EXPECT_EQ(q("v = 1; f = || v; g = |v| f(); [g(2), f()]"), "[2,1]");
    // nested closures: the inner one sees the outer one's parameters
    EXPECT_EQ(q("f = |a| [1, 2].map(|b| a * 10 + b); f(3)"), "[31,32]");
    EXPECT_EQ(q("f = |a| {g = |b| {h = |c| a + b + c; h(100)}; g(10)}; f(1)"), "111");
}

TEST(Scoping, ClosuresDefinedInLoops) {
    // closures made in a loop see the loop variable when they are called
    EXPECT_EQ(q("fs = []; for (i in range(3)) fs.push(|| i); fs.map(|f| f())"), "[2,2,2]");
    EXPECT_EQ(q("out = []; for (i in range(3)) {f = |x| x + i; out.push(f(10))}; out"),
              "[10,11,12]");
    // a loop inside a closure binds its variables in the closure's frame
    EXPECT_EQ(q("i = 'outer'; f = || {s = 0; for (i in range(4)) s += i; [s, i]}; [f(), i]"),
              "[[6,3],\"outer\"]");
    EXPECT_EQ(
        q("f = |n| {t = 0; for (k in range(n)) t += [1, 2].reduce(|a, b| a + b + k); t}; f(3)"),
        "12");
}

TEST(Scoping, LoopVariables) {
    EXPECT_EQ(q("for (i in range(3)) nil; i"),
              "2");  // the loop variable stays bound after the loop
    EXPECT_EQ(q("i = 9; for (i in []) nil; i"), "9");  // no step: untouched
    EXPECT_EQ(q("for (x, i in ['a', 'b']) nil; [x, i]"), "[\"b\",1]");
    EXPECT_EQ(q("s = 0; for (i in range(5)) {if (i == 3) break; s += i}; [s, i]"), "[3,3]");
    EXPECT_EQ(q("s = 0; for (i in range(5)) {if (i % 2) continue; s += i}; s"), "6");
    // assigning the loop variable in the body does not change the iteration
    EXPECT_EQ(q("n = 0; for (i in range(3)) {i = 100; n += 1}; [n, i]"), "[3,100]");
    // variables made in the body (and by closures called there) between steps
    EXPECT_EQ(q("for (i in range(3)) {a = i; b = a * 2; f = || {c = b}; f()}; [a, b]"), "[2,4]");
    EXPECT_EQ(q("x = 0; for (i in range(3)) for (j in range(2)) x += i * j; [x, i, j]"), "[3,2,1]");
}

TEST(Scoping, ReturnBreakAndErrorsRestoreTheFrames) {
    EXPECT_EQ(q("a = 1; f = |a| {return a * 2; a}; [f(5), a]"), "[10,1]");
    EXPECT_EQ(q("x = 1; f = |x| {for (i in range(9)) if (i == x) return i; -1}; [f(4), x]"),
              "[4,1]");
    // an error inside a closure unwinds its frame: x is the outer one again
    EXPECT_EQ(q("x = 1; f = |x| {y = 1; x / 0}; try(f(5)); [x, type(try(y))]"), "[1,\"error\"]");
    EXPECT_EQ(q("fac = |n| n <= 1 ? 1 : n * fac(n - 1); [fac(5), fac(3)]"), "[120,6]");
    expect_err("f = |x| x + y; f(1)", tdb::LOOKUP_ERR, "variable `y` is undefined");
}

TEST(Scoping, QueryVariables) {
    EXPECT_EQ(q_vars("a + b", R"({"a": 1, "b": 2})"), "3");
    EXPECT_EQ(q_vars("f = || a; [f(), a = 5, f()]", R"({"a": 1})"),
              "[1,5,5]");  // vars are the top frame
    EXPECT_EQ(q_vars("f = |a| a; [f(2), a]", R"({"a": 1})"), "[2,1]");
    EXPECT_EQ(q_vars("a += 1; a", R"({"a": 41})"), "42");
}

TEST(Scoping, OperandsReadInPlace) {
    // a variable operand is read before the other operand changes it
    EXPECT_EQ(q("x = 1; x + {x = 10; x}"), "11");
    EXPECT_EQ(q("x = 1; [x + (x = 5), x]"), "[6,5]");
    EXPECT_EQ(q("x = 'a'; x + x"), "\"aa\"");
    EXPECT_EQ(q("x = 2; y = 3; [x * y, x - y, x < y, x == y, y % x]"), "[6,-1,true,false,1]");
    EXPECT_EQ(q("x = 9223372036854775807; try(x + 1).code()"),
              "-59");  // overflow through the general rules
    EXPECT_EQ(q("x = 1; x / 2"), "0");
    EXPECT_EQ(q("MATH_PI > 3"), "true");  // a name without binding falls back to constants
    expect_err("nope + 1", tdb::LOOKUP_ERR, "variable `nope` is undefined");
    expect_err("1 + nope", tdb::LOOKUP_ERR, "variable `nope` is undefined");
}
