// Hostile input: deep nesting, huge values and runaway code end in
// a clear error (or work), never in a crash; the limits come from Limits.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/lang/query.h"
#include "harness.h"

using tdb::Error;

namespace {}  // namespace

TEST(Reliability, DeepChainsAreFreedWithoutRecursion) {
    // 1,000,000 nested things and lists: freed by a loop, not a recursion.
    EXPECT_EQ(q("x = {}; for (i in range(100000)) x = {a: x}; for (i in range(100000)) x = {a: x};"
                "for (i in range(100000)) x = {a: x}; 1"),
              "1");
    EXPECT_EQ(q("x = []; for (i in range(100000)) x = [x]; 1"), "1");
    EXPECT_EQ(q("s = set(); for (i in range(100000)) s = set({s: s}); 1"), "1");
}

TEST(Reliability, DeepChainOfNewThingsIsAClearError) {
    // Stored in one change, a chain deeper than the nesting limit cannot be
    // packed into the change's event: an error, and nothing is written.
    fresh_storage();
    Error e = qerr(
        "x = {}; for (i in range(100000)) x = {a: x}; for (i in range(100000)) x = {a: x}; .x = x;",
        "@:stuff", true);
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    EXPECT_EQ(e.msg(), "maximum nesting depth exceeded");
    // Deep, but within the limit: stored, with ids in depth-first order.
    EXPECT_EQ(qk("x = {}; for (i in range(900)) x = {a: x}; .x = x; .x.id() + 1 == .x.a.id()"),
              "true");
    EXPECT_EQ(qk("x = .x; for (i in range(900)) x = x.a; [x.len(), is_thing(x)]"), "[0,true]");
}

TEST(Reliability, RecursionIsBoundedWhateverTheSettings) {
    LimitsScope limits;
    (*limits).max_call_depth = 1000000;
    (*limits).max_parse_depth = 2000;
    Error e = qerr("f = |n| f(n + 1); f(0)");
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    EXPECT_EQ(e.msg(), "maximum recursion depth exceeded");
    e = qerr("f = |n| " + repeat("[", 990) + "f(n)" + repeat("]", 990) + "; f(0)");
    EXPECT_EQ(e.msg(), "maximum recursion depth exceeded");
    e = qerr("f = |n| " + repeat("[1].map(|x| ", 490) + "f(n)" + repeat(")", 490) + "; f(0)");
    EXPECT_EQ(e.msg(), "maximum recursion depth exceeded");
}

TEST(Reliability, ParserNestingLimit) {
    for (const char* open : {"[", "(", "{a:", "-", "!", "[1].map(|x|"}) {
        Error e = qerr(repeat(open, 100000) + "1");
        EXPECT_EQ(e.code(), tdb::SYNTAX_ERR) << open;
    }
}

TEST(Reliability, StringSizeLimit) {
    LimitsScope limits;
    (*limits).max_str = 1000;
    EXPECT_EQ(q("range(1000).map(|| 'x').join('').len()"), "1000");
    Error e = qerr("range(1001).map(|| 'x').join('')");
    EXPECT_EQ(e.code(), tdb::MAX_QUOTA_ERR);
    EXPECT_EQ(e.msg(), "maximum string size quota of 1000 bytes has been reached");
    e = qerr("s = 'x'; for (i in range(20)) s = s + s; s.len()");
    EXPECT_EQ(e.code(), tdb::MAX_QUOTA_ERR);
    e = qerr("'" + repeat("y", 2000) + "'");
    EXPECT_EQ(e.code(), tdb::MAX_QUOTA_ERR);
}

// A list literal of n items, its length asked.
static std::string ones(int n) {
    std::string s = "[1";
    for (int i = 1; i < n; ++i) s += ", 1";
    return s + "].len()";
}

