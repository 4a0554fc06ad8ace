// The language itself: literals, names, operators and their precedence,
// control flow, closures and ThingsDB's error messages for each.
#include <gtest/gtest.h>

#include "harness.h"
#include "core/lang/ast.h"

using tdb::Error;

namespace {

void expect_syntax(const std::string& code, const std::string& msg) {
    expect_err(code, tdb::SYNTAX_ERR, msg);
}

}  // namespace

// ---- comments and statements ---------------------------------------------

TEST(Lang, Comments) {
    EXPECT_EQ(q("// a line comment\n1"), "1");
    EXPECT_EQ(q("1 // trailing"), "1");
    EXPECT_EQ(q("/* block */ 2"), "2");
    EXPECT_EQ(q("1 + /* inside\n an expression */ 2"), "3");
    EXPECT_EQ(q("/* multi\nline\n*/ 'x'"), "\"x\"");
    EXPECT_EQ(q("'// not a comment'"), "\"// not a comment\"");
    EXPECT_EQ(q("x = 1; // x = 2;\nx"), "1");
    expect_syntax("/* never closed", "error at line 1, position 0, unexpected character `/`");
}

TEST(Lang, StatementsAndResult) {
    EXPECT_EQ(q(""), "null");
    EXPECT_EQ(q("1; 2; 3"), "3");
    EXPECT_EQ(q("1; 2; 3;"), "3");
    EXPECT_EQ(q("1;; 2"), "2");
    expect_syntax(";1",
                  "error at line 1, position 0, unexpected character `;`, expecting: if, return, "
                  "for or end_of_statement");
}

// ---- integer literals -----------------------------------------------------

TEST(Lang, IntegerLiterals) {
    EXPECT_EQ(q("42"), "42");
    EXPECT_EQ(q("0"), "0");
    EXPECT_EQ(q("-42"), "-42");
    EXPECT_EQ(q("+42"), "42");
    EXPECT_EQ(q("0x1F"), "31");
    EXPECT_EQ(q("0xff"), "255");
    EXPECT_EQ(q("-0x10"), "-16");
    EXPECT_EQ(q("0o17"), "15");
    EXPECT_EQ(q("0b101"), "5");
    EXPECT_EQ(q("-0b11"), "-3");
    EXPECT_EQ(q("9223372036854775807"), "9223372036854775807");
    EXPECT_EQ(q("-9223372036854775808"), "-9223372036854775808");
    EXPECT_EQ(q("0x7fffffffffffffff"), "9223372036854775807");
    EXPECT_EQ(q("type(1)"), "\"int\"");
}

