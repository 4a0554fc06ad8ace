// Deep code and deep values: every recursive path of the core (parser,
// side-effect analysis, evaluator, copies, comparisons, the value walks and
// readers) ends in a correct result or a clean ThingsDB error within the
// stack guard of core/api/error.h, never in a stack overflow.
#include <gtest/gtest.h>

#include <string>

#include "core/api/error.h"
#include "core/lang/ast.h"
#include "core/api/codec.h"
#include "core/lang/query.h"
#include "core/model/thing.h"
#include "harness.h"

using tdb::Error;

namespace {

// A clean error of the evaluator's stack guard.
void expect_too_deep(const std::string& code) {
    Error e = qerr(code);
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR) << code.substr(0, 60);
    EXPECT_EQ(e.msg(), "maximum recursion depth exceeded") << code.substr(0, 60);
}

const std::string kDeepList = "l = []; for (i in range(100000)) l = [l]; ";

}  // namespace

TEST(HostileDepth, LongOperatorChainsOfEveryPrecedenceEvaluate) {
    // Left-associative chains are built and evaluated with loops.
    const int n = 100000;
    EXPECT_EQ(q("1" + repeat(" * 1", n)), "1");
    EXPECT_EQ(q("1" + repeat(" / 1", n)), "1");
    EXPECT_EQ(q("7" + repeat(" % 5", n)), "2");
    EXPECT_EQ(q("1" + repeat("+1", n)), std::to_string(n + 1));
    EXPECT_EQ(q("0" + repeat(" - 1", n)), std::to_string(-n));
    EXPECT_EQ(q("1" + repeat(" & 1", n)), "1");
    EXPECT_EQ(q("0" + repeat(" ^ 1", n)), "0");
    EXPECT_EQ(q("0" + repeat(" | 2", n)), "2");
    EXPECT_EQ(q("1" + repeat(" == 1", n)), "true");
    EXPECT_EQ(q("1" + repeat(" < 2", n)), "true");
    EXPECT_EQ(q("'a'" + repeat(" + 'b'", 1000) + " == 'a' + '" + repeat("b", 1000) + "'"), "true");
}

TEST(HostileDepth, LongLogicalChainsShortCircuitInOrder) {
    EXPECT_EQ(q("1" + repeat(" && 1", 200000)), "1");
    EXPECT_EQ(q("0" + repeat(" || 0", 200000)), "0");
    EXPECT_EQ(q("0" + repeat(" || 0 && 1", 100000)), "0");
    // Short circuit: the right operands after the first false never run.
    EXPECT_EQ(q("n = 0; false" + repeat(" && {n += 1; true}", 100000) + "; n"), "0");
    EXPECT_EQ(q("n = 0; 0" + repeat(" || {n += 1; 0}", 100000) + "; n"), "100000");
    // Mixed precedence: `+` binds tighter than `&&`.
    EXPECT_EQ(q("1 + 1" + repeat(" && 1 + 1", 100000)), "2");
    // Inside a closure and as an argument.
    EXPECT_EQ(q("f = |x| x" + repeat(" + x", 50000) + "; f(2)"), "100002");
    EXPECT_EQ(q("[" + repeat("1 + ", 50000) + "1].len()"), "1");
}

TEST(HostileDepth, LongPostfixChainsAreACleanError) {
    const int n = 200000;
    expect_too_deep(".a = 1; ." + repeat("a.", n) + "a");
    expect_too_deep(".a = 1; ." + repeat("a..", n) + "a");
    expect_too_deep("x = [1]; x" + repeat("[0]", n));
    expect_too_deep("x = 'a'; x" + repeat(".upper()", n));
    expect_too_deep("x = [1]; x" + repeat(".copy()", n) + ".len()");
    expect_too_deep("x = {}; x" + repeat(".a", n) + " = 1");
    // The same chains in a read-only context and inside a closure.
    expect_too_deep("[1].map(|x| x" + repeat(".copy()", n) + ")");
    // Chains of ordinary length still work.
    EXPECT_EQ(q("x = 'a'; x" + repeat(".upper()", 200)), "\"A\"");
}

TEST(HostileDepth, NestedGrammarIsBoundedWhateverTheSettings) {
    LimitsScope limits;
    (*limits).max_parse_depth = 2000;
    for (const char* open : {"[", "(", "{a:", "{", "-", "!", "|x|", "1 ? 1 : ", "if (1) ",
                             "[1].map(|x| ", "`{", "x = ", "return ", "x.a = "}) {
        Error e = qerr(repeat(open, 100000) + "1");
        EXPECT_EQ(e.code(), tdb::SYNTAX_ERR) << open;
    }
    // The parser on its own (procedures and stored closures parse outside a
    // query) has the same bound.
    EXPECT_THROW(tdb::parse(repeat("[", 100000), 1000000), Error);
    EXPECT_THROW(tdb::parse(repeat("(", 100000), 1000000), Error);
}

