// thing.restrict/restriction, thing.search, local containers that are no
// change, scopes and collection_info/change_id.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "harness.h"

namespace {

// Runs code as a read-only entry point does (tdb_query_ro).
std::string q_ro(const std::string& code, bool keep = false) {
    MemStorage& st = keep ? storage() : fresh_storage();
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    req.read_only = "tdb_query_ro() is read-only; use tdb_query()";
    try {
        return tdb::run_query(st, req);
    } catch (const tdb::Error& e) {
        return std::string("error: ") + e.msg();
    }
}

// Runs code on the current node and returns its watch-event jobs.
std::vector<std::pair<uint64_t, std::string>> jobs_of(const std::string& code) {
    std::vector<std::pair<uint64_t, std::string>> jobs;
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    req.jobs_out = &jobs;
    tdb::run_query(storage(), req);
    return jobs;
}

}  // namespace

// ---- x = []; x.push(1) is no change ---------------------------------------------

TEST(Library, LocalListIsNoChange) {
    EXPECT_EQ(q_ro("x = []; x.push(1); x"), "[1]");
    EXPECT_EQ(q_ro("x = [1, 2, 3]; x.pop(); x.shift(); x.unshift(0); x.splice(1, 0, 5); x.extend([7]); x"),
              "[0,5,2,7]");
    EXPECT_EQ(q_ro("x = [3]; x.extend_unique([3, 4]); x.fill(1); x"), "[1,1]");
    EXPECT_EQ(q_ro("s = set(); s.add({}); s.len()"), "1");
    EXPECT_EQ(q_ro("set({}).len()"), "1");
    // a stored list (or one reached through a property) is still a change
    EXPECT_EQ(q_ro(".l.push(1)"), "error: the query changes data but tdb_query_ro() is read-only; use tdb_query()");
    EXPECT_EQ(q_ro("x = {l: []}; x.l.push(1)"),
              "error: the query changes data but tdb_query_ro() is read-only; use tdb_query()");
    EXPECT_EQ(q_ro("x = {}; x.a = 1"), "error: the query changes data but tdb_query_ro() is read-only; use tdb_query()");
}

TEST(Library, VariableHoldsCopyOfStoredList) {
    EXPECT_EQ(q(".l = [1]; x = .l; x.push(2); [x, .l]"), "[[1,2],[1]]");
    EXPECT_EQ(qk(".l"), "[1]");
    // read-only: the variable's copy may change, the stored list stays
    EXPECT_EQ(q_ro("x = .l; x.push(3); [x, .l]", true), "[[1,3],[1]]");
    EXPECT_EQ(q(".s = set(); x = .s; x.add({}); [x.len(), .s.len()]"), "[1,0]");
}

// ---- thing.restrict / restriction ----------------------------------------------

TEST(Library, RestrictBasics) {
    EXPECT_EQ(q("t = {}; t.restrict('int'); t.restriction()"), "\"int\"");
    EXPECT_EQ(q("{}.restriction()"), "null");
    EXPECT_EQ(q("t = {}; t.restrict('int') == t"), "true");   // returns the thing
    EXPECT_EQ(q("t = {}.restrict('str'); t.a = 'x'; t.set('b', 'y'); t.assign({c: 'z'}); t"),
              "{\"a\":\"x\",\"b\":\"y\",\"c\":\"z\"}");
    EXPECT_EQ(q("t = {}.restrict('int'); t.restrict(nil); t.a = 'x'; [t.restriction(), t.a]"), "[null,\"x\"]");
    EXPECT_EQ(q("t = {}.restrict('number'); t.a = 1; t.b = 1.5; t.len()"), "2");
    EXPECT_EQ(q("t = {}.restrict('[]'); t.a = [1]; t.restriction()"), "\"[]\"");
    EXPECT_EQ(q("t = {}.restrict('{}'); t.a = set(); t.restriction()"), "\"{}\"");
    EXPECT_EQ(q("t = {}.restrict('any'); t.restriction()"), "null");
    // ThingsDB drops a `?` after a built-in name
    EXPECT_EQ(q("t = {}.restrict('int?'); t.restriction()"), "\"int\"");
    EXPECT_EQ(q("t = {}.restrict('email'); t.a = 'iris@example.com'; t.b = ''; t.len()"), "2");
    EXPECT_EQ(q("t = {}.restrict('uint'); t.a = 0; t.a"), "0");
    // del and remove are not restricted; copy drops the restriction, dup keeps it
    EXPECT_EQ(q("t = {a: 1}.restrict('int'); t.del('a'); t.len()"), "0");
    EXPECT_EQ(q("t = {}.restrict('int'); [t.copy().restriction(), t.dup().restriction()]"), "[null,\"int\"]");
}

