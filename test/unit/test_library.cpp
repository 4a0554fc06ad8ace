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
    EXPECT_EQ(
        q_ro(
            "x = [1, 2, 3]; x.pop(); x.shift(); x.unshift(0); x.splice(1, 0, 5); x.extend([7]); x"),
        "[0,5,2,7]");
    EXPECT_EQ(q_ro("x = [3]; x.extend_unique([3, 4]); x.fill(1); x"), "[1,1]");
    EXPECT_EQ(q_ro("s = set(); s.add({}); s.len()"), "1");
    EXPECT_EQ(q_ro("set({}).len()"), "1");
    // a stored list (or one reached through a property) is still a change
    EXPECT_EQ(q_ro(".l.push(1)"),
              "error: the query changes data but tdb_query_ro() is read-only; use tdb_query()");
    EXPECT_EQ(q_ro("x = {l: []}; x.l.push(1)"),
              "error: the query changes data but tdb_query_ro() is read-only; use tdb_query()");
    EXPECT_EQ(q_ro("x = {}; x.a = 1"),
              "error: the query changes data but tdb_query_ro() is read-only; use tdb_query()");
}

TEST(Library, VariableSharesStoredList) {
    EXPECT_EQ(q(".l = [1]; x = .l; x.push(2); [x, .l]"), "[[1,2],[1,2]]");
    EXPECT_EQ(qk(".l"), "[1,2]");
    // read-only: a stored list reached through a variable cannot change
    EXPECT_EQ(q_ro("x = .l; x.push(3); [x, .l]", true),
              "error: operation on a stored list; use `wse(...)` to enforce a change");
    EXPECT_EQ(q(".s = set(); x = .s; x.add({}); [x.len(), .s.len()]"), "[1,1]");
}

// ---- thing.restrict / restriction ----------------------------------------------

TEST(Library, RestrictBasics) {
    EXPECT_EQ(q("t = {}; t.restrict('int'); t.restriction()"), "\"int\"");
    EXPECT_EQ(q("{}.restriction()"), "null");
    EXPECT_EQ(q("t = {}; t.restrict('int') == t"), "true");  // returns the thing
    EXPECT_EQ(q("t = {}.restrict('str'); t.a = 'x'; t.set('b', 'y'); t.assign({c: 'z'}); t"),
              "{\"a\":\"x\",\"b\":\"y\",\"c\":\"z\"}");
    EXPECT_EQ(q("t = {}.restrict('int'); t.restrict(nil); t.a = 'x'; [t.restriction(), t.a]"),
              "[null,\"x\"]");
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
    EXPECT_EQ(q("t = {}.restrict('int'); [t.copy().restriction(), t.dup().restriction()]"),
              "[null,\"int\"]");
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
    expect_err("{}.restrict()", tdb::NUM_ARGUMENTS_ERR,
               "function `restrict` takes 1 argument but 0 were given");
    expect_err("{}.restrict(nil, nil)", tdb::NUM_ARGUMENTS_ERR,
               "function `restrict` takes 1 argument but 2 were given");
    expect_err("{}.restrict(123)", tdb::TYPE_ERR,
               "function `restrict` expects argument 1 to be of type `str` or `nil` but got type "
               "`int` instead");
    expect_err("{}.restrict('')", tdb::VALUE_ERR, "restriction must not be empty");
    expect_err("{}.restrict('?')", tdb::VALUE_ERR, "restriction must not be empty");
    expect_err("{}.restrict('int<0:9>')", tdb::VALUE_ERR,
               "restriction must not contain a range condition");
    expect_err("{}.restrict('/^a/')", tdb::VALUE_ERR,
               "restriction must not contain a pattern condition");
    expect_err("{}.restrict('list')", tdb::VALUE_ERR,
               "failed to set restriction; unknown type `list`");
    expect_err("{}.restrict('Nope?')", tdb::VALUE_ERR,
               "failed to set restriction; unknown type `Nope`");
    expect_err("{}.restrict('\xc3\xa9')", tdb::VALUE_ERR,
               "restriction must only contain valid ASCII characters");
    expect_err("{a: 'x'}.restrict('int')", tdb::VALUE_ERR,
               "at least one of the existing values does not match the desired restriction");
    expect_err("t = {a: 1}; t.each(|| t.restrict('int'))", tdb::OPERATION_ERR,
               "cannot change type `thing` while the value is in use");
    expect_err("{}.restriction(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `restriction` takes 0 arguments but 1 was given");
    expect_err("x = 1; x.restriction()", tdb::LOOKUP_ERR,
               "type `int` has no function `restriction`");
    expect_err("set_type('T', {a: 'int'}); T{}.restrict('int')", tdb::LOOKUP_ERR,
               "type `T` has no property or method `restrict`");
    expect_err("nse({}.restrict('int'))", tdb::OPERATION_ERR,
               "function `nse` failed; at least one side-effect is enforced");
}

