"""Crash safety, on a private cluster (the shared one must never
crash): a backend killed with SIGKILL in the middle of a large change, and the
server stopped with -m immediate under a write load. After crash recovery
every collection is consistent (no reference to a missing thing, refs counts
equal to the incoming references, everything reachable), no change is half
applied, no acknowledged commit is lost, and the event log matches the data.

TDB_RELIABILITY_FULL=1 makes the rounds longer and more numerous."""
import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
import psycopg  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402
from reliability import PrivateCluster, check_consistent, scaled  # noqa: E402

DB = "crash"
t = tdbtest.Tally()
cluster = PrivateCluster()
cluster.scratch_db(DB)
stats = {"kills": 0, "immediate": 0, "acked": 0}


def q(conn, code, vars=None):
    return conn.execute("SELECT tdb_query(%s, NULL, %s)",
                        (code, None if vars is None else Jsonb(vars))).fetchone()[0]


def things(conn):
    # Things only: the chunk rows of big lists (type_id -2, docs/storage.md) are none.
    return conn.execute("SELECT count(*) FROM thingsdb.things"
                        " WHERE type_id IS DISTINCT FROM -2").fetchone()[0]


def events_check(conn):
    """The items pushed to .log according to the event log equal .log, and
    .total counts them."""
    w = q(conn, ".w.id()")
    pushed = []
    for (payload,) in conn.execute(
            "SELECT payload FROM thingsdb.events WHERE thing_id = %s ORDER BY change_id", (w,)):
        for job in payload["jobs"]:
            splice = job.get("splice", {}).get("log")
            if splice:
                pushed.extend(splice[2:])
    log = q(conn, ".w.log")
    assert sorted(pushed) == sorted(log), "events and data differ: %d pushed, %d in .log" % (
        len(pushed), len(log))
    assert q(conn, ".w.total") == len(log)
    return log


def test_kill9_mid_large_change():
    with cluster.connect(DB) as c:
        q(c, ".w = {log: [], total: 0, tags: range(5).map(|i| {tag: i}), data: []}; "
             ".big = {data: [], tags: range(5).map(|i| {tag: i})}; nil")
        q(c, "range(2000).each(|i| .big.data.push({i: i, child: {v: i}})); nil")
        base_things, base_len = things(c), q(c, ".big.data.len()")
    big = "range(%d).each(|i| .big.data.push({i: i, child: {v: i}, tag: .big.tags[i %% 5]})); " \
          ".big.tags.each(|t| t.n = 1); nil" % scaled(30000, 15000)
    # How long the change takes when nothing kills it (then undone by rollback).
    with cluster.connect(DB, autocommit=False) as c:
        start = time.time()
        q(c, big)
        took = time.time() - start
        c.rollback()
    rounds = scaled(8, 4)
    for r in range(rounds):
        conn = cluster.connect(DB, autocommit=False)
        pid = conn.info.backend_pid
        # Kill at spread points of the run: early in the evaluation, during
        # the writes at the end of the query, during the second statement.
        delay = took * (0.1 + 1.0 * r / max(rounds - 1, 1))
        since = len(cluster.log())
        killed = []

        def kill(pid=pid, killed=killed):
            killed.append(True)
            os.kill(pid, signal.SIGKILL)

        timer = threading.Timer(delay, kill)
        timer.start()
        stage = "statements"
        try:
            q(conn, big)
            q(conn, ".big.data.push({late: true}); nil")
            stage = "commit"
            conn.commit()
            committed = True
        except psycopg.OperationalError:
            committed = False
        timer.cancel()   # too late for this round: the change committed
        timer.join()
        conn.close()
        if committed:
            # The kill may still have come between the commit and cancel().
            with (cluster.wait_crash_restart(DB, since) if killed else cluster.connect(DB)) as c:
                # The next round checks that its killed change set no tag's n.
                q(c, ".big.tags.each(|t| t.del('n')); nil")
                base_len, base_things = q(c, ".big.data.len()"), things(c)
            continue
        stats["kills"] += 1
        t0 = time.time()
        with cluster.wait_crash_restart(DB, since) as c:
            t1 = time.time()
            check_consistent(c)
            print("     round %d: killed after %.1f s, %s; recovery %.1f s, check %.1f s"
                  % (r, delay, "committed" if committed else "not committed", t1 - t0, time.time() - t1))
            n = q(c, ".big.data.len()")
            full = base_len + scaled(30000, 15000) + 1
            if stage == "commit" and n == full:
                # Killed after the commit was durable but before the client
                # heard of it: the whole change is there, which is allowed.
                assert q(c, ".big.tags.every(|t| t.n == 1)")
                q(c, ".big.tags.each(|t| t.del('n')); nil")
                base_len, base_things = n, things(c)
                continue
            assert n == base_len, "half-applied change: %d items, %d before (killed in %s)" % (
                n, base_len, stage)
            assert things(c) == base_things
            assert q(c, ".big.tags.every(|t| !t.has('n'))")
    print("     %d backends killed with SIGKILL during a change of %.1f s; no change half applied"
          % (stats["kills"], took))
    assert stats["kills"] >= rounds // 2


