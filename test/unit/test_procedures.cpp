// Procedures: the API functions, calling by name and with run(), the closure
// cache, and the code-free path of tdb_run/tdb_call.
#include <gtest/gtest.h>

#include "core/schema/procedures.h"
#include "core/lang/query.h"
#include "harness.h"

using tdb::Error;

namespace {

std::string run(MemStorage& st, const std::string& scope, const std::string& name,
                std::vector<tdb::Value> vals) {
    std::vector<tdb::ProcArg> args;
    for (auto& v : vals) args.push_back(tdb::ProcArg{v, "", false});
    tdb::ProcedureRequest req;
    req.scope = scope;
    req.name = name;
    return tdb::run_procedure(st, req, std::move(args));
}

std::string call(MemStorage& st, const std::string& name, const std::string& params,
                 const std::string& scope = "@:stuff") {
    tdb::ProcedureRequest req;
    req.scope = scope;
    req.name = name;
    return tdb::call_procedure_json(st, req, params);
}

}  // namespace

TEST(Procedures, CallByNameAndRun) {
    EXPECT_EQ(q("new_procedure('multiply', |a, b| a*b); multiply(6, 7);"), "42");
    EXPECT_EQ(q("new_procedure('multiply', |a, b| a*b); run('multiply', 6, 7);"), "42");
    EXPECT_EQ(q("new_procedure('f', |a, b| [a, b]); [f(1), f(1, 2, 3), run('f')];"),
              "[[1,null],[1,2],[null,null]]");
    EXPECT_EQ(q("new_procedure('f', |x| x);"), "\"f\"");
}

TEST(Procedures, ExtraArgumentsAreNotEvaluated) {
    EXPECT_EQ(q("new_procedure('f', |x| x); f(1, 1/0);"), "1");
    EXPECT_EQ(q("new_procedure('f', |x| x); run('f', 1, 1/0);"), "1");
}

TEST(Procedures, HasDelRenameMod) {
    EXPECT_EQ(q("new_procedure('m', |a, b| a*b); [has_procedure('m'), has_procedure('nope')];"),
              "[true,false]");
    EXPECT_EQ(
        q("new_procedure('a', |x| x); rename_procedure('a', 'b'); [has_procedure('a'), b(1)];"),
        "[false,1]");
    EXPECT_EQ(q("new_procedure('f', |x| x); mod_procedure('f', |x| x + 1); f(1);"), "2");
    EXPECT_EQ(q("new_procedure('f', |x| x); del_procedure('f'); has_procedure('f');"), "false");
    EXPECT_EQ(
        q("new_procedure('f', |x| x); [mod_procedure('f', |x| x), rename_procedure('f', 'g'), "
          "del_procedure('g')];"),
        "[null,null,null]");
}

TEST(Procedures, Doc) {
    EXPECT_EQ(q("new_procedure('greet', |name| {\n \"Says hello.\";\n `Hello {name}`;\n});\n"
                "[procedure_doc('greet'), greet('Iris')];"),
              "[\"Says hello.\",\"Hello Iris\"]");
    // Only the first statement of a block body, and only a string literal.
    EXPECT_EQ(q("new_procedure('f', |x| 'not a doc'); procedure_doc('f');"), "\"\"");
    EXPECT_EQ(q("new_procedure('f', |x| {x; 'no';}); procedure_doc('f');"), "\"\"");
}

TEST(Procedures, Info) {
    EXPECT_EQ(
        q("new_procedure('multiply', |a, b| a*b); procedure_info('multiply');"),
        "{\"doc\":\"\",\"name\":\"multiply\",\"created_at\":1700000000,"
        "\"definition\":\"|a, b| a * b\",\"with_side_effects\":false,\"arguments\":[\"a\",\"b\"]}");
    EXPECT_EQ(
        q("new_procedure('store', |v| .v = v); procedure_info('store').load().with_side_effects;"),
        "true");
    EXPECT_EQ(q("new_procedure('b', |x| x); new_procedure('a', || {'A'; nil}); "
                "procedures_info().map(|i| [i.name, i.doc]);"),
              "[[\"a\",\"A\"],[\"b\",\"\"]]");
    EXPECT_EQ(q("procedures_info();"), "[]");
}

