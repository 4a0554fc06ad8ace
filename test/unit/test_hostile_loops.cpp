// Bounded work on hostile sizes: the built-ins that ask "is an equal value
// there?" of every item use a hash (ValueIndex), string searches are linear,
// removing many members or properties is one pass; every loop over user data
// reaches the interrupt check; no query leaves process-global state (the C
// library's time zone) to the next one.
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "harness.h"

namespace {

// The checks `code` makes beyond those of `setup` alone.
int checks_of(const std::string& setup, const std::string& code) {
    return interrupt_checks(setup + code) - interrupt_checks(setup + " nil;");
}

// 200,000 ints, each value twice; 400,000 ints, 200,000 values (comparing
// each with every value kept takes 8e10 steps); 100,000 things in a set; a
// 1 MB string; a 4 MB one.
const std::string kInts = "a = range(100000); a.extend(range(100000)); ";
const std::string kBig =
    "a = []; range(4).each(|i| a.extend(range(i % 2 * 100000, (i % 2 + 1) * 100000))); ";
const std::string kThings = "s = set(range(100000).map(|| {})); ";
const std::string kLong =
    "k = range(1000).map(|| 'a').join(''); m = range(1000).map(|| k).join(''); ";
// Half a megabyte of `a` and a `b`: std::string::find compares the half at
// every start in m.
const std::string kNeedle = "n = range(500).map(|| k).join('') + 'b'; ";
// 2 MB of `a` and a `b` in 4 MB: 4e12 steps for a search per start.
const std::string kLongest =
    "k = range(1000).map(|| 'a').join(''); m = range(4000).map(|| k).join(''); "
    "n = range(2000).map(|| k).join('') + 'b'; ";

}  // namespace

// ---- results at sizes where the quadratic algorithms take minutes ----------

TEST(HostileLoops, ExtendUniqueIsLinear) {
    EXPECT_EQ(q("a = range(100000).map(|i| i * 7); a.extend(range(50000).map(|i| -i - 1)); "
                "x = []; x.extend_unique(a); x.extend_unique(a); [x.len(), x[99999], x[100000]]"),
              "[150000,699993,-1]");
    EXPECT_EQ(q(kBig + "x = []; x.extend_unique(a); [x.len(), x[150000]]"), "[200000,150000]");
    // against the items already in the list
    EXPECT_EQ(q("x = range(100000); x.extend_unique(range(100000).map(|i| i + 50000.0)); "
                "[x.len(), x.last()]"),
              "[150000,149999.0]");
}

TEST(HostileLoops, UniqueAndIsUniqueAreLinear) {
    EXPECT_EQ(q(kBig + "u = a.unique(); [u.len(), u.first(), u.last()]"), "[200000,0,199999]");
    EXPECT_EQ(q(kBig + "[a.is_unique(), a[0:200000].is_unique()]"), "[false,true]");
    EXPECT_EQ(q("a = range(100000).map(|i| i * 1.0); [a.is_unique(), {a.push(99999); "
                "a.is_unique()}]"),
              "[true,false]");
    EXPECT_EQ(q("a = range(100000).map(|i| str(i % 60000)); a.unique().len()"), "60000");
    EXPECT_EQ(q("a = range(100000).map(|i| [i % 1000, 'x']); a.unique().len()"), "1000");
}

TEST(HostileLoops, UniqueKeepsThingsDBEquality) {
    // 1 == 1.0 == true; str equals bytes of the same content; datetime and
    // timeval by their time; lists item by item; things by identity; nan
    // equals nothing.
    EXPECT_EQ(q("[1, 1.0, true, 0, false, -0.0, 'a', bytes('a'), nil, nil, [1, 'b'], [1.0, 'b'], "
                "[true, 'b', nil]].unique()"),
              "[1,0,\"a\",null,[1,\"b\"],[true,\"b\",null]]");
    EXPECT_EQ(q("t = {}; [t, t, {}, {}].unique().len()"), "3");
    EXPECT_EQ(q("[datetime(5), timeval(5), datetime(6)].unique().len()"), "2");
    EXPECT_EQ(q("[nan, nan, inf, inf].unique().len()"), "3");
    EXPECT_EQ(q("[nan].is_unique()"), "true");
    EXPECT_EQ(q("[value_err('a'), value_err('b'), type_err('a')].unique().len()"), "2");
    EXPECT_EQ(q("[/a/, /a/i, /a/].unique().len()"), "2");
    EXPECT_EQ(q("a = {}; b = {}; [set(a, b), set(b, a), set(a)].unique().len()"), "2");
    // Beyond 2^53 an int equals a float of the same double value, two ints
    // only when exact: as comparing with every kept item gives.
    EXPECT_EQ(q("[9007199254740993, 9007199254740992.0, 9007199254740992].unique()"),
              "[9007199254740993,9007199254740992]");
    EXPECT_EQ(q("[9007199254740992.0, 9007199254740993, 9007199254740992].unique()"),
              "[9007199254740992.0]");
    EXPECT_EQ(q("x = [9007199254740993]; x.extend_unique([9007199254740992, 9007199254740992.0]); "
                "x"),
              "[9007199254740993,9007199254740992]");
    EXPECT_EQ(q("[9007199254740993, 9007199254740992].is_unique()"), "true");
}