TEST(Library, RestrictTypesAndEnums) {
    EXPECT_EQ(q("set_type('T', {n: 'int'}); t = {}.restrict('T?'); t.a = T{}; t.b = nil; "
                "[t.restriction(), t.len()]"),
              "[\"T?\",2]");
    expect_err("set_type('T', {n: 'int'}); t = {}.restrict('T'); t.a = {}", tdb::TYPE_ERR,
               "restriction mismatch");
    expect_err("set_type('T', {n: 'int'}); t = {}.restrict('T'); t.a = nil", tdb::TYPE_ERR,
               "restriction mismatch");
    EXPECT_EQ(q("set_enum('E', {A: 1, B: 2}); t = {}.restrict('E'); t.a = E{A}; t.restriction()"),
              "\"E\"");
    expect_err("set_enum('E', {A: 1}); t = {}.restrict('E'); t.a = 1", tdb::TYPE_ERR,
               "restriction mismatch");
    // a renamed type keeps the restriction; a deleted one ends it
    EXPECT_EQ(q("set_type('T', {n: 'int'}); t = {}.restrict('T'); rename_type('T', 'U'); "
                "t.restriction()"),
              "\"U\"");
    EXPECT_EQ(q("set_type('T', {n: 'int'}); .t = {}.restrict('T'); del_type('T'); .t.a = 1; "
                ".t.restriction()"),
              "null");
    // the item definition of a Type's list or set field
    EXPECT_EQ(
        q("set_type('N', {x: 'int'}); set_type('B', {l: '[int?]', s: '{N}', a: '[]'}); b = B{};"
          "[b.l.restriction(), b.s.restriction(), b.a.restriction(), [].restriction(), "
          "set().restriction()]"),
        "[\"int?\",\"N\",null,null,null]");
    // to_type ends a restriction
    EXPECT_EQ(
        q("set_type('T', {a: 'int'}); .t = {a: 1}.restrict('int'); .t.to_type('T'); .t.to_thing(); "
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
    expect_err("t = {a: 'int'}; t.ren('a', '!')", tdb::VALUE_ERR, "property `!` is reserved");
    expect_err("t = {}; t.set('#', 1)", tdb::VALUE_ERR, "property `#` is reserved");
}

TEST(Library, RestrictJobsAndChange) {
    fresh_storage();
    qk(".t = {}");
    auto jobs = jobs_of(".t.restrict('str')");
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].second, "{\"restrict\":\"str\"}");
    jobs = jobs_of(".t.restrict('str')");  // unchanged: no job
    EXPECT_TRUE(jobs.empty());
    jobs = jobs_of(".t.restrict(nil)");
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].second, "{\"restrict\":null}");
    // restrict is a change, as in ThingsDB (also on a thing in a variable)
    EXPECT_EQ(q_ro("{}.restrict('int'); 1"),
              "error: the query changes data but tdb_query_ro() is read-only; use tdb_query()");
}

// ---- thing.search ---------------------------------------------------------------

TEST(Library, Search) {
    fresh_storage();
    qk(".a = {}; .b = {x: .a}; .l = [1, .a]; .s = set(.a); 'ok'");
    // default: one result, one level deep
    EXPECT_EQ(qk(".search(.a).map(|r| [r.parent.id() == .id(), r.parent_type, r.key, r.key_type])"),
              "[[true,\"thing\",\"a\",\"thing\"]]");
    EXPECT_EQ(qk(".search(.a, {limit: 10}).map(|r| [r.key, r.key_type])"),
              "[[\"a\",\"thing\"],[\"l\",\"list\"],[\"s\",\"set\"]]");
    EXPECT_EQ(qk(".search(.a, {limit: 10, deep: 2}).map(|r| [r.parent.id(), r.key])"),
              "[[1,\"a\"],[" + qk(".b.id()") + ",\"x\"],[1,\"l\"],[1,\"s\"]]");
    EXPECT_EQ(qk(".search(.a, {limit: 0})"), "[]");
    EXPECT_EQ(qk(".search(.a, {deep: 0})"), "[]");
    EXPECT_EQ(qk(".search({})"), "[]");
    // a tuple in a list; a Type instance as parent
    EXPECT_EQ(q("a = {}; t = {l: [[a]]}; t.search(a).map(|r| r.key_type)"), "[\"tuple\"]");
    EXPECT_EQ(q("set_type('T', {r: 'thing'}); a = {}; t = {x: T{r: a}}; t.search(a, {deep: "
                "2}).map(|r| r.parent_type)"),
              "[\"T\"]");
    // cycles end
    EXPECT_EQ(q("a = {}; b = {}; a.b = b; b.a = a; n = {}; b.n = n; a.search(n, {deep: 20, limit: "
                "5}).len()"),
              "1");
}

