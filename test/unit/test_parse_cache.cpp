// The cache of parsed programs (lang/parse_cache.h): a query run from the cache gives what
// a fresh parse gives, errors included, in any collection; the bounds hold.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/lang/parse_cache.h"
#include "harness.h"

namespace {

// The result or the error of code on a fresh node.
std::string outcome(const std::string& code, const std::string& scope = "@:stuff") {
    tdb::QueryRequest req;
    req.scope = scope;
    req.code = code;
    try {
        return "ok " + tdb::run_query(fresh_storage(), req);
    } catch (const tdb::Error& e) {
        return "err " + std::to_string(e.code()) + " " + e.msg();
    }
}

struct Bounds {  // the default bounds again after the test
    ~Bounds() {
        tdb::parse_cache_clear();
        tdb::parse_cache_bounds(256, 8 * 1024 * 1024);
    }
};

const std::vector<std::string>& texts() {
    static const std::vector<std::string> t = {
        "6 * 7",
        "1 +",
        "",
        ";;",
        "a = 1; b = a + 1; [a, b];",
        "x = [1, 2, 3]; x.push(4); x;",
        "x = [1, 2, 3]; x.push(4); x;",  // the same text: a hit
        ".n = 5; .n += 1; .n;",
        "nse(); .n = 1;",
        "wse(); .len();",
        "f = |a, b| a * b; f(6, 7);",
        "|a| a",
        "str(|a, b|  a   *  b)",
        "'text' + \"more\"",
        "'unclosed",
        "/^a.*z$/i.test('abcz')",
        "/[/.test('a')",
        "{a: {b: [1, {c: 2}]}}",
        "{a: 1, }",
        "[1, 2, 3].map(|x| x * 2).filter(|x| x > 2)",
        "range(5).reduce(|a, b| a + b)",
        "if (true) { 'y' } else { 'n' }",
        "for (x in range(3)) { if (x == 1) break; }; 'done';",
        "return 1, 2;",
        "1 / 0",
        "nonexistent_function()",
        "undefined_var",
        ".thing_that_is_not_there",
        "int('12') + float('1.5')",
        "datetime(0).format('%Y')",
        "a = set(); a.add({}); a.len();",
        "x = {}; x.self = x; x.len();",
        "1 ? 2 : 3",
        "((((1))))",
        "[[[[[[]]]]]]",
        "assert(false, 'no')",
        "raise('custom')",
        "try(1 / 0)",
        "new_type('T')",
        "'a' * 3",
        "#comment\n1",
        "0x10 + 0b11 + 0o7",
        "1e400",
        "9223372036854775807 + 1",
        "@",
        "a..b",
        "future(|| 1).then(|x| x + 1)",
        "bytes('abc').len()",
        "{}.a = 1",
        "x = 1; x = x + x; x = x * x; x;",
    };
    return t;
}

TEST(ParseCache, SameOutcomeAsNoCache) {
    Bounds restore;
    tdb::parse_cache_bounds(0, 0);  // no program kept
    std::vector<std::string> plain;
    for (const std::string& t : texts()) plain.push_back(outcome(t));
    EXPECT_EQ(tdb::parse_cache_size(), 0u);
    tdb::parse_cache_bounds(256, 8 * 1024 * 1024);
    for (int round = 0; round < 3; ++round)  // filled, then hit, then hit again
        for (size_t i = 0; i < texts().size(); ++i)
            EXPECT_EQ(outcome(texts()[i]), plain[i]) << "round " << round << ": " << texts()[i];
    // the texts that parse are kept, those that do not are not
    EXPECT_GT(tdb::parse_cache_size(), 30u);
    EXPECT_LT(tdb::parse_cache_size(), texts().size());
}

TEST(ParseCache, SyntaxErrorEveryTime) {
    Bounds restore;
    tdb::parse_cache_clear();
    for (int i = 0; i < 3; ++i) {
        tdb::Error e = qerr("1 +");
        EXPECT_EQ(e.code(), tdb::SYNTAX_ERR);
    }
    EXPECT_EQ(tdb::parse_cache_size(), 0u);
}

TEST(ParseCache, SameTextInTwoCollections) {
    Bounds restore;
    tdb::parse_cache_clear();
    fresh_storage();
    qk("new_collection('other');", "@thingsdb");
    const std::string code = ".n = .get('n', 0) + 1; .n;";
    EXPECT_EQ(qk(code, "@:stuff"), "1");
    EXPECT_EQ(qk(code, "@:other"), "1");  // its own root, not the first collection's
    EXPECT_EQ(qk(code, "@:stuff"), "2");
    EXPECT_EQ(qk(code, "@:other"), "2");
    // a text that fails in one scope and not in the other
    EXPECT_EQ(qk(".n;", "@:other"), "2");
    EXPECT_EQ(qerr(".n;", "@thingsdb", true).code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(qk(".n;", "@:stuff"), "2");
    EXPECT_EQ(tdb::parse_cache_size(), 3u);  // new_collection, the code, ".n;"
}

TEST(ParseCache, BoundsChangedReparse) {
    Bounds restore;
    tdb::parse_cache_clear();
    LimitsScope limits;
    const std::string deep = repeat("[", 40) + repeat("]", 40);
    EXPECT_EQ(outcome(deep).substr(0, 2), "ok");
    (*limits).max_parse_depth = 10;  // what the cache accepted is refused now
    EXPECT_EQ(qerr(deep).code(), tdb::SYNTAX_ERR);
    (*limits).max_parse_depth = 1000;
    EXPECT_EQ(outcome(deep).substr(0, 2), "ok");
    const std::string lit = "'" + std::string(100, 'x') + "'.len()";
    EXPECT_EQ(q(lit), "100");
    (*limits).max_str = 50;
    EXPECT_EQ(qerr(lit).code(), tdb::MAX_QUOTA_ERR);
}

TEST(ParseCache, EvictionAtTheBound) {
    Bounds restore;
    tdb::parse_cache_clear();
    tdb::parse_cache_bounds(4, 8 * 1024 * 1024);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(q(std::to_string(i) + " + 1"), std::to_string(i + 1));
    EXPECT_EQ(tdb::parse_cache_size(), 4u);
    // the least recently used goes first: 6 is used again, 7 goes when 10 comes
    EXPECT_EQ(q("6 + 1"), "7");
    EXPECT_EQ(q("10 + 1"), "11");
    EXPECT_EQ(tdb::parse_cache_size(), 4u);
    // every text still runs as before, kept or not
    for (int i = 0; i <= 10; ++i) EXPECT_EQ(q(std::to_string(i) + " + 1"), std::to_string(i + 1));
    EXPECT_EQ(tdb::parse_cache_size(), 4u);
    // a smaller bound drops the oldest at once
    tdb::parse_cache_bounds(2, 8 * 1024 * 1024);
    EXPECT_EQ(tdb::parse_cache_size(), 2u);
    // by weight: a program heavier than an eighth of the bytes is not kept
    tdb::parse_cache_bounds(100, 4096);
    tdb::parse_cache_clear();
    const std::string big = "[" + repeat("1, ", 200) + "1].len()";
    EXPECT_EQ(q(big), "201");
    EXPECT_EQ(tdb::parse_cache_size(), 0u);
    EXPECT_EQ(q("1 + 1"), "2");
    EXPECT_EQ(tdb::parse_cache_size(), 1u);
}

}  // namespace
