// Tasks: task(), tasks(), the task methods, and runs (api/tasks.h) against
// the in-memory storage with its fake clock (MemStorage::clock).
#include <gtest/gtest.h>

#include "core/api/access.h"
#include "core/api/error.h"
#include "core/api/tasks.h"
#include "harness.h"

namespace {

// A task of the collection `stuff`, due now, made on a fresh node.
std::string make(const std::string& closure, const std::string& args = "") {
    std::string code = "task(datetime(), " + closure + (args.empty() ? "" : ", " + args) + ").id()";
    return q(code);
}

uint64_t stuff_id() {
    tdb::CollectionRow row;
    storage().find_collection("stuff", row);
    return row.id;
}

bool run(uint64_t task_id, const tdb::Identity* who = nullptr) {
    tdb::TaskRunRequest req;
    req.scope_id = stuff_id();
    req.task_id = task_id;
    req.identity = who;
    return tdb::run_task(storage(), req);
}

TEST(Tasks, MakeAndRead) {
    std::string id = make("|t, a, b| nil", "[1]");
    EXPECT_EQ(qk("task(" + id + ").args()"), "[1,null]");
    EXPECT_EQ(qk("task(" + id + ").at()"), "\"2023-11-14T22:13:20Z\"");
    EXPECT_EQ(qk("task(" + id + ").closure()"), "\"|t, a, b| nil\"");
    EXPECT_EQ(qk("task(" + id + ").err()"), "null");
    EXPECT_EQ(qk("task(" + id + ").id() == " + id), "true");
    EXPECT_EQ(qk("str(task(" + id + "))"), "\"task:" + id + "\"");
    EXPECT_EQ(qk("task(" + id + ")"),
              "\"<task:" + id + " owner: run_at:2023-11-14T22:13:20Z status:nil>\"");
    EXPECT_EQ(qk("tasks().len()"), "1");
    EXPECT_EQ(qk("is_task(task(" + id + "))"), "true");
    EXPECT_EQ(qk("is_task(" + id + ")"), "false");
    EXPECT_EQ(qk("task(" + id + ").owner()"), "\"\"");
    // Every value of one task is one object in a query.
    EXPECT_EQ(qk("a = task(" + id + "); b = task(" + id + "); a.cancel(); b.at()"), "null");
}

TEST(Tasks, MakeErrors) {
    expect_err("task()", tdb::NUM_ARGUMENTS_ERR,
               "function `task` requires at least 1 argument but 0 were given");
    expect_err("task('x')", tdb::TYPE_ERR, "cannot convert type `str` to `task`");
    expect_err("task(datetime())", tdb::TYPE_ERR, "cannot convert type `datetime` to `task`");
    expect_err("task(1)", tdb::LOOKUP_ERR, "task Id 1 not found");
    expect_err("task(1, ||nil)", tdb::TYPE_ERR,
               "function `task` expects argument 1 to be of type `datetime` or `timeval` but got "
               "type `int` instead");
    expect_err("task(datetime(1), |t| nil)", tdb::VALUE_ERR, "start time out-of-range");
    expect_err("task(datetime().move('years', 200), |t| nil)", tdb::VALUE_ERR,
               "start time out-of-range");
    expect_err("task(datetime(), 1)", tdb::TYPE_ERR,
               "function `task` expects argument 2 to be of type `closure` but got type `int` "
               "instead");
    expect_err("task(datetime(), |t| nil, 1)", tdb::TYPE_ERR,
               "function `task` expects argument 3 to be of type `list` or `tuple` but got type "
               "`int` instead");
    expect_err("task(datetime(), |t| nil, [1])", tdb::NUM_ARGUMENTS_ERR,
               "got 1 task argument while the given closure takes at most 0 arguments");
    expect_err("task(datetime(), |t, a| nil, [1, 2])", tdb::NUM_ARGUMENTS_ERR,
               "got 2 task arguments while the given closure takes at most 1 argument");
    expect_err("task(datetime(), |t, a| nil, [{}])", tdb::TYPE_ERR,
               "type `thing` is not allowed as a task argument in the `@thingsdb` scope",
               "@thingsdb");
    expect_err("task(datetime(), |t, a| nil, [[set()]])", tdb::TYPE_ERR,
               "type `tuple` is not allowed as a task argument in the `@thingsdb` scope",
               "@thingsdb");
}

TEST(Tasks, MethodsOutsideTheirRun) {
    std::string id = make("|t| nil");
    auto again = [&](const std::string& call, int code, const std::string& msg) {
        tdb::Error e = qerr("task(" + id + ")." + call, "@:stuff", true);
        EXPECT_EQ(e.code(), code) << call;
        EXPECT_EQ(without_doc_link(e.msg(), msg), msg) << call;
    };
    again("again_at(datetime())", tdb::OPERATION_ERR, "requires a task context");
    again("again_in('days', 1)", tdb::OPERATION_ERR, "requires a task context");
    again("set_args(1)", tdb::TYPE_ERR,
          "function `set_args` expects argument 1 to be of type `list` or `tuple` but got type "
          "`int` instead");
    again("set_args([1])", tdb::NUM_ARGUMENTS_ERR,
          "got 1 task argument while the given closure takes at most 0 arguments");
    again("set_closure(1)", tdb::TYPE_ERR,
          "function `set_closure` expects argument 1 to be of type `closure` but got type `int` "
          "instead");
    again("set_owner('nobody')", tdb::LOOKUP_ERR, "user `nobody` not found");
    again("id(1)", tdb::NUM_ARGUMENTS_ERR, "function `id` takes 0 arguments but 1 was given");
}

TEST(Tasks, SetArgsAndClosure) {
    std::string id = make("|t, a| nil", "['x']");
    qk("task(" + id + ").set_closure(|t, a, b| a)");
    EXPECT_EQ(qk("task(" + id + ").args()"), "[\"x\",null]");
    qk("task(" + id + ").set_args([1, 2])");
    EXPECT_EQ(qk("task(" + id + ").args()"), "[1,2]");
    EXPECT_EQ(qerr("task(" + id + ").set_closure(|t, a| nil)", "@:stuff", true).msg(),
              "got 2 task arguments while the given closure takes at most 1 argument");
}

TEST(Tasks, DelMakesEmptyTasks) {
    std::string id = make("|t| nil");
    EXPECT_EQ(qk("t = task(" + id + "); t.del(); [t.id(), str(t), t.at(), t.err()]"),
              "[null,\"task:nil\",null,null]");
    expect_err("t = task(datetime(), |t| nil); t.del(); t.args()", tdb::VALUE_ERR, "empty task");
    expect_err("t = task(datetime(), |t| nil); t.del(); t.owner()", tdb::VALUE_ERR, "empty task");
    q("t = task(datetime(), |t| nil); t.del(); t.del(); t.cancel()");
    EXPECT_EQ(qk("tasks()"), "[]");
}

TEST(Tasks, CancelKeepsTheTaskWithAnError) {
    std::string id = make("|t| nil");
    qk("task(" + id + ").cancel()");
    EXPECT_EQ(qk("[task(" + id + ").at(), task(" + id + ").err().code()]"), "[null,-64]");
    EXPECT_FALSE(run(std::stoull(id)));  // not scheduled: does not run
}

TEST(Tasks, RunOnceThenGone) {
    std::string id = make("|t, n| .x = n", "[42]");
    EXPECT_TRUE(run(std::stoull(id)));
    EXPECT_EQ(qk(".x"), "42");
    EXPECT_EQ(qk("tasks()"), "[]");
    EXPECT_FALSE(run(std::stoull(id)));  // a second run finds nothing
}

TEST(Tasks, AgainReschedules) {
    std::string id = make("|t| {.n = .get('n', 0) + 1; t.again_in('days', 1)}");
    EXPECT_TRUE(run(std::stoull(id)));
    EXPECT_EQ(qk("[.n, task(" + id + ").at(), task(" + id + ").err()]"),
              "[1,\"2023-11-15T22:13:20Z\",null]");
    EXPECT_EQ(qk("task(" + id + ")"),
              "\"<task:" + id + " owner: run_at:2023-11-15T22:13:20Z status:ok>\"");
    // Overdue by three days: again_in steps on until it is not in the past.
    storage().clock += 3 * 86400;
    EXPECT_TRUE(run(std::stoull(id)));
    EXPECT_EQ(qk("[.n, task(" + id + ").at()]"), "[2,\"2023-11-17T22:13:20Z\"]");
    std::string at = make("|t| t.again_at(datetime(1))");
    try {
        run(std::stoull(at));
        ADD_FAILURE() << "no error";
    } catch (const tdb::Error& e) {
        EXPECT_EQ(e.msg(), "start time out-of-range");
    }
}

TEST(Tasks, AgainOnlyForItsOwnRun) {
    std::string other = make("|t| nil");
    std::string id =
        q("task(datetime(), |t| task(" + other + ").again_in('days', 1)).id()", "@:stuff", true);
    try {
        run(std::stoull(id));
        ADD_FAILURE() << "no error";
    } catch (const tdb::Error& e) {
        EXPECT_EQ(e.code(), tdb::OPERATION_ERR);
        EXPECT_EQ(e.msg(), "task Id " + other + " does not match the current task context");
    }
}

TEST(Tasks, FailedRunKeepsItsError) {
    std::string id = make("|t| raise('boom')");
    uint64_t tid = std::stoull(id);
    try {
        run(tid);
        ADD_FAILURE() << "no error";
    } catch (const tdb::Error& e) {
        tdb::record_task_error(storage(), stuff_id(), tid, e.code(), e.msg());
    }
    EXPECT_EQ(qk("t = task(" + id + "); [t.at(), t.err().code(), t.err().msg()]"),
              "[null,-100,\"boom\"]");
    EXPECT_FALSE(run(tid));
}

TEST(Tasks, RunsWithTheOwnersRights) {
    fresh_storage();
    tdb::UserRow u = storage().create_user("ann");
    tdb::Identity ann;
    ann.name = "ann";
    ann.user_id = u.id;
    storage().set_access(stuff_id(), u.id, tdb::AUTH_QUERY | tdb::AUTH_CHANGE);
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = "task(datetime(), |t| .y = 1).id()";
    req.identity = &ann;
    uint64_t tid = std::stoull(tdb::run_query(storage(), req));
    EXPECT_EQ(qk("task(" + std::to_string(tid) + ").owner()"), "\"ann\"");
    storage().set_access(stuff_id(), u.id, tdb::AUTH_QUERY);  // CHANGE revoked
    tdb::Identity owner;  // as each run resolves it again: no rights read before
    owner.name = "ann";
    owner.user_id = u.id;
    try {
        run(tid, &owner);
        ADD_FAILURE() << "no error";
    } catch (const tdb::Error& e) {
        EXPECT_EQ(e.code(), tdb::FORBIDDEN_ERR);
        EXPECT_EQ(e.msg(),
                  "user `ann` is missing the required privileges (`CHANGE`) on scope `@:stuff`");
    }
    // set_owner: the new owner needs CHANGE on the scope.
    storage().create_user("bob");
    EXPECT_EQ(qerr("task(" + std::to_string(tid) + ").set_owner('bob')", "@:stuff", true).msg(),
              "user `bob` is missing the required privileges (`CHANGE`) on scope `@:stuff`");
}

TEST(Tasks, ThingArgumentsStayAlive) {
    std::string id = make("|t, x| .got = x.name", "[{name: 'kept'}]");
    EXPECT_TRUE(run(std::stoull(id)));
    EXPECT_EQ(qk(".got"), "\"kept\"");
}

}  // namespace