TEST(Library, RestrictMismatch) {
    expect_err("t = {}.restrict('int'); t.a = 'x'", tdb::TYPE_ERR, "restriction mismatch");
    expect_err("t = {}.restrict('int'); t.set('a', 1.5)", tdb::TYPE_ERR, "restriction mismatch");
    expect_err("t = {}.restrict('int'); t.assign({a: nil})", tdb::TYPE_ERR, "restriction mismatch");
    expect_err("t = {}.restrict('int'); t['a b'] = true", tdb::TYPE_ERR, "restriction mismatch");
    expect_err("t = {a: 1}.restrict('int'); t.a += 0.5", tdb::TYPE_ERR, "restriction mismatch");
    expect_err("t = {}.restrict('pint'); t.a = 0", tdb::TYPE_ERR, "restriction mismatch");
    expect_err("t = {}.restrict('nint'); t.a = 0", tdb::TYPE_ERR, "restriction mismatch");
    expect_err("t = {}.restrict('utf8'); t.a = bytes('x')", tdb::TYPE_ERR, "restriction mismatch");
    expect_err("t = {}.restrict('tel'); t.a = 'iris'", tdb::TYPE_ERR, "restriction mismatch");
    expect_err("t = {}.restrict('thing'); t.a = []", tdb::TYPE_ERR, "restriction mismatch");
    expect_err("t = {}.restrict('int?'); t.a = nil", tdb::TYPE_ERR, "restriction mismatch");
}

TEST(Library, RestrictErrors) {
    expect_err("[].restrict('int')", tdb::LOOKUP_ERR, "type `list` has no function `restrict`");
    expect_err("{}.restrict()", tdb::NUM_ARGUMENTS_ERR, "function `restrict` takes 1 argument but 0 were given");
    expect_err("{}.restrict(nil, nil)", tdb::NUM_ARGUMENTS_ERR,
               "function `restrict` takes 1 argument but 2 were given");
    expect_err("{}.restrict(123)", tdb::TYPE_ERR,
               "function `restrict` expects argument 1 to be of type `str` or `nil` but got type `int` instead");
    expect_err("{}.restrict('')", tdb::VALUE_ERR, "restriction must not be empty");
    expect_err("{}.restrict('?')", tdb::VALUE_ERR, "restriction must not be empty");
    expect_err("{}.restrict('int<0:9>')", tdb::VALUE_ERR, "restriction must not contain a range condition");
    expect_err("{}.restrict('/^a/')", tdb::VALUE_ERR, "restriction must not contain a pattern condition");
    expect_err("{}.restrict('list')", tdb::VALUE_ERR, "failed to set restriction; unknown type `list`");
    expect_err("{}.restrict('Nope?')", tdb::VALUE_ERR, "failed to set restriction; unknown type `Nope`");
    expect_err("{}.restrict('\xc3\xa9')", tdb::VALUE_ERR, "restriction must only contain valid ASCII characters");
    expect_err("{a: 'x'}.restrict('int')", tdb::VALUE_ERR,
               "at least one of the existing values does not match the desired restriction");
    expect_err("t = {a: 1}; t.each(|| t.restrict('int'))", tdb::OPERATION_ERR,
               "cannot change type `thing` while the value is being used");
    expect_err("{}.restriction(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `restriction` takes 0 arguments but 1 was given");
    expect_err("x = 1; x.restriction()", tdb::LOOKUP_ERR, "type `int` has no function `restriction`");
    expect_err("set_type('T', {a: 'int'}); T{}.restrict('int')", tdb::LOOKUP_ERR,
               "type `T` has no property or method `restrict`");
    expect_err("nse({}.restrict('int'))", tdb::OPERATION_ERR,
               "function `nse` failed; at least one side-effect is enforced");
}

