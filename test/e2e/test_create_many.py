"""Creating many things in one query, on a private cluster (it is stopped with -m immediate):
the new rows are written in batches (of rows and of bytes) straight into thingsdb.things.
Every thing made is there after crash recovery, in its list's order, with its Type, its
properties and a reference count equal to its incoming references; the watcher of the root
got the one event with every new thing in order, and the stored event survives the crash;
replacing the lists deletes every row they held, and nothing is left for the garbage
collector."""
import json
import os
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
from psycopg.types.json import Jsonb  # noqa: E402
from reliability import PrivateCluster, check_consistent  # noqa: E402

DB = "many"
SCOPE = "@:many"
N_PLAIN = 2500  # each with a child: 5,000 rows, several batches of rows
N_TYPED = 1500
PAD = "x" * 800  # up to 800 bytes a string: batches also end on their bytes
t = tdbtest.Tally()
cluster = PrivateCluster()
cluster.scratch_db(DB)


def q(conn, code, scope=SCOPE, vars=None):
    return conn.execute("SELECT tdb_query(%s, %s, %s)",
                        (code, scope, None if vars is None else Jsonb(vars))).fetchone()[0]


def rows(conn, sql, *args):
    return conn.execute(sql, args).fetchone()[0]


def make(conn):
    q(conn, ".items = range(%d).map(|i| {n: i, s: pad[0:i %% 800], child: {m: -i}});"
            ".typed = range(%d).map(|i| Item{n: i, s: str(i)}); nil" % (N_PLAIN, N_TYPED),
      vars={"pad": PAD})


def check_made(conn, root):
    assert q(conn, ".items.map(|t| t.n)") == list(range(N_PLAIN))
    assert q(conn, ".items.map(|t| t.child.m)") == [-i for i in range(N_PLAIN)]
    assert q(conn, ".items.map(|t| t.s.len())") == [i % 800 for i in range(N_PLAIN)]
    assert q(conn, ".typed.map(|t| [type(t), t.n, t.s])") == [
        ["Item", i, str(i)] for i in range(N_TYPED)]
    assert rows(conn, "SELECT count(*) FROM thingsdb.things WHERE collection = %s",
                root) == 1 + 2 * N_PLAIN + N_TYPED
    assert rows(conn, "SELECT count(*) FROM thingsdb.things WHERE collection = %s"
                      " AND type_id IS NOT NULL", root) == N_TYPED
    assert rows(conn, "SELECT count(*) FROM thingsdb.things WHERE collection = %s"
                      " AND id <> collection AND (refs <> 1 OR version <> 1)", root) == 0
    check_consistent(conn)


def test_created_things_durable_watched_counted():
    with cluster.connect(DB) as c:
        q(c, "new_collection('many'); nil", "@thingsdb")
        q(c, "set_type('Item', {n: 'int', s: 'str'}); nil")
        root = q(c, ".id()")
        watcher = cluster.connect(DB)
        got = []
        watcher.add_notify_handler(lambda n: got.append(json.loads(n.payload)))
        watcher.execute("SELECT tdb_watch(%s, %s)", (root, SCOPE))
        make(c)
        end = time.time() + 15
        while not got and time.time() < end:
            select.select([watcher.fileno()], [], [], 0.2)
            watcher.execute("SELECT 1")
        assert len(got) == 1, got
        ev = got[0]
        if ev.get("ref"):
            ev = rows(watcher, "SELECT tdb_event(%s, %s)", ev["event"], root)
        watcher.close()
        sets = {}
        for job in ev["jobs"]:
            sets.update(job.get("set", {}))
        assert [x["n"] for x in sets["items"]] == list(range(N_PLAIN))
        assert [x["child"]["m"] for x in sets["items"]] == [-i for i in range(N_PLAIN)]
        # A typed instance goes as its Type's id and its field values in order.
        assert [x[""] for x in sets["typed"]] == [[i, str(i)] for i in range(N_TYPED)]
        ids = [x["#"] for x in sets["items"]]
        assert len(set(ids)) == N_PLAIN
        check_made(c, root)
        change = ev["event"]
    # Stopped without a checkpoint: the rows come back from the WAL.
    cluster.stop("immediate")
    cluster.start()
    with cluster.wait_ready(DB) as c:
        check_made(c, root)
        assert q(c, ".items.map(|t| t.id())") == ids
        stored = rows(c, "SELECT tdb_event(%s, %s)", change, root)
        assert stored is not None and stored["event"] == change
        # The lists replaced: every row they held is deleted by its count.
        q(c, ".items = []; .typed = []; nil")
        assert rows(c, "SELECT count(*) FROM thingsdb.things WHERE collection = %s", root) == 1
        assert rows(c, "SELECT tdb_collect_garbage('many')") == 0
        check_consistent(c)


