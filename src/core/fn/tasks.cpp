// Tasks (ThingsDB's vtask): task(), tasks(), is_task and the task methods,
// and running a due task for src/pg (api/tasks.h). A task lives in a row of
// the storage (thingsdb.tasks); each query keeps one TaskObj per task id, so
// every value of a task sees the changes the query makes to it, and every
// change is written through at once (the transaction makes it atomic).
#include <cinttypes>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/api/access.h"
#include "core/api/codec.h"
#include "core/api/engine.h"
#include "core/api/error.h"
#include "core/api/tasks.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/model/datetime.h"
#include "core/model/task.h"
#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

namespace {

// ThingsDB keeps start times in 32 bits (run_at > UINT32_MAX is refused).
constexpr int64_t kMaxStart = 0xffffffffLL;

struct TaskState {
    std::unordered_map<uint64_t, Ref<TaskObj>> by_id;
    TaskObj* running = nullptr;  // the task whose run this query is (again_*)
};

TaskState& state(Query& q) {
    if (!q.tasks_state) {
        // Tasks hold things of the collection: read under its lock (Query::collection).
        (void)q.collection();
        q.tasks_state = std::make_shared<TaskState>();
    }
    return *static_cast<TaskState*>(q.tasks_state.get());
}

Value task_value(TaskObj* t) { return Value::obj(VT::Task, t); }

// ---- the stored form of the arguments: a property `a` holding the list ----

std::string encode_args(const std::vector<Value>& args) {
    if (args.empty()) return "";
    Value holder = new_thing();
    holder.thing()->props().push_back(Prop{"a", make_list(args)});
    return encode_props(holder.thing(), nullptr);
}

std::vector<Value> decode_args(Query& q, const std::string& json) {
    std::vector<Value> out;
    if (json.empty()) return out;
    Value holder = new_thing();
    if (q.collection()) {
        decode_props(*q.collection(), holder.thing(), json, nullptr);
    } else {
        // @thingsdb tasks hold no things (task() refuses them): no
        // reference is resolved through this empty collection.
        Collection none(q.storage(), CollectionRow{});
        decode_props(none, holder.thing(), json, nullptr);
    }
    Value* list = holder.thing()->get("a");
    if (list && list->is(VT::List)) out = list->list()->items();
    return out;
}

// Things a task's arguments hold stay alive while the task does: their
// stored reference count includes the task (as an enum member's value).
void count_refs(Query& q, const std::string& json, int64_t d) {
    if (json.empty() || !q.collection()) return;
    for (uint64_t id : refs_of(json)) q.collection()->ref_delta(id, d);
}

std::string owner_name(Storage& st, const TaskRow& r) {
    UserRow u;
    if (r.owner_id && st.find_user_by_id(r.owner_id, u)) return u.name;
    return r.owner;
}

Ref<TaskObj> from_row(Query& q, const TaskRow& r) {
    Ref<TaskObj> t(new TaskObj());
    t->id = r.id;
    t->scope_id = r.scope_id;
    t->run_at = r.run_at;
    t->owner_id = r.owner_id;
    t->owner = owner_name(q.storage(), r);
    t->closure = closure_from_source(r.closure);
    t->args = decode_args(q, r.args_json);
    if (r.has_err) t->err = make_error(r.err_code, r.err_msg);
    t->loaded = true;
    return t;
}

// This query's object of a task, or nullptr when the scope has no such task.
TaskObj* find(Query& q, uint64_t id) {
    TaskState& s = state(q);
    auto it = s.by_id.find(id);
    if (it != s.by_id.end()) return it->second->id ? it->second.get() : nullptr;
    TaskRow r;
    if (!q.storage().find_task(q.scope_id(), id, r)) return nullptr;
    Ref<TaskObj> t = from_row(q, r);
    s.by_id.emplace(id, t);
    return t.get();
}

TaskRow to_row(const TaskObj& t, std::string args_json) {
    TaskRow r;
    r.scope_id = t.scope_id;
    r.id = t.id;
    r.run_at = t.run_at;
    r.owner_id = t.owner_id;
    r.owner = t.owner;
    r.closure = t.closure.closure()->source;
    r.args_json = std::move(args_json);
    if (t.err.is(VT::Error)) {
        r.has_err = true;
        r.err_code = t.err.error()->code;
        r.err_msg = t.err.error()->msg;
    }
    return r;
}

// Writes the task; with new_args, the arguments changed too (their
// references are counted again).
void save(Query& q, TaskObj& t, bool new_args, bool new_task = false) {
    TaskRow old;
    bool existed = q.storage().find_task(t.scope_id, t.id, old);
    std::string args_json = new_args || !existed ? encode_args(t.args) : old.args_json;
    if (new_args || !existed) {
        if (existed) count_refs(q, old.args_json, -1);
        count_refs(q, args_json, +1);
    }
    if (!existed && !new_task) return;  // deleted meanwhile: not made again
    TaskRow row = to_row(t, std::move(args_json));
    row.is_new = new_task;
    q.storage().save_task(row);
}

void remove(Query& q, TaskObj& t) {
    TaskRow old;
    if (q.storage().find_task(t.scope_id, t.id, old)) {
        count_refs(q, old.args_json, -1);
        q.storage().delete_task(t.scope_id, t.id);
    }
    t.id = 0;  // every value of it is now an empty task
    t.run_at = 0;
    t.closure = Value();
    t.args.clear();
    t.err = Value();
}

TaskObj& self_task(Value* self) { return *self->task(); }

// ThingsDB's ti_vtask_is_nil: methods that read a task refuse an empty one.
void not_empty(const TaskObj& t) {
    if (!t.id) raise(VALUE_ERR, "empty task");
}

// ti_query_task_context: again_at and again_in only from the task's own run.
void need_context(Query& q, const TaskObj& t) {
    TaskObj* running = state(q).running;
    if (!running) raise(OPERATION_ERR, "requires a task context");
    if (running != &t)
        raisef(OPERATION_ERR, "task Id %" PRIu64 " does not match the current task context", t.id);
    if (t.run_at == 0) raisef(OPERATION_ERR, "task Id %" PRIu64 " is cancelled", t.id);
}

int64_t start_arg(Args& a, int i) {
    Value v = a.eval(i);
    if (!is_datetime_like(v))
        raisef(TYPE_ERR,
               "function `%s` expects argument %d to be of type `datetime` or `timeval` but got "
               "type `%s` instead",
               a.name(), i + 1, type_name(v));
    return v.datetime()->ts;
}

void check_start(Query& q, int64_t run_at) {
    if (run_at < static_cast<int64_t>(q.storage().now()) || run_at > kMaxStart)
        raise(VALUE_ERR, "start time out-of-range");
}

Value list_arg(Args& a, int i) {
    Value v = a.eval(i);
    if (!v.is(VT::List))
        raisef(TYPE_ERR,
               "function `%s` expects argument %d to be of type `list` or `tuple` but got type "
               "`%s` instead",
               a.name(), i + 1, type_name(v));
    return v;
}

// What a @thingsdb task may keep as an argument: no things (there is no
// collection to keep them in), nothing that holds one.
bool allowed_in_thingsdb(const Value& v) {
    switch (v.type()) {
        case VT::Thing:
        case VT::Set:
        case VT::Wrap:
        case VT::Ano:
        case VT::Future:
        case VT::Task:
            return false;
        case VT::List:
            for (const Value& item : v.list()->items())
                if (!allowed_in_thingsdb(item)) return false;
            return true;
        default:
            return true;
    }
}

size_t num_params(const Value& closure) { return closure.closure()->params.size(); }

// ThingsDB's ti_vtask_check_args: the closure's first parameter is the task.
void check_args(Query& q, const std::vector<Value>& args, size_t m) {
    size_t n = args.size();
    if (n && n >= m)
        raisef(NUM_ARGUMENTS_ERR,
               "got %zu task argument%s while the given closure takes at most %zu argument%s", n,
               n == 1 ? "" : "s", m ? m - 1 : 0, m == 2 ? "" : "s");
    if (q.collection()) return;
    for (const Value& v : args)
        if (!allowed_in_thingsdb(v))
            raisef(TYPE_ERR, "type `%s` is not allowed as a task argument in the `@thingsdb` scope",
                   type_name(v));
}

// The arguments as kept: things get ids in the collection, lists become
// tuples, and missing arguments are nil up to the closure's parameters.
std::vector<Value> kept_args(Query& q, const Value& list, size_t m) {
    std::vector<Value> args;
    for (const Value& v : list.list()->items()) {
        Value kept = q.assignable(v, nullptr, true);
        if (q.collection()) q.collection()->attach_value(kept);
        args.push_back(std::move(kept));
    }
    while (m > 1 && args.size() < m - 1) args.push_back(Value::nil());
    return args;
}

}  // namespace

