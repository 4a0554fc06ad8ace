// Watch events: the jobs each mutation records, in ThingsDB's mutation format.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/api/events.h"
#include "harness.h"
#include "core/lang/query.h"

namespace {

using Jobs = std::vector<std::pair<uint64_t, std::string>>;

// Runs code on the current node and returns its jobs as "id:json" lines.
std::string jobs(const std::string& code, const std::string& scope = "@:stuff") {
    tdb::QueryRequest req;
    req.scope = scope;
    req.code = code;
    Jobs out;
    req.jobs_out = &out;
    try {
        tdb::run_query(storage(), req);
    } catch (const tdb::Error& e) {
        ADD_FAILURE() << "query failed: " << code << "\n  " << e.msg();
    }
    std::string s;
    for (auto& [id, json] : out) s += std::to_string(id) + ":" + json + "\n";
    return s;
}

uint64_t root() {
    fresh_storage();
    return std::stoull(qk(".id()"));
}

std::string on(uint64_t id, const std::string& json) {
    return std::to_string(id) + ":" + json + "\n";
}

}  // namespace

TEST(Events, SetAndDel) {
    uint64_t r = root();
    EXPECT_EQ(jobs(".name = 'ThingsDB';"), on(r, R"({"set":{"name":"ThingsDB"}})"));
    EXPECT_EQ(jobs(".del('name');"), on(r, R"({"del":"name"})"));
    EXPECT_EQ(jobs(".n = 1; .n += 2; .clear();"),
              on(r, R"({"set":{"n":1}})") + on(r, R"({"set":{"n":3}})") + on(r, R"({"del":"n"})"));
}

TEST(Events, EveryListChangeIsASplice) {
    uint64_t r = root();
    qk(".arr = ['a', 'b'];");
    EXPECT_EQ(jobs(".arr.push('c', 'd');"), on(r, R"({"splice":{"arr":[2,0,"c","d"]}})"));
    EXPECT_EQ(jobs(".arr.unshift('z');"), on(r, R"({"splice":{"arr":[0,0,"z"]}})"));
    EXPECT_EQ(jobs(".arr.pop();"), on(r, R"({"splice":{"arr":[4,1]}})"));
    EXPECT_EQ(jobs(".arr.shift();"), on(r, R"({"splice":{"arr":[0,1]}})"));
    // now [a, b, c]
    EXPECT_EQ(jobs(".arr.splice(1, 1, 'x', 'y');"), on(r, R"({"splice":{"arr":[1,1,"x","y"]}})"));
    EXPECT_EQ(jobs(".arr.extend(['e']);"), on(r, R"({"splice":{"arr":[4,0,"e"]}})"));
    EXPECT_EQ(jobs(".arr[0] = 'A';"), on(r, R"({"splice":{"arr":[0,1,"A"]}})"));
    EXPECT_EQ(jobs(".arr[1:3] = [1];"), on(r, R"({"splice":{"arr":[1,2,1]}})"));
    EXPECT_EQ(qk(".arr"), R"(["A",1,"c","e"])");
    EXPECT_EQ(jobs(".arr.clear();"), on(r, R"({"splice":{"arr":[0,4]}})"));
}

TEST(Events, SetAddAndRemove) {
    uint64_t r = root();
    qk(".s = set(); .t = {};");
    uint64_t t = std::stoull(qk(".t.id()"));
    std::string ts = std::to_string(t);
    uint64_t n = t + 1;  // the next id (MemStorage hands them out in order)
    EXPECT_EQ(jobs(".s.add(.t, {title: 'HG2G'});"),
              on(r, R"({"add":{"s":[{"#":)" + ts + R"(},{"#":)" + std::to_string(n) +
                        R"(,"title":"HG2G"}]}})"));
    EXPECT_EQ(jobs(".s.remove(.t);"), on(r, R"({"remove":{"s":[)" + ts + "]}}"));
}