TEST(Procedures, SideEffects) {
    EXPECT_EQ(q("new_procedure('store', |v| .v = v); wse(store(5)); .v;"), "5");
    fresh_storage();
    qk("new_procedure('store', |v| .v = v);");
    Error e = qerr("store(5);", "@:stuff", true);
    EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
    EXPECT_EQ(e.msg(),
              "closures with side effects require a change but none is created; use `wse(...)` "
              "to enforce a change; see https://docs.thingsdb.io/v1/collection-api/wse");
    EXPECT_EQ(qk("wse(store(6)); .v;"), "6");
    EXPECT_EQ(qk("wse(run('store', 7)); .v;"), "7");
    // A procedure without side effects needs no change.
    qk("new_procedure('get', || .v);");
    EXPECT_EQ(qk("get();"), "7");
}

TEST(Procedures, Errors) {
    Error e = qerr("new_procedure('f', |x| x); new_procedure('f', |x| x);");
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(), "procedure `f` already exists");
    e = qerr("run('nope');");
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(), "procedure `nope` not found");
    e = qerr("run('no pe');");
    EXPECT_EQ(e.code(), tdb::VALUE_ERR);
    EXPECT_EQ(e.msg(), "procedure name must follow the naming rules");
    e = qerr("new_procedure('1x', |x| x);");
    EXPECT_EQ(e.code(), tdb::VALUE_ERR);
    EXPECT_EQ(e.msg(), "procedure name must follow the naming rules");
    e = qerr("new_procedure(1, |x| x);");
    EXPECT_EQ(e.msg(),
              "function `new_procedure` expects argument 1 to be of type `str` but got type `int` "
              "instead; see https://docs.thingsdb.io/v1/procedures-api/new_procedure");
    e = qerr("new_procedure('f', 1);");
    EXPECT_EQ(e.code(), tdb::TYPE_ERR);
    EXPECT_EQ(e.msg(),
              "function `new_procedure` expects argument 2 to be of type `closure` but got type "
              "`int` instead; see https://docs.thingsdb.io/v1/procedures-api/new_procedure");
    e = qerr("new_procedure('f');");
    EXPECT_EQ(e.code(), tdb::NUM_ARGUMENTS_ERR);
    EXPECT_EQ(e.msg(),
              "function `new_procedure` takes 2 arguments but 1 was given; see "
              "https://docs.thingsdb.io/v1/procedures-api/new_procedure");
    e = qerr("run();");
    EXPECT_EQ(e.msg(),
              "function `run` requires at least 1 argument but 0 were given; see "
              "https://docs.thingsdb.io/v1/procedures-api/run");
    e = qerr("mod_procedure('nope', |x| x);");
    EXPECT_EQ(e.msg(), "procedure `nope` not found");
    e = qerr("del_procedure('nope');");
    EXPECT_EQ(e.msg(), "procedure `nope` not found");
    e = qerr("new_procedure('a', |x| x); new_procedure('b', |x| x); rename_procedure('a', 'b');");
    EXPECT_EQ(e.msg(), "procedure `b` already exists");
    e = qerr("new_procedure('a', |x| x); rename_procedure('a', '');");
    EXPECT_EQ(e.msg(), "procedure name must follow the naming rules");
    e = qerr("procedure_doc('nope');");
    EXPECT_EQ(e.msg(), "procedure `nope` not found");
    e = qerr("procedure_info(nil);");
    EXPECT_EQ(e.msg(),
              "function `procedure_info` expects argument 1 to be of type `str` but got type `nil` "
              "instead; see https://docs.thingsdb.io/v1/procedures-api/procedure_info");
    e = qerr("has_procedure();");
    EXPECT_EQ(e.msg(),
              "function `has_procedure` takes 1 argument but 0 were given; see "
              "https://docs.thingsdb.io/v1/procedures-api/has_procedure");
    e = qerr("nope(1);");
    EXPECT_EQ(e.msg(), "function `nope` is undefined");
}