// ---- functions ----

Value fn_task(Query& q, Value*, Args& a) {
    a.between(1, 3);
    Value first = a.eval(0);
    if (a.size() == 1) {
        if (!first.is(VT::Int))
            raisef(TYPE_ERR, "cannot convert type `%s` to `task`", type_name(first));
        TaskObj* t = first.as_int() > 0 ? find(q, static_cast<uint64_t>(first.as_int())) : nullptr;
        if (!t) raisef(LOOKUP_ERR, "task Id %" PRId64 " not found", first.as_int());
        return task_value(t);
    }
    if (!is_datetime_like(first))
        raisef(TYPE_ERR,
               "function `task` expects argument 1 to be of type `datetime` or `timeval` but got "
               "type `%s` instead",
               type_name(first));
    int64_t run_at = first.datetime()->ts;
    check_start(q, run_at);
    Value given = a.closure_arg(1);
    Value closure = closure_from_source(given.closure()->source);  // unbound from this query
    size_t m = num_params(closure);
    std::vector<Value> args;
    if (a.size() == 3) {
        Value list = list_arg(a, 2);
        check_args(q, list.list()->items(), m);
        args = kept_args(q, list, m);
    } else {
        args = kept_args(q, make_list(), m);
    }
    Ref<TaskObj> t(new TaskObj());
    t->id = q.storage().new_thing_id();
    t->scope_id = q.scope_id();
    t->run_at = run_at;
    if (q.identity) {
        t->owner_id = q.identity->user_id;
        t->owner = q.identity->name;
    }
    t->closure = closure;
    t->args = std::move(args);
    t->loaded = true;
    save(q, *t, true, true);
    state(q).by_id.emplace(t->id, t);
    return task_value(t.get());
}

