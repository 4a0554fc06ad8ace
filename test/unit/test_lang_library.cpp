// Language and library rules where ThingsDB's answer is fixed: the closure
// formatter (str(closure), templates, log, definitions), stored lists and sets reached
// through a variable, refs(), json_load()'s yajl messages, future arguments
// and methods, the syntax-error expectations, `return` as an operand and the
// user a lookup did not find.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

std::string str_of(const std::string& closure) { return q("str(" + closure + ")"); }

void expect_error(const tdb::Error& e, int code, const std::string& msg) {
    EXPECT_EQ(e.code(), code);
    EXPECT_EQ(without_doc_link(e.msg(), msg), msg);
}

}  // namespace

// ---- the closure formatter --------------------------------------------------

TEST(ClosureFormat, SpacesOperatorsAndGluesPrefixes) {
    EXPECT_EQ(str_of("|a,b|a*b+1"), "\"|a, b| a * b + 1\"");
    EXPECT_EQ(str_of("|x|!  - x"), "\"|x| !-x\"");
    EXPECT_EQ(str_of("||x&&y||z"), "\"|| x && y || z\"");
    EXPECT_EQ(str_of("|| a-=2"), "\"|| a -= 2\"");
    EXPECT_EQ(str_of("|| .a.b[1]|=4"), "\"|| .a.b[1] |= 4\"");
    EXPECT_EQ(str_of("||f( 1,2 ,3)"), "\"|| f(1, 2, 3)\"");
    EXPECT_EQ(str_of("|x|x..y"), "\"|x| x..y\"");
    // Literals keep their text; parentheses written stay.
    EXPECT_EQ(str_of("||[0x1F,1.50,'a',\"b\",/x/i,nil]"),
              "\"|| [\\n\\t0x1F,\\n\\t1.50,\\n\\t'a',\\n\\t\\\"b\\\",\\n\\t/x/i,\\n\\tnil,\\n]\"");
    EXPECT_EQ(str_of("||((1+2))*3"), "\"|| ((1 + 2)) * 3\"");
    EXPECT_EQ(str_of("|x|x[1:][:2][::3]"), "\"|x| x[1:][:2][::3]\"");
}

TEST(ClosureFormat, BlocksAndCollectionsTakeALinePerItem) {
    EXPECT_EQ(str_of("||{a=1;b=2}"), "\"|| {\\n\\ta = 1;\\n\\tb = 2;\\n}\"");
    EXPECT_EQ(str_of("||{x:1}"), "\"|| {x: 1}\"");
    EXPECT_EQ(str_of("||[1]"), "\"|| [1]\"");
    EXPECT_EQ(str_of("||T{}"), "\"|| T{}\"");
    EXPECT_EQ(str_of("||{x:1,y:{z:2,w:3}}"),
              "\"|| {\\n\\tx: 1,\\n\\ty: {\\n\\t\\tz: 2,\\n\\t\\tw: 3,\\n\\t},\\n}\"");
    EXPECT_EQ(str_of("||{if(a)b else c;for(k,v in t)nil;return 1,2}"),
              "\"|| {\\n\\tif (a) b else c;\\n\\tfor (k, v in t) nil;\\n\\treturn 1, 2;\\n}\"");
}

TEST(ClosureFormat, LongChainsAndTernariesSpread) {
    // Over 40 source characters, with a call after the first link.
    EXPECT_EQ(str_of("|x|x.filter(|y|y > 1).map(|y|y * 2).sort(|a, b|a - b)"),
              "\"|x| x.filter(|y| y > 1)\\n\\t.map(|y| y * 2)\\n\\t.sort(|a, b| a - b)\"");
    EXPECT_EQ(str_of("|x|x.a.b"), "\"|x| x.a.b\"");
    EXPECT_EQ(str_of("|x|x ? 'a long first branch' : 'a long second branch'"),
              "\"|x| x\\n\\t? 'a long first branch'\\n\\t: 'a long second branch'\"");
    EXPECT_EQ(str_of("|x|x?1:2"), "\"|x| x ? 1 : 2\"");
}

