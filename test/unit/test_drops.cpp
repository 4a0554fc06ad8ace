// Drops in one pass per level (Storage::write_and_drop): what a dropped thing
// held is released in the next round, with the properties it held last; and
// code without side effects opens its collection as a reader.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/api/codec.h"
#include "harness.h"

namespace {

// Counts the rounds of a flush and logs set_reader beside the locks.
class RoundStorage : public MemStorage {
public:
    int rounds = 0;
    // Whether every round's counts came as Storage::write_and_drop expects them from the
    // core: sorted by id, one change per id, none zero, no id of a thing written with props.
    bool counts_ok = true;
    // As PgStorage: a deleted thing that holds no references and that the caller does not
    // hold is not returned (DroppedThings::keep).
    bool leave_out = true;
    size_t left_out = 0;
    tdb::DroppedThings write_and_drop(uint64_t coll, const std::vector<tdb::ThingWrite>& w,
                                      const std::vector<tdb::RefChange>& refs,
                                      const tdb::HeldThings* keep) override {
        ++rounds;
        for (size_t i = 0; i < refs.size(); ++i) {
            if (refs[i].delta == 0 || (i > 0 && refs[i - 1].id >= refs[i].id)) counts_ok = false;
            for (const tdb::ThingWrite& t : w)
                if (t.id == refs[i].id) counts_ok = false;
        }
        tdb::DroppedThings d = MemStorage::write_and_drop(coll, w, refs);
        for (size_t i = 0; i < d.size(); ++i) {
            tdb::StoredThing t = d.thing(i);
            if (t.id != d.rows[i].id || t.props_json != d.props(i)) counts_ok = false;
        }
        if (!leave_out || !keep) return d;
        tdb::DroppedThings kept;
        for (size_t i = 0; i < d.size(); ++i) {
            if (tdb::refs_of(d.props(i)).empty() && !keep->held(d.rows[i].id)) {
                ++left_out;
                continue;
            }
            kept.add(d.thing(i));
        }
        return kept;
    }
    void set_reader(bool on) override { lock_log.push_back(on ? "R1" : "R0"); }
};

std::string run(MemStorage& st, const std::string& code) {
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    return tdb::run_query(st, req);
}

int64_t refs_of_prop(MemStorage& st, const std::string& key) {
    for (auto& [id, r] : st.things)
        if (r.thing.props_json.find("\"" + key + "\"") != std::string::npos) return r.refs;
    return -1;
}

TEST(Drops, OneRoundPerLevelWhateverTheWidth) {
    RoundStorage st;
    run(st, ".arr = range(2000).map(|i| {n: i}); nil");
    size_t before = st.things.size();
    st.rounds = 0;
    run(st, ".arr = []; nil");
    EXPECT_EQ(st.rounds, 1);  // the root written, its 2000 items dropped in the same pass
    EXPECT_EQ(st.things.size(), before - 2000);
    run(st, ".t = range(10).map(|i| {l: range(10).map(|j| {s: set({k: j})})}); nil");
    st.rounds = 0;
    run(st, ".t = nil; nil");
    EXPECT_EQ(st.rounds, 3);  // the root and its 10 things; their 100; the 100 in sets
    EXPECT_EQ(st.things.size(), before - 2000);
}

TEST(Drops, AChainIsOneRoundPerLinkWithoutRecursion) {
    RoundStorage st;
    run(st, ".head = {i: 0}; .tail = .head; nil");
    run(st, ".tail = range(3000).reduce(|a, i| { n = {i: i}; a.next = n; n }, .tail); nil");
    size_t before = st.things.size();
    st.rounds = 0;
    run(st, ".head = nil; .tail = nil; nil");
    EXPECT_EQ(st.things.size(), before - 3001);
    EXPECT_EQ(st.rounds, 3001);  // the root and the head, then each link frees the next
}

TEST(Drops, AThingChangedAndDroppedReleasesWhatItHoldsNow) {
    RoundStorage st;
    run(st, ".keep = {kept: 1}; .arr = range(5).map(|i| {n: i}); nil");
    run(st,
        ".arr[1].r = .keep; .arr[2].l = [.keep, {fresh: 1}]; .arr[3].r = .keep; "
        ".arr[3].del('r'); .arr = []; nil");
    EXPECT_EQ(refs_of_prop(st, "kept"), 1);
    EXPECT_EQ(refs_of_prop(st, "fresh"), -1);  // made and dropped in one query
    EXPECT_EQ(st.things.size(), 2u);           // the root and .keep
}

TEST(Drops, NewReferencesInTheSameQueryKeepTheThing) {
    RoundStorage st;
    run(st, ".arr = range(5).map(|i| {n: i}); nil");
    run(st, "x = .arr[3]; .arr = []; .other = [x]; nil");
    EXPECT_EQ(run(st, ".other[0].n"), "3");
    EXPECT_EQ(st.things.size(), 2u);
}

TEST(Drops, AThingStillHeldIsReturnedWithItsProperties) {
    RoundStorage st;
    run(st, ".arr = range(5).map(|i| {n: i, m: {k: i}}); nil");
    // .arr[2] is a stub until the drop: its properties come from the deleted row.
    std::string got = run(st, "t = .arr[2]; .arr = []; t");
    EXPECT_NE(got.find("\"n\":2"), std::string::npos) << got;
    EXPECT_EQ(got.find("\"#\""), std::string::npos) << got;  // no longer stored
    EXPECT_EQ(st.things.size(), 1u);
}

TEST(Drops, ThingsWithoutReferencesComeBackOnlyWhenHeld) {
    RoundStorage st;
    run(st,
        ".deep = range(10).map(|i| {n: i, c: {d: i}}); .arr = range(100).map(|i| {n: i}); "
        ".deep2 = range(10).map(|i| {n: i, c: {d: i, e: {f: i}}}); "
        "set_type('LHeld', {n: 'int', c: 'thing?'}); "
        ".typed = range(10).map(|i| LHeld{n: i, c: (i % 2 == 0) ? {d: i} : nil}); nil");
    size_t before = st.things.size();
    run(st, ".deep = []; .arr = []; nil");
    // The things of .deep's items: no value of the query holds them (the items were stubs
    // of the identity map) and they hold no references.
    EXPECT_EQ(st.left_out, 10u);
    EXPECT_EQ(st.things.size(), before - 120);
    // Things the query holds (stubs never read, one read, their things filled from the
    // dropped rows level by level) come back with what they held.
    std::string got = run(st,
                          "t = .deep2[3]; u = .deep2[4].c; v = .typed[2]; w = .typed[5]; "
                          ".deep2 = []; .typed = []; "
                          "[t.n, t.c.d, t.c.e.f, u.d, u.e.f, v.c.d, w.n, type(v), type(w)]");
    EXPECT_EQ(got, "[3,3,3,4,4,2,5,\"LHeld\",\"LHeld\"]");
    EXPECT_EQ(st.things.size(), 1u);
    EXPECT_TRUE(st.counts_ok);
}

TEST(Drops, RefsInsideStringsAreNotReferences) {
    RoundStorage st;
    run(st, ".keep = {k: 1}; .arr = [{s: '{\"#\": 1}', t: .keep}, {s: '\"!s\"'}]; nil");
    run(st, ".arr = []; nil");
    EXPECT_EQ(refs_of_prop(st, "k"), 1);
    EXPECT_EQ(st.things.size(), 2u);
}

TEST(Drops, CountsComeSortedAndAddedUp) {
    RoundStorage st;
    run(st, ".keep = range(20).map(|i| {k: i}); nil");
    // Items holding the same things many times, dropped together with new references to
    // some of them in the same query: every id's changes arrive added up, in id order.
    run(st, ".arr = range(200).map(|i| {a: .keep[i % 20], b: .keep[(i * 7) % 20]}); nil");
    run(st, ".arr = []; .more = [.keep[3], .keep[3]]; nil");
    EXPECT_TRUE(st.counts_ok);
    EXPECT_EQ(st.things.size(), 1u + 20u);
    int64_t total = 0;
    for (auto& [id, r] : st.things) {
        if (r.thing.props_json.find("\"k\"") == std::string::npos) continue;
        total += r.refs;
        if (r.thing.props_json.find("\"k\":3}") != std::string::npos) EXPECT_EQ(r.refs, 3);
    }
    EXPECT_EQ(total, 20 + 2);
    EXPECT_EQ(run(st, ".keep.map(|x| x.k).reduce(|a, b| a + b)"), "190");
}

TEST(Drops, RoomsHeldByDroppedThingsAreReleased) {
    RoundStorage st;
    run(st, ".keep = room(); .arr = range(50).map(|i| {r: room(), s: .keep}); nil");
    EXPECT_EQ(st.rooms.size(), 51u);
    run(st, ".arr = []; nil");
    EXPECT_TRUE(st.counts_ok);
    EXPECT_EQ(st.rooms.size(), 1u);  // .keep
    EXPECT_EQ(st.rooms.begin()->second.refs, 1);
    run(st, ".keep = nil; nil");
    EXPECT_EQ(st.rooms.size(), 0u);
}

TEST(Drops, CodeWithoutSideEffectsOpensAsAReader) {
    RoundStorage st;
    run(st, ".x = 1; nil");
    st.lock_log.clear();
    run(st, ".x");
    EXPECT_EQ(st.lock_log, (std::vector<std::string>{"R1", "S 1"}));
    st.lock_log.clear();
    // Code that may change data says so before it opens anything (a storage running it as an
    // unattempted reader runs it again as a writer).
    run(st, ".x = 2; nil");
    EXPECT_EQ(st.lock_log, (std::vector<std::string>{"R0", "S 1"}));
    // wse() makes a change at run time: a collection used before is locked again as a
    // writer's, one not used yet is locked once, as a writer's, at its first use.
    st.lock_log.clear();
    run(st, ".x; wse(); .x");
    EXPECT_EQ(st.lock_log, (std::vector<std::string>{"R1", "S 1", "R0", "S 1"}));
    st.lock_log.clear();
    run(st, "wse(); .x");
    EXPECT_EQ(st.lock_log, (std::vector<std::string>{"R1", "R0", "S 1"}));
    // Code that uses nothing of the collection takes no lock.
    st.lock_log.clear();
    run(st, "6 * 7");
    EXPECT_EQ(st.lock_log, (std::vector<std::string>{"R1"}));
    // A syntax error is still reported as one.
    st.lock_log.clear();
    EXPECT_THROW(run(st, ".x +"), tdb::Error);
}

}  // namespace
