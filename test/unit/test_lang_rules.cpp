// Language rules where ThingsDB's answer is fixed: statement separators,
// loop keywords outside loops, syntax-error positions, error values as
// results, the math domain of the periodic functions and the scope hint of
// functions that belong to another scope.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

void expect_syntax(const std::string& code, const std::string& msg) {
    expect_err(code, tdb::SYNTAX_ERR, msg);
}

}  // namespace

// ---- statements need a `;` between them ------------------------------------

TEST(LangRules, StatementsNeedASeparator) {
    expect_syntax("1 2",
                  "error at line 1, position 2, unexpected character `2`, expecting: ; or "
                  "end_of_statement");
    expect_syntax("x = 'a' y = 'b';",
                  "error at line 1, position 8, unexpected character `y`, expecting: ; or "
                  "end_of_statement");
    expect_syntax("{a = 1 a}",
                  "error at line 1, position 7, unexpected character `a`, expecting: ; or }");
    // Separators themselves may repeat, trail or be left out at the end.
    EXPECT_EQ(q("1;; 2;"), "2");
    EXPECT_EQ(q("x = 3;\n x * 2"), "6");
    EXPECT_EQ(q("{a = 1; a + 1;}"), "2");
}

// ---- break and continue belong to a for..in --------------------------------

TEST(LangRules, LoopKeywordsOutsideALoopAreSyntaxErrors) {
    expect_syntax("if (true) break;",
                  "illegal `break` statement; no surrounding `for..in` statement");
    expect_syntax("x = 1; continue;",
                  "illegal `continue` statement; no surrounding `for..in` statement");
    // A closure's body is not inside the loop it is written in.
    expect_syntax("for (i in range(3)) { f = || break; };",
                  "illegal `break` statement; no surrounding `for..in` statement");
    expect_syntax("[1].map(|x| continue);",
                  "illegal `continue` statement; no surrounding `for..in` statement");
    // Inside a loop (and in a loop inside a closure) they work.
    EXPECT_EQ(q("n = 0; for (i in range(9)) { if (i == 4) break; n += i; }; n"), "6");
    EXPECT_EQ(q("n = 0; for (i in range(5)) { if (i % 2) continue; n += 1; }; n"), "3");
    EXPECT_EQ(q("f = || { n = 0; for (i in range(3)) { if (i) continue; n += 5; }; n }; f()"), "5");
}

// ---- where a syntax error is ------------------------------------------------

TEST(LangRules, SyntaxErrorLinesCountFromOne) {
    expect_syntax("a = (1 +", "error at line 1, position 8");
    expect_syntax("x = 1;\ny = 2;\nz = ]", "error at line 3, position 4, unexpected character `]`");
    // Leading whitespace and comments come before the first statement.
    expect_syntax("// note\n   (1 + ", "error at line 1, position 5");
    expect_syntax("true ? 'a'", "error at line 1, position 10, expecting: :");
}

// ---- an error value as a result is its message ------------------------------

TEST(LangRules, ErrorValuesRenderAsTheirMessage) {
    EXPECT_EQ(q("value_err('boom');"), "\"boom\"");
    EXPECT_EQ(q("[num_arguments_err('n'), 1];"), "[\"n\",1]");
    EXPECT_EQ(q("{e: lookup_err('gone')};"), "{\"e\":\"gone\"}");
    EXPECT_EQ(q("try(1/0);"), "\"division or modulo by zero\"");
    // The code is still there for code that asks.
    EXPECT_EQ(q("e = type_err(); [e.code(), e.msg()];"), "[-61,\"object of inappropriate type\"]");
}

// ---- sin, cos and tan of an infinity ----------------------------------------

TEST(LangRules, PeriodicFunctionsRefuseInfinity) {
    expect_err("sin(-inf);", tdb::VALUE_ERR, "math domain error");
    expect_err("cos(inf);", tdb::VALUE_ERR, "math domain error");
    expect_err("x = -inf; tan(x);", tdb::VALUE_ERR, "math domain error");
    EXPECT_EQ(q("cos(nan);"), "\"nan\"");
    EXPECT_EQ(q("sin(0);"), "0.0");
}

// ---- functions of another scope ---------------------------------------------

TEST(LangRules, FunctionsOfAnotherScopeNameIt) {
    expect_err("shutdown();", tdb::LOOKUP_ERR,
               "function `shutdown` is undefined in the `@collection` scope; you might want to "
               "query a `@node` scope?");
    expect_err("backups_info();", tdb::LOOKUP_ERR,
               "function `backups_info` is undefined in the `@thingsdb` scope; you might want "
               "to query a `@node` scope?",
               "@thingsdb");
    expect_err("has_node(1);", tdb::LOOKUP_ERR,
               "function `has_node` is undefined in the `@collection` scope; you might want to "
               "query the `@thingsdb` scope?");
    expect_err("new_collection('x');", tdb::LOOKUP_ERR,
               "function `new_collection` is undefined in the `@collection` scope; you might "
               "want to query the `@thingsdb` scope?");
    expect_err("no_such_fn();", tdb::LOOKUP_ERR, "function `no_such_fn` is undefined");
}