TEST(Lang, IntegerLiteralOverflow) {
    expect_err("9223372036854775808", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("-9223372036854775809", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("0x8000000000000000", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("99999999999999999999999", tdb::OVERFLOW_ERR, "integer overflow");
}

TEST(Lang, BadNumbers) {
    // ThingsDB's number regexes fail as a whole when a name character or a
    // dot follows: the error is at the start of the literal.
    expect_syntax("0b102",
                  "error at line 1, position 0, unexpected character `0`, expecting: if, return, "
                  "for or end_of_statement");
    expect_syntax("12abc",
                  "error at line 1, position 0, unexpected `12`, expecting: if, return, for or "
                  "end_of_statement");
    expect_syntax("1e5",
                  "error at line 1, position 0, unexpected character `1`, expecting: if, return, "
                  "for or end_of_statement");
    expect_syntax("x = 0x", "error at line 1, position 4, unexpected character `0`");
}

// ---- float literals -------------------------------------------------------

TEST(Lang, FloatLiterals) {
    EXPECT_EQ(q("1.5"), "1.5");
    EXPECT_EQ(q("-1.5"), "-1.5");
    EXPECT_EQ(q("+0.25"), "0.25");
    EXPECT_EQ(q(".5"), "0.5");
    EXPECT_EQ(q("1.0"), "1.0");
    EXPECT_EQ(q("1.5e+3"), "1500.0");
    EXPECT_EQ(q("1.0e+16"), "1e+16");
    EXPECT_EQ(q("0.00001"), "1e-05");
    EXPECT_EQ(q("0.0001"), "0.0001");
    expect_syntax("1.5e3",
                  "error at line 1, position 0, unexpected character `1`, expecting: if, return, "
                  "for or end_of_statement");  // the sign is required
    expect_syntax("1.5.x",
                  "error at line 1, position 0, unexpected character `1`, expecting: if, return, "
                  "for or end_of_statement");
    EXPECT_EQ(q("2.5e-1"), "0.25");
    EXPECT_EQ(q("type(1.0)"), "\"float\"");
    EXPECT_EQ(q("type(1)"), "\"int\"");  // no dot: an int
    EXPECT_EQ(q("inf"), "\"inf\"");
    EXPECT_EQ(q("-inf"), "\"-inf\"");
    EXPECT_EQ(q("type(inf)"), "\"float\"");
    EXPECT_EQ(q("is_inf(-inf)"), "true");
    EXPECT_EQ(q("is_nan(nan)"), "true");
    EXPECT_EQ(q("nan == nan"), "false");
    expect_syntax("x = 1e300",
                  "error at line 1, position 4, unexpected character `1`");  // a dot is required
}

// ---- strings and templates -----------------------------------------------

TEST(Lang, Strings) {
    EXPECT_EQ(q("'hello'"), "\"hello\"");
    EXPECT_EQ(q("\"hello\""), "\"hello\"");
    EXPECT_EQ(q("''"), "\"\"");
    EXPECT_EQ(q("'it''s'"), "\"it's\"");
    EXPECT_EQ(q("\"say \"\"hi\"\"\""), "\"say \\\"hi\\\"\"");
    EXPECT_EQ(q("'a \"b\"'"), "\"a \\\"b\\\"\"");
    EXPECT_EQ(q("\"it's\""), "\"it's\"");
    EXPECT_EQ(q("'a\\nb'"), "\"a\\\\nb\"");  // no backslash escapes
    EXPECT_EQ(q("'line\nbreak'"), "\"line\\nbreak\"");
    EXPECT_EQ(q("'''' .len()"), "1");
    expect_syntax("'open",
                  "error at line 1, position 0, unexpected character `'`, expecting: if, return, "
                  "for or end_of_statement");
}

TEST(Lang, Templates) {
    EXPECT_EQ(q("name = 'world'; `Hello {name}!`"), "\"Hello world!\"");
    EXPECT_EQ(q("`{1 + 2} and {'x'.upper()}`"), "\"3 and X\"");
    EXPECT_EQ(q("``"), "\"\"");
    EXPECT_EQ(q("`plain`"), "\"plain\"");
    EXPECT_EQ(q("`{{literal}}`"), "\"{literal}\"");
    EXPECT_EQ(q("`a``b`"), "\"a`b\"");
    EXPECT_EQ(q("`{nil} {true} {1.5}`"), "\"nil true 1.5\"");
    EXPECT_EQ(q("type(`x`)"), "\"str\"");
    expect_err("x = 1; `{y}`", tdb::LOOKUP_ERR, "variable `y` is undefined");
}

// ---- regex literals -------------------------------------------------------

TEST(Lang, RegexLiterals) {
    EXPECT_EQ(q("type(/ab+c/)"), "\"regex\"");
    EXPECT_EQ(q("/ab+c/i"), "\"/ab+c/i\"");
    EXPECT_EQ(q("'xABBCx'.test(/ab+c/i)"), "true");
    EXPECT_EQ(q("'xABBCx'.test(/ab+c/)"), "false");
    EXPECT_EQ(q("'a/b'.test(/a\\/b/)"), "true");
    EXPECT_EQ(q("/a/ == /a/"), "true");
    EXPECT_EQ(q("/a/ == /a/i"), "false");
    EXPECT_EQ(q("bool(/x/)"), "true");
}

// ---- nil, true, false, names --------------------------------------------

TEST(Lang, Keywords) {
    EXPECT_EQ(q("nil"), "null");
    EXPECT_EQ(q("true"), "true");
    EXPECT_EQ(q("false"), "false");
    EXPECT_EQ(q("type(nil)"), "\"nil\"");
    EXPECT_EQ(q("type(true)"), "\"bool\"");
    EXPECT_EQ(q("nil_x = 1; nil_x"), "1");
    EXPECT_EQ(q("trueish = 2; trueish"), "2");
    EXPECT_EQ(q("_a1 = 3; _a1"), "3");
}

// ---- things and lists -----------------------------------------------------

TEST(Lang, ThingLiterals) {
    EXPECT_EQ(q("{}"), "{}");
    EXPECT_EQ(q("{a: 1, b: 'two'}"), "{\"a\":1,\"b\":\"two\"}");
    EXPECT_EQ(q("{a: 1, b: 2,}"), "{\"a\":1,\"b\":2}");
    EXPECT_EQ(q("{a: {b: 1}}.a.b"), "1");
    EXPECT_EQ(q("a = 5; b = 6; {a:, b:}"), "{\"a\":5,\"b\":6}");
    EXPECT_EQ(q("a = 5; {a:, c: 1}"), "{\"a\":5,\"c\":1}");
    EXPECT_EQ(q("{a: 1, a: 2}"), "{\"a\":2}");
    EXPECT_EQ(q("type({})"), "\"thing\"");
    expect_err("{a:}", tdb::LOOKUP_ERR, "variable `a` is undefined");
    expect_syntax("{a: 1 b: 2}", "error at line 1, position 6, unexpected character `b`");
}

TEST(Lang, ListLiterals) {
    EXPECT_EQ(q("[]"), "[]");
    EXPECT_EQ(q("[1, 'a', nil, true, 1.5]"), "[1,\"a\",null,true,1.5]");
    EXPECT_EQ(q("[1, 2,]"), "[1,2]");
    EXPECT_EQ(q("[[1, 2], [3]]"), "[[1,2],[3]]");
    EXPECT_EQ(q("type([])"), "\"list\"");
    EXPECT_EQ(q("type([[]][0])"), "\"tuple\"");               // a list nested in a list is a tuple
    EXPECT_EQ(q("x = [[1]][0]; type(x)"), "\"list\"");        // a variable holds a list again
    EXPECT_EQ(q("l = [1]; m = [l]; l.push(2); m"), "[[1]]");  // copied into the list
    expect_syntax("[1 2]", "error at line 1, position 3, unexpected character `2`");
    expect_syntax("[1,", "error at line 1, position 3");
}

TEST(Lang, ThingById) {
    fresh_storage();
    EXPECT_EQ(qk(".x = {n: 7}; .x.id()"), "2");
    EXPECT_EQ(qk("#2"), "{\"#\":2,\"n\":7}");
    EXPECT_EQ(qk("#2.n"), "7");
    EXPECT_EQ(qk("thing(2).n"), "7");
    EXPECT_EQ(qk("#1 == ."), "true");
    EXPECT_EQ(qk("thing(#2) == #2"), "true");
    Error e = qerr("#99", "@:stuff", true);
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(), "collection `stuff` has no `thing` with id 99");
    e = qerr("thing(99)", "@:stuff", true);
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(), "collection `stuff` has no `thing` with id 99");
}

// ---- properties and assignment ---------------------------------------------

TEST(Lang, RootProperties) {
    EXPECT_EQ(q(".a = 1; .a"), "1");
    EXPECT_EQ(q(".a = 1"), "1");  // an assignment yields the value
    EXPECT_EQ(q(".a = 1; .b = .a + 1; .b"), "2");
    EXPECT_EQ(q("."), "{\"#\":1}");
    EXPECT_EQ(q(".a = 1; ."), "{\"#\":1,\"a\":1}");
    EXPECT_EQ(q(".a = {b: {c: 3}}; .a.b.c"), "3");
    EXPECT_EQ(q(".a = {}; .a.b = 4; .a.b"), "4");
    EXPECT_EQ(q(".id()"), "1");
    EXPECT_EQ(q("t = {}; t.x = 2; t"), "{\"x\":2}");
    EXPECT_EQ(q("t = {}; t['x'] = 2; t['x']"), "2");
    EXPECT_EQ(q(".a = 1; .a = 'b'; .a"), "\"b\"");
}

TEST(Lang, Variables) {
    EXPECT_EQ(q("x = 1; x"), "1");
    EXPECT_EQ(q("x = y = 2; [x, y]"), "[2,2]");
    EXPECT_EQ(q("x = 1; x = x + 1; x"), "2");
    EXPECT_EQ(q("a = [1]; b = a; b.push(2); a"), "[1,2]");  // lists are shared by variables
    expect_err("x", tdb::LOOKUP_ERR, "variable `x` is undefined");
    expect_err("x += 1", tdb::LOOKUP_ERR, "variable `x` is undefined");
}

TEST(Lang, CompoundAssignment) {
    EXPECT_EQ(q("x = 10; x += 5; x"), "15");
    EXPECT_EQ(q("x = 10; x -= 5; x"), "5");
    EXPECT_EQ(q("x = 10; x *= 5; x"), "50");
    EXPECT_EQ(q("x = 10; x /= 4; x"), "2");
    EXPECT_EQ(q("x = 10; x %= 4; x"), "2");
    EXPECT_EQ(q("x = 6; x &= 3; x"), "2");
    EXPECT_EQ(q("x = 6; x ^= 3; x"), "5");
    EXPECT_EQ(q("x = 6; x |= 3; x"), "7");
    EXPECT_EQ(q("x = 's'; x += 't'; x"), "\"st\"");
    EXPECT_EQ(q("x = 1; x += 1"), "2");
    EXPECT_EQ(q(".n = 1; .n += 2; .n"), "3");
    EXPECT_EQ(q(".n = 7; .n %= 4; .n *= 10; .n"), "30");
    EXPECT_EQ(q("t = {n: 1}; t.n -= 3; t.n"), "-2");
    EXPECT_EQ(q("t = {n: 1}; t['n'] += 3; t.n"), "4");
    EXPECT_EQ(q("l = [1, 2]; l[1] *= 10; l"), "[1,20]");
    EXPECT_EQ(q("x = 1; f = || x += 1; f(); f(); x"), "3");
    expect_err("x = 9223372036854775807; x += 1", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("x = 1; x /= 0", tdb::ZERO_DIV_ERR, "division or modulo by zero");
    expect_err(".n += 1", tdb::LOOKUP_ERR, "thing `#1` has no property `n`");
    expect_err("x = 'a'; x -= 1", tdb::TYPE_ERR, "`-` not supported between `str` and `int`");
}

// ---- indexing and slices --------------------------------------------------

TEST(Lang, Indexing) {
    EXPECT_EQ(q("[1, 2, 3][0]"), "1");
    EXPECT_EQ(q("[1, 2, 3][-1]"), "3");
    EXPECT_EQ(q("'abc'[1]"), "\"b\"");
    EXPECT_EQ(q("'abc'[-3]"), "\"a\"");
    EXPECT_EQ(q("{a: 1}['a']"), "1");
    EXPECT_EQ(q("[[1, 2]][0][1]"), "2");
    expect_err("[1][1]", tdb::LOOKUP_ERR, "index out of range");
    expect_err("[1][-2]", tdb::LOOKUP_ERR, "index out of range");
    expect_err("'a'[5]", tdb::LOOKUP_ERR, "index out of range");
    expect_err("[1]['a']", tdb::TYPE_ERR,
               "expecting an index of type `int` but got type `str` instead");
    expect_err("{}[0]", tdb::TYPE_ERR,
               "expecting an index of type `str` but got type `int` instead");
    expect_err("{}['a']", tdb::LOOKUP_ERR, "thing `#0` has no property `a`");
    expect_err("1[0]", tdb::TYPE_ERR, "type `int` is not indexable");
    expect_err("nil[0]", tdb::TYPE_ERR, "type `nil` is not indexable");
}

TEST(Lang, IndexAssignment) {
    EXPECT_EQ(q("l = [1, 2, 3]; l[0] = 'a'; l"), "[\"a\",2,3]");
    EXPECT_EQ(q("l = [1, 2, 3]; l[-1] = 9; l"), "[1,2,9]");
    EXPECT_EQ(q("l = [1]; l[0] = 5"), "5");
    EXPECT_EQ(q(".l = [1, 2]; .l[0] = 7; .l"), "[7,2]");
    EXPECT_EQ(q("l = [[1]]; l[0] = [2, 3]; type(l[0])"), "\"tuple\"");
    expect_err("l = [1]; l[1] = 2", tdb::LOOKUP_ERR, "index out of range");
    expect_err("l = [[1]]; l[0][0] = 2", tdb::TYPE_ERR,
               "type `tuple` does not support index assignments");
    expect_err("s = 'abc'; s[0] = 'x'", tdb::TYPE_ERR,
               "type `str` does not support index assignments");
    expect_err("x = 1; x[0] = 1", tdb::TYPE_ERR, "type `int` is not indexable");
}

TEST(Lang, Slices) {
    EXPECT_EQ(q("[0, 1, 2, 3, 4][1:3]"), "[1,2]");
    EXPECT_EQ(q("[0, 1, 2, 3, 4][:2]"), "[0,1]");
    EXPECT_EQ(q("[0, 1, 2, 3, 4][3:]"), "[3,4]");
    EXPECT_EQ(q("[0, 1, 2, 3, 4][:]"), "[0,1,2,3,4]");
    EXPECT_EQ(q("[0, 1, 2, 3, 4][-2:]"), "[3,4]");
    EXPECT_EQ(q("[0, 1, 2, 3, 4][::2]"), "[0,2,4]");
    EXPECT_EQ(q("[0, 1, 2, 3, 4][::-1]"), "[4,3,2,1,0]");
    EXPECT_EQ(q("[0, 1, 2, 3, 4][3:1:-1]"), "[3,2]");
    EXPECT_EQ(q("[0, 1, 2][5:9]"), "[]");
    EXPECT_EQ(q("[0, 1, 2][nil:nil]"), "[0,1,2]");
    EXPECT_EQ(q("'hello'[1:3]"), "\"el\"");
    EXPECT_EQ(q("'hello'[::-1]"), "\"olleh\"");
    EXPECT_EQ(q("type([[1, 2]][0][:])"), "\"list\"");
    expect_err("[1][::0]", tdb::VALUE_ERR, "slice step cannot be zero");
    expect_err("1[0:1]", tdb::TYPE_ERR, "type `int` has no slice support");
}

TEST(Lang, SliceAssignment) {
    EXPECT_EQ(q("l = [0, 1, 2, 3]; l[1:3] = ['a']; l"), "[0,\"a\",3]");
    EXPECT_EQ(q("l = [0, 1]; l[1:1] = [7, 8]; l"), "[0,7,8,1]");
    EXPECT_EQ(q("l = [0, 1]; l[:] = []; l"), "[]");
    EXPECT_EQ(q("l = [0, 1]; l[5:] = [2]; l"), "[0,1,2]");
    EXPECT_EQ(q(".l = [1, 2, 3]; .l[0:2] = [9]; .l"), "[9,3]");
    expect_err("l = [0, 1]; l[::2] = [1]", tdb::VALUE_ERR,
               "slice assignments require a step value of 1 but got 2 instead");
    expect_err("l = [0, 1]; l[0:1] = 5", tdb::TYPE_ERR,
               "slice assignments require a `list` or `tuple` type but got type `int` instead");
    expect_err("s = 'ab'; s[0:1] = ['x']", tdb::TYPE_ERR,
               "type `str` does not support index assignments");
}

// ---- optional chaining ----------------------------------------------------

TEST(Lang, OptionalChaining) {
    EXPECT_EQ(q("x = nil; x..a"), "null");
    EXPECT_EQ(q("x = nil; x..a..b"), "null");
    EXPECT_EQ(q("x = nil; x..len()"), "null");
    EXPECT_EQ(q("t = {a: {b: 2}}; t..a..b"), "2");
    EXPECT_EQ(q("t = {}; t..a"), "null");
    EXPECT_EQ(q("t = {}; t..f()"), "null");
    expect_err(".a..b", tdb::LOOKUP_ERR,
               "thing `#1` has no property `a`");  // only the `..` step is optional
    expect_err("x = nil; x.a", tdb::TYPE_ERR, "type `nil` has no properties");
    expect_err("x = 1; x..a", tdb::TYPE_ERR, "type `int` has no properties");
}

// ---- functions, methods, closures -----------------------------------------

TEST(Lang, FunctionsAndMethods) {
    EXPECT_EQ(q("[1, 2].len()"), "2");
    EXPECT_EQ(q("'abc'.upper().lower()"), "\"abc\"");
    EXPECT_EQ(q("type( 1 )"), "\"int\"");
    EXPECT_EQ(q("[3, 1, 2].sort().reverse()"), "[3,2,1]");
    expect_err("nope()", tdb::LOOKUP_ERR, "function `nope` is undefined");
    expect_err("x = 1; x.nope()", tdb::LOOKUP_ERR, "type `int` has no function `nope`");
    expect_syntax("1.nope()",
                  "error at line 1, position 0, unexpected character `1`, expecting: if, return, "
                  "for or end_of_statement");  // no chain on a number literal
    expect_err("'a'.nope()", tdb::LOOKUP_ERR, "type `str` has no function `nope`");
    expect_err("{}.nope()", tdb::LOOKUP_ERR, "thing `#0` has no property or method `nope`");
    expect_err("{p: 1}.p()", tdb::TYPE_ERR, "property `p` is of type `int` and is not callable");
    expect_err("x = 1; x()", tdb::TYPE_ERR, "variable `x` is of type `int` and is not callable");
    expect_err("type()", tdb::NUM_ARGUMENTS_ERR,
               "function `type` takes 1 argument but 0 were given");
}

TEST(Lang, Closures) {
    EXPECT_EQ(q("f = |x| x * 2; f(21)"), "42");
    EXPECT_EQ(q("f = |a, b| a + b; f(1, 2)"), "3");
    EXPECT_EQ(q("f = || 7; f()"), "7");
    EXPECT_EQ(q("f = |a, b| [a, b]; f(1)"), "[1,null]");  // missing arguments are nil
    EXPECT_EQ(q("f = |a| a; f(1, 2)"), "1");              // extra ones are ignored
    EXPECT_EQ(q("f = |x| x; f(1, nope)"), "1");           // ... and not evaluated
    EXPECT_EQ(q("|x| x + 1"), "\"|x| x + 1\"");           // a closure keeps its source
    EXPECT_EQ(q("type(||nil)"), "\"closure\"");
    EXPECT_EQ(q("[1, 2, 3].map(|x| x * x)"), "[1,4,9]");
    EXPECT_EQ(q("t = {f: |x| x + 1}; t.f(1)"), "2");
    EXPECT_EQ(q("f = |x| {y = x * 2; y + 1}; f(3)"), "7");
    // closures see the variables of the query; their own stay local
    EXPECT_EQ(q("a = 10; f = |x| a + x; f(1)"), "11");
    EXPECT_EQ(q("f = |x| {inner = x}; f(1); try(inner).code()"), "-54");
    EXPECT_EQ(q("x = 1; f = |x| x; [f(5), x]"), "[5,1]");
    // recursion through a variable
    EXPECT_EQ(q("fac = |n| n <= 1 ? 1 : n * fac(n - 1); fac(10)"), "3628800");
    EXPECT_EQ(q("f = |x| {return x * 2; 0}; f(4)"), "8");  // return ends only the closure
}

TEST(Lang, Blocks) {
    EXPECT_EQ(q("{1; 2; 3}"), "3");
    EXPECT_EQ(q("x = {a = 1; a + 1}; x"), "2");
    EXPECT_EQ(q("{x = 5}; x"), "5");
    EXPECT_EQ(q("{ 'a' }"), "\"a\"");
    expect_syntax("{1; 2", "error at line 1, position 5, expecting: ; or }");
}

// ---- control flow ---------------------------------------------------------

TEST(Lang, IfElse) {
    EXPECT_EQ(q("x = 0; if (true) x = 1; x"), "1");
    EXPECT_EQ(q("x = 0; if (false) x = 1; x"), "0");
    EXPECT_EQ(q("x = 0; if (0) x = 1 else x = 2; x"), "2");
    EXPECT_EQ(q("x = 0; if (0) x = 1; else x = 2; x"), "2");
    EXPECT_EQ(q("x = 0; if ([]) {x = 1} else if ('a') {x = 2} else {x = 3}; x"), "2");
    EXPECT_EQ(q("if (true) 1"), "null");  // if is a statement: its value is nil
    EXPECT_EQ(q("x = 'n'; if (nil) {x = 'y'}; x"), "\"n\"");
    expect_syntax("if true 1", "error at line 1, position 3, unexpected `true`");
}

TEST(Lang, Ternary) {
    EXPECT_EQ(q("true ? 1 : 2"), "1");
    EXPECT_EQ(q("0 ? 1 : 2"), "2");
    EXPECT_EQ(q("x = 5; x > 3 ? 'big' : 'small'"), "\"big\"");
    EXPECT_EQ(q("false ? 1 : true ? 2 : 3"), "2");
    EXPECT_EQ(q("1 + 1 == 2 ? 'y' : 'n'"), "\"y\"");
    EXPECT_EQ(q("x = true ? 1 : 2; x"), "1");
    expect_err("true ? nope : 1", tdb::LOOKUP_ERR, "variable `nope` is undefined");
    EXPECT_EQ(q("false ? nope : 1"), "1");
}

TEST(Lang, ForIn) {
    EXPECT_EQ(q("s = 0; for (x in [1, 2, 3]) s += x; s"), "6");
    EXPECT_EQ(q("s = []; for (x, i in ['a', 'b']) s.push(i); s"), "[0,1]");
    EXPECT_EQ(q("s = []; for (k, v in {a: 1, b: 2}) s.push([k, v]); s"), "[[\"a\",1],[\"b\",2]]");
    EXPECT_EQ(q("s = []; for (k in {a: 1, b: 2}) s.push(k); s"), "[\"a\",\"b\"]");
    EXPECT_EQ(q("n = 0; for (t in set([{a: 1}, {a: 2}])) n += t.a; n"), "3");
    EXPECT_EQ(q("for (x in []) nope(); 1"), "1");
    EXPECT_EQ(q("for (x in [1]) x"), "null");
    EXPECT_EQ(q("s = 0; for (x in range(5)) {s += x}; s"), "10");
    EXPECT_EQ(q("r = []; for (x in [[1, 2]]) {x.push(3); r.push(x)}; r"),
              "[[1,2,3]]");  // tuples loop as lists
    expect_err("for (x in 1) nil", tdb::TYPE_ERR, "type `int` is not iterable");
    expect_err("for (x in nil) nil", tdb::TYPE_ERR, "type `nil` is not iterable");
    expect_err("l = [1, 2]; for (x in l) l.push(x)", tdb::OPERATION_ERR,
               "cannot change type `list` while the value is in use");
    expect_err("t = {a: 1}; for (k in t) t.b = 1", tdb::OPERATION_ERR,
               "cannot change type `thing` while the value is in use");
}

TEST(Lang, BreakContinue) {
    EXPECT_EQ(q("s = 0; for (x in range(10)) {if (x == 3) break; s += x}; s"), "3");
    EXPECT_EQ(q("s = 0; for (x in range(5)) {if (x % 2) continue; s += x}; s"), "6");
    EXPECT_EQ(q("s = []; for (a in [1, 2]) {for (b in [1, 2, 3]) {if (b == 2) break; s.push([a, "
                "b])}}; s"),
              "[[1,1],[2,1]]");
    EXPECT_EQ(q("s = []; for (k, v in {a: 1, b: 2, c: 3}) {if (v == 2) continue; s.push(k)}; s"),
              "[\"a\",\"c\"]");
}

TEST(Lang, Return) {
    EXPECT_EQ(q("return 1; 2"), "1");
    EXPECT_EQ(q("for (x in range(5)) {if (x == 2) return x}; 99"), "2");
    EXPECT_EQ(q("{return 'a'}; 'b'"), "\"a\"");
    EXPECT_EQ(q("if (true) return 5; 6"), "5");
    EXPECT_EQ(q("return(1 + 1)"), "2");
    EXPECT_EQ(q("return (1) + 1"), "2");
}

TEST(Lang, ReturnDeep) {
    const char* nested = "t = {a: {b: {c: {}}}}; ";
    EXPECT_EQ(q(std::string(nested) + "t"), "{\"a\":{}}");
    EXPECT_EQ(q(std::string(nested) + "return t, 0"), "{}");
    EXPECT_EQ(q(std::string(nested) + "return t, 2"), "{\"a\":{\"b\":{}}}");
    EXPECT_EQ(q(std::string(nested) + "return t, 3"), "{\"a\":{\"b\":{\"c\":{}}}}");
    EXPECT_EQ(q(std::string(nested) + "return(t, 2)"), "{\"a\":{\"b\":{}}}");
    EXPECT_EQ(q(".a = {b: {}}; return ., 2"), "{\"#\":1,\"a\":{\"#\":2,\"b\":{\"#\":3}}}");
    EXPECT_EQ(q(".a = {b: {}}; ."), "{\"#\":1,\"a\":{\"#\":2}}");
    EXPECT_EQ(q("return [{a: {}}], 1"), "[{\"a\":{}}]");  // lists do not use a level
    expect_err("return 1, 'x'", tdb::TYPE_ERR,
               "expecting `deep` to be of type `int` but got type `str` instead");
    expect_err("return 1, 128", tdb::VALUE_ERR,
               "expecting a `deep` value between 0 and 127 but got 128 instead");
    expect_err("return 1, -1", tdb::VALUE_ERR,
               "expecting a `deep` value between 0 and 127 but got -1 instead");
}

// ---- operators --------------------------------------------------------------

TEST(Lang, Arithmetic) {
    EXPECT_EQ(q("1 + 2"), "3");
    EXPECT_EQ(q("1 - 5"), "-4");
    EXPECT_EQ(q("6 * 7"), "42");
    EXPECT_EQ(q("7 / 2"), "3");    // int / int is an int
    EXPECT_EQ(q("-7 / 2"), "-3");  // truncating
    EXPECT_EQ(q("7.0 / 2"), "3.5");
    EXPECT_EQ(q("7 / 2.0"), "3.5");
    EXPECT_EQ(q("7 % 3"), "1");
    EXPECT_EQ(q("-7 % 3"), "-1");  // the sign follows the dividend
    EXPECT_EQ(q("7 % -3"), "1");
    EXPECT_EQ(q("7.5 % 2"), "1");  // floats are truncated to ints
    EXPECT_EQ(q("1 + 1.5"), "2.5");
    EXPECT_EQ(q("true + true"), "2");
    EXPECT_EQ(q("true * 3"), "3");
    EXPECT_EQ(q("1.5 - true"), "0.5");
    EXPECT_EQ(q("'ab' + 'cd'"), "\"abcd\"");
    EXPECT_EQ(q("-(1 + 2)"), "-3");
    EXPECT_EQ(q("- -3"), "3");
    EXPECT_EQ(q("x = 3; -x"), "-3");
    EXPECT_EQ(q("-true"), "-1");
    EXPECT_EQ(q("!0"), "true");
    EXPECT_EQ(q("!!'a'"), "true");
    EXPECT_EQ(q("![]"), "true");
    EXPECT_EQ(q("1-1"), "0");
    EXPECT_EQ(q("x = 2; x-1"), "1");
}

TEST(Lang, ArithmeticErrors) {
    expect_err("1 + nil", tdb::TYPE_ERR, "`+` not supported between `int` and `nil`");
    expect_err("'a' + 1", tdb::TYPE_ERR, "`+` not supported between `str` and `int`");
    expect_err("[1] + [2]", tdb::TYPE_ERR, "`+` not supported between `list` and `list`");
    expect_err("'a' - 'b'", tdb::TYPE_ERR, "`-` not supported between `str` and `str`");
    expect_err("'a' * 2", tdb::TYPE_ERR, "`*` not supported between `str` and `int`");
    expect_err("{} / 1", tdb::TYPE_ERR, "`/` not supported between `thing` and `int`");
    expect_err("1 % 'a'", tdb::TYPE_ERR, "`%` not supported between `int` and `str`");
    expect_err("1.5 & 1", tdb::TYPE_ERR, "bitwise `&` not supported between `float` and `int`");
    expect_err("1 ^ 'a'", tdb::TYPE_ERR, "bitwise `^` not supported between `int` and `str`");
    expect_err("nil | 1", tdb::TYPE_ERR, "bitwise `|` not supported between `nil` and `int`");
    expect_err("-'a'", tdb::TYPE_ERR, "operation not supported by type `str`");
}

TEST(Lang, IntegerOverflow) {
    expect_err("9223372036854775807 + 1", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("-9223372036854775807 - 2", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("3037000500 * 3037000500", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("x = -9223372036854775807 - 1; x / -1", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("x = -9223372036854775807 - 1; -x", tdb::OVERFLOW_ERR, "integer overflow");
    EXPECT_EQ(q("9223372036854775807 + 0.0"), "9.223372036854776e+18");
    EXPECT_EQ(q("-9223372036854775807 - 1"), "-9223372036854775808");
    EXPECT_EQ(q("x = -9223372036854775807 - 1; x % -1"), "0");
}

TEST(Lang, ZeroDivision) {
    expect_err("1 / 0", tdb::ZERO_DIV_ERR, "division or modulo by zero");
    expect_err("1 % 0", tdb::ZERO_DIV_ERR, "division or modulo by zero");
    expect_err("1.0 / 0", tdb::ZERO_DIV_ERR, "division or modulo by zero");
    expect_err("1 / 0.0", tdb::ZERO_DIV_ERR, "division or modulo by zero");
    expect_err("1 / false", tdb::ZERO_DIV_ERR, "division or modulo by zero");
    expect_err("5 % 0.5", tdb::ZERO_DIV_ERR, "division or modulo by zero");
}

TEST(Lang, Bitwise) {
    EXPECT_EQ(q("6 & 3"), "2");
    EXPECT_EQ(q("6 ^ 3"), "5");
    EXPECT_EQ(q("6 | 3"), "7");
    EXPECT_EQ(q("true & true"), "1");  // always an int
    EXPECT_EQ(q("true | 2"), "3");
    EXPECT_EQ(q("-1 & 0xff"), "255");
}

TEST(Lang, LogicalOperatorsReturnAnOperand) {
    EXPECT_EQ(q("1 && 2"), "2");
    EXPECT_EQ(q("0 && 2"), "0");
    EXPECT_EQ(q("'' && nope"), "\"\"");  // short-circuit: the right side is not run
    EXPECT_EQ(q("0 || 'x'"), "\"x\"");
    EXPECT_EQ(q("'a' || nope"), "\"a\"");
    EXPECT_EQ(q("nil || []"), "[]");
    EXPECT_EQ(q("nil || nil"), "null");
    EXPECT_EQ(q("[] && 1"), "[]");
    EXPECT_EQ(q("1 || 0 && 0"), "1");  // && binds tighter than ||
    EXPECT_EQ(q("(1 || 0) && 0"), "0");
    EXPECT_EQ(q("!1 || 2"), "2");
}

TEST(Lang, Precedence) {
    EXPECT_EQ(q("1 + 2 * 3"), "7");
    EXPECT_EQ(q("(1 + 2) * 3"), "9");
    EXPECT_EQ(q("10 - 4 - 3"), "3");  // left associative
    EXPECT_EQ(q("100 / 10 / 5"), "2");
    EXPECT_EQ(q("2 * 3 % 4"), "2");  // same level, left to right
    EXPECT_EQ(q("1 + 6 % 4"), "3");
    EXPECT_EQ(q("1 + 2 & 3"), "3");      // + before &
    EXPECT_EQ(q("1 | 2 == 3"), "true");  // bitwise before comparison
    EXPECT_EQ(q("4 & 6 == 4"), "true");
    EXPECT_EQ(q("1 | 2 ^ 3"), "1");  // ^ before |
    EXPECT_EQ(q("6 & 3 ^ 1"), "3");  // & before ^
    EXPECT_EQ(q("2 | 4 & 6"), "6");
    EXPECT_EQ(q("1 < 2 == true"), "true");  // comparisons: one level, left to right
    EXPECT_EQ(q("1 < 2 && 2 < 3"), "true");
    EXPECT_EQ(q("1 == 1 || 1 / 0"), "true");
    EXPECT_EQ(q("x = 1 + 2 * 3 > 6 ? 'a' : 'b'; x"), "\"a\"");
    EXPECT_EQ(q("-2 * 3"), "-6");
    EXPECT_EQ(q("!0 + 1"), "2");  // `!` applies to its operand only
    EXPECT_EQ(q("[1, 2].len() * 2"), "4");
}

TEST(Lang, Equality) {
    EXPECT_EQ(q("1 == 1"), "true");
    EXPECT_EQ(q("1 == 1.0"), "true");
    EXPECT_EQ(q("1 == true"), "true");
    EXPECT_EQ(q("0 == false"), "true");
    EXPECT_EQ(q("0 == nil"), "false");
    EXPECT_EQ(q("nil == nil"), "true");
    EXPECT_EQ(q("nil != false"), "true");
    EXPECT_EQ(q("'a' == 'a'"), "true");
    EXPECT_EQ(q("'a' == 'A'"), "false");
    EXPECT_EQ(q("'1' == 1"), "false");
    EXPECT_EQ(q("[1, [2]] == [1, [2]]"), "true");
    EXPECT_EQ(q("[1] == [1, 2]"), "false");
    EXPECT_EQ(q("{} == {}"), "false");  // things compare by identity
    EXPECT_EQ(q("t = {}; t == t"), "true");
    EXPECT_EQ(q("a = {}; set([a]) == set([a])"), "true");
    EXPECT_EQ(q("err(-100, 'a') == err(-100, 'b')"), "true");  // errors compare codes
    EXPECT_EQ(q("f = ||1; f == f"), "true");
    EXPECT_EQ(q("1 != 2"), "true");
    EXPECT_EQ(q("'ab' != 'ab'"), "false");
}

TEST(Lang, Ordering) {
    EXPECT_EQ(q("1 < 2"), "true");
    EXPECT_EQ(q("2 <= 2"), "true");
    EXPECT_EQ(q("3 > 2.5"), "true");
    EXPECT_EQ(q("true > false"), "true");
    EXPECT_EQ(q("false < 0.5"), "true");
    EXPECT_EQ(q("2 >= 3"), "false");
    EXPECT_EQ(q("'a' < 'b'"), "true");
    EXPECT_EQ(q("'ab' < 'abc'"), "true");  // a prefix is smaller
    EXPECT_EQ(q("'B' < 'a'"), "true");     // bytewise
    EXPECT_EQ(q("-inf < -9223372036854775807"), "true");
    expect_err("nil < 1", tdb::TYPE_ERR, "`<` not supported between `nil` and `int`");
    expect_err("1 > 'a'", tdb::TYPE_ERR, "`>` not supported between `int` and `str`");
    expect_err("[1] <= [2]", tdb::TYPE_ERR, "`<=` not supported between `list` and `list`");
    expect_err("{} >= {}", tdb::TYPE_ERR, "`>=` not supported between `thing` and `thing`");
}

TEST(Lang, Truthiness) {
    EXPECT_EQ(q("[nil, false, 0, 0.0, '', [], {}, set()].map(|v| bool(v))"),
              "[false,false,false,false,false,false,false,false]");
    EXPECT_EQ(q("[true, 1, -1, 0.1, 'a', [0], {a: 0}, set([{}]), ||nil, /x/].map(|v| bool(v))"),
              "[true,true,true,true,true,true,true,true,true,true]");
    EXPECT_EQ(q("bool(err())"), "false");  // errors are falsy (ThingsDB docs of bool())
    EXPECT_EQ(q("!!nan"), "true");
    EXPECT_EQ(q("x = 0; if ({}) x = 1; x"), "0");
}

TEST(Lang, SetOperators) {
    const char* setup = "a = {n: 1}; b = {n: 2}; c = {n: 3}; s = set([a, b]); t = set([b, c]); ";
    auto run = [&](const std::string& code) { return q(std::string(setup) + code); };
    EXPECT_EQ(run("(s | t).map(|x| x.n).sort()"), "[1,2,3]");
    EXPECT_EQ(run("(s & t).map(|x| x.n)"), "[2]");
    EXPECT_EQ(run("(s ^ t).map(|x| x.n).sort()"), "[1,3]");
    EXPECT_EQ(run("(s - t).map(|x| x.n)"), "[1]");
    EXPECT_EQ(run("s |= t; s.len()"), "3");
    EXPECT_EQ(run("s &= t; s.len()"), "1");
    EXPECT_EQ(run("s -= t; s.map(|x| x.n)"), "[1]");
    EXPECT_EQ(run("s ^= t; s.len()"), "2");
    EXPECT_EQ(run("type(s | t)"), "\"set\"");
    EXPECT_EQ(run("(s | t).len() == 3 && s.len() == 2"), "true");  // a new set
    expect_err("set() + set()", tdb::TYPE_ERR, "`+` not supported between `set` and `set`");
    expect_err("set() | [1]", tdb::TYPE_ERR, "bitwise `|` not supported between `set` and `list`");
}

// ---- syntax errors ----------------------------------------------------------

TEST(Lang, SyntaxErrorsNameThePosition) {
    expect_syntax("1 +", "error at line 1, position 3");
    expect_syntax("x = ;", "error at line 1, position 4, unexpected character `;`");
    expect_syntax("(1", "error at line 1, position 2");
    expect_syntax(
        "1)",
        "error at line 1, position 1, unexpected character `)`, expecting: ; or end_of_statement");
    expect_syntax("x = 1;\ny = ]", "error at line 2, position 4, unexpected character `]`");
    expect_syntax(
        "x = 1 }",
        "error at line 1, position 6, unexpected character `}`, expecting: ; or end_of_statement");
    expect_syntax("x = abcdefghijklmnopqrstuvwxyz(", "error at line 1, position 31");
    expect_syntax("x = [1, 2] [", "error at line 1, position 12");
    expect_syntax("x = 123abc", "error at line 1, position 4, unexpected `123`");
    expect_syntax(
        "x = 1, 2",
        "error at line 1, position 5, unexpected character `,`, expecting: ; or end_of_statement");
    expect_syntax("{a: 1}.abcdefghijklmnopqrstuvwxyz = ", "error at line 1, position 36");
    expect_syntax("f(abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz)",
                  "error at line 1, position 29, unexpected `abcdefghijklmnopqrst...`");
    expect_syntax("f(1,,2)", "error at line 1, position 4, unexpected character `,`");
    expect_syntax("@",
                  "error at line 1, position 0, unexpected character `@`, expecting: if, return, "
                  "for or end_of_statement");
    expect_syntax("x = 1 ? 2", "error at line 1, position 9, expecting: :");
}

TEST(Lang, ParseDepthLimit) {
    std::string deep(600, '(');
    deep += "1";
    deep += std::string(600, ')');
    Error e = qerr(deep);
    EXPECT_EQ(e.code(), tdb::SYNTAX_ERR);
    EXPECT_EQ(e.msg(),
              "no parse result, a possible reason might be that the maximum recursion depth of 500 "
              "has been "
              "reached");
    std::string ok(100, '[');
    ok += "1";
    ok += std::string(100, ']');
    EXPECT_NE(q(ok), "<error>");
    std::string lists(1000, '[');
    lists += std::string(1000, ']');
    EXPECT_EQ(qerr(lists).code(), tdb::SYNTAX_ERR);
}

TEST(Lang, DeepRecursion) {
    expect_err("f = |n| f(n + 1); f(0)", tdb::OPERATION_ERR, "maximum recursion depth exceeded");
    expect_err("f = |n| n > 0 ? f(n - 1) : 0; f(30)", tdb::OPERATION_ERR,
               "maximum recursion depth exceeded");
    EXPECT_EQ(q("f = |n| n > 0 ? f(n - 1) : 'done'; f(20)"), "\"done\"");
    expect_err("f = |n| [n].map(|x| f(x)); f(0)", tdb::OPERATION_ERR,
               "maximum recursion depth exceeded");
    // the error can be caught, and the query goes on
    EXPECT_EQ(q("f = |n| f(n); e = try(f(0)); e.code()"), "-63");
}

// ---- lookup errors ----------------------------------------------------------

TEST(Lang, LookupErrors) {
    expect_err("nope", tdb::LOOKUP_ERR, "variable `nope` is undefined");
    expect_err(".nope", tdb::LOOKUP_ERR, "thing `#1` has no property `nope`");
    expect_err("{}.nope", tdb::LOOKUP_ERR, "thing `#0` has no property `nope`");
    expect_err("x = 1; x.nope", tdb::TYPE_ERR, "type `int` has no properties");
    expect_err("'s'.x", tdb::TYPE_ERR, "type `str` has no properties");
    expect_err("[].x", tdb::TYPE_ERR, "type `list` has no properties");
    expect_err("nope()", tdb::LOOKUP_ERR, "function `nope` is undefined");
    expect_err("[].nope()", tdb::LOOKUP_ERR, "type `list` has no function `nope`");
    expect_err("nil.nope()", tdb::LOOKUP_ERR, "type `nil` has no function `nope`");
    expect_err("x = 1; x.x = 2", tdb::TYPE_ERR, "cannot assign properties to `int` type");
    expect_err("Nope{}", tdb::LOOKUP_ERR, "type `Nope` is undefined");
}

TEST(Lang, ScopeErrors) {
    Error e = qerr(".x", "@thingsdb");
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(),
              "the `root` of the `@thingsdb` scope is inaccessible; you might want to query a "
              "`@collection` "
              "scope?");
    e = qerr("1", "@:nope");
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(), "collection `nope` not found");
    EXPECT_EQ(q("1 + 1", "@thingsdb"), "2");
}

// ---- interrupts -------------------------------------------------------------

TEST(Lang, InterruptsStopLongLoops) {
    MemStorage& st = fresh_storage();
    st.interrupts_after = 3;
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = "n = 0; for (x in range(100000)) {n += 1}; n";
    EXPECT_THROW(tdb::run_query(st, req), std::runtime_error);
    st.interrupts_after = 2;
    req.code = "range(100000).map(|x| x * 2).len()";
    try {
        tdb::run_query(st, req);
        ADD_FAILURE() << "expected the interrupt";
    } catch (const tdb::Error&) {
        ADD_FAILURE() << "a ThingsDB error, not the interrupt";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "canceling statement due to statement timeout");
    }
    st.interrupts_after = 1;
    req.code = "f = |n| n > 0 ? f(n - 1) : 0; for (i in range(100000)) f(3); 1";
    EXPECT_THROW(tdb::run_query(st, req), std::runtime_error);
    // try() does not catch an interrupt
    st.interrupts_after = 0;
    req.code = "try({for (x in range(100000)) nil; 1})";
    EXPECT_THROW(tdb::run_query(st, req), std::runtime_error);
    // the node is usable afterwards
    st.interrupts_after = -1;
    EXPECT_EQ(qk("for (x in range(100000)) nil; 'ok'"), "\"ok\"");
}

TEST(Lang, DeeplyNestedListsAreAnErrorNotACrash) {
    // Rendering, comparing and storing recurse per level of nesting.
    const std::string deep = "l = []; for (i in range(100000)) l = [l]; ";
    EXPECT_EQ(q(deep + "type(l)"), "\"list\"");
    expect_err(deep + "l", tdb::OPERATION_ERR, "maximum nesting depth exceeded");
    expect_err(deep + "m = []; for (i in range(100000)) m = [m]; l == m", tdb::OPERATION_ERR,
               "maximum nesting depth exceeded");
    fresh_storage();
    Error e = qerr("l = []; for (i in range(2000)) l = [l]; .l = l; 1", "@:stuff", true);
    EXPECT_EQ(e.msg(), "maximum nesting depth exceeded");
    EXPECT_EQ(storage().things.at(1).thing.props_json, "{}");  // nothing written
    EXPECT_EQ(qk("l = []; for (i in range(900)) l = [l]; .l = l; 1"), "1");
    EXPECT_EQ(qk("l = .l; n = 0; for (i in range(899)) {l = l[0]; n += 1}; [n, l]"), "[899,[[]]]");
}

// Stored closures are written as ThingsDB writes them: tokens without the
// white space between them, comments dropped, strings and regexes intact.
TEST(Lang, CompactClosureText) {
    EXPECT_EQ(tdb::compact_closure("|a, b| a * b"), "|a,b|a*b");
    EXPECT_EQ(tdb::compact_closure("|x| {\n  // twice\n  return x * 2;\n}"), "|x|{return x*2;}");
    EXPECT_EQ(tdb::compact_closure("|| 'a  b' + \"c \"\"d\"\" \""), "||'a  b'+\"c \"\"d\"\" \"");
    EXPECT_EQ(tdb::compact_closure("|s| s.test(/a b\\/c/i)"), "|s|s.test(/a b\\/c/i)");
    EXPECT_EQ(tdb::compact_closure("|a| a / 2 / 1"), "|a|a/2/1");
    EXPECT_EQ(tdb::compact_closure("|| `x {1 + 1} y`"), "||`x {1 + 1} y`");
}
