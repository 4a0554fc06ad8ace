"""Writers that meet again (docs/sql.md, "Concurrency"): a call that had to
run again because another transaction changed what it wrote leaves those
things to its next calls of the same procedure or code, which lock them
before their first run and so run once. Each call here creates one thing,
and thing ids come from a sequence that a rolled-back run does not give back:
the ids a call used tell how many times it ran. Two clients, one holding its
change open while the other waits for it; no timing in the assertions."""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg  # noqa: E402
import tdbtest  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402
from reliability import check_consistent  # noqa: E402

DB = "tdb_e2e_writers_meet"
t = tdbtest.Tally()


def q(conn, code, vars=None):
    return conn.execute("SELECT tdb_query(%s, NULL, %s)",
                        (code, None if vars is None else Jsonb(vars))).fetchone()[0]


def setup():
    tdbtest.scratch_db(DB)
    with tdbtest.connect(DB) as c:
        q(c, ".n = 0; .log = []; .a = {n: 0}; .b = {n: 0};"
             "new_procedure('tick', || {.n += 1; .log.push({}); .log.last().id()});"
             "new_procedure('tick_by', |d| {.n += d; .log.push({}); .log.last().id()});"
             "new_procedure('bump', |k| {x = k == 'a' ? .a : .b; x.n += 1;"
             "  x.m = {}; x.m.id()}); nil")


def wait_until_waiting(pid):
    """Until the backend pid waits for a lock (a state, polled; the bound only
    keeps a broken build from hanging the suite)."""
    with tdbtest.connect(DB) as c:
        for _ in range(2000):
            c.execute("SELECT pg_stat_clear_snapshot()")
            row = c.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                            (pid,)).fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.01)
    raise AssertionError("the second writer never waited for the first")


def meet(waiter, sql, args=()):
    """The holder runs sql in an open transaction; the waiter runs the same
    sql meanwhile and waits; the holder commits. Returns both results."""
    holder = tdbtest.connect(DB, autocommit=False)
    got, errors = [], []
    try:
        a = holder.execute(sql, args).fetchone()[0]
        pid = waiter.execute("SELECT pg_backend_pid()").fetchone()[0]

        def body():
            try:
                got.append(waiter.execute(sql, args).fetchone()[0])
            except psycopg.Error as e:
                errors.append(e)

        th = threading.Thread(target=body)
        th.start()
        wait_until_waiting(pid)
        holder.commit()
        th.join()
    finally:
        holder.close()
    assert not errors, errors
    return a, got[0]


def runs(sql, args=(), meetings=2):
    """The ids the waiter used at each meeting: 2 each when every meeting runs
    the call again, 2 then 1 when the later ones lock first."""
    used = []
    with tdbtest.connect(DB) as waiter:
        for _ in range(meetings):
            a, b = meet(waiter, sql, args)
            used.append(b - a)
        check_consistent(waiter)
    return tuple(used)


def test_procedure_runs_once_at_second_meeting():
    """tdb_run: the first meeting runs the call twice, the next one once; the
    counter counts every call."""
    n0 = q_value(".n")
    assert runs("SELECT tdb_run('tick')") == (2, 1)
    assert q_value(".n") == n0 + 4


def test_query_code_runs_once_at_second_meeting():
    """tdb_query: the code and its vars are the key."""
    sql = "SELECT tdb_query('.n += 1; .log.push({}); .log.last().id()')"
    assert runs(sql) == (2, 1)


def test_call_with_params_runs_once_at_second_meeting():
    """tdb_call: the procedure and its params are the key."""
    sql = "SELECT tdb_call(procedure => 'tick_by', params => %s)"
    n0 = q_value(".n")
    assert runs(sql, (Jsonb({"d": 5}),)) == (2, 1)
    assert q_value(".n") == n0 + 20


def test_replaced_thing_each_time():
    """A procedure that replaces a thing at each call (writes the root and the
    thing it replaces, another one each time): the root stays locked first,
    every later meeting runs once."""
    with tdbtest.connect(DB) as c:
        q(c, "new_procedure('renew', || {.n += 1; .cur = {}; .cur.id()}); nil")
    assert runs("SELECT tdb_run('renew')", meetings=4) == (2, 1, 1, 1)


def test_other_thing_next_time():
    """A call of the key that writes another thing than the one locked first
    (bump('b') after meetings on bump('a')) is right, and so is the thing
    it locked for nothing; the next meeting on 'b' still commits."""
    with tdbtest.connect(DB) as waiter:
        meet(waiter, "SELECT tdb_run('bump', 'a')")
        meet(waiter, "SELECT tdb_run('bump', 'a')")
        waiter.execute("SELECT tdb_run('bump', 'b')")
        meet(waiter, "SELECT tdb_run('bump', 'b')")
        assert q(waiter, "[.a.n, .b.n]") == [4, 3]
        check_consistent(waiter)


def test_call_writing_many_rows_is_not_predicted():
    """A call that writes more things than a key keeps (64) is not locked
    first: every meeting runs it again, and every call still counts."""
    with tdbtest.connect(DB) as c:
        q(c, ".w = range(100).map(|| {n: 0});"
             "new_procedure('wide', || {.n += 1; .w.each(|t| t.n += 1);"
             "  .log.push({}); .log.last().id()}); nil")
    assert runs("SELECT tdb_run('wide')", meetings=3) == (2, 2, 2)
    with tdbtest.connect(DB) as c:
        assert q(c, ".w.map(|t| t.n).reduce(|a, b| a + b)") == 600


def test_thing_locked_first_is_gone():
    """The thing a key locks first was replaced meanwhile (its row deleted):
    the next call locks nothing for it and changes the new thing."""
    with tdbtest.connect(DB) as c:
        q(c, ".t = {n: 0}; new_procedure('inc_t', || {.t.n += 1; .log.push({}); nil}); nil")
    with tdbtest.connect(DB) as waiter:
        meet(waiter, "SELECT tdb_run('inc_t')")
        with tdbtest.connect(DB) as c:
            q(c, ".t = {n: 10}; nil")
        waiter.execute("SELECT tdb_run('inc_t')")
        assert q(waiter, ".t.n") == 11
        check_consistent(waiter)


def q_value(code):
    with tdbtest.connect(DB) as c:
        return q(c, code)


setup()
t.run(test_procedure_runs_once_at_second_meeting)
t.run(test_query_code_runs_once_at_second_meeting)
t.run(test_call_with_params_runs_once_at_second_meeting)
t.run(test_replaced_thing_each_time)
t.run(test_other_thing_next_time)
t.run(test_thing_locked_first_is_gone)
t.run(test_call_writing_many_rows_is_not_predicted)
tdbtest.drop_db(DB)
t.finish()