def test_kill9_mid_drop():
    """A backend killed while it drops a big list of things holding things (typed and
    plain, some also held elsewhere): after recovery the drop is whole or absent."""
    n = scaled(40000, 20000)
    with cluster.connect(DB) as c:
        q(c, "if (!has_type('KDrop')) set_type('KDrop', {n: 'int', c: 'thing'}); nil")
        q(c, ".dl = range(%d).map(|i| i %% 2 ? KDrop{n: i, c: {d: i}} : {n: i, s: set({k: i})}); "
             ".dkeep = [.dl[3].c, .dl[4]]; nil" % n)
        base = things(c)
    drop = ".dl = []; nil"
    with cluster.connect(DB, autocommit=False) as c:
        start = time.time()
        q(c, drop)
        took = time.time() - start
        c.rollback()
    rounds = scaled(6, 3)
    killed_rounds = 0
    for r in range(rounds):
        conn = cluster.connect(DB, autocommit=False)
        pid = conn.info.backend_pid
        since = len(cluster.log())
        killed = []

        def kill(pid=pid, killed=killed):
            killed.append(True)
            os.kill(pid, signal.SIGKILL)

        timer = threading.Timer(took * (0.2 + 0.7 * r / max(rounds - 1, 1)), kill)
        timer.start()
        try:
            q(conn, drop)
            conn.rollback()  # every round but the last kill leaves the list as it was
        except psycopg.OperationalError:
            pass
        timer.cancel()
        timer.join()
        conn.close()
        killed_rounds += bool(killed)
        with (cluster.wait_crash_restart(DB, since) if killed else cluster.connect(DB)) as c:
            check_consistent(c)
            assert things(c) == base, (things(c), base)
            assert q(c, ".dl.len()") == n
            assert q(c, ".dkeep[0].d") == 3 and q(c, ".dkeep[1].s.len()") == 1
    # Committed at last, then everything but what .dkeep holds is gone.
    with cluster.connect(DB) as c:
        q(c, drop)
        assert things(c) == base - 2 * n + 3
        check_consistent(c)
        q(c, ".dkeep = nil; nil")
    print("     %d of %d drops of %d things killed with SIGKILL; none half applied"
          % (killed_rounds, rounds, n))
    assert killed_rounds >= 1


def test_immediate_stop_under_load():
    acked = set()
    attempted = set()
    lock = threading.Lock()
    stop = threading.Event()

    def writer(i):
        try:
            conn = cluster.connect(DB)
        except psycopg.OperationalError:
            return
        k = 0
        while not stop.is_set():
            k += 1
            x = i * 1000000 + k
            with lock:
                attempted.add(x)
            try:
                q(conn, "w = .w; w.log.push(x); w.total += 1; "
                        "t = {x: x, tag: w.tags[x % 5]}; w.data.push(t); "
                        "if (w.data.len() > 100) w.data.shift(); "
                        "if (x % 7 == 0) w.tags[x % 5].last = t; nil", {"x": x})
            except psycopg.errors.SerializationFailure:
                continue
            except psycopg.OperationalError:
                return   # the server went away
            with lock:
                acked.add(x)
        conn.close()

    rounds = scaled(5, 2)
    for r in range(rounds):
        threads = [threading.Thread(target=writer, args=(r * 10 + i,)) for i in range(4)]
        for th in threads:
            th.start()
        time.sleep(scaled(4.0, 2.0))
        cluster.stop("immediate")
        stop.set()
        for th in threads:
            th.join()
        stop.clear()
        stats["immediate"] += 1
        cluster.start()
        with cluster.wait_ready(DB) as c:
            check_consistent(c)
            log = events_check(c)
            assert len(log) == len(set(log)), "an item was applied twice"
            lost = acked - set(log)
            assert not lost, "%d acknowledged commits lost, e.g. %r" % (len(lost), sorted(lost)[:5])
            assert set(log) <= attempted
    stats["acked"] = len(acked)
    print("     %d immediate stops under 4 writers: %d acknowledged commits, none lost; "
          "events match the data" % (rounds, len(acked)))


try:
    t.run(test_kill9_mid_large_change)
    t.run(test_kill9_mid_drop)
    t.run(test_immediate_stop_under_load)
finally:
    if t.failed or os.environ.get("TDB_CRASH_LOG"):
        print(cluster.log()[-3000 if t.failed else 0:])
    cluster.close()
t.finish()
