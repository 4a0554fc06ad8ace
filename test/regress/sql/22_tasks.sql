-- Tasks: task(), tasks(), is_task and every task method, with ThingsDB's
-- results and messages, and runs through tdb_run_due_task() (what the task
-- worker calls once per transaction). Ids and times are not printed: they
-- come from the thing id sequence and the clock.
\set VERBOSITY terse
SELECT tdb_query('if (has_collection("jobs")) del_collection("jobs"); new_collection("jobs");',
                 '@thingsdb') IS NOT NULL AS made;
SET thingsdb.scope = '@:jobs';
-- Nothing due before: the other files leave no task behind.
SELECT tdb_run_due_task();

-- task(start, closure, args): the closure gets the task, then the arguments.
SELECT tdb_query($$ .n = 0; .t = task(datetime(), |t, k| .n += k, [5]); .t.id() > 0 $$);
SELECT tdb_query($$ t = .t; [is_task(t), is_task(t.id()), type(t), t.args(), t.closure(),
                           t.owner(), t.err(), is_datetime(t.at()), t.at() <= datetime()] $$);
SELECT tdb_query($$ str(.t) == 'task:' + str(.t.id()) $$);
SELECT tdb_query($$ task(.t.id()) == .t $$) AS same_task, tdb_query('tasks().len()');
SELECT count(*) AS rows, bool_and(run_at IS NOT NULL) AS scheduled FROM thingsdb.tasks;

-- A run changes data, once; a task without again_* is then gone, and every
-- value of it is an empty task.
SELECT tdb_run_due_task() IS NOT NULL AS ran;
SELECT tdb_query('.n'), tdb_query('tasks()'), tdb_query('[.t.id(), str(.t), .t.at(), .t.err()]');
SELECT tdb_run_due_task() AS none_due;
SELECT tdb_query('.t.args()');
SELECT tdb_query('.t.owner()');
SELECT tdb_query('.t.del(); .t.cancel(); "ok"');

-- again_in reschedules from the last start; the task stays, status ok.
SELECT tdb_query($$ .t = task(datetime(), |t| {.n += 1; t.again_in('hours', 2)}); nil $$);
SELECT tdb_run_due_task() IS NOT NULL AS ran;
SELECT tdb_query($$ [.n, .t.err(), tasks().len(), int(.t.at()) - int(datetime()) > 7000] $$);
SELECT tdb_query($$ .t.at() > datetime() && str(.t).starts_with('task:') $$);
SELECT tdb_run_due_task() AS not_due_yet;
SELECT tdb_query('.t.del(); tasks()');

-- A failed run rolls its changes back and keeps its error; the task is off
-- the schedule.
SELECT tdb_query($$ .t = task(datetime(), |t| {.n = 100; raise(lookup_err('gone'))}); nil $$);
SELECT tdb_run_due_task() IS NOT NULL AS ran;
SELECT tdb_query('[.n, .t.at(), .t.err(), .t.err().code(), tasks().len()]');
SELECT tdb_run_due_task() AS not_again;
SELECT tdb_query('.t.del()');

-- cancel: off the schedule with a cancelled_err.
SELECT tdb_query($$ .t = task(datetime(), |t| .n = -1); .t.cancel(); [.t.at(), .t.err().code()] $$);
SELECT tdb_run_due_task() AS cancelled_not_run;
SELECT tdb_query('.t.del(); .n');

-- set_args, set_closure, set_owner.
SELECT tdb_query($$ .t = task(datetime().move('days', 1), |t, a| nil, ['x']); .t.args() $$);
SELECT tdb_query($$ .t.set_closure(|t, a, b| [a, b]); .t.args() $$);
SELECT tdb_query($$ .t.set_args([{name: 'thing arg'}, 2]); .t.args()[0].name $$);
SELECT tdb_query($$ .t.set_owner('postgres'); .t.owner() $$);
SELECT tdb_query($$ .t.closure() $$);
-- The garbage collector keeps what a task's arguments hold.
SET client_min_messages = warning;
SELECT tdb_query($$ .keep = {}; .keep = nil; .t.args()[0].id() > 0 $$) AS stored;
SELECT tdb_collect_garbage('jobs') >= 0 AS swept;
RESET client_min_messages;
SELECT tdb_query($$ .t.args()[0].name $$);

-- Errors, as ThingsDB gives them.
SELECT tdb_query('task()');
SELECT tdb_query('task(1, 2, 3, 4)');
SELECT tdb_query('task("1")');
SELECT tdb_query('task(datetime())');
SELECT tdb_query('task(0)');
SELECT tdb_query('task(1, ||nil)');
SELECT tdb_query('task(datetime(1), |t| nil)');
SELECT tdb_query('task(datetime(), nil)');
SELECT tdb_query('task(datetime(), |t| nil, "a")');
SELECT tdb_query('task(datetime(), |t| nil, [1])');
SELECT tdb_query('task(datetime(), |t, a| nil, [1, 2])');
SELECT tdb_query('task(datetime(), |t, a| nil, [{}])', '@thingsdb');
SELECT tdb_query('tasks(1)');
SELECT tdb_query('is_task()');
SELECT tdb_query('.t.again_at(datetime())');
SELECT tdb_query($$ .t.again_in('days', 1) $$);
SELECT tdb_query('.t.args(1)');
SELECT tdb_query('.t.at(1)');
SELECT tdb_query('.t.cancel(1)');
SELECT tdb_query('.t.closure(1)');
SELECT tdb_query('.t.del(1)');
SELECT tdb_query('.t.err(1)');
SELECT tdb_query('.t.id(1)');
SELECT tdb_query('.t.owner(1)');
SELECT tdb_query('.t.set_args()');
SELECT tdb_query('.t.set_args(1)');
SELECT tdb_query('.t.set_args([1, 2, 3])');
SELECT tdb_query('.t.set_closure(1)');
SELECT tdb_query('.t.set_closure(|t| nil)');
SELECT tdb_query('.t.set_owner(1)');
SELECT tdb_query($$ .t.set_owner('nobody') $$);
-- Inside a run: again_* only for the run's own task, and not into the past.
SELECT tdb_query($$ task(datetime(), |t| t.again_at(datetime(1))); nil $$);
SELECT tdb_run_due_task() IS NOT NULL AS ran;
SELECT tdb_query($$ tasks().filter(|t| is_err(t.err())).map(|t| [t.err().code(), t.err().msg()]) $$);
SELECT tdb_query($$ task(datetime(), |t, o| o.again_in('days', 1), [.t]); nil $$);
SELECT tdb_run_due_task() IS NOT NULL AS ran;
SELECT tdb_query($$ tasks().filter(|t| is_err(t.err())).map(|t| [t.err().code(), t.err().msg().replace(str(.t.id()), 'ID')]) $$);

-- @thingsdb tasks.
SELECT tdb_query($$ task(datetime(), |t, a, b| nil, ['x', 1]).args() $$, '@thingsdb');
SELECT tdb_query('tasks().len()', '@thingsdb');
SELECT tdb_run_due_task() IS NOT NULL AS ran;
SELECT tdb_query('tasks()', '@thingsdb');

-- A collection's tasks go with it.
SELECT count(*) > 0 AS has_tasks FROM thingsdb.tasks;
SELECT tdb_query('del_collection("jobs")', '@thingsdb');
SELECT count(*) AS tasks_left FROM thingsdb.tasks;
RESET thingsdb.scope;