TEST(ClosureFormat, LongOperatorChainsAreNoRecursion) {
    EXPECT_EQ(q("c = closure('||' + range(20000).map(|| '1').join('+')); str(c).len()"),
              std::to_string(3 + 20000 + 3 * 19999));
}

TEST(ClosureFormat, EveryWayToAskForTheText) {
    EXPECT_EQ(q("c = |a|a+1; `{c}`"), "\"|a| a + 1\"");
    // A stored closure keeps its compact text and formats the same.
    EXPECT_EQ(q(".c = |a|  a  +  1; str(.c)"), "\"|a| a + 1\"");
    EXPECT_EQ(q("set_type('T', {m: |this|this.x*2}); type_info('T').methods.m.definition"),
              "\"|this| this.x * 2\"");
    EXPECT_EQ(q("new_procedure('p', |a,b|a+b); procedure_info('p').definition"),
              "\"|a, b| a + b\"");
}

// ---- lists and sets a variable shares ----------------------------------------

TEST(StoredThroughVariable, ChangesTheStoredValueInAChange) {
    EXPECT_EQ(q(".l = [1]; l = .l; l.push(2); l.unshift(0); .l"), "[0,1,2]");
    EXPECT_EQ(qk(".s = set(); s = .s; s.add({}); .s.len()"), "1");
    EXPECT_EQ(qk("l = .l; l.len()"), "3");  // reading needs no change
}

TEST(StoredThroughVariable, RefusedWithoutAChange) {
    q(".l = [1, 2]; .n = [[1]]; .s = set({});");
    const char* msg = "operation on a stored list; use `wse(...)` to enforce a change";
    for (const char* code : {"l = .l; l.push(3)", "l = .l; l.pop()", "l = .l; l.extend([3])",
                             "l = .l; l.splice(0, 1)", "l = .l; l.fill(0)", "l = .n; l.shift()"})
        expect_error(qerr(code, "@:stuff", true), tdb::OPERATION_ERR, msg);
    expect_error(qerr("s = .s; s.add({})", "@:stuff", true), tdb::OPERATION_ERR,
                 "operation on a stored set; use `wse(...)` to enforce a change");
    expect_error(qerr("nse(); l = .l; l.push(1)", "@:stuff", true), tdb::OPERATION_ERR,
                 "operation on a stored list; remove `nse(...)` to enforce a change");
    // wse() makes the change; a list of its own needs none.
    EXPECT_EQ(qk("wse(.l.len()); l = .l; l.push(3); .l"), "[1,2,3]");
    EXPECT_EQ(qk("l = [1]; l.push(2); l"), "[1,2]");
}

// ---- refs() -------------------------------------------------------------------

TEST(Refs, CountsHoldersAndTheQuerysOwnValue) {
    EXPECT_EQ(q("refs({})"), "1");
    EXPECT_EQ(q("refs('lit')"), "2");                // the code holds its literal
    EXPECT_EQ(q("a = 'lit'; b = a; refs(a)"), "4");  // and each variable
    EXPECT_EQ(q("refs(thing(.id()))"), "2");         // the collection holds its root
    EXPECT_EQ(q(".t = {}; n = refs(.t); x = .t; y = x; refs(.t) - n"), "2");
    EXPECT_EQ(q("a = nil; b = nil; refs(nil)"), "3");  // the variables holding nil
    EXPECT_EQ(q("a = false; x = refs(false); a = 1; [x, refs(false)]"), "[2,1]");
}