TEST(Library, SearchErrors) {
    expect_err("{}.search()", tdb::NUM_ARGUMENTS_ERR,
               "function `search` requires at least 1 argument but 0 were given");
    expect_err("{}.search({}, {}, {})", tdb::NUM_ARGUMENTS_ERR,
               "function `search` takes at most 2 arguments but 3 were given");
    expect_err(
        "{}.search(1)", tdb::TYPE_ERR,
        "function `search` expects argument 1 to be of type `thing` but got type `int` instead");
    expect_err(
        "{}.search({}, [])", tdb::TYPE_ERR,
        "function `search` expects argument 2 to be of type `thing` but got type `list` instead");
    expect_err("{}.search({}, {limit: 'x'})", tdb::TYPE_ERR,
               "expecting `limit` to be of type `int` but got type `str` instead");
    expect_err("{}.search({}, {limit: 256})", tdb::VALUE_ERR,
               "expecting a `limit` value between 0 and 255 but got 256 instead");
    expect_err("{}.search({}, {limit: -1})", tdb::VALUE_ERR,
               "expecting a `limit` value between 0 and 255 but got -1 instead");
    expect_err("{}.search({}, {deep: nil})", tdb::TYPE_ERR,
               "expecting `deep` to be of type `int` but got type `nil` instead");
    expect_err("{}.search({}, {deep: 128})", tdb::VALUE_ERR,
               "expecting a `deep` value between 0 and 127 but got 128 instead");
    expect_err("{}.search({}, {depth: 1})", tdb::VALUE_ERR, "invalid search option `depth`");
    expect_err("[].search({})", tdb::LOOKUP_ERR, "type `list` has no function `search`");
}

// ---- scopes, collection_info, change_id ---------------------------------------------

TEST(Library, ScopeForms) {
    fresh_storage();
    uint64_t id = storage().colls.begin()->first;
    std::string by_id = "@:" + std::to_string(id);
    for (const std::string& s :
         {std::string("@:stuff"), std::string("@collection:stuff"), std::string("@c:stuff"),
          std::string("//stuff"), std::string("/c/stuff"), by_id})
        EXPECT_EQ(q("1 + 1", s, true), "2") << s;
    for (const char* s : {"@thingsdb", "@t", "/t", "/thingsdb"})
        EXPECT_EQ(q("has_collection('stuff')", s, true), "true") << s;
    // a collection given by id is named by its name in messages
    tdb::Error e = qerr("new_collection('x')", by_id, true);
    EXPECT_EQ(e.msg(),
              "function `new_collection` is undefined in the `@collection` scope; "
              "you might want to query the `@thingsdb` scope?");
    e = qerr("1", "//thingsdb", true);  // a collection named `thingsdb`
    EXPECT_EQ(e.msg(), "collection `thingsdb` not found");
    e = qerr("1", "@\xc3\xa9", true);
    EXPECT_EQ(e.msg(),
              "invalid scope; scopes must only contain valid ASCII characters; see "
              "https://docs.thingsdb.io/v1/overview/scopes");
    e = qerr("1", "@:\xc3\xa9", true);
    EXPECT_EQ(e.msg(),
              "invalid scope; the specified collection name is invalid; see "
              "https://docs.thingsdb.io/v1/overview/scopes");
    e = qerr("1", "@:12345", true);
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(), "`collection:12345` not found");
    e = qerr("grant('@:12345', 'x', QUERY)", "@thingsdb", true);
    EXPECT_EQ(e.msg(), "`collection:12345` not found");
}

TEST(Library, CollectionInfoAndChangeId) {
    fresh_storage();
    EXPECT_EQ(qk("collection_info('stuff').keys()", "@thingsdb"),
              "[\"collection_id\",\"name\",\"created_at\",\"things\",\"time_zone\",\"default_"
              "deep\",\"next_free_id\"]");
    std::string before = qk("collection_info('stuff').next_free_id", "@thingsdb");
    qk(".a = {}; .b = {}");
    EXPECT_EQ(std::stoll(qk("collection_info('stuff').next_free_id", "@thingsdb")),
              std::stoll(before) + 2);
    // nil for a query that changes nothing, the transaction's id for a change
    EXPECT_EQ(q("change_id()"), "null");
    EXPECT_EQ(q(".x = 1; change_id()"), "7770");
    EXPECT_EQ(q("wse(); change_id()"), "7770");
    expect_err("change_id(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `change_id` takes 0 arguments but 1 was given");
}
