"""Writers wait instead of failing (docs/sql.md, "Concurrency"): at READ
COMMITTED a ThingsDB call that changes what another transaction is changing
waits for it and runs again on the newest state, so clients that never retry
see no 40001 and no 40P01; REPEATABLE READ keeps 40001. Real clients, one
connection per thread, no retries anywhere in this file."""
import os
import random
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg  # noqa: E402
import tdbtest  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402
from reliability import check_consistent  # noqa: E402

DB = "tdb_e2e_writers_wait"
CLIENTS = 8
INCREMENTS = 500   # per client: 4,000 in all, as the issue asks
t = tdbtest.Tally()


def q(conn, code, vars=None, scope=None):
    return conn.execute("SELECT tdb_query(%s, %s, %s)",
                        (code, scope, None if vars is None else Jsonb(vars))).fetchone()[0]


def deadlocks():
    """Deadlocks PostgreSQL detected in the database so far (a call that ran
    again after one hides it from its client, not from this counter)."""
    with tdbtest.connect(DB) as c:
        c.execute("SELECT pg_stat_clear_snapshot()")
        return c.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s",
                         (DB,)).fetchone()[0]


def run_clients(n, fn):
    """fn(i, conn) in n threads, one connection each; returns the errors as
    (client, SQLSTATE, message), the first exception of another kind is raised."""
    errors, other = [], []

    def body(i):
        try:
            with tdbtest.connect(DB) as c:
                fn(i, c)
        except psycopg.Error as e:
            errors.append((i, e.sqlstate, e.diag.message_primary))
        except BaseException as e:   # noqa: BLE001
            other.append(e)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if other:
        raise other[0]
    return errors


def setup():
    tdbtest.scratch_db(DB)
    with tdbtest.connect(DB) as c:
        q(c, ".counter = 0; .items = []; .objs = []; .ms = [];"
             "new_procedure('inc', || .counter += 1);"
             "new_type('M'); set_type('M', {n: 'int'}); nil")


def test_contended_increments_commit_all():
    """8 clients x 500 tdb_run('inc') on one counter, no client retries:
    4,000 of 4,000 commit, each saw its own value, the counter is 4,000."""
    before = deadlocks()
    seen = [[] for _ in range(CLIENTS)]

    def client(i, c):
        for _ in range(INCREMENTS):
            seen[i].append(c.execute("SELECT tdb_run('inc')").fetchone()[0])

    errors = run_clients(CLIENTS, client)
    assert not errors, errors[:5]
    calls = CLIENTS * INCREMENTS
    with tdbtest.connect(DB) as c:
        assert q(c, ".counter") == calls
        check_consistent(c)
    assert sorted(v for s in seen for v in s) == list(range(1, calls + 1))
    assert deadlocks() == before
    print("     %d x %d increments: %d of %d committed, counter %d" % (
        CLIENTS, INCREMENTS, calls, calls, calls))


