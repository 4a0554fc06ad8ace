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
    # Things only: the chunk rows of big lists (type_id -2, docs/storage.md) are none.
    return conn.execute("SELECT count(*) FROM thingsdb.things t JOIN thingsdb.collections c"
                        " ON c.id = t.collection WHERE c.name = 'drops'"
                        " AND t.type_id IS DISTINCT FROM -2").fetchone()[0]


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


def drop_while_held(make, hold, code, want):
    """make stores .arr and .other; another transaction runs hold (a reference from .other
    to something of .arr) and commits while `.arr = []` runs in a second session: the drop
    must wait or run again and count on the committed row, so that what .other holds
    survives (code then answers want)."""
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, make)
    adder = tdbtest.connect(DB, autocommit=False)
    dropper = tdbtest.connect(DB)
    errors = []
    try:
        q(adder, hold)

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
            assert q(c, code) == want
            assert count(c) == 1 + 1 + 1
            check_consistent(c)
    finally:
        adder.close()
        dropper.close()


def test_drop_while_another_adds_a_reference():
    """A drop meets an item another transaction is giving a new reference:
    it waits, then counts on the committed row, and the item survives."""
    drop_while_held(".arr = range(100).map(|i| {n: i}); .other = {}; nil",
                    ".other.x = .arr[42]; nil",  # holds the row of item 42
                    ".other.x.n", 42)


def test_drop_meets_a_held_thing_of_a_later_round():
    """A drop's later round (the things its items held, ids among the items' ids) meets a
    row another transaction holds: below rows it took, it does not wait but runs again with
    every row it took locked first, then counts on the committed row; that thing survives."""
    drop_while_held(".arr = range(3000).map(|i| {n: i, c: {d: i}}); .other = {}; nil",
                    ".other.x = .arr[1500].c; nil",  # holds the row of that item's thing
                    ".other.x.d", 1500)


def test_typed_things_holding_things():
    """Typed instances holding things (a field, a list, a set) dropped with their list:
    every level goes; things also held elsewhere stay with what they hold. Instances in a
    relation hold each other: they stay until the collector sweeps them."""
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, "set_type('DNode', {n: 'int', c: 'thing?', l: '[thing]', s: '{thing}'}); nil")
        q(c, ".arr = range(300).map(|i| DNode{n: i, c: {d: i, x: {y: i}}, "
             "l: [{e: i}, {e: -i}], s: set({f: i})}); nil")
        assert count(c) == 1 + 300 * 6
        q(c, ".keep = .arr[11].c; .kl = .arr[13].l; nil")
        q(c, ".arr = []; nil")
        assert count(c) == 1 + 2 + 2
        check_consistent(c)
        assert q(c, ".keep.x.y") == 11
        assert q(c, ".kl.map(|x| x.e)") == [13, -13]
        q(c, ".keep = nil; .kl = nil; nil")
        assert count(c) == 1
        check_consistent(c)
        q(c, "new_type('DB'); set_type('DA', {b: 'DB?', n: 'int'}); set_type('DB', {a: 'DA?'}); "
             "mod_type('DA', 'rel', 'b', 'a'); nil")
        q(c, ".rel = range(200).map(|i| DA{n: i}); .bs = range(200).map(|| DB{}); nil")
        q(c, ".rel.each(|a, i| a.b = .bs[i]); .bs = []; nil")
        assert count(c) == 1 + 400
        q(c, ".one = .rel[5].b; .rel = []; nil")
        assert count(c) == 1 + 400
        assert q(c, ".one.a.n") == 5
        assert c.execute("SELECT tdb_collect_garbage('drops')").fetchone()[0] == 398
        assert count(c) == 1 + 2
        check_consistent(c)


