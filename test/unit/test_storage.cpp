// Things in storage: ids, rows and their JSON, lazy loading, garbage
// collection by reference counts, atomic queries, changes and interrupts.
#include <gtest/gtest.h>

#include <set>

#include "harness.h"
#include "core/model/thing.h"

using tdb::Error;

namespace {

// The ids of the thing rows of the collection `stuff` (id 1).
std::set<uint64_t> ids() {
    std::set<uint64_t> out;
    for (auto& [id, r] : storage().things) out.insert(id);
    return out;
}

const std::string& props(uint64_t id) { return storage().things.at(id).thing.props_json; }
int64_t refs(uint64_t id) { return storage().things.at(id).refs; }

// Counts the rows a query reads.
class CountingStorage : public MemStorage {
public:
    std::vector<uint64_t> loads;
    bool load_thing(uint64_t coll, uint64_t id, tdb::StoredThing& out) override {
        loads.push_back(id);
        return MemStorage::load_thing(coll, id, out);
    }
};

std::string run(MemStorage& st, const std::string& code) {
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    return tdb::run_query(st, req);
}

}  // namespace

// ---- ids ----------------------------------------------------------------------

TEST(Storage, ThingGetsAnIdWhenAttached) {
    EXPECT_EQ(q(".x = {}; is_int(.x.id())"), "true");
    EXPECT_EQ(q("t = {}; t.id()"), "null");  // a thing in a variable has none
    EXPECT_EQ(q("t = {a: {}}; [t.id(), t.a.id()]"), "[null,null]");
    EXPECT_EQ(q("t = {}; .x = t; is_int(t.id())"), "true");  // the same thing, now stored
    EXPECT_EQ(q("t = {a: {b: {}}}; .x = t; [t.a.id() > 0, t.a.b.id() > 0]"), "[true,true]");
    EXPECT_EQ(q("l = [{}]; .l = l; is_int(.l[0].id())"), "true");
    EXPECT_EQ(q(".s = set([{}, {}]); .s.map(|t| is_int(t.id()))"), "[true,true]");
    EXPECT_EQ(q("t = {}; u = {t:}; u.t.id()"), "null");  // attached to an unstored thing
}

TEST(Storage, RowsHoldPropsAsJson) {
    fresh_storage();
    qk(".x = {n: 1, s: 'a', f: 1.5, b: true, z: nil, l: [1, [2]], e: {}}");
    EXPECT_EQ(ids(), (std::set<uint64_t>{1, 2, 3}));
    EXPECT_EQ(props(1), "{\"x\":{\"#\":2}}");
    EXPECT_EQ(
        props(2),
        "{\"n\":1,\"s\":\"a\",\"f\":1.5,\"b\":true,\"z\":null,\"l\":[1,[2]],\"e\":{\"#\":3}}");
    EXPECT_EQ(props(3), "{}");
    EXPECT_EQ(refs(1), 1);  // the root keeps its own reference
    EXPECT_EQ(refs(2), 1);
    EXPECT_EQ(refs(3), 1);
}

TEST(Storage, TaggedValues) {
    fresh_storage();
    qk(".b = bytes('hi'); .i = inf; .n = -inf; .c = |x| x + 1; .r = /a+/i; .e = err(-100, 'oops'); "
       ".t = {}; .s = set([.t])");
    EXPECT_EQ(props(1),
              "{\"b\":{\"!b\":\"aGk=\"},\"i\":{\"!f\":\"inf\"},\"n\":{\"!f\":\"-inf\"},"
              "\"c\":{\"!c\":\"|x|x+1\"},\"r\":{\"!r\":\"/a+/i\"},\"e\":{\"!e\":[-100,\"oops\"]},"
              "\"t\":{\"#\":2},\"s\":{\"!s\":[2]}}");
    EXPECT_EQ(refs(2), 2);  // .t and the set
    // and they read back as the same values
    EXPECT_EQ(
        qk("[type(.b), str(.b), .i, .n, .c(1), 'xAAx'.test(.r), .e.code(), .e.msg(), .s.has(.t)]"),
        "[\"bytes\",\"hi\",\"inf\",\"-inf\",2,true,-100,\"oops\",true]");
    qk(".x = nan; nil");
    EXPECT_EQ(qk("is_nan(.x)"), "true");
}

// ---- persistence and lazy loading ------------------------------------------

TEST(Storage, DataSurvivesAcrossQueries) {
    fresh_storage();
    EXPECT_EQ(qk(".a = 1; .t = {name: 'x', l: [1, 2]}; nil"), "null");
    EXPECT_EQ(qk(".a"), "1");
    EXPECT_EQ(qk(".t.name"), "\"x\"");
    EXPECT_EQ(qk(".t.l.push(3); .t.l"), "[1,2,3]");
    EXPECT_EQ(qk(".t.l"), "[1,2,3]");
    EXPECT_EQ(qk("x = 5"), "5");
    Error e = qerr("x", "@:stuff", true);  // variables do not survive
    EXPECT_EQ(e.msg(), "variable `x` is undefined");
    EXPECT_EQ(qk(".t.id() == #2.id()"), "true");
    EXPECT_EQ(qk("."), "{\"#\":1,\"a\":1,\"t\":{\"#\":2}}");
}