// Each quota is the most a value may hold: exactly the limit is accepted,
// one more is refused, by every way of growing a list.
TEST(Reliability, ListSizeLimit) {
    LimitsScope limits;
    (*limits).max_list = 100;
    const std::string msg = "maximum array size quota of 100 has been reached";
    struct Case {
        std::string at_limit, past_limit;
    } cases[] = {
        {"l = []; for (i in range(100)) l.push(i); l.len()",
         "l = []; for (i in range(101)) l.push(i); l.len()"},
        {"l = range(99); l.push(1); l.len()", "l = range(100); l.push(1); l.len()"},
        {"l = range(98); l.push(1, 2); l.len()", "l = range(99); l.push(1, 2); l.len()"},
        {"l = range(50); l.extend_unique(range(50, 100)); l.len()",
         "l = range(50); l.extend_unique(range(50, 101)); l.len()"},
        {"l = range(50); l.extend(range(50)); l.len()",
         "l = range(50); l.extend(range(51)); l.len()"},
        {"l = range(99); l.unshift(1); l.len()", "l = range(100); l.unshift(1); l.len()"},
        {"l = range(98); l.splice(0, 1, 1, 2, 3); l.len()",
         "l = range(99); l.splice(0, 1, 1, 2, 3); l.len()"},
        // Stored in a thing: the list is copied and counted when assigned.
        {".l = range(100); .l.len()", ".l = range(101); .l.len()"},
        {"t = {}; t.l = range(100); t.l.len()", "t = {}; t.l = range(101); t.l.len()"},
        // Every list a query makes, not only the ones that grow: built-ins, literals, JSON.
        {"range(100).len()", "range(101).len()"},
        {"range(100).map(|x| x).len()", "[range(101).map(|x| x)].len() + 99"},
        {"range(100).map(|| 'a').join(',').split(',').len()",
         "range(101).map(|| 'a').join(',').split(',').len()"},
        {"json_load('[' + range(100).map(|| '1').join(',') + ']').len()",
         "json_load('[' + range(101).map(|| '1').join(',') + ']').len()"},
        {"t = {}; range(100).map(|i| t.set(str(i), i)); t.keys().len()",
         "t = {}; range(100).map(|i| t.set(str(i), i)); t.x = 0; t.values().len()"},
        {ones(100), ones(101)},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(q(c.at_limit), "100") << c.at_limit;
        Error e = qerr(c.past_limit);
        EXPECT_EQ(e.code(), tdb::MAX_QUOTA_ERR) << c.past_limit;
        EXPECT_EQ(e.msg(), msg) << c.past_limit;
    }
}

TEST(Reliability, ThingsPerQueryLimit) {
    LimitsScope limits;
    (*limits).max_things = 5000;
    const std::string msg = "maximum number of things per query quota of 5000 has been reached";
    EXPECT_EQ(q("range(5000).map(|i| {i: i}).len()", "@thingsdb"), "5000");
    Error e = qerr("range(5001).map(|i| {i: i}).len()", "@thingsdb");
    EXPECT_EQ(e.code(), tdb::MAX_QUOTA_ERR);
    EXPECT_EQ(e.msg(), msg);
    e = qerr("range(10000).map(|i| {i: i}).len()");
    EXPECT_EQ(e.code(), tdb::MAX_QUOTA_ERR);
    EXPECT_EQ(e.msg(), msg);
    // Between two polls (every 1024 steps) and at the very end.
    for (int n : {1, 7, 1023, 1024, 1025}) {
        std::string base = "a = range(" + std::to_string(5000 - n) + ").map(|i| {i: i}); ";
        EXPECT_EQ(
            q(base + "b = range(" + std::to_string(n) + ").map(|i| {i: i}); a.len() + b.len()",
              "@thingsdb"),
            "5000");
        e = qerr(
            base + "b = range(" + std::to_string(n + 1) + ").map(|i| {i: i}); a.len() + b.len()",
            "@thingsdb");
        EXPECT_EQ(e.msg(), msg) << n;
    }
}