def test_contended_pushes_lose_nothing():
    """8 clients push to one list and change the same thing of it: no call
    fails, no item is lost, each client's items keep its order."""
    pushes = 100
    with tdbtest.connect(DB) as c:
        q(c, ".shared = {hits: 0}; nil")

    def client(i, c):
        for k in range(pushes):
            q(c, ".items.push(x); .shared.hits += 1; nil", {"x": i * 100000 + k})

    errors = run_clients(CLIENTS, client)
    assert not errors, errors[:5]
    with tdbtest.connect(DB) as c:
        items = q(c, ".items")
        assert q(c, ".shared.hits") == CLIENTS * pushes
        check_consistent(c)
    assert sorted(items) == sorted(i * 100000 + k for i in range(CLIENTS) for k in range(pushes))
    for i in range(CLIENTS):
        mine = [x for x in items if x // 100000 == i]
        assert mine == sorted(mine)


def test_concurrent_mod_types():
    """mod_type takes the collection lock exclusive while its query holds it
    shared: two such calls waited for each other (a deadlock, 40P01). Now a
    call that took the shared lock itself runs again holding the exclusive
    one first. 8 clients add and remove fields of one Type, the other Type
    functions that take the same lock too."""
    before = deadlocks()
    rounds = 10

    def client(i, c):
        for k in range(rounds):
            f = "f%d_%d" % (i, k)
            q(c, "mod_type('M', 'add', '%s', 'int', 0); .ms.push(M{n: %d}); nil" % (f, k))
            q(c, "mod_type('M', 'del', '%s'); nil" % f)
            q(c, "set_enum('E%d_%d', {A: 1}); mod_enum('E%d_%d', 'add', 'B', 2); nil" % (i, k, i, k))
            q(c, "new_type('T%d_%d'); del_type('T%d_%d'); del_enum('E%d_%d'); nil" % (i, k, i, k, i, k))

    errors = run_clients(CLIENTS, client)
    assert not errors, errors[:5]
    assert deadlocks() == before
    with tdbtest.connect(DB) as c:
        assert q(c, "type_info('M').fields") == [["n", "int"]]
        assert q(c, ".ms.len()") == CLIENTS * rounds
        assert q(c, ".ms.every(|m| m.keys() == ['n'])")
        assert q(c, "types_info().filter(|t| t.name.starts_with('T')).len()") == 0
        assert q(c, "enums_info().filter(|e| e.name.starts_with('E')).len()") == 0
        check_consistent(c)


def test_mixed_workload():
    """8 clients, a fixed number of operations each, chosen at random (seeded):
    increments, pushes to a shared list, things created and deleted (a deleted
    thing releases what it held: later rounds of row locks), instances of a
    Type and mod_type on it. Zero 40001, zero 40P01 (also none detected and
    hidden by a run again), and a consistent final state."""
    ops_per_client = 150
    with tdbtest.connect(DB) as c:
        q(c, ".counter = 0; .items = []; .objs = [{n: 0, kids: [{}, {}]}]; nil")
    before = deadlocks()
    done = [dict(inc=0, push=0) for _ in range(CLIENTS)]

    def client(i, c):
        rnd = random.Random(1000 + i)
        for k in range(ops_per_client):
            r = rnd.random()
            if r < 0.35:
                q(c, ".counter += 1; nil")
                done[i]["inc"] += 1
            elif r < 0.6:
                q(c, ".items.push(x); nil", {"x": i * 100000 + k})
                done[i]["push"] += 1
            elif r < 0.75:
                q(c, ".objs.push({n: x, kids: [{v: x}, {v: x + 1}]}); .objs[0].n += 1; nil",
                  {"x": k})
            elif r < 0.9:
                # Deletes the first thing and its kids once nothing holds them.
                q(c, "if (.objs.len() > 1) .objs.shift(); .objs[-1].kids.push({}); nil")
            elif r < 0.97:
                q(c, ".ms.push(M{n: x}); .ms[0].n += 1; if (.ms.len() > 30) .ms.shift(); nil",
                  {"x": k})
            else:
                f = "g%d_%d" % (i, k)
                q(c, "mod_type('M', 'add', '%s', 'int', 0); mod_type('M', 'del', '%s'); nil"
                  % (f, f))

    errors = run_clients(CLIENTS, client)
    assert not errors, errors[:5]
    assert deadlocks() == before, "deadlocks detected: %d" % (deadlocks() - before)
    with tdbtest.connect(DB) as c:
        assert q(c, ".counter") == sum(d["inc"] for d in done)
        assert q(c, ".items.len()") == sum(d["push"] for d in done)
        assert q(c, "type_info('M').fields") == [["n", "int"]]
        check_consistent(c)
    print("     %d clients x %d mixed operations: no error, no deadlock" % (CLIENTS, ops_per_client))


def test_repeatable_read_keeps_40001():
    """Under a transaction snapshot a call cannot run again on a newer state:
    a conflict stays 40001, both when the other writer committed before the
    write and when the write waited for it."""
    with tdbtest.connect(DB) as c:
        q(c, ".rr = {n: 0}; nil")
    a = tdbtest.connect(DB, autocommit=False)
    b = tdbtest.connect(DB, autocommit=False)
    try:
        a.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        assert q(a, ".rr.n") == 0
        with tdbtest.connect(DB) as c:
            q(c, ".rr.n += 1; nil")
        try:
            q(a, ".rr.n += 10; nil")
            raise AssertionError("no conflict at REPEATABLE READ")
        except psycopg.errors.SerializationFailure:
            pass
        a.rollback()

        a.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        assert q(a, ".rr.n") == 1
        q(b, ".rr.n += 1; nil")   # uncommitted: a waits for it
        result = {}

        def writer():
            try:
                q(a, ".rr.n += 10; nil")
                result["ok"] = True
            except psycopg.Error as e:
                result["sqlstate"] = e.sqlstate

        th = threading.Thread(target=writer)
        th.start()
        with tdbtest.connect(DB) as w:
            while not w.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                                " AND wait_event_type = 'Lock'", (DB,)).fetchone()[0]:
                pass
        b.commit()
        th.join(30)
        assert result.get("sqlstate") == "40001", result
        a.rollback()
        # The same at READ COMMITTED runs again: its change is made on top.
        with tdbtest.connect(DB) as c:
            assert q(c, ".rr.n") == 2
    finally:
        a.close()
        b.close()