// ---- ThingsDB's wording of a few value errors --------------------------------

TEST(LangRules, ValueErrorWording) {
    expect_err("range(4)[1::0];", tdb::VALUE_ERR, "slice step cannot be zero");
    expect_err("datetime(0).format('x');", tdb::VALUE_ERR,
               "date/time format is restricted to a length between 2 and 80 characters");
    expect_err("timeval('12', '%Y-%m');", tdb::VALUE_ERR,
               "invalid date/time string (does not match format `%Y-%m`)");
    expect_err("timeval(nil, '%Y');", tdb::TYPE_ERR,
               "function `timeval` expects argument 1 to be of type `str` (when called with two "
               "arguments) but got type `nil` instead");
    expect_err("closure('|x| x; 2');", tdb::BAD_DATA_ERR,
               "closure is expecting exactly one statement");
}

// ---- fixed names --------------------------------------------------------------

TEST(LangRules, LogLevelsAndNoIdsAreFixedNames) {
    EXPECT_EQ(q("[CRITICAL, WARNING, DEBUG, ERROR, INFO];"), "[4,2,0,3,1]");
    EXPECT_EQ(q("NO_IDS | 1;"), "33");
}

// ---- a stored closure with side effects outside a change ----------------------

TEST(LangRules, StoredSideEffectsNeedAChange) {
    q(".adder = |v| .total = v;");
    tdb::Error e = qerr("[1, 2].map(.adder);", "@:stuff", true);
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    EXPECT_EQ(e.msg(),
              "closures with side effects require a change but none is created; use `wse(...)` "
              "to enforce a change; see https://docs.thingsdb.io/v1/collection-api/wse");
    EXPECT_EQ(qk("wse(.adder.call(3)); .total;"), "3");
}

TEST(LangRules, ArgumentTypeWording) {
    expect_err("[].extend(set());", tdb::TYPE_ERR,
               "function `extend` expects argument 1 to be of type `list` or type `tuple` but got "
               "type `set` instead");
    expect_err("base64_encode([]);", tdb::TYPE_ERR,
               "function `base64_encode` expects argument 1 to be of type `str`, `bytes` or "
               "`mpdata` but got type `list` instead");
}

// ---- future(closure, [values]) ------------------------------------------------

TEST(LangRules, FutureArgumentsFromAList) {
    EXPECT_EQ(q("future(|x, y| x * y, [6, 7]);"), "42");
    // The list's values, not the variables of the same name.
    EXPECT_EQ(q("x = 100; future(|x| x + 1, [1]);"), "2");
    EXPECT_EQ(q("future(|| 'none', []);"), "\"none\"");
    expect_err("future(|x| x, []);", tdb::NUM_ARGUMENTS_ERR,
               "number of future closure arguments must match the arguments in the provided "
               "list");
    expect_err("future(|| 1, [2]);", tdb::NUM_ARGUMENTS_ERR,
               "number of future closure arguments must match the arguments in the provided "
               "list");
    expect_err("future(|x| x, [1], 2);", tdb::NUM_ARGUMENTS_ERR,
               "function `future` expects at most 2 arguments when the first argument is of "
               "type `closure`");
    expect_err("future(|x| x, 'x');", tdb::TYPE_ERR,
               "function `future` expects argument 2 to be of type `list` or `tuple` but got "
               "type `str` instead");
}

// ---- `x[]` is the whole slice ---------------------------------------------------

TEST(LangRules, EmptyIndexIsTheWholeSlice) {
    EXPECT_EQ(q("[5, 6, 7][];"), "[5,6,7]");
    EXPECT_EQ(q("'abc'[];"), "\"abc\"");
    EXPECT_EQ(q("l = [3, 4]; l[] = ['a', 'b', 'c']; l;"), "[\"a\",\"b\",\"c\"]");
    EXPECT_EQ(q(".l = range(4); .l[] = []; .l;"), "[]");
    expect_err("l = [1]; l[] += [2];", tdb::TYPE_ERR,
               "unsupported operand type `+=` for slice assignments");
    expect_err("l = [1]; l[1:] = 'x';", tdb::TYPE_ERR,
               "slice assignments require a `list` or `tuple` type but got type `str` instead");
}