Value fn_tasks(Query& q, Value*, Args& a) {
    a.exactly(0);
    std::vector<Value> out;
    for (const TaskRow& r : q.storage().tasks(q.scope_id())) {
        q.poll();
        TaskObj* t = find(q, r.id);
        if (t) out.push_back(task_value(t));
    }
    return make_list(std::move(out));
}

Value fn_is_task(Query&, Value*, Args& a) {
    a.exactly(1);
    return Value::boolean(a.eval(0).is(VT::Task));
}

// ---- methods ----

Value m_task_again_at(Query& q, Value* self, Args& a) {
    TaskObj& t = self_task(self);
    not_empty(t);
    need_context(q, t);
    a.exactly(1);
    int64_t run_at = start_arg(a, 0);
    check_start(q, run_at);
    t.run_at = run_at;
    t.again = true;
    return Value::nil();
}

Value m_task_again_in(Query& q, Value* self, Args& a) {
    TaskObj& t = self_task(self);
    not_empty(t);
    need_context(q, t);
    a.exactly(2);
    std::string unit = a.str_arg(0);
    check_move_unit(unit);
    int64_t num = a.int_arg(1);
    const int64_t now = static_cast<int64_t>(q.storage().now());
    // Relative to the last start, so a task moves by exactly a month or a
    // day; steps on until it is no longer in the past (as ThingsDB).
    Value dt = dt_move(make_datetime(t.run_at, 0, query_tz(q)), unit, num);
    int64_t run_at = dt.datetime()->ts;
    while (run_at < now && run_at > t.run_at) {
        q.poll();
        dt = dt_move(dt, unit, num);
        run_at = dt.datetime()->ts;
    }
    check_start(q, run_at);
    t.run_at = run_at;
    t.again = true;
    return Value::nil();
}