TEST(Library, RestrictTypesAndEnums) {
    EXPECT_EQ(q("set_type('T', {n: 'int'}); t = {}.restrict('T?'); t.a = T{}; t.b = nil; [t.restriction(), t.len()]"),
              "[\"T?\",2]");
    expect_err("set_type('T', {n: 'int'}); t = {}.restrict('T'); t.a = {}", tdb::TYPE_ERR, "restriction mismatch");
    expect_err("set_type('T', {n: 'int'}); t = {}.restrict('T'); t.a = nil", tdb::TYPE_ERR, "restriction mismatch");
    EXPECT_EQ(q("set_enum('E', {A: 1, B: 2}); t = {}.restrict('E'); t.a = E{A}; t.restriction()"), "\"E\"");
    expect_err("set_enum('E', {A: 1}); t = {}.restrict('E'); t.a = 1", tdb::TYPE_ERR, "restriction mismatch");
    // a renamed type keeps the restriction; a deleted one ends it
    EXPECT_EQ(q("set_type('T', {n: 'int'}); t = {}.restrict('T'); rename_type('T', 'U'); t.restriction()"),
              "\"U\"");
    EXPECT_EQ(q("set_type('T', {n: 'int'}); .t = {}.restrict('T'); del_type('T'); .t.a = 1; .t.restriction()"),
              "null");
    // the item definition of a Type's list or set field
    EXPECT_EQ(q("set_type('N', {x: 'int'}); set_type('B', {l: '[int?]', s: '{N}', a: '[]'}); b = B{};"
                "[b.l.restriction(), b.s.restriction(), b.a.restriction(), [].restriction(), set().restriction()]"),
              "[\"int?\",\"N\",null,null,null]");
    // to_type ends a restriction
    EXPECT_EQ(q("set_type('T', {a: 'int'}); .t = {a: 1}.restrict('int'); .t.to_type('T'); .t.to_thing(); "
                ".t.restriction()"),
              "null");
}

TEST(Library, RestrictStored) {
    fresh_storage();
    EXPECT_EQ(qk(".t = {a: 1}; .t.restrict('int'); 'ok'"), "\"ok\"");
    uint64_t id = 0;
    for (auto& [tid, row] : storage().things)
        if (row.thing.props_json.find("\"!\"") != std::string::npos) id = tid;
    ASSERT_NE(id, 0u);
    EXPECT_EQ(storage().things[id].thing.props_json, "{\"!\":\"int\",\"a\":1}");
    // a later query (things read back) still checks it
    EXPECT_EQ(qk(".t.restriction()"), "\"int\"");
    EXPECT_EQ(qk(".t.keys()"), "[\"a\"]");
    tdb::Error e = qerr(".t.b = 'x'", "@:stuff", true);
    EXPECT_EQ(e.code(), tdb::TYPE_ERR);
    EXPECT_EQ(e.msg(), "restriction mismatch");
    // removed: gone from the stored form
    qk(".t.restrict(nil)");
    EXPECT_EQ(storage().things[id].thing.props_json, "{\"a\":1}");
    // rows written before restrictions existed load as unrestricted things
    storage().things[id].thing.props_json = "{\"a\":1,\"b\":\"x\"}";
    EXPECT_EQ(qk(".t.restriction()"), "null");
    // a Type restriction is stored by id and creation time
    qk("set_type('T', {n: 'int'}); .t.del('b'); .t.del('a'); .t.restrict('T?')");
    EXPECT_NE(storage().things[id].thing.props_json.find("\"!\":\":t"), std::string::npos);
    EXPECT_EQ(qk(".t.restriction()"), "\"T?\"");
    // the reserved key cannot be used as a property
    expect_err("t = {}; t['!'] = 1", tdb::VALUE_ERR, "property `!` is reserved");
}

TEST(Library, RestrictJobsAndChange) {
    fresh_storage();
    qk(".t = {}");
    auto jobs = jobs_of(".t.restrict('str')");
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].second, "{\"restrict\":\"str\"}");
    jobs = jobs_of(".t.restrict('str')");   // unchanged: no job
    EXPECT_TRUE(jobs.empty());
    jobs = jobs_of(".t.restrict(nil)");
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].second, "{\"restrict\":null}");
    // restrict is a change, as in ThingsDB (also on a thing in a variable)
    EXPECT_EQ(q_ro("{}.restrict('int'); 1"),
              "error: the query changes data but tdb_query_ro() is read-only; use tdb_query()");
}