// The collection's own holders (its table of things met, the things to write
// and made, the catalog's new instances) are left out: ThingsDB has none.
TEST(Refs, CountOnlyWhatThingsDBHolds) {
    EXPECT_EQ(q(".x = {}; refs(.x)"), "2");  // the property and the argument
    EXPECT_EQ(qk("refs(.x)"), "2");          // the same in a later query
    EXPECT_EQ(qk(".y = .x; refs(.x)"), "3");
    EXPECT_EQ(qk(".l = [.x, .x]; refs(.x)"), "5");
    EXPECT_EQ(qk("x = .x; refs(x)"), "6");
    EXPECT_EQ(qk(".x.a = 1; refs(.x)"), "5");  // changed in this query
    EXPECT_EQ(qk(".del('l'); .del('y'); refs(.x)"), "2");
    EXPECT_EQ(qk("x = {}; refs(x)"), "2");
    EXPECT_EQ(qk(".s = set(.x); refs(.x)"), "3");
    EXPECT_EQ(qk("refs(root())"), "2");  // the collection holds its root
    EXPECT_EQ(qk("set_type('T', {a: 'int'}); .t = T{}; refs(.t)"), "2");
    EXPECT_EQ(qk("x = T{}; refs(x)"), "2");
    EXPECT_EQ(qk("refs(.t)"), "2");
    EXPECT_EQ(qk(".r = room(); refs(.r)"), "2");
    EXPECT_EQ(qk("refs(.r)"), "2");
}

// ---- json_load: yajl's messages ----------------------------------------------

TEST(JsonLoad, LexicalErrorsAsYajl) {
    auto msg = [](const std::string& text) { return qerr("json_load('" + text + "')").msg(); };
    EXPECT_EQ(msg("[1, ..]"), "lexical error: invalid char in json text.\n");
    EXPECT_EQ(msg("{\"a\": x}"), "lexical error: invalid char in json text.\n");
    EXPECT_EQ(msg("[nul1]"), "lexical error: invalid string in json text.\n");
    EXPECT_EQ(msg("[-a]"),
              "lexical error: malformed number, a digit is required after the "
              "minus sign.\n");
    EXPECT_EQ(msg("[1.x]"),
              "lexical error: malformed number, a digit is required after the "
              "decimal point.\n");
    EXPECT_EQ(msg("[1e+]"),
              "lexical error: malformed number, a digit is required after the "
              "exponent.\n");
    EXPECT_EQ(msg("[\"\\q\"]"),
              "lexical error: inside a string, '\\' occurs before a character which it may "
              "not.\n");
    EXPECT_EQ(msg("\"\\u12x4\""),
              "lexical error: invalid (non-hex) character occurs after '\\u' inside string.\n");
    EXPECT_EQ(msg("[1] // c"), "parse error: trailing garbage\n");
    EXPECT_EQ(msg("/* c */ 1"),
              "lexical error: probable comment found in input text, comments are not "
              "enabled.\n");
}

TEST(JsonLoad, ParseErrorsAsYajl) {
    auto msg = [](const std::string& text) { return qerr("json_load('" + text + "')").msg(); };
    EXPECT_EQ(msg("[1 2]"), "parse error: after array element, I expect ',' or ']'\n");
    EXPECT_EQ(msg("{\"a\": 1 \"b\"}"),
              "parse error: after key and value, inside map, I expect ',' or '}'\n");
    EXPECT_EQ(msg("{\"a\" 1}"),
              "parse error: object key and value must be separated by a colon (':')\n");
    EXPECT_EQ(msg("{1: 2}"), "parse error: invalid object key (must be a string)\n");
    EXPECT_EQ(msg("[1,]"), "parse error: unallowed token at this point in JSON text\n");
    EXPECT_EQ(msg("[] []"), "parse error: trailing garbage\n");
    EXPECT_EQ(msg("[99999999999999999999]"), "parse error: integer overflow\n");
}

TEST(JsonLoad, TextEndingInsideAValueIsNil) {
    // ThingsDB parses without completing: yajl waits for more.
    for (const char* text : {"", "  ", "[1", "{\"a\":", "\"ab", "tru", "12", "-", "[1, 2."})
        EXPECT_EQ(q(std::string("json_load('") + text + "')"), "null") << text;
    EXPECT_EQ(q("json_load('12 ')"), "12");
    EXPECT_EQ(q("json_load('true')"), "true");
}