def test_dropped_things_held_by_the_query():
    """Things dropped while the query holds them (as stubs, never read) are returned
    with the properties they held, at every level of the drop."""
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".arr = range(100).map(|i| {n: i, c: {d: i, e: {f: i}}}); nil")
        got = q(c, "t = .arr[2]; u = .arr[40]; .arr = []; return [t, u], 4;")
        assert got == [{"n": 2, "c": {"d": 2, "e": {"f": 2}}},
                       {"n": 40, "c": {"d": 40, "e": {"f": 40}}}], got
        assert count(c) == 1
        check_consistent(c)
        q(c, "set_type('DHeld', {n: 'int', c: 'thing'}); "
             ".arr = range(50).map(|i| DHeld{n: i, c: {d: i}}); nil")
        got = q(c, "t = .arr[7]; .arr = []; [t.n, t.c.d, type(t)]")
        assert got == [7, 7, "DHeld"], got
        assert count(c) == 1
        check_consistent(c)


def test_replace_a_big_list():
    """.items = a new list over an existing one: the old items go, the new ones are
    written, in one query; an old item also kept elsewhere survives."""
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".items = range(3000).map(|i| {n: i, c: {d: i}}); nil")
        q(c, ".keep = .items[1234]; nil")
        q(c, ".items = range(2000).map(|i| {n: -i}); nil")
        assert count(c) == 1 + 2000 + 2
        assert q(c, ".items.map(|x| x.n).reduce(|a, b| a + b)") == -sum(range(2000))
        assert q(c, ".keep.c.d") == 1234
        check_consistent(c)


def test_drop_undone_by_a_later_error():
    """A drop written by one query and undone by an error later in the transaction (a
    query that fails after it, a SQL error) leaves every row and count as before; a drop
    whose own query fails is never written."""
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".arr = range(2000).map(|i| {n: i, c: {d: i}, s: set({k: i})}); nil")
        before = count(c)
        try:
            q(c, ".arr = []; .x = 1; raise('later');")
            assert False, "no error"
        except psycopg.Error:
            pass
        assert count(c) == before
        try:
            c.execute("DO $$ BEGIN PERFORM tdb_query('.arr = []; nil', '@:drops'); "
                      "PERFORM tdb_query('.arr2 = range(10).map(|i| {n: i}); nil', '@:drops'); "
                      "PERFORM tdb_query('.nope.x = 1', '@:drops'); END $$")
            assert False, "no error"
        except psycopg.Error:
            pass
        assert count(c) == before
        assert q(c, ".arr[1999].c.d") == 1999
        check_consistent(c)
        q(c, ".arr = []; nil")
        assert count(c) == 1
        check_consistent(c)


def test_drop_rows_out_of_page_order():
    """The items of a big list dropped with their rows spread over pages: every third one
    grown by an update that does not fit its page (its new row on another page, a dead
    one left between the others, ids out of page order), before and after VACUUM, in
    more than two parts of 4096 ids. Items also kept elsewhere survive with what they
    hold; items the query holds come back with their last properties."""
    pad = "p" * 400
    with tdbtest.connect(DB) as c:
        for vacuum in (False, True):
            fresh(c)
            q(c, ".arr = range(9000).map(|i| {n: i, c: {d: i}}); nil")
            q(c, ".arr.each(|x| if (x.n %% 3 == 0) x.pad = '%s'); nil" % pad)
            q(c, ".keep = .arr.filter(|x| x.n % 5 == 0); nil")
            if vacuum:
                c.execute("VACUUM thingsdb.things")
            assert count(c) == 1 + 2 * 9000
            got = q(c, "t = .arr[4503]; u = .arr[4501]; v = .arr[8999]; .arr = []; "
                       "return [t, u, v], 2;")
            assert got == [{"n": 4503, "c": {"d": 4503}, "pad": pad},
                           {"n": 4501, "c": {"d": 4501}}, {"n": 8999, "c": {"d": 8999}}], got
            assert count(c) == 1 + 2 * 1800, count(c)
            assert q(c, ".keep.map(|x| x.n + x.c.d).reduce(|a, b| a + b)") == \
                2 * sum(range(0, 9000, 5))
            assert q(c, ".keep.filter(|x| x.has('pad')).len()") == 600
            assert q(c, ".keep[300].pad") == pad
            check_consistent(c)
            q(c, ".keep = []; nil")
            assert count(c) == 1
            check_consistent(c)


