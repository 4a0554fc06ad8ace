"""Tasks run by the task worker, on a private cluster that preloads the library
(thingsdb.task_databases names the database; docs/tasks.md): a task due in a
second runs and changes data; a restart in the middle of a schedule loses no
task and runs an overdue one once; a failing task keeps its error; a task whose
owner lost CHANGE fails with forbidden_err; the worker and manual calls of
tdb_run_due_task() never run one task twice. Waits are polls with generous
bounds, never timed assertions."""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
from reliability import PrivateCluster  # noqa: E402

DB = "tasks"
t = tdbtest.Tally()
cluster = PrivateCluster(task_databases=DB)
cluster.scratch_db(DB)


def wait_worker(bound=60.0):
    """The worker started with the server, before the database existed: it
    retries (bgw_restart_time) until it can connect."""
    end = time.time() + bound
    with cluster.connect("postgres") as c:
        while time.time() < end:
            if c.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = "
                         "'thingsdb task worker' AND datname = %s", (DB,)).fetchone()[0]:
                return
            time.sleep(0.2)
    raise AssertionError("no task worker connected to %s" % DB)


wait_worker()


def q(conn, code, scope="@:stuff"):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def wait_for(conn, code, want, bound=10.0):
    """Polls `code` until it gives `want` or `bound` seconds passed; returns
    the last value."""
    end = time.time() + bound
    got = q(conn, code)
    while got != want and time.time() < end:
        time.sleep(0.1)
        got = q(conn, code)
    return got


def test_due_in_a_second_runs():
    with cluster.connect(DB) as c:
        q(c, ".ran = false; .t = task(datetime().move('seconds', 1), |t| .ran = true); nil")
        start = time.time()
        assert wait_for(c, ".ran", True, bound=3.0) is True, "not run within 3 s"
        print("     ran %.2f s after it was made (due after 1 s)" % (time.time() - start))
        assert q(c, "[tasks(), .t.id()]") == [[], None]


def test_restart_loses_nothing_and_runs_overdue_once():
    with cluster.connect(DB) as c:
        q(c, ".runs = 0; .soon = task(datetime().move('seconds', 2), |t| .runs += 1); "
             ".later = task(datetime().move('hours', 1), |t| .runs += 100); nil")
        later_at = q(c, "str(.later.at())")
    cluster.stop("immediate")
    time.sleep(2.5)  # .soon is overdue when the server is back
    cluster.start()
    with cluster.wait_ready(DB) as c:
        assert wait_for(c, ".runs", 1) == 1
        time.sleep(1.0)  # several rounds of the worker: it does not run again
        assert q(c, ".runs") == 1
        assert q(c, "[.soon.id(), tasks().len(), str(.later.at())]") == [None, 1, later_at]
        q(c, ".later.del()")


def test_failing_task_keeps_its_error():
    with cluster.connect(DB) as c:
        q(c, ".v = 1; .t = task(datetime(), |t| {.v = 2; t.again_in('days', 1); "
             "raise(value_err('bad input'))}); nil")
        assert wait_for(c, "is_err(.t.err())", True) is True
        assert q(c, "[.v, .t.at(), .t.err().code(), .t.err().msg()]") == [
            1, None, -60, "bad input"]
        q(c, ".t.del()")


def test_revoked_owner_fails_with_forbidden():
    with cluster.connect(DB) as c:
        c.execute("CREATE ROLE ann LOGIN")
        q(c, "new_user('ann'); grant('@:stuff', 'ann', QUERY|CHANGE)", "@thingsdb")
    with psycopg_connect_as("ann") as a:
        q(a, ".by_ann = task(datetime().move('hours', 1), |t| .ann = true); nil")
        assert q(a, ".by_ann.owner()") == "ann"
    with cluster.connect(DB) as c:
        q(c, "revoke('@:stuff', 'ann', CHANGE)", "@thingsdb")
        # Due now: the owner's rights are those at the time of the run.
        c.execute("UPDATE thingsdb.tasks SET run_at = extract(epoch FROM now())::bigint "
                  "WHERE owner = 'ann'")
        assert wait_for(c, "is_err(.by_ann.err())", True) is True
        assert q(c, "[.get('ann'), .by_ann.err().code(), .by_ann.err().msg()]") == [
            None, -55,
            "user `ann` is missing the required privileges (`CHANGE`) on scope `@:stuff`"]
        q(c, ".by_ann.del()")


def psycopg_connect_as(role):
    import psycopg
    return psycopg.connect(cluster.dsn(DB).replace("user=postgres", "user=" + role),
                           autocommit=True)


def test_never_twice():
    n = 60
    with cluster.connect(DB) as c:
        q(c, ".log = []; range(%d).each(|i| task(datetime(), |t, i| .log.push(i), [i])); nil" % n)

    def manual():
        with cluster.connect(DB) as m:
            while m.execute("SELECT tdb_run_due_task()").fetchone()[0] is not None:
                pass

    threads = [threading.Thread(target=manual) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    with cluster.connect(DB) as c:
        assert wait_for(c, ".log.len()", n) == n
        assert sorted(q(c, ".log")) == list(range(n))
        assert q(c, "tasks()") == []


try:
    t.run(test_due_in_a_second_runs)
    t.run(test_restart_loses_nothing_and_runs_overdue_once)
    t.run(test_failing_task_keeps_its_error)
    t.run(test_revoked_owner_fails_with_forbidden)
    t.run(test_never_twice)
finally:
    cluster.close()
t.finish()