TEST(HostileLoops, StringSearchesAreLinear) {
    EXPECT_EQ(q(kLongest + "[m.contains(n), m.replace(n, 'x') == m, m.replace(n, 'x', -1) == m, "
                           "m.split(n).len(), m.split(n, -3).len(), m.contains(n[0:-1])]"),
              "[false,true,true,1,1,true]");
    // what they find, from either end
    EXPECT_EQ(q("'aaaaa'.replace('aa', 'x', -5)"), "\"axx\"");
    EXPECT_EQ(q("'aaaaa'.replace('aa', 'x', -1)"), "\"aaax\"");
    EXPECT_EQ(q("'aaaaa'.replace('aa', 'x')"), "\"xxa\"");
    EXPECT_EQ(q("'aaaaa'.replace('aa', 'x', 1)"), "\"xaaa\"");
    EXPECT_EQ(q("'a,b,,c'.split(',')"), "[\"a\",\"b\",\"\",\"c\"]");
    EXPECT_EQ(q("'a,b,,c'.split(',', 2)"), "[\"a\",\"b\",\",c\"]");
    EXPECT_EQ(q("'a,b,,c'.split(',', -2)"), "[\"a,b\",\"\",\"c\"]");
    EXPECT_EQ(q("'xaaax'.split('aa', -1)"), "[\"xa\",\"x\"]");
    EXPECT_EQ(q("'xaaax'.split('aa', 1)"), "[\"x\",\"ax\"]");
    EXPECT_EQ(q("',a,'.split(',', -5)"), "[\"\",\"a\",\"\"]");
}

TEST(HostileLoops, RemovingManyIsOnePass) {
    EXPECT_EQ(q(kThings + "[s.remove(|| true).len(), s.len()]"), "[100000,0]");
    EXPECT_EQ(q(kThings + "[s.remove(|t| t.id() == nil, 99999).len(), s.len()]"), "[99999,1]");
    EXPECT_EQ(q(kBig + "[a.remove(|x| x % 2 == 0).len(), a.len(), a[0], a.last()]"),
              "[200000,200000,1,199999]");
    EXPECT_EQ(q("s = set(); range(3).each(|| range(100000).each(|| s.add({}))); "
                "[s.remove(|| true).len(), s.len()]"),
              "[300000,0]");
    EXPECT_EQ(q("a = range(10); [a.remove(|x| x % 3 == 0, -2), a]"), "[[6,9],[0,1,2,3,4,5,7,8]]");
    EXPECT_EQ(q("a = {}; b = {}; s = set(a, b); [s.remove(a, a, b).len(), s.len()]"), "[2,0]");
    // a thing's properties: the last one takes the place of a removed one
    EXPECT_EQ(q("t = {a: 1, b: 2, c: 3, d: 4, e: 5}; r = t.remove(|k| k == 'a' || k == 'e' || "
                "k == 'b'); [r, t.keys()]"),
              "[[1,2,5],[\"c\",\"d\"]]");
}

// ---- every loop over user data reaches the interrupt check -----------------

