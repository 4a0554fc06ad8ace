"""Dropping things: a thing whose reference count reaches zero is deleted in
the same pass that counts it (no update of its row first) and what it held is
released level by level. Each test checks the rows left and the consistency of
every count (reliability.check_consistent), never times."""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg  # noqa: E402
import tdbtest  # noqa: E402
from reliability import check_consistent  # noqa: E402

DB = "tdb_e2e_drops"
t = tdbtest.Tally()


def q(conn, code, scope="@:drops"):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def count(conn):
    return conn.execute("SELECT count(*) FROM thingsdb.things t JOIN thingsdb.collections c"
                        " ON c.id = t.collection WHERE c.name = 'drops'").fetchone()[0]


def fresh(conn):
    q(conn, 'if (has_collection("drops")) del_collection("drops"); new_collection("drops")',
      "@thingsdb")


def test_flat_list_and_tree():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".arr = range(5000).map(|i| {n: i}); .tree = range(20).map(|i| "
             "{l: range(30).map(|j| {s: set({k: j})})}); nil")
        assert count(c) == 1 + 5000 + 20 + 20 * 30 + 20 * 30
        q(c, ".arr = []; nil")
        assert count(c) == 1 + 20 + 600 + 600
        check_consistent(c)
        q(c, ".tree = nil; nil")
        assert count(c) == 1
        check_consistent(c)


def test_chain():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".head = {i: -1}; .tail = .head; nil")
        q(c, ".tail = range(3000).reduce(|a, i| { n = {i: i}; a.next = n; n }, .tail); nil")
        q(c, ".mid = .head; range(1000).each(|| .mid = .mid.next); nil")
        assert count(c) == 1 + 3001
        q(c, ".head = nil; nil")  # links before .mid go, .mid .. .tail stay
        assert count(c) == 1 + 2001, count(c)
        assert q(c, ".mid.i") == 999
        check_consistent(c)
        q(c, ".mid = nil; .tail = nil; nil")
        assert count(c) == 1
        check_consistent(c)


def test_shared_and_cycles():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".a = range(100).map(|i| {n: i}); .b = .a.filter(|x| x.n % 10 == 0); "
             "x = {}; y = {x: x}; x.y = y; .cyc = x; nil")
        q(c, ".a = []; nil")
        assert count(c) == 1 + 10 + 2
        assert q(c, ".b.map(|x| x.n)") == list(range(0, 100, 10))
        check_consistent(c)
        # A cycle dropped keeps its counts until the collector sweeps it.
        q(c, ".cyc = nil; .b = nil; nil")
        assert count(c) == 1 + 2
        assert c.execute("SELECT tdb_collect_garbage('drops')").fetchone()[0] == 2
        assert count(c) == 1
        check_consistent(c)


def test_drop_mixed_with_new_references():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".keep = {k: 1}; .arr = range(50).map(|i| {n: i}); nil")
        # In one query: an item of the dropped list is referenced anew, and
        # another one changed (a reference added to it) before the drop.
        q(c, "x = .arr[7]; .arr[3].ref = .keep; .arr[4].l = [.keep, {new: 1}]; "
             ".arr = []; .other = [x]; nil")
        assert count(c) == 1 + 1 + 1
        assert q(c, ".other[0].n") == 7
        assert c.execute("SELECT t.refs FROM thingsdb.things t JOIN thingsdb.collections c"
                         " ON c.id = t.collection WHERE c.name = 'drops'"
                         " AND t.props->>'k' = '1'").fetchone()[0] == 1
        check_consistent(c)
        # A thing dropped while the query still holds it is returned with its
        # properties (no longer stored: no id).
        q(c, ".arr = range(10).map(|i| {n: i}); nil")
        got = q(c, "t = .arr[2]; .arr = []; t")
        assert got == {"n": 2}, got
        assert count(c) == 1 + 1 + 1
        check_consistent(c)


def test_rollback_of_a_big_drop():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".arr = range(20000).map(|i| {n: i, s: set({})}); nil")
        before = count(c)
    c = tdbtest.connect(DB, autocommit=False)
    try:
        q(c, ".arr = []; nil")
        assert count(c) == 1
        c.rollback()
        assert count(c) == before
        assert q(c, ".arr[19999].n") == 19999
        c.commit()
        check_consistent(c)
        c.commit()
    finally:
        c.close()


def test_table_with_triggers():
    """A delete trigger on thingsdb.things sees every dropped row (the
    statements are used then, not the direct path)."""
    with tdbtest.connect(DB) as c:
        fresh(c)
        c.execute("CREATE TABLE seen (id bigint)")
        c.execute("CREATE FUNCTION seen_del() RETURNS trigger LANGUAGE plpgsql AS"
                  " $$ BEGIN INSERT INTO public.seen VALUES (OLD.id); RETURN OLD; END $$")
        c.execute("CREATE TRIGGER seen_del AFTER DELETE ON thingsdb.things"
                  " FOR EACH ROW EXECUTE FUNCTION seen_del()")
        try:
            q(c, ".arr = range(300).map(|i| {n: i, c: {d: i}}); nil")
            q(c, ".arr = []; nil")
            assert c.execute("SELECT count(*) FROM seen").fetchone()[0] == 600
            assert count(c) == 1
            check_consistent(c)
        finally:
            c.execute("DROP TRIGGER seen_del ON thingsdb.things")
            c.execute("DROP TABLE seen")


def test_drop_while_another_adds_a_reference():
    """A drop meets an item another transaction is giving a new reference:
    it waits, then counts on the committed row, and the item survives."""
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".arr = range(100).map(|i| {n: i}); .other = {}; nil")
    adder = tdbtest.connect(DB, autocommit=False)
    dropper = tdbtest.connect(DB)
    errors = []
    try:
        q(adder, ".other.x = .arr[42]; nil")  # holds the row of item 42

        def drop():
            try:
                q(dropper, ".arr = []; nil")
            except Exception as e:  # noqa: BLE001
                errors.append(e)
        th = threading.Thread(target=drop)
        th.start()
        time.sleep(0.5)
        adder.commit()
        th.join(60)
        assert not th.is_alive() and not errors, errors
        with tdbtest.connect(DB) as c:
            assert q(c, ".other.x.n") == 42
            assert count(c) == 1 + 1 + 1
            check_consistent(c)
    finally:
        adder.close()
        dropper.close()


tdbtest.scratch_db(DB)
t.run(test_flat_list_and_tree)
t.run(test_chain)
t.run(test_shared_and_cycles)
t.run(test_drop_mixed_with_new_references)
t.run(test_rollback_of_a_big_drop)
t.run(test_table_with_triggers)
t.run(test_drop_while_another_adds_a_reference)
tdbtest.drop_db(DB)
t.finish()