def test_wait_obeys_statement_timeout():
    """A call waiting for another writer's row ends at statement_timeout
    (57014), and what it did is rolled back; the holder's change stays."""
    with tdbtest.connect(DB) as c:
        q(c, ".held = {n: 0}; nil")
    holder = tdbtest.connect(DB, autocommit=False)
    try:
        q(holder, ".held.n += 1; nil")
        with tdbtest.connect(DB) as c:
            c.execute("SET statement_timeout = '300ms'")
            try:
                q(c, ".other = {}; .held.n += 10; nil")
                raise AssertionError("the wait did not end")
            except psycopg.errors.QueryCanceled:
                pass
            c.execute("RESET statement_timeout")
            holder.commit()
            assert q(c, "[.held.n, .has('other')]") == [1, False]
            check_consistent(c)
    finally:
        holder.close()


def test_savepoints_around_calls():
    """The run in a subtransaction of its own leaves the caller's
    subtransactions alone: a ThingsDB error caught by a PL/pgSQL exception
    block, a SAVEPOINT rolled back after a call that ran again."""
    with tdbtest.connect(DB) as c:
        c.execute("""
            CREATE OR REPLACE FUNCTION pg_temp.try_tdb(code text) RETURNS text
            LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM tdb_query(code);
                RETURN 'ok';
            EXCEPTION WHEN OTHERS THEN
                RETURN SQLSTATE;
            END $$""")
        assert c.execute("SELECT pg_temp.try_tdb('.sp = 1; raise(\"no\")')").fetchone()[0] == "TD100"
        assert c.execute("SELECT pg_temp.try_tdb('.sp = 2; nil')").fetchone()[0] == "ok"
        assert q(c, ".sp") == 2
    holder = tdbtest.connect(DB, autocommit=False)
    c = tdbtest.connect(DB, autocommit=False)
    try:
        q(holder, ".sp += 1; nil")
        c.execute("SAVEPOINT s1")
        result = {}

        def runner():
            result["v"] = q(c, ".sp += 10; .sp")

        th = threading.Thread(target=runner)
        th.start()
        with tdbtest.connect(DB) as w:
            while not w.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                                " AND wait_event_type = 'Lock'", (DB,)).fetchone()[0]:
                pass
        holder.commit()
        th.join(30)
        assert result.get("v") == 13, result
        c.execute("ROLLBACK TO SAVEPOINT s1")
        assert q(c, ".sp") == 3
        c.commit()
    finally:
        holder.close()
        c.close()


def wait_for_lock_wait():
    with tdbtest.connect(DB) as w:
        while not w.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                            " AND wait_event_type = 'Lock'", (DB,)).fetchone()[0]:
            pass