TEST(Procedures, ScopesAreSeparate) {
    fresh_storage();
    qk("new_procedure('f', || 'thingsdb');", "@thingsdb");
    qk("new_procedure('f', || 'stuff');");
    EXPECT_EQ(qk("f();", "@thingsdb"), "\"thingsdb\"");
    EXPECT_EQ(qk("f();"), "\"stuff\"");
    qk("new_collection('other');", "@thingsdb");
    EXPECT_EQ(qk("has_procedure('f');", "@:other"), "false");
    // Deleting a collection drops its procedures.
    qk("del_collection('stuff');", "@thingsdb");
    EXPECT_EQ(storage().procedures(0).size(), 1u);
    EXPECT_EQ(storage().procs.size(), 1u);
}

TEST(Procedures, ClosuresMadeInsideOutliveTheCache) {
    fresh_storage();
    qk("new_procedure('mk', || |x| x * 2);");
    EXPECT_EQ(qk("f = mk(); mod_procedure('mk', || nil); f(21);"), "42");
    EXPECT_EQ(qk("new_procedure('m', |l| l.map(|x| x + 1)); m([1, 2]);"), "[2,3]");
}

TEST(Procedures, Events) {
    fresh_storage();
    // Changes are jobs on the collection's root (checked through the query).
    tdb::Scope sc;
    sc.name = "stuff";
    tdb::Query query(storage(), sc);
    query.run("new_procedure('f', |x| x); rename_procedure('f', 'g'); del_procedure('g');");
    ASSERT_EQ(query.jobs.size(), 3u);
    EXPECT_EQ(query.jobs[0].json,
              "{\"new_procedure\":{\"name\":\"f\",\"created_at\":1700000000,\"closure\":{\"/"
              "\":\"|x|x\"}}}");
    EXPECT_EQ(query.jobs[1].json, "{\"rename_procedure\":{\"old\":\"f\",\"name\":\"g\"}}");
    EXPECT_EQ(query.jobs[2].json, "{\"del_procedure\":\"g\"}");
}

TEST(Procedures, CacheParsesOnce) {
    MemStorage& st = fresh_storage();
    qk("new_procedure('multiply', |a, b| a*b);");
    run(st, "@:stuff", "multiply", {tdb::Value::integer(1), tdb::Value::integer(2)});
    uint64_t parsed = tdb::procedure_parse_count();
    int reads = st.procedure_reads;
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(run(st, "@:stuff", "multiply", {tdb::Value::integer(6), tdb::Value::integer(7)}),
                  "42");
    EXPECT_EQ(tdb::procedure_parse_count(), parsed);
    EXPECT_EQ(st.procedure_reads, reads);
    // A change (here or, in PostgreSQL, committed elsewhere) moves the epoch.
    tdb::ProcedureRow row;
    ASSERT_TRUE(st.find_procedure(st.colls.begin()->first, "multiply", row));
    row.definition = "|a, b| a + b";
    st.update_procedure(row);
    EXPECT_EQ(run(st, "@:stuff", "multiply", {tdb::Value::integer(6), tdb::Value::integer(7)}),
              "13");
    EXPECT_EQ(tdb::procedure_parse_count(), parsed + 1);
}