TEST(Events, NewThingsAreSentWholeOnce) {
    uint64_t r = root();
    std::string got = jobs(".a = {x: {y: 1}}; .b = .a; .a.z = 2;");
    // .a.z changes a thing created in this query: no job of its own.
    std::string a = std::to_string(r + 1), x = std::to_string(r + 2);
    EXPECT_EQ(got, on(r, R"({"set":{"a":{"#":)" + a + R"(,"x":{"#":)" + x + R"(,"y":1}}}})") +
                       on(r, R"({"set":{"b":{"#":)" + a + "}}}"));
    // In a later query the things are known: referred to by id.
    EXPECT_EQ(jobs(".c = .a; .a.w = 3;"),
              on(r, R"({"set":{"c":{"#":)" + a + "}}}") + on(r + 1, R"({"set":{"w":3}})"));
}

// Every kind of job that carries things (set, splice, add) packs a new thing whole the first
// time the query sends it and by id after, whichever job met it first.
TEST(Events, NewThingsAreSentWholeOnceInEveryKindOfJob) {
    uint64_t r = root();
    std::string got = jobs(
        ".l = range(3).map(|i| {n: i}); .s = set(); .s.add(.l[0], {a: 1}); .l.push(.l[1]); "
        ".m = .l[2]; .l.push({k: .l[0]});");
    std::string t0 = std::to_string(r + 1), t1 = std::to_string(r + 2), t2 = std::to_string(r + 3),
                t3 = std::to_string(r + 4), t4 = std::to_string(r + 5);
    EXPECT_EQ(got, on(r, R"({"set":{"l":[{"#":)" + t0 + R"(,"n":0},{"#":)" + t1 +
                             R"(,"n":1},{"#":)" + t2 + R"(,"n":2}]}})") +
                       on(r, R"({"set":{"s":{"$":[]}}})") +
                       on(r, R"({"add":{"s":[{"#":)" + t0 + R"(},{"#":)" + t3 + R"(,"a":1}]}})") +
                       on(r, R"({"splice":{"l":[3,0,{"#":)" + t1 + "}]}}") +
                       on(r, R"({"set":{"m":{"#":)" + t2 + "}}}") +
                       on(r, R"({"splice":{"l":[4,0,{"#":)" + t4 + R"(,"k":{"#":)" + t0 + "}}]}}"));
    // The next query sends a thing the last one made by id, and its own new ones whole.
    EXPECT_EQ(jobs(".x = [.l[0], {b: 2}];"), on(r, R"({"set":{"x":[{"#":)" + t0 + R"(},{"#":)" +
                                                       std::to_string(r + 6) + R"(,"b":2}]}})"));
}

// Integers at both ends of their range keep every digit and sign.
TEST(Events, IntegersKeepEveryDigit) {
    uint64_t r = root();
    EXPECT_EQ(jobs(".v = [-9223372036854775807 - 1, 9223372036854775807, 0, -1, 10];"),
              on(r, R"({"set":{"v":[-9223372036854775808,9223372036854775807,0,-1,10]}})"));
}

TEST(Events, ValuesInTheMutationFormat) {
    uint64_t r = root();
    EXPECT_EQ(jobs(".v = [nil, true, 1.5, 'x', [1, 2]];"),
              on(r, R"({"set":{"v":[null,true,1.5,"x",[1,2]]}})"));
    EXPECT_EQ(jobs(".c = |a, b| a * b;"), on(r, R"({"set":{"c":{"/":"|a,b|a*b"}}})"));
    EXPECT_EQ(jobs(".re = /ab+/i;"), on(r, R"({"set":{"re":{"*":"/ab+/i"}}})"));
    EXPECT_EQ(jobs(".e = err(-100, 'oops');"), on(r, R"({"set":{"e":{"!":["oops",-100]}}})"));
    EXPECT_EQ(jobs(".s = set();"), on(r, R"({"set":{"s":{"$":[]}}})"));
    EXPECT_EQ(jobs(".b = bytes('hi');"), on(r, R"({"set":{"b":"aGk="}})"));
}

TEST(Events, Emit) {
    uint64_t r = root();
    EXPECT_EQ(jobs(".emit('greet', 'Hello', 'universe!');"),
              on(r, R"({"event":["greet","Hello","universe!"]})"));
    EXPECT_EQ(jobs(".emit('x', {a: 1}, .id());"),
              on(r, R"({"event":["x",{"a":1},)" + std::to_string(r) + "]}"));
    EXPECT_EQ(jobs("{}.emit('nobody');"), "");  // not stored: no watchers
    EXPECT_EQ(qerr(".emit(1);", "@:stuff", true).msg(),
              "function `emit` expects argument 1 to be of type `str` but got type `int` instead; "
              "see https://docs.thingsdb.io/v1/data-types/thing/emit");
    EXPECT_EQ(qerr(".emit();", "@:stuff", true).code(), tdb::NUM_ARGUMENTS_ERR);
}

TEST(Events, ReadingRecordsNothing) {
    root();
    qk(".a = [1]; .s = set();");
    EXPECT_EQ(jobs(".a.len(); .s.len(); .a.map(|x| x);"), "");
    EXPECT_EQ(jobs("x = [1]; x.push(2); t = {}; t.k = 1;"), "");  // not stored
}

TEST(Events, CollectionsGoOnThingZero) {
    root();
    std::string got =
        jobs("new_collection('foo'); rename_collection('foo', 'bar'); del_collection('bar');",
             "@thingsdb");
    EXPECT_NE(got.find(R"(0:{"new_collection":{"name":"foo","root":)"), std::string::npos) << got;
    EXPECT_NE(got.find(R"(0:{"rename_collection":{"id":)"), std::string::npos) << got;
    EXPECT_NE(got.find(R"(0:{"del_collection":)"), std::string::npos) << got;
}

TEST(Events, WatchInit) {
    uint64_t r = root();
    qk(".name = 'x'; .t = {};");
    std::string init = tdb::watch_init(storage(), "@:stuff", r, 7);
    std::string head =
        R"({"event":7,"thing":{"#":)" + std::to_string(r) + R"(,"name":"x","t":{"#":)";
    EXPECT_EQ(init.substr(0, head.size()), head);
    EXPECT_NE(init.find(R"("collection":"stuff")"), std::string::npos) << init;
    EXPECT_EQ(tdb::watch_init(storage(), "@thingsdb", 0, 3),
              R"({"event":3,"thing":{"#":0},"collection":null})");
    try {
        tdb::watch_init(storage(), "@:stuff", 987654, 1);
        ADD_FAILURE() << "expected lookup_err";
    } catch (const tdb::Error& e) {
        EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    }
}

// Changes of the @thingsdb scope (users, tokens, access) are jobs on thing 0;
// a token's key never appears in an event.
TEST(Events, ThingsdbScopeJobsOnThingZero) {
    fresh_storage();
    tdb::Scope sc;
    sc.kind = tdb::Scope::THINGSDB;
    tdb::Query query(storage(), sc);
    query.run(
        "new_user('iris'); k = new_token('iris', nil, 'app'); grant('@:stuff', 'iris', QUERY); "
        "revoke('@:stuff', 'iris', QUERY); rename_user('iris', 'cato'); del_token(k); "
        "del_user('cato');");
    std::vector<std::string> kinds;
    for (auto& j : query.jobs) {
        EXPECT_EQ(j.thing_id, 0u) << j.json;
        kinds.push_back(j.json.substr(2, j.json.find('"', 2) - 2));
    }
    EXPECT_EQ(kinds, (std::vector<std::string>{"new_user", "new_token", "grant", "revoke",
                                               "rename_user", "del_token", "del_user"}));
    EXPECT_NE(query.jobs[0].json.find("\"username\":\"iris\""), std::string::npos);
    EXPECT_EQ(query.jobs[1].json.find("key"), std::string::npos);
    EXPECT_NE(query.jobs[2].json.find("\"mask\":1}"), std::string::npos);
}