Value m_task_args(Query&, Value* self, Args& a) {
    TaskObj& t = self_task(self);
    not_empty(t);
    a.exactly(0);
    Value out = make_list(t.args);
    out.list()->tuple = true;
    return out;
}

Value m_task_at(Query& q, Value* self, Args& a) {
    TaskObj& t = self_task(self);
    a.exactly(0);
    if (!t.run_at) return Value::nil();
    return make_datetime(t.run_at, 0, query_tz(q));
}

Value m_task_cancel(Query& q, Value* self, Args& a) {
    TaskObj& t = self_task(self);
    a.exactly(0);
    if (!t.id) return Value::nil();
    t.run_at = 0;
    t.again = false;
    t.err = make_error(CANCELLED_ERR, error_default_msg(CANCELLED_ERR));
    save(q, t, false);
    return Value::nil();
}

Value m_task_closure(Query&, Value* self, Args& a) {
    TaskObj& t = self_task(self);
    not_empty(t);
    a.exactly(0);
    return t.closure;
}

Value m_task_del(Query& q, Value* self, Args& a) {
    TaskObj& t = self_task(self);
    a.exactly(0);
    if (t.id) {
        if (state(q).running == &t) state(q).running = nullptr;
        remove(q, t);
    }
    return Value::nil();
}

Value m_task_err(Query&, Value* self, Args& a) {
    a.exactly(0);
    // A run without error leaves the error code 0 (status "ok"); only a
    // failed or cancelled run gives an error value.
    const Value& err = self_task(self).err;
    if (err.is(VT::Error) && err.error()->code == 0) return Value::nil();
    return err;
}

Value m_task_id(Query&, Value* self, Args& a) {
    a.exactly(0);
    TaskObj& t = self_task(self);
    return t.id ? Value::integer(static_cast<int64_t>(t.id)) : Value::nil();
}

Value m_task_owner(Query&, Value* self, Args& a) {
    TaskObj& t = self_task(self);
    not_empty(t);
    a.exactly(0);
    return Value::str(t.owner);
}

Value m_task_set_args(Query& q, Value* self, Args& a) {
    TaskObj& t = self_task(self);
    not_empty(t);
    a.exactly(1);
    Value list = list_arg(a, 0);
    if (!t.id) raise(VALUE_ERR, "empty task");  // deleted by the argument's code
    size_t m = num_params(t.closure);
    check_args(q, list.list()->items(), m);
    t.args = kept_args(q, list, m);
    save(q, t, true);
    return Value::nil();
}

Value m_task_set_closure(Query& q, Value* self, Args& a) {
    TaskObj& t = self_task(self);
    not_empty(t);
    a.exactly(1);
    Value given = a.closure_arg(0);
    if (!t.id) raise(VALUE_ERR, "empty task");
    Value closure = closure_from_source(given.closure()->source);
    size_t m = num_params(closure);
    // Only the arguments given count, not the nils that fill them up.
    size_t n = t.args.size();
    while (n && t.args[n - 1].is_nil()) --n;
    std::vector<Value> given_args(t.args.begin(), t.args.begin() + static_cast<long>(n));
    check_args(q, given_args, m);
    while (m > 1 && given_args.size() < m - 1) given_args.push_back(Value::nil());
    t.closure = closure;
    t.args = std::move(given_args);
    save(q, t, true);
    return Value::nil();
}

Value m_task_set_owner(Query& q, Value* self, Args& a) {
    TaskObj& t = self_task(self);
    not_empty(t);
    a.exactly(1);
    std::string name = a.str_arg(0);
    if (!t.id) raise(VALUE_ERR, "empty task");
    UserRow u;
    if (!q.storage().find_user(name, u)) raisef(LOOKUP_ERR, "user `%s` not found", name.c_str());
    // The new owner must be able to run it: CHANGE on the task's scope.
    Identity who;
    who.name = u.name;
    who.user_id = u.id;
    check_access(q.storage(), &who, q.scope_id(), q.scope_label(), AUTH_CHANGE);
    t.owner_id = u.id;
    t.owner = u.name;
    save(q, t, false);
    return Value::nil();
}