TEST(HostileLoops, BuiltinsPollInTheirLoops) {
    // 100,000 or 200,000 items: a loop that polls makes 100 or 200 checks.
    struct Case {
        const char* setup;
        const char* code;
    };
    const std::string ints = kInts, things = kThings, lng = kLong + kNeedle;
    const Case cases[] = {
        {ints.c_str(), "x = []; x.extend_unique(a); nil;"},
        {ints.c_str(), "a.unique(); nil;"},
        {ints.c_str(), "a.is_unique(); nil;"},
        {ints.c_str(), "a.index_of(-1); nil;"},
        {ints.c_str(), "a.has(-1); nil;"},
        {ints.c_str(), "a.count(-1); nil;"},
        {ints.c_str(), "a.reverse(); nil;"},
        {ints.c_str(), "a.sort(); nil;"},
        {ints.c_str(), "a.sum(); nil;"},
        {ints.c_str(), "a.min(); nil;"},
        {ints.c_str(), "a == a.reverse().reverse(); nil;"},
        {ints.c_str(), "a.map(|x| str(x)).join(); nil;"},
        {ints.c_str(), "a.fill(1); nil;"},
        {ints.c_str(), "a;"},  // rendering the result
        {ints.c_str(), "json_dump(a); nil;"},
        {ints.c_str(), "a.remove(|x| x > 0); nil;"},
        {things.c_str(), "s | set(); nil;"},
        {things.c_str(), "s & s; nil;"},
        {things.c_str(), "s - set(); nil;"},
        {things.c_str(), "s ^ set(); nil;"},
        {things.c_str(), "s == s | set(); nil;"},
        {things.c_str(), "s.remove(|| true); nil;"},
        {things.c_str(), "s;"},
        {lng.c_str(), "m.split('aa').len(); nil;"},
        {lng.c_str(), "m.split('a', -200000).len(); nil;"},
        {lng.c_str(), "m.replace('a', 'b'); nil;"},
        {lng.c_str(), "m.replace('a', 'b', -200000); nil;"},
    };
    for (const Case& c : cases) EXPECT_GE(checks_of(c.setup, c.code), 50) << c.setup << c.code;
    // a thing of many properties
    const std::string props = "t = {}; range(3000).each(|i| t[str(i)] = i); ";
    EXPECT_GE(checks_of(props + "t.keys().len(); t.values().len();", "t.keys(); t.values(); nil;"),
              4);
}

TEST(HostileLoops, CancelStopsTheLoop) {
    EXPECT_TRUE(cancelled_inside(kInts, "x = []; x.extend_unique(a); nil;"));
    EXPECT_TRUE(cancelled_inside(kInts, "a.unique(); nil;"));
    EXPECT_TRUE(cancelled_inside(kInts, "a.sort(|x, y| x - y); nil;"));
    EXPECT_TRUE(cancelled_inside(kInts, "a.reverse(); nil;"));
    EXPECT_TRUE(cancelled_inside(kThings, "s - set(); nil;"));
    EXPECT_TRUE(cancelled_inside(kLong + kNeedle, "m.split('a'); nil;"));
}

// ---- no process-global state from one query to the next ---------------------

namespace {

std::string tz_env() {
    const char* v = std::getenv("TZ");
    return v ? v : "<unset>";
}

}  // namespace

TEST(HostileLoops, TimeZoneDoesNotCarryOver) {
    const char* zoned = "datetime(0).to('America/New_York').format('%H %s')";
    const char* plain =
        "[datetime(0).format('%s'), int(datetime('0', '%s')), "
        "datetime(3600).to('+01').format('%H'), datetime(3600).to('+01').format('%s')]";
    const char* plain_out = "[\"0\",0,\"02\",\"7200\"]";
    for (const char* saved : {"", "Asia/Tokyo"}) {
        if (*saved)
            setenv("TZ", saved, 1);
        else
            unsetenv("TZ");
        tzset();
        std::string env = tz_env();
        // both orders, and an error in between
        EXPECT_EQ(q(plain), plain_out);
        EXPECT_EQ(tz_env(), env);
        EXPECT_EQ(q(zoned), "\"19 0\"");
        EXPECT_EQ(tz_env(), env);
        EXPECT_EQ(q(plain), plain_out);
        qerr(std::string(zoned) + "; raise('x')");
        EXPECT_EQ(tz_env(), env);
        EXPECT_EQ(q(plain), plain_out);
        // in one query, either order
        EXPECT_EQ(q(std::string("[") + plain + ", " + zoned + ", " + plain + "]"),
                  std::string("[") + plain_out + ",\"19 0\"," + plain_out + "]");
        EXPECT_EQ(tz_env(), env);
    }
    unsetenv("TZ");
    tzset();
}