TEST(Storage, NestedThingsLoadLazily) {
    CountingStorage st;
    run(st, ".a = {b: {c: {d: 1}}}; .z = 0; nil");  // ids 2, 3, 4
    st.loads.clear();
    EXPECT_EQ(run(st, ".z"), "0");
    EXPECT_EQ(st.loads, std::vector<uint64_t>{1});  // only the root is read
    st.loads.clear();
    EXPECT_EQ(run(st, ".a.b.c.d"), "1");
    EXPECT_EQ(st.loads, (std::vector<uint64_t>{1, 2, 3, 4}));
    st.loads.clear();
    EXPECT_EQ(run(st, "#3.c.d"), "1");
    EXPECT_EQ(st.loads, (std::vector<uint64_t>{3, 4}));
    st.loads.clear();
    EXPECT_EQ(run(st, "."), "{\"#\":1,\"a\":{\"#\":2},\"z\":0}");
    EXPECT_EQ(st.loads, std::vector<uint64_t>{1});  // deep 1 renders ids only
}

TEST(Storage, IdentityWithinAQuery) {
    fresh_storage();
    qk(".a = {}; .b = .a; nil");
    EXPECT_EQ(qk(".a == .b"), "true");
    EXPECT_EQ(qk(".a.x = 1; .b.x"), "1");
    EXPECT_EQ(qk("#2.x"), "1");
}

// ---- garbage collection --------------------------------------------------------

TEST(Storage, RemovingTheOnlyReferenceDeletesTheThing) {
    fresh_storage();
    qk(".x = {y: {z: {}}}; nil");
    EXPECT_EQ(ids(), (std::set<uint64_t>{1, 2, 3, 4}));
    qk(".x = nil");
    EXPECT_EQ(ids(), std::set<uint64_t>{1});  // x and what only it referenced
    EXPECT_EQ(props(1), "{\"x\":null}");
}

TEST(Storage, DelAndOverwriteCollect) {
    fresh_storage();
    qk(".x = {}; .y = {}; nil");
    qk(".del('x')");
    EXPECT_EQ(ids(), (std::set<uint64_t>{1, 3}));
    qk(".y = {}");  // the old .y is replaced
    EXPECT_EQ(ids(), (std::set<uint64_t>{1, 4}));
}

TEST(Storage, SharedThingsStayWhileReferenced) {
    fresh_storage();
    qk(".a = {v: {}}; .b = .a.v; nil");
    EXPECT_EQ(refs(3), 2);
    qk(".a = nil");
    EXPECT_EQ(ids(), (std::set<uint64_t>{1, 3}));
    EXPECT_EQ(refs(3), 1);
    qk(".b = nil");
    EXPECT_EQ(ids(), std::set<uint64_t>{1});
}

TEST(Storage, ListsAndSetsHoldReferences) {
    fresh_storage();
    qk(".l = [{}, {}]; .s = set([{}]); nil");
    EXPECT_EQ(ids(), (std::set<uint64_t>{1, 2, 3, 4}));
    qk(".l.pop(); nil");
    EXPECT_EQ(ids(), (std::set<uint64_t>{1, 2, 4}));
    qk(".s.clear(); nil");
    EXPECT_EQ(ids(), (std::set<uint64_t>{1, 2}));
    qk(".l[0] = 1");
    EXPECT_EQ(ids(), std::set<uint64_t>{1});
}

TEST(Storage, NewThingsNotKeptAreNeverWritten) {
    fresh_storage();
    qk(".x = {}; .x = nil; t = {}; nil");
    EXPECT_EQ(ids(), std::set<uint64_t>{1});
}

TEST(Storage, CyclesAreNotCollected) {
    // A documented limit: reference counts do not see cycles.
    fresh_storage();
    qk(".a = {}; .a.me = .a; nil");
    EXPECT_EQ(refs(2), 2);
    qk(".a = nil");
    EXPECT_EQ(ids(), (std::set<uint64_t>{1, 2}));
    EXPECT_EQ(refs(2), 1);
}

// ---- atomic queries ------------------------------------------------------------

