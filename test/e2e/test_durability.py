"""Data written through tdb_query survives a server restart; unreachable
things are collected; a rolled-back transaction leaves nothing behind."""
from tdbtest import Tally, connect, drop_db, pg_ctl, scratch_db

DB = scratch_db("tdb_e2e_durability")


def q(conn, code, scope=None):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def test_survives_restart():
    with connect(DB) as c:
        q(c, ".shelf = {books: [{title: 'HG2G', tags: set()}], n: 42, f: 1.5, b: bytes('x')}; nil")
        before = q(c, "return .shelf, 3;")
    pg_ctl("restart", "-m", "fast")
    with connect(DB) as c:
        after = q(c, "return .shelf, 3;")
        assert after == before, (before, after)
        assert q(c, "type(.shelf.f)") == "float"
        assert q(c, "type(.shelf.b)") == "bytes"
        assert q(c, "type(.shelf.books[0].tags)") == "set"


def test_rollback_leaves_nothing():
    with connect(DB, autocommit=False) as c:
        q(c, ".temp = {a: 1}; nil")
        c.rollback()
        assert q(c, ".has('temp')") is False
        c.commit()


def test_garbage_collected():
    with connect(DB) as c:
        count = lambda: c.execute("SELECT count(*) FROM thingsdb.things").fetchone()[0]
        start = count()
        q(c, ".g = {child: {grandchild: {}}, list: [{}, {}]}; nil")
        assert count() == start + 5
        q(c, ".g.list.pop(); nil")
        assert count() == start + 4
        q(c, ".del('g'); nil")
        assert count() == start
        # A thing referenced twice survives losing one reference.
        q(c, "x = {}; .a = x; .b = [x]; nil")
        q(c, ".del('a'); nil")
        assert q(c, "is_thing(.b[0])") is True
        assert count() == start + 1


t = Tally()
t.run(test_survives_restart)
t.run(test_rollback_leaves_nothing)
t.run(test_garbage_collected)
drop_db(DB)
t.finish()
