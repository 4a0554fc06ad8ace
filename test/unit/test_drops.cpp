// Drops in one pass per level (Storage::write_and_drop): what a dropped thing
// held is released in the next round, with the properties it held last; and
// code without side effects opens its collection as a reader.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace {

// Counts the rounds of a flush and logs set_reader beside the locks.
class RoundStorage : public MemStorage {
public:
    int rounds = 0;
    std::vector<tdb::StoredThing> write_and_drop(uint64_t coll,
                                                 const std::vector<tdb::ThingWrite>& w) override {
        ++rounds;
        return MemStorage::write_and_drop(coll, w);
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

TEST(Drops, RefsInsideStringsAreNotReferences) {
    RoundStorage st;
    run(st, ".keep = {k: 1}; .arr = [{s: '{\"#\": 1}', t: .keep}, {s: '\"!s\"'}]; nil");
    run(st, ".arr = []; nil");
    EXPECT_EQ(refs_of_prop(st, "k"), 1);
    EXPECT_EQ(st.things.size(), 2u);
}

TEST(Drops, CodeWithoutSideEffectsOpensAsAReader) {
    RoundStorage st;
    run(st, ".x = 1; nil");
    st.lock_log.clear();
    run(st, ".x");
    EXPECT_EQ(st.lock_log, (std::vector<std::string>{"R1", "S 1"}));
    st.lock_log.clear();
    run(st, ".x = 2; nil");
    EXPECT_EQ(st.lock_log, (std::vector<std::string>{"S 1"}));
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