namespace {

TEST(Tasks, StoredAsValues) {
    std::string id = make("|t| nil");
    qk(".t = task(" + id + "); .l = [task(" + id + ")]; nil");
    // Read back in later queries: the same task, by its row.
    EXPECT_EQ(qk("[is_task(.t), .t.id() == " + id + ", .l[0] == .t]"), "[true,true,true]");
    qk("task(" + id + ").del()");
    EXPECT_EQ(qk("[str(.t), .t.id(), str(.l[0])]"), "[\"task:nil\",null,\"task:nil\"]");
}

TEST(Tasks, FieldDefinitions) {
    fresh_storage();
    qk("set_type('Job', {t: 'task', o: 'task?'}); nil");
    EXPECT_EQ(qk("j = Job{}; [str(j.t), j.o]"), "[\"task:nil\",null]");
    std::string id = qk("task(datetime(), |t| nil).id()");
    EXPECT_EQ(qk(".j = Job{t: task(" + id + ")}; .j.t.id() == " + id), "true");
    EXPECT_EQ(qerr("Job{t: 1}", "@:stuff", true).code(), tdb::TYPE_ERR);
    EXPECT_EQ(qk("x = {}; x.restrict('task'); x.a = task(" + id + "); x.a.id() == " + id), "true");
}

}  // namespace