// ---- futures -------------------------------------------------------------------

TEST(Future, ArgumentsHoldNoStoredThing) {
    const char* msg = "context does not allow arguments which are stored by Id";
    expect_error(qerr(".t = t = {}; future(|t| t)"), tdb::OPERATION_ERR, msg);
    expect_error(qerr(".t = {}; future(|x| x, [[.t]])"), tdb::OPERATION_ERR, msg);
    expect_error(qerr(".t = {}; x = {a: {b: .t}}; future(|x| 1)"), tdb::OPERATION_ERR, msg);
    expect_error(qerr(".s = set({}); s = .s; future(|s| 1)"), tdb::OPERATION_ERR, msg);
    // Ids and things of the query's own may go.
    EXPECT_EQ(q(".t = {}; x = .t.id(); future(|x| x > 0)"), "true");
    EXPECT_EQ(q("x = {a: [{}]}; x.a[0].me = x; future(|x| x.a.len())"), "1");
}

TEST(Future, AWrapMethodThatMakesFuturesIsRefused) {
    q("set_type('P', {name: 'str'}); set_type('_F', {f: |p| future(|| .x = 1)}, true);"
      "set_type('_N', {f: |p| {future(nil); 1}}, true);"
      "set_type('_W', {f: |p| {.y = 1; future(nil)}}, true);");
    EXPECT_EQ(qk("P{name: 'a'}.wrap('_F')"),
              "{\"f\":\"failed to compute property; method contains futures\"}");
    EXPECT_EQ(qk("P{name: 'a'}.wrap('_N')"),
              "{\"f\":\"failed to compute property; method contains futures\"}");
    EXPECT_EQ(qk("P{name: 'a'}.wrap('_W')"),
              "{\"f\":\"failed to compute property; method has side effects\"}");
    EXPECT_EQ(qk(".has('x')"), "false");
}

// ---- syntax -----------------------------------------------------------------------

TEST(SyntaxExpecting, StatementStartsAndInstanceKeys) {
    expect_err("1.2.3", tdb::SYNTAX_ERR,
               "error at line 1, position 0, unexpected character `1`, expecting: if, return, "
               "for or end_of_statement");
    expect_err("x = 1;\n  ]", tdb::SYNTAX_ERR,
               "error at line 2, position 2, unexpected character `]`, expecting: if, return, "
               "for or end_of_statement");
    expect_err("T{1}", tdb::SYNTAX_ERR,
               "error at line 1, position 2, unexpected character `1`, expecting: }");
    expect_err("T{a: 1, 'b': 2}", tdb::SYNTAX_ERR,
               "error at line 1, position 8, unexpected character `'`, expecting: }");
    expect_err("{a: 1, 2}", tdb::SYNTAX_ERR,
               "error at line 1, position 7, unexpected character `2`, expecting: }");
    // Not at a statement's start: no list.
    expect_err("x = ]", tdb::SYNTAX_ERR, "error at line 1, position 4, unexpected character `]`");
}

TEST(SyntaxReturn, ReturnIsAnOperand) {
    EXPECT_EQ(q("f = |i| {i == 0 && return 'zero'; i || return 'none'; 'other'}; "
                "[f(0), f(nil), f(2)]"),
              "[\"zero\",\"none\",\"other\"]");
    EXPECT_EQ(q("true && return 1, 2; 3"), "1");
    EXPECT_EQ(q(".f = |i| {i > 1 && return i * 2; 0}; .f(4)"), "8");
}

// ---- users ---------------------------------------------------------------------------

TEST(UserNotFound, NamedOnlyWhenItCouldBeAName) {
    expect_err("del_user('nobody')", tdb::LOOKUP_ERR, "user `nobody` not found", "@thingsdb");
    expect_err("del_user('" + std::string(200, 'x') + "')", tdb::LOOKUP_ERR, "user not found",
               "@thingsdb");
    expect_err("user_info('a\nb')", tdb::LOOKUP_ERR, "user not found", "@thingsdb");
}