TEST(HostileDepth, DeepListsCopyAndDupCleanly) {
    // copy()/dup() count `deep` in things only: lists nest without it.
    expect_too_deep(kDeepList + "l.copy(1); 1");
    expect_too_deep(kDeepList + "l.dup(1); 1");
    expect_too_deep(kDeepList + "t = {l: l}; t.copy(2); 1");
    expect_too_deep(kDeepList + "t = {l: l}; t.dup(2); 1");
    expect_too_deep(kDeepList + "l.flat(100000); 1");
    expect_too_deep(kDeepList + "t = {l: l}; t.search({}); 1");
    // Shallow enough: a correct copy.
    EXPECT_EQ(q("l = []; for (i in range(50)) l = [l]; m = l.copy(1); m == l"), "true");
}

TEST(HostileDepth, DeepValuesAreNotRenderedComparedOrStoredPastTheLimit) {
    Error e = qerr(kDeepList + "json_dump(l)");
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    e = qerr(kDeepList + "str(l)");
    EXPECT_EQ(e.code(), tdb::TYPE_ERR);  // a list has no str()
    e = qerr(kDeepList + "m = []; for (i in range(100000)) m = [m]; l == m");
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    // Through a wrap: its fields render through their definitions.
    e = qerr(kDeepList + "{l: l}.wrap(&{l: '[]'})");
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    fresh_storage();
    e = qerr(kDeepList + ".l = l; 1", "@:stuff", true);
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    // Deep chains of things: rendering stops at `deep`, storing refers by id.
    EXPECT_EQ(q("x = {}; for (i in range(100000)) x = {a: x}; json_dump(x, {deep: 2})"),
              "\"{\\\"a\\\":{\\\"a\\\":{}}}\"");
    EXPECT_EQ(q("x = {}; for (i in range(100000)) x = {a: x}; x.copy(127).a.a.len()"), "1");
}

TEST(HostileDepth, DeepJsonIsRefused) {
    EXPECT_EQ(qerr("json_load('" + repeat("[", 200000) + "')").code(), tdb::VALUE_ERR);
    EXPECT_EQ(qerr("json_load('" + repeat("{\"a\":", 200000) + "1')").code(), tdb::VALUE_ERR);
}

TEST(HostileDepth, DeepStoredPropsAreRefused) {
    // A decoder (src/pg walks jsonb) hands over the nesting of a stored row
    // as it is: deeper than any writer stores is refused, not built.
    MemStorage st;
    tdb::CollectionRow row;
    ASSERT_TRUE(st.find_collection("stuff", row));
    tdb::Collection c(st, row);
    tdb::Thing t;
    tdb::PropsBuilder b(c, &t, nullptr);
    b.begin_object();
    b.key("l");
    EXPECT_THROW(
        {
            for (int i = 0; i < 100000; ++i) b.begin_array();
        },
        Error);
}

TEST(HostileDepth, NestedReturnIsParsedOnce) {
    // Every node the parser makes stays in Program::nodes: a rule that parsed
    // `return (` a second time doubled them at every nesting level.
    const int n = 16;
    const std::string shapes[] = {
        repeat("return (", n) + "1" + repeat(")", n),
        repeat("(|| return (", n) + "1" + repeat(")).call()", n),
        repeat("[return (", n) + "1" + repeat(")]", n),
        repeat("return ((", n) + "1" + repeat(") + 1)", n),
        repeat("return (1, ", n) + "1" + repeat(")", n),
        repeat("x = |a| return (", n) + "a" + repeat(").a", n),
    };
    for (const std::string& code : shapes) {
        auto prog = tdb::parse(code, 500);
        EXPECT_LT(prog->nodes.size(), size_t(20 * n)) << code.substr(0, 40);
    }
    // The forms still mean what they meant.
    EXPECT_EQ(q("return (1) + 1"), "2");
    EXPECT_EQ(q("return (1), 0"), "1");
    EXPECT_EQ(q("return (2, 0)"), "2");
    EXPECT_EQ(q("return ()"), "null");
    EXPECT_EQ(q("(|| return ((|| return (3) * 2).call()) + 1).call()"), "7");
    EXPECT_EQ(q("return ({a: 5}).a"), "5");
    EXPECT_EQ(q("return (true) ? 8 : 9"), "8");
    EXPECT_EQ(qerr("return (1, 2, 3, 4)").code(), tdb::SYNTAX_ERR);
    EXPECT_EQ(qerr("return (1 2)").msg(), "error at line 1, position 10, unexpected character `2`");
    EXPECT_EQ(qerr("return (1, 2").msg(), "error at line 1, position 9, unexpected character `,`");
}