TEST(Reliability, EndlessLoopIsCancelled) {
    fresh_storage().interrupts_after = 1000;
    try {
        q("range(100000).each(|| range(100000).each(|| nil))", "@:stuff", true);
        ADD_FAILURE() << "no cancel";
    } catch (const std::exception&) {
    }
    storage().interrupts_after = -1;
}

TEST(Reliability, InvalidUtf8AndNul) {
    // Code reaches the core as bytes: invalid UTF-8 and NUL are syntax
    // errors or plain string content, never a crash.
    int errors = 0;
    for (std::string code :
         {std::string("'\xff\xfe'"), std::string("\xc3"), std::string("'a\0b'", 5),
          std::string("\0", 1), std::string("x = '\xed\xa0\x80'; x.len()"),
          std::string("json_load('\"\xff\"')"), std::string("bytes('\0')")}) {
        tdb::QueryRequest req;
        req.scope = "@:stuff";
        req.code = code;
        try {
            tdb::run_query(fresh_storage(), req);
        } catch (const Error&) {
            ++errors;
        }
    }
    EXPECT_GT(errors, 0);
}

TEST(Reliability, ModTypeLocksTheCollectionBeforeReadingInstances) {
    // Every query of a collection takes its lock shared; mod_type takes it
    // exclusive before it reads the instances (writers wait, none is lost).
    MemStorage& st = fresh_storage();
    EXPECT_EQ(qk("set_type('P', {name: 'str'}); .p = P{name: 'a'}; nil;"), "null");
    uint64_t coll = st.colls.begin()->first;
    for (auto& [id, c] : st.colls)
        if (c.name == "stuff") coll = id;
    std::string s = "S " + std::to_string(coll), x = "X " + std::to_string(coll);
    st.lock_log.clear();
    EXPECT_EQ(qk(".p.name;"), "\"a\"");
    EXPECT_EQ(st.lock_log, std::vector<std::string>{s});
    st.lock_log.clear();
    EXPECT_EQ(qk("mod_type('P', 'add', 'n', 'int', 3); .p.n;"), "3");
    ASSERT_GE(st.lock_log.size(), 3u);
    EXPECT_EQ(st.lock_log[0], s);
    EXPECT_EQ(st.lock_log[1], x);
    EXPECT_EQ(st.lock_log[2], "instances");
    // The @thingsdb scope has no collection lock.
    st.lock_log.clear();
    EXPECT_EQ(qk("collections_info().len() > 0;", "@thingsdb"), "true");
    EXPECT_TRUE(st.lock_log.empty());
}

TEST(Reliability, DelTypeAndModEnumTakeModTypesLock) {
    // They change what the other queries of the collection read and write, as mod_type
    // does: the collection lock exclusive, before the catalog is read.
    MemStorage& st = fresh_storage();
    EXPECT_EQ(qk("set_type('Q', {n: 'int'}); set_enum('E', {A: 1}); nil;"), "null");
    uint64_t coll = st.colls.begin()->first;
    for (auto& [id, c] : st.colls)
        if (c.name == "stuff") coll = id;
    std::vector<std::string> want{"S " + std::to_string(coll), "X " + std::to_string(coll)};
    // The locks come first; a read of the instances ("instances") may follow.
    auto locks = [&st] {
        size_t n = std::min<size_t>(2, st.lock_log.size());
        return std::vector<std::string>(st.lock_log.begin(), st.lock_log.begin() + n);
    };
    st.lock_log.clear();
    EXPECT_EQ(qk("del_type('Q'); nil;"), "null");
    EXPECT_EQ(locks(), want);
    st.lock_log.clear();
    EXPECT_EQ(qk("mod_enum('E', 'add', 'B', 2); E{B}.value();"), "2");
    EXPECT_EQ(locks(), want);
    // A failing call has taken it too: the lock comes before the lookup.
    st.lock_log.clear();
    EXPECT_EQ(qerr("del_type('Nope');", "@:stuff", true).msg(), "type `Nope` not found");
    EXPECT_EQ(locks(), want);
}