def test_drop_of_things_stored_out_of_line():
    """Things whose properties are stored out of line (big) among small ones in one list:
    each dropped thing the query holds comes back whole, the others go."""
    big = "b" * 5000
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".arr = range(60).map(|i| (i %% 2 == 0) ? {n: i, big: '%s'} : {n: i}); nil" % big)
        got = q(c, "t = .arr[20]; u = .arr[21]; .arr = []; [t, u]")
        assert got == [{"n": 20, "big": big}, {"n": 21}], got
        assert count(c) == 1
        check_consistent(c)
        # A big list kept as stored (read when the result is made, after the drop's
        # later rounds: the child things) and a child thing.
        q(c, ".arr = range(40).map(|i| (i % 2 == 0) ? {n: i, l: range(3000), c: {d: i}}"
             " : {n: i, c: {d: i}}); nil")
        got = q(c, "t = .arr[10]; .arr = []; return t, 2;")
        assert got == {"n": 10, "l": list(range(3000)), "c": {"d": 10}}, str(got)[:200]
        assert count(c) == 1
        check_consistent(c)


def test_leaf_things_dropped_while_held():
    """Things holding no references (no row of them is returned to the core unless the
    query holds them): a big list of them over many pages, empty ones, big ones stored
    compressed or out of line, typed ones; the ones the query holds come back whole, one
    also kept elsewhere survives, a drop undone by a later error leaves every row."""
    big = "".join(str(i * 7919 % 10007) for i in range(900))
    with tdbtest.connect(DB) as c:
        for vacuum in (False, True):
            fresh(c)
            q(c, "set_type('Leaf', {n: 'int', s: 'str'}); nil")
            q(c, ".arr = range(9000).map(|i| (i %% 10 == 0) ? {} : (i %% 97 == 0) ? "
                 "{n: i, big: '%s'} : (i %% 89 == 0) ? {n: i, z: '%s'} : {n: i}); "
                 ".typed = range(50).map(|i| Leaf{n: i, s: 'x'}); nil" % (big, "z" * 5000))
            q(c, ".keep = .arr[11]; .arr[12].x = '%s'; nil" % ("p" * 300))
            if vacuum:
                c.execute("VACUUM thingsdb.things")
            assert count(c) == 1 + 9000 + 50
            try:
                q(c, ".arr = []; .typed = []; raise('later');")
                assert False, "no error"
            except psycopg.Error:
                pass
            assert count(c) == 1 + 9000 + 50
            # Stubs never read (each kind of row) and one read before the drop.
            got = q(c, "t = .arr[4503]; u = .arr[17]; u.n; e = .arr[20]; b = .arr[97]; "
                       "z = .arr[89]; x = .arr[12]; v = .typed[3]; .arr = []; .typed = []; "
                       "[t, u, e, b, z, x, v, type(v)]")
            assert got == [{"n": 4503}, {"n": 17}, {}, {"n": 97, "big": big},
                           {"n": 89, "z": "z" * 5000}, {"n": 12, "x": "p" * 300},
                           {"n": 3, "s": "x"}, "Leaf"], str(got)[:300]
            assert count(c) == 1 + 1
            assert q(c, "[.keep.n, .keep.len()]") == [11, 1]
            check_consistent(c)


tdbtest.scratch_db(DB)
t.run(test_flat_list_and_tree)
t.run(test_chain)
t.run(test_shared_and_cycles)
t.run(test_drop_mixed_with_new_references)
t.run(test_rollback_of_a_big_drop)
t.run(test_table_with_triggers)
t.run(test_drop_while_another_adds_a_reference)
t.run(test_drop_meets_a_held_thing_of_a_later_round)
t.run(test_typed_things_holding_things)
t.run(test_dropped_things_held_by_the_query)
t.run(test_replace_a_big_list)
t.run(test_drop_undone_by_a_later_error)
t.run(test_drop_rows_out_of_page_order)
t.run(test_drop_of_things_stored_out_of_line)
t.run(test_leaf_things_dropped_while_held)
tdbtest.drop_db(DB)
t.finish()