TEST(Procedures, RunProcedure) {
    MemStorage& st = fresh_storage();
    qk("new_procedure('store', |v| {.v = v; v});");
    qk("new_procedure('t', |a| a * 10);", "@thingsdb");
    // A procedure with side effects runs as a change.
    EXPECT_EQ(run(st, "@:stuff", "store", {tdb::Value::integer(3)}), "3");
    EXPECT_EQ(qk(".v;"), "3");
    // Not in the scope: @thingsdb next.
    EXPECT_EQ(run(st, "@:stuff", "t", {tdb::Value::integer(3)}), "30");
    try {
        run(st, "@:stuff", "nope", {});
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
        EXPECT_EQ(e.msg(), "procedure `nope` not found");
    }
    // JSON arguments become things.
    std::vector<tdb::ProcArg> args;
    args.push_back(tdb::ProcArg{tdb::Value(), "{\"a\": [1, 2]}", true});
    tdb::ProcedureRequest req;
    req.scope = "@:stuff";
    req.name = "store";
    EXPECT_EQ(tdb::run_procedure(st, req, std::move(args)), "{\"#\":2,\"a\":[1,2]}");
    EXPECT_EQ(qk(".v.a.len();"), "2");
}

TEST(Procedures, CallJson) {
    MemStorage& st = fresh_storage();
    qk("new_procedure('sub', |Search, inc| [Search, inc]);");
    EXPECT_EQ(call(st, "sub", "[\"test%\", 0]"), "[\"test%\",0]");
    EXPECT_EQ(call(st, "sub", "{\"inc\": 0, \"search\": \"test%\"}"), "[\"test%\",0]");
    EXPECT_EQ(call(st, "sub",
                   "[{\"name\": \"INC\", \"value\": 1}, {\"name\": \"search\", \"value\": \"x\"}]"),
              "[\"x\",1]");
    EXPECT_EQ(call(st, "sub", "{\"inc\": 5}"), "[null,5]");
    EXPECT_EQ(call(st, "sub", "[]"), "[null,null]");
    EXPECT_EQ(call(st, "sub", ""), "[null,null]");
    try {
        call(st, "sub", "{\"nope\": 1}");
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
        EXPECT_EQ(e.msg(), "procedure `sub` has no argument `nope`");
    }
    try {
        call(st, "sub", "1");
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), tdb::TYPE_ERR);
    }
}

TEST(Procedures, Describe) {
    MemStorage& st = fresh_storage();
    qk("new_procedure('sub', |search, inc| {'Finds.'; [search, inc]});");
    tdb::ProcedureRequest req;
    req.scope = "@:stuff";
    req.name = "sub";
    EXPECT_EQ(
        tdb::describe_procedure_json(st, req),
        "{\"doc\":\"Finds.\",\"name\":\"sub\",\"created_at\":1700000000,"
        "\"definition\":\"|search, inc| "
        "{\\n\\t'Finds.';\\n\\t[\\n\\t\\tsearch,\\n\\t\\tinc,\\n\\t];\\n}\","
        "\"with_side_effects\":false,"
        "\"arguments\":[\"search\",\"inc\"],\"params\":["
        "{\"name\":\"search\",\"position\":1,\"param_type\":\"IN\",\"type\":\"any\",\"default\":"
        "null},"
        "{\"name\":\"inc\",\"position\":2,\"param_type\":\"IN\",\"type\":\"any\",\"default\":null}]"
        "}");
    std::string all = tdb::describe_procedures_json(st, "@:stuff");
    EXPECT_EQ(all.substr(0, 2), "[{");
    EXPECT_NE(all.find("\"position\":2"), std::string::npos);
    EXPECT_EQ(tdb::describe_procedures_json(st, "@thingsdb"), "[]");
}

// A backend exits with procedures in the cache: their closures (with a
// string constant, freed through the queue of nested frees) are destroyed
// by the exit handlers after other statics. Under AddressSanitizer a use of
// a destroyed static there makes the child exit with a report instead of 0.
TEST(ProceduresDeathTest, ExitWithCachedClosures) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_EXIT(
        {
            fresh_storage();
            // The cache first (it is then destroyed after the statics made
            // later), then a procedure with objects in its closure.
            EXPECT_EQ(qk("has_procedure('s');"), "false");
            qk("new_procedure('s', || ['abc', |x| x + 'def']); s();");
            std::exit(0);
        },
        ::testing::ExitedWithCode(0), "");
}