TEST(Storage, AFailedQueryWritesNothing) {
    fresh_storage();
    qk(".a = 1; .t = {n: 1}; nil");
    auto before = storage().things;
    auto snapshot = [](const std::map<uint64_t, MemStorage::Row>& m) {
        std::string s;
        for (auto& [id, r] : m)
            s += std::to_string(id) + ":" + r.thing.props_json + ":" + std::to_string(r.refs) +
                 ":" + std::to_string(r.thing.version) + ";";
        return s;
    };
    std::string was = snapshot(before);
    EXPECT_EQ(qerr(".a = 2; .t.n = 2; .u = {}; raise('no')", "@:stuff", true).code(), -100);
    EXPECT_EQ(snapshot(storage().things), was);
    EXPECT_EQ(qerr(".a = 3; .t = nil; 1 / 0", "@:stuff", true).code(), tdb::ZERO_DIV_ERR);
    EXPECT_EQ(snapshot(storage().things), was);
    EXPECT_EQ(qerr(".l = range(10); .l[20]", "@:stuff", true).code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(snapshot(storage().things), was);
    EXPECT_EQ(qk("[.a, .t.n]"), "[1,1]");
    // a caught error does not undo what ran before it
    EXPECT_EQ(qk(".a = 5; try(raise('x')); .a"), "5");
    EXPECT_EQ(qk(".a"), "5");
}

TEST(Storage, AnInterruptWritesNothing) {
    MemStorage& st = fresh_storage();
    qk(".n = 0; nil");
    std::string was = props(1);
    st.interrupts_after = 2;
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = "for (x in range(100000)) .n += 1; .n";
    EXPECT_THROW(tdb::run_query(st, req), std::runtime_error);
    st.interrupts_after = -1;
    EXPECT_EQ(props(1), was);
    EXPECT_EQ(qk(".n"), "0");
}

// ---- changes, wse and nse ------------------------------------------------------

TEST(Storage, ChangesOfStoredThings) {
    fresh_storage();
    EXPECT_EQ(qk(".f = |x| .y = x; .g = |x| x * 2; nil"), "null");
    Error e = qerr(".f(1)", "@:stuff", true);
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    EXPECT_EQ(e.msg(),
              "closures with side effects require a change but none is created; use `wse(...)` "
              "to enforce a change; see https://docs.thingsdb.io/v1/collection-api/wse");
    EXPECT_EQ(qk("wse(.f(1)); .y"), "1");
    EXPECT_EQ(qk("wse(); .f(2); .y"), "2");
    EXPECT_EQ(qk(".g(2)"), "4");  // no side effects: no wse needed
    EXPECT_EQ(qk("[1, 2].map(.g)"), "[2,4]");
    EXPECT_EQ(qk("f = |x| .y = x; f(3); .y"), "3");  // closures of the query itself are fine
    EXPECT_EQ(qk("wse(7)"), "7");
    EXPECT_EQ(qk("nse(8)"), "8");
    EXPECT_EQ(qk("nse()"), "null");
}

// ThingsDB refuses nse() in a query that changes something ("function `nse`
// failed; at least one side-effect is enforced"), decided from the code.
TEST(Storage, NseInAChangingQuery) {
    Error e = qerr(".x = 1; nse(1)");
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    EXPECT_EQ(e.msg(),
              "function `nse` failed; at least one side-effect is enforced; see "
              "https://docs.thingsdb.io/v1/collection-api/nse");
    e = qerr("wse(); nse()");
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    e = qerr("nse(); .x = 1");  // decided from the code, not the order
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    EXPECT_EQ(q("nse(1 + 1)"), "2");
    EXPECT_EQ(q("x = {a: 1}; nse(x.a)"), "1");
    e = qerr("nse(1, 2)");
    EXPECT_EQ(e.msg(),
              "function `nse` takes at most 1 argument but 2 were given; see "
              "https://docs.thingsdb.io/v1/collection-api/nse");
}

TEST(Storage, VariablesAndUnstoredThingsAreNoChange) {
    fresh_storage();
    auto before = storage().things.at(1).thing.version;
    qk("x = 1; t = {}; t.a = 1; l = [1]; l.push(2); nil");
    EXPECT_EQ(storage().things.at(1).thing.version, before);
    EXPECT_EQ(ids(), std::set<uint64_t>{1});
}

// ---- interrupts ------------------------------------------------------------------

TEST(Storage, InterruptsStopRangeMap) {
    MemStorage& st = fresh_storage();
    st.interrupts_after = 1;
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = "range(100000).map(|x| x).len()";
    EXPECT_THROW(tdb::run_query(st, req), std::runtime_error);
    st.interrupts_after = -1;
    EXPECT_EQ(qk("range(10).map(|x| x).len()"), "10");
}

TEST(Storage, ErrorsLeaveTheNodeUsable) {
    fresh_storage();
    qk(".n = 1; nil");
    EXPECT_EQ(qerr(".n = 2; x = ", "@:stuff", true).code(), tdb::SYNTAX_ERR);
    EXPECT_EQ(qerr(".n = 2; 'a' + 1", "@:stuff", true).code(), tdb::TYPE_ERR);
    EXPECT_EQ(qerr(".n = 2; f = |x| f(x); f(1)", "@:stuff", true).code(), tdb::OPERATION_ERR);
    std::string deep(2000, '[');
    EXPECT_EQ(qerr(deep, "@:stuff", true).code(), tdb::SYNTAX_ERR);
    EXPECT_EQ(qk(".n += 1; .n"), "2");
}

// Things that only reference each other (a cycle) are freed when the query
// ends, stored or not: the backend does not keep them.
TEST(Storage, CyclesAreFreedAfterTheQuery) {
    fresh_storage();
    qk("a = {}; b = {a: a}; a.b = b; .x = a; c = {}; c.me = c; nil");
    EXPECT_EQ(tdb::live_thing_count(), 0u);
    EXPECT_EQ(qk("return .x.b.a.b, 1;").substr(0, 5), "{\"#\":");
    EXPECT_EQ(tdb::live_thing_count(), 0u);
}