Value empty_task() { return task_value(new TaskObj()); }

Value stored_task(uint64_t id) {
    Query* q = Query::current();
    TaskObj* t = q && id ? find(*q, id) : nullptr;
    return t ? task_value(t) : empty_task();
}

// ---- what results and str() show of a task (ThingsDB's ti_vtask_to_pk) ----

std::string task_display(const Value& v) {
    const TaskObj& t = *v.task();
    if (!t.id) return "task:nil";
    return "task:" + std::to_string(t.id);
}

std::string task_result_text(const Value& v) {
    const TaskObj& t = *v.task();
    if (!t.id) return "task:nil";
    std::string run_at = "nil";
    if (t.run_at) {
        DatetimeObj dt(t.run_at, 0, tz_utc());
        run_at = dt_to_iso(dt);
    }
    const char* status = t.err.is(VT::Error) ? (t.err.error()->code ? "err" : "ok") : "nil";
    return "<task:" + std::to_string(t.id) + " owner:" + t.owner + " run_at:" + run_at +
           " status:" + status + ">";
}

// ---- running (api/tasks.h) ----

namespace {

Scope scope_of(Storage& st, uint64_t scope_id) {
    Scope sc;
    if (!scope_id) {
        sc.kind = Scope::THINGSDB;
        return sc;
    }
    sc.kind = Scope::COLLECTION;
    sc.id = scope_id;
    (void)st;
    return sc;
}

}  // namespace

bool run_task(Storage& st, const TaskRunRequest& req) {
    init_core();
    Query q(st, scope_of(st, req.scope_id));
    if (req.scope_out) *req.scope_out = q.scope_label();
    q.identity = req.identity;
    TaskObj* t = find(q, req.task_id);
    if (!t || !t->run_at) return false;
    // The run is the owner's query: QUERY on the scope, and CHANGE when
    // the closure may change data (a task runs as its owner, with the
    // owner's rights at the time of the run).
    check_access(q, AUTH_QUERY);
    q.set_change(t->closure.closure()->side_effects);
    Ref<TaskObj> keep(t);
    state(q).running = t;
    std::vector<Value> args;
    args.reserve(t->args.size() + 1);
    args.push_back(task_value(t));
    for (const Value& v : t->args) args.push_back(v);
    Value closure = t->closure;
    q.call(closure, args.data(), static_cast<int>(args.size()));
    state(q).running = nullptr;
    q.check_things_quota();
    if (t->id) {
        if (t->again) {
            t->again = false;
            t->err = make_error(0, "success");
            save(q, *t, false);
        } else {
            remove(q, *t);  // done: a task without again_* runs once
        }
    }
    if (q.collection()) q.collection()->flush();
    if (req.jobs_out)
        for (Query::Job& j : q.jobs) req.jobs_out->emplace_back(j.thing_id, std::move(j.json));
    return true;
}

void record_task_error(Storage& st, uint64_t scope_id, uint64_t task_id, int code,
                       const std::string& msg) {
    TaskRow r;
    if (!st.find_task(scope_id, task_id, r)) return;
    r.run_at = 0;
    r.has_err = true;
    r.err_code = code;
    r.err_msg = msg;
    st.save_task(r);
}

// ---- the Storage defaults (storage.h): no tasks in this storage ----

namespace {
[[noreturn]] void no_tasks() { raise(OPERATION_ERR, "this storage keeps no tasks"); }
}  // namespace

std::vector<TaskRow> Storage::tasks(uint64_t) { return {}; }
bool Storage::find_task(uint64_t, uint64_t, TaskRow&) { return false; }
void Storage::save_task(const TaskRow&) { no_tasks(); }
void Storage::delete_task(uint64_t, uint64_t) { no_tasks(); }

}  // namespace tdb