def test_made_twice_in_one_transaction_then_rolled_back():
    """Rows written and then rolled back leave nothing; made again they are all there."""
    with cluster.connect(DB, autocommit=False) as c:
        root = q(c, ".id()")
        make(c)
        q(c, ".items.push({n: -1}); nil")
        assert q(c, ".items.len()") == N_PLAIN + 1
        c.rollback()
        assert rows(c, "SELECT count(*) FROM thingsdb.things WHERE collection = %s", root) == 1
        make(c)
        c.commit()
        check_made(c, root)


def test_every_index_gets_its_entries():
    """An index someone added to the table (on an expression of the props, and a partial
    one) gets an entry for every new thing of every batch, made in several queries of one
    backend; the direct inserts check a unique one as the statement would."""
    with cluster.connect(DB) as c:
        q(c, ".items = []; .typed = []; nil")
        c.execute("CREATE INDEX things_n_idx ON thingsdb.things (((props->>'n')::bigint))")
        c.execute("CREATE INDEX things_typed_idx ON thingsdb.things (id)"
                  " WHERE type_id IS NOT NULL")
        try:
            for _ in range(3):
                make(c)
            c.execute("SET enable_seqscan = off")
            c.execute("SET enable_bitmapscan = off")
            for n in (0, 7, N_TYPED - 1, N_PLAIN - 1):
                plan = "\n".join(r[0] for r in c.execute(
                    "EXPLAIN SELECT id FROM thingsdb.things"
                    " WHERE ((props->>'n')::bigint) = %s", (n,)).fetchall())
                assert "things_n_idx" in plan, plan
                got = rows(c, "SELECT count(*) FROM thingsdb.things"
                              " WHERE ((props->>'n')::bigint) = %s", n)
                assert got == (2 if n < N_TYPED else 1), (n, got)
            assert rows(c, "SELECT count(*) FROM thingsdb.things WHERE type_id IS NOT NULL"
                           " AND id > 0") == N_TYPED
            c.execute("RESET enable_seqscan")
            c.execute("RESET enable_bitmapscan")
            q(c, ".items = []; .typed = []; nil")
            c.execute("CREATE UNIQUE INDEX things_n_unique ON thingsdb.things"
                      " (((props->>'n')::bigint)) WHERE props ? 'u'")
            q(c, ".items = range(5).map(|i| {n: i, u: true}); nil")
            try:
                q(c, ".more = [{n: 3, u: true}]; nil")
                raise AssertionError("a unique index let a duplicate in")
            except Exception as e:  # noqa: BLE001
                assert "things_n_unique" in str(e), e
            assert q(c, ".items.len()") == 5 and not q(c, ".has('more')")
            check_consistent(c)
        finally:
            c.execute("DROP INDEX IF EXISTS thingsdb.things_n_idx")
            c.execute("DROP INDEX IF EXISTS thingsdb.things_typed_idx")
            c.execute("DROP INDEX IF EXISTS thingsdb.things_n_unique")
            q(c, ".items = []; nil")


try:
    t.run(test_created_things_durable_watched_counted)
    t.run(test_made_twice_in_one_transaction_then_rolled_back)
    t.run(test_every_index_gets_its_entries)
finally:
    if t.failed:
        print(cluster.log()[-3000:])
    cluster.close()
t.finish()