namespace {

// A run of a task made on the current node fails with this error.
void expect_run_err(const std::string& id, int code, const std::string& msg) {
    try {
        run(std::stoull(id));
        ADD_FAILURE() << "no error";
    } catch (const tdb::Error& e) {
        EXPECT_EQ(e.code(), code);
        EXPECT_EQ(without_doc_link(e.msg(), msg), msg);
    }
}

TEST(Tasks, AgainArgumentsInsideTheRun) {
    fresh_storage();
    std::string id = qk("task(datetime(), |t| t.again_at()).id()");
    expect_run_err(id, tdb::NUM_ARGUMENTS_ERR,
                   "function `again_at` takes 1 argument but 0 were given");
    id = qk("task(datetime(), |t| t.again_at(1)).id()");
    expect_run_err(id, tdb::TYPE_ERR,
                   "function `again_at` expects argument 1 to be of type `datetime` or `timeval` "
                   "but got type `int` instead");
    id = qk("task(datetime(), |t| t.again_in('days')).id()");
    expect_run_err(id, tdb::NUM_ARGUMENTS_ERR,
                   "function `again_in` takes 2 arguments but 1 was given");
    id = qk("task(datetime(), |t| t.again_in(1, 1)).id()");
    expect_run_err(id, tdb::TYPE_ERR,
                   "function `again_in` expects argument 1 to be of type `str` but got type "
                   "`int` instead");
    id = qk("task(datetime(), |t| t.again_in('fortnights', 1)).id()");
    expect_run_err(id, tdb::VALUE_ERR,
                   "invalid unit, expecting one of `years`, `months`, `weeks`, `days`, `hours`, "
                   "`minutes` or `seconds`");
    id = qk("task(datetime(), |t| t.again_in('days', 'x')).id()");
    expect_run_err(id, tdb::TYPE_ERR,
                   "function `again_in` expects argument 2 to be of type `int` but got type "
                   "`str` instead");
    // Cancelled during its own run: again_* is refused.
    id = qk("task(datetime(), |t| {t.cancel(); t.again_in('days', 1)}).id()");
    expect_run_err(id, tdb::OPERATION_ERR, "task Id " + id + " is cancelled");
}

TEST(Tasks, SetterArity) {
    std::string id = make("|t| nil");
    EXPECT_EQ(qerr("task(" + id + ").set_closure()", "@:stuff", true).msg(),
              "function `set_closure` takes 1 argument but 0 were given; see "
              "https://docs.thingsdb.io/v1/data-types/task/set_closure");
    EXPECT_EQ(qerr("task(" + id + ").set_owner()", "@:stuff", true).code(), tdb::NUM_ARGUMENTS_ERR);
    EXPECT_EQ(qerr("task(" + id + ").set_owner('a', 'b')", "@:stuff", true).msg(),
              "function `set_owner` takes 1 argument but 2 were given; see "
              "https://docs.thingsdb.io/v1/data-types/task/set_owner");
}

}  // namespace