def test_run_again_after_catalog_changes():
    """A call that changed the catalog (a Type, an enum, a procedure) and then
    met a conflict runs again: the rolled-back attempt's Type, enum and
    procedure are gone from the backend's caches, so the second run makes
    them anew instead of finding them."""
    with tdbtest.connect(DB) as c:
        q(c, ".cat = {n: 0}; nil")
    holder = tdbtest.connect(DB, autocommit=False)
    try:
        q(holder, ".cat.n += 1; nil")
        result = {}

        def runner():
            with tdbtest.connect(DB) as c:
                try:
                    result["v"] = q(c, "new_type('Again'); set_type('Again', {a: 'int'});"
                                       "set_enum('AgainE', {X: 1}); new_procedure('again', || 1);"
                                       ".again = Again{a: 5}; .cat.n += 10; [.cat.n, .again.a]")
                except psycopg.Error as e:
                    result["v"] = "%s %s" % (e.sqlstate, e.diag.message_primary)

        th = threading.Thread(target=runner)
        th.start()
        wait_for_lock_wait()
        holder.commit()
        th.join(30)
        assert result.get("v") == [11, 5], result
        with tdbtest.connect(DB) as c:
            assert q(c, "[types_info().filter(|t| t.name == 'Again').len(),"
                        " enums_info().filter(|e| e.name == 'AgainE').len(), again()]") == [1, 1, 1]
            check_consistent(c)
    finally:
        holder.close()


def test_readers_do_not_wait_for_mod_type():
    """A read-only call (tdb_query_ro, tdb_call_ro) does not wait for a
    mod_type whose transaction stays open after its statement: it reads the
    collection as it was before (the old fields, from the tables and not the
    caches), and the first read-only call after the commit reads the new
    definition and instances. A writing call still waits (its instances must
    have the new shape)."""
    with tdbtest.connect(DB) as c:
        q(c, "new_type('R'); set_type('R', {n: 'int'}); .rs = [R{n: 1}];"
             "new_procedure('rs_n', || .rs.map(|r| r.n)); nil")
        # Warm this backend's caches with the old definition.
        ro = c.execute("SELECT tdb_query_ro('type_info(\"R\").fields')").fetchone()[0]
        assert ro == [["n", "int"]], ro
    modder = tdbtest.connect(DB, autocommit=False)
    reader = tdbtest.connect(DB)
    try:
        q(modder, "mod_type('R', 'add', 'x', 'int', 7); nil")
        # lock_timeout ends a wait for the collection lock: without the change
        # this is 55P03 after the second.
        reader.execute("SET lock_timeout = '1s'")
        got = reader.execute("SELECT tdb_query_ro('[type_info(\"R\").fields, .rs.map(|r| r.keys())]')"
                             ).fetchone()[0]
        assert got == [[["n", "int"]], [["n"]]], got
        assert reader.execute("SELECT tdb_call_ro('rs_n', '[]')").fetchone()[0] == [1]
        # tdb_query of code without side effects reads as tdb_query_ro does;
        # wse() makes it a change, which waits.
        assert q(reader, ".rs.map(|r| r.keys())") == [["n"]]
        try:
            q(reader, "wse(); .rs.len()")
            raise AssertionError("wse() did not wait for mod_type")
        except psycopg.errors.LockNotAvailable:
            pass
        try:
            q(reader, ".rs.push(R{n: 2}); nil")
            raise AssertionError("a writer did not wait for mod_type")
        except psycopg.errors.LockNotAvailable:
            pass
        modder.commit()
        got = reader.execute("SELECT tdb_query_ro('[type_info(\"R\").fields, .rs.map(|r| r.x)]')"
                             ).fetchone()[0]
        assert got == [[["n", "int"], ["x", "int"]], [7]], got
        q(reader, ".rs.push(R{n: 2}); nil")
        assert q(reader, ".rs.map(|r| r.x)") == [7, 0]
        check_consistent(reader)
    finally:
        modder.close()
        reader.close()


setup()
t.run(test_readers_do_not_wait_for_mod_type)
t.run(test_run_again_after_catalog_changes)
t.run(test_contended_increments_commit_all)
t.run(test_contended_pushes_lose_nothing)
t.run(test_concurrent_mod_types)
t.run(test_mixed_workload)
t.run(test_repeatable_read_keeps_40001)
t.run(test_wait_obeys_statement_timeout)
t.run(test_savepoints_around_calls)
tdbtest.drop_db(DB)
t.finish()
