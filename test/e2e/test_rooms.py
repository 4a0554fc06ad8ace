#!/usr/bin/python3
"""Rooms: an emit reaches the sessions that joined the room when its
transaction commits, in commit order, and never on rollback; join, leave and
delete notifications; a role without JOIN receives nothing, whatever channels
it listens on; leaving stops delivery; events too large for NOTIFY arrive by
reference. Last line: "N passed, N failed"."""
import json
import os
import select
import subprocess
import sys
import threading
import time

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402

DB = "tdb_e2e_rooms"
GUESSES = 400   # tdbw_/tdb_/room names of every id this database has handed out
T = tdbtest.Tally()
admin = None


def connect_as(role):
    return psycopg.connect("host=%s port=%s user=%s dbname=%s" % (tdbtest.HOST, tdbtest.PORT, role, DB),
                           autocommit=True)


def q(code, scope="@:stuff", conn=None, vars=None):
    return (conn or admin).execute("SELECT tdb_query(%s, %s, %s)",
                                   (code, scope, json.dumps(vars) if vars else None)).fetchone()[0]


def new_role(name, mask=None):
    admin.execute('DROP ROLE IF EXISTS "%s"' % name)
    admin.execute('CREATE ROLE "%s" LOGIN' % name)
    if mask is not None:
        q("if (has_user(u)) del_user(u); new_user(u); grant('@:stuff', u, %s)" % mask, "@thingsdb",
          vars={"u": name})


class Session:
    """A connection that collects every notification it gets."""

    def __init__(self, role="postgres"):
        self.conn = connect_as(role)
        self.got = []   # (channel, payload text)
        self.conn.add_notify_handler(lambda n: self.got.append((n.channel, n.payload)))

    def join(self, *ids):
        return self.conn.execute("SELECT tdb_join(%s, '@:stuff')", (list(ids),)).fetchone()[0]

    def leave(self, *ids):
        return self.conn.execute("SELECT tdb_leave(%s, '@:stuff')", (list(ids),)).fetchone()[0]

    def join_names(self, *names):
        return self.conn.execute("SELECT tdb_join(%s::text[], '@:stuff')",
                                 (list(names),)).fetchone()[0]

    def leave_names(self, *names):
        return self.conn.execute("SELECT tdb_leave(%s::text[], '@:stuff')",
                                 (list(names),)).fetchone()[0]

    def pump(self, wait=0.3):
        select.select([self.conn.fileno()], [], [], wait)
        self.conn.execute("SELECT 1")

    def wait_for(self, n, timeout=5.0):
        end = time.time() + timeout
        while len(self.got) < n and time.time() < end:
            self.pump(0.1)
        return self.got

    def events(self):
        return [json.loads(p) for _, p in self.got]

    def close(self):
        self.conn.close()


def setup():
    global admin
    tdbtest.scratch_db(DB)
    admin = tdbtest.connect(DB)


def test_emit_after_commit_in_order_never_on_rollback():
    a, b = q(".a = room(); .b = room(); [.a.id(), .b.id()]")
    s = Session()
    try:
        assert s.join(a, b, 999999) == [a, b, None]
        got = s.wait_for(2)
        assert [e["room"] for e in s.events()] == ["join", "join"], got
        assert {e["id"] for e in s.events()} == {a, b} and s.events()[0]["scope"] == "@:stuff"
        channel = got[0][0]
        assert channel.startswith("tdbw_") and {c for c, _ in got} == {channel}
        del s.got[:]
        # Not before the commit, and not at all after a rollback (also of a savepoint).
        with psycopg.connect(tdbtest.dsn(DB)) as w:
            w.execute("SELECT tdb_query('.a.emit(\"msg\", \"one\", 1)', '@:stuff')")
            s.pump(0.3)
            assert s.got == [], s.got
            w.execute("SAVEPOINT sp")
            w.execute("SELECT tdb_query('.b.emit(\"dropped\")', '@:stuff')")
            w.execute("ROLLBACK TO SAVEPOINT sp")
            w.execute("SELECT tdb_query('.b.emit(\"kept\", {x: {y: 1}})', '@:stuff')")
            w.commit()
        with psycopg.connect(tdbtest.dsn(DB)) as w:
            w.execute("SELECT tdb_query('.a.emit(\"lost\")', '@:stuff')")
            w.rollback()
        try:
            q(".a.emit('failed'); 1 / 0;")
        except psycopg.Error:
            pass
        q(".a.emit('two'); .b.emit(0, 'three', .a); .a.emit(2, 'four', {x: {y: 1}}); .a.emit('two')")
        s.wait_for(6)
        s.pump(0.3)
        ev = s.events()
        # The same emit twice in one transaction: two events (NOTIFY would send it once).
        assert [(e["id"], e["event"]) for e in ev] == [(a, "msg"), (b, "kept"), (a, "two"), (b, "three"),
                                                        (a, "four"), (a, "two")], ev
        assert ev[0] == {"room": "emit", "scope": "@:stuff", "id": a, "event": "msg", "args": ["one", 1]}
        assert ev[1]["args"] == [{"x": {}}], ev[1]     # deep 1, as a query result
        assert ev[3]["args"] == ["<room:%d>" % a], ev[3]
        assert ev[4]["args"] == [{"x": {"y": 1}}], ev[4]
    finally:
        s.close()


def test_leave_and_delete():
    r = q(".r = room(); .keep = [.r]; .r.id()")
    s = Session()
    try:
        s.join(r)
        s.wait_for(1)
        q(".r.emit('hello')")
        s.wait_for(2)
        assert s.events()[-1]["event"] == "hello", s.events()
        assert s.leave(r, 424242) == [r, None]
        s.wait_for(3)
        assert s.events()[-1] == {"room": "leave", "scope": "@:stuff", "id": r}, s.events()
        q(".r.emit('unheard')")
        s.pump(0.5)
        assert len(s.got) == 3, s.got
        assert s.conn.execute("SELECT count(*) FROM tdb_joined()").fetchone()[0] == 0
        # Joined again: the delete when the last reference goes, then nothing is joined.
        s.join(r)
        s.wait_for(4)
        q(".del('r')")
        s.pump(0.3)
        assert len(s.got) == 4, s.got     # .keep still holds it
        q(".keep = []")
        s.wait_for(5)
        assert s.events()[-1] == {"room": "delete", "scope": "@:stuff", "id": r}, s.events()
        assert s.conn.execute("SELECT count(*) FROM tdb_joined()").fetchone()[0] == 0
    finally:
        s.close()


def test_no_join_right_receives_nothing():
    new_role("rm_none")                       # no ThingsDB user
    new_role("rm_query", "QUERY|CHANGE")      # a user without JOIN
    new_role("rm_join", "JOIN|QUERY")
    r = q(".secret = room(); .secret.set_name('secret'); .secret.id()")
    spies = [Session("rm_none"), Session("rm_query")]
    member = Session("rm_join")
    try:
        for s in spies:
            for n in range(GUESSES):
                s.conn.execute('LISTEN "tdb_%d"' % n)
                s.conn.execute('LISTEN "room_%d"' % n)
            s.conn.execute('LISTEN "secret"')
            s.conn.execute('LISTEN "tdbw_"')
            try:
                s.join(r)
                raise AssertionError("joined without JOIN")
            except psycopg.Error as e:
                assert e.diag.message_detail in ("forbidden_err", "auth_err"), e
            try:
                s.conn.execute("SELECT * FROM thingsdb.rooms")
                raise AssertionError("thingsdb.rooms is readable")
            except psycopg.errors.InsufficientPrivilege:
                pass
            try:
                s.conn.execute("SELECT channel FROM thingsdb.watches")
                raise AssertionError("thingsdb.watches is readable")
            except psycopg.errors.InsufficientPrivilege:
                pass
        assert member.join(r) == [r]
        q(".secret.emit('classified', 'launch codes')")
        got = member.wait_for(2)
        assert [json.loads(p)["room"] for _, p in got] == ["join", "emit"], got
        for s in spies:
            s.pump(0.5)
            assert s.got == [], s.got[:3]
        # A revoke ends the membership in its own transaction: nothing after it arrives.
        q("revoke('@:stuff', 'rm_join', JOIN)", "@thingsdb")
        q(".secret.emit('after revoke')")
        member.pump(0.5)
        assert len(member.got) == 2, member.got
    finally:
        for s in spies + [member]:
            s.close()


def test_large_event_by_reference():
    r = q(".big = room(); .big.id()")
    s = Session()
    reader = tdbtest.connect(DB)
    try:
        s.join(r)
        s.wait_for(1)
        q(".big.emit('large', x); .big.emit('small', 1); .big.emit('large2', y)",
          vars={"x": "x" * 9000, "y": "y" * 9000})
        s.wait_for(4)
        ev = s.events()[1:]
        assert [e.get("ref", False) for e in ev] == [True, False, True], ev
        assert ev[1]["event"] == "small"
        assert ev[0]["n"] == 0 and ev[2]["n"] == 1 and ev[0]["change"] == ev[2]["change"], ev
        stored = reader.execute("SELECT tdb_event(%s, %s)", (ev[0]["change"], r)).fetchone()[0]
        assert [e["event"] for e in stored] == ["large", "large2"], stored
        assert stored[ev[0]["n"]]["args"] == ["x" * 9000]
    finally:
        reader.close()
        s.close()


EX = os.path.join(tdbtest.ROOT, "examples", "events")


def test_join_and_leave_by_name():
    a, b = q(".na = room(); .na.set_name('north'); .nb = room(); .nb.set_name('south');"
             " .nc = room(); [.na.id(), .nb.id()]")
    s = Session()
    try:
        # Names, ids as text, an unknown name and an unnamed room's id, in one array.
        assert s.join_names("north", str(b), "west", "") == [a, b, None, None]
        s.wait_for(2)
        assert sorted(e["id"] for e in s.events()) == [a, b]
        q(".na.emit('by name')")
        s.wait_for(3)
        assert s.events()[-1]["event"] == "by name" and s.events()[-1]["id"] == a
        # A renamed room is found by its new name only.
        q(".na.set_name('up')")
        assert s.leave_names("north", "up") == [None, a]
        s.wait_for(4)
        assert s.events()[-1] == {"room": "leave", "scope": "@:stuff", "id": a}, s.events()
        joined = s.conn.execute("SELECT array_agg(x) FROM tdb_joined() x").fetchone()[0]
        assert joined == [b], (joined, a, b)
        # Mixed in one untyped literal.
        left = s.conn.execute("SELECT tdb_leave('{south,%d}', '@:stuff')" % a).fetchone()[0]
        assert left == [b, a], left   # a room that exists gives its id, joined or not
    finally:
        s.close()


def test_emit_is_no_change():
    """ThingsDB binds emit as no change: tdb_query_ro and a user with QUERY only may emit."""
    r = q(".ro = room(); .ro.id()")
    new_role("rm_reader", "QUERY|JOIN")
    s = Session()
    reader = connect_as("rm_reader")
    try:
        s.join(r)
        s.wait_for(1)
        admin.execute("SELECT tdb_query_ro('.ro.emit(\"ro\", 1)', '@:stuff')")
        reader.execute("SELECT tdb_query('.ro.emit(\"reader\")', '@:stuff')")
        s.wait_for(3)
        assert [e.get("event") for e in s.events()[1:]] == ["ro", "reader"], s.events()
        # Still no change: the reader cannot write, and tdb_query_ro refuses a thing's emit.
        try:
            reader.execute("SELECT tdb_query('.x = 1', '@:stuff')")
            raise AssertionError("a QUERY-only user changed data")
        except psycopg.Error as e:
            assert e.diag.message_detail == "forbidden_err", e
        try:
            admin.execute("SELECT tdb_query_ro('.emit(\"watch\")', '@:stuff')")
            raise AssertionError("tdb_query_ro emitted a watch event")
        except psycopg.Error as e:
            assert e.diag.message_detail == "operation_err", e
        # A read-only transaction cannot send it (no NOTIFY on a standby, no change id): an
        # error, never an event lost without a word.
        with psycopg.connect(tdbtest.dsn(DB)) as w:
            w.execute("SET TRANSACTION READ ONLY")
            try:
                w.execute("SELECT tdb_query('.ro.emit(\"lost\")', '@:stuff')")
                raise AssertionError("emitted in a read-only transaction")
            except psycopg.Error as e:
                assert e.diag.message_detail == "operation_err", e
                assert "read-only" in e.diag.message_primary, e
        s.pump(0.3)
        assert len(s.got) == 3, s.got
    finally:
        reader.close()
        s.close()


def test_gc_deletes_rooms_only_garbage_held():
    """tdb_collect_garbage recounts the rooms: one held only by a cycle cut off from the root
    goes (the joined session gets its delete), one also held by a kept thing stays."""
    gone, kept, deep = q("""
        .g = {r: room(), also: room(), in_list: [room()]}; .g.self = .g;
        .kept = [.g.also];
        [.g.r.id(), .g.also.id(), .g.in_list[0].id()]
    """)
    s = Session()
    try:
        assert s.join(gone, kept, deep) == [gone, kept, deep]
        s.wait_for(3)
        q(".del('g')")                      # the cycle keeps its counts above zero
        s.pump(0.3)
        assert len(s.got) == 3, s.got
        refs = dict(admin.execute("SELECT id, refs FROM thingsdb.rooms WHERE id = ANY(%s)",
                                  ([gone, kept, deep],)).fetchall())
        assert refs == {gone: 1, kept: 2, deep: 1}, refs
        assert admin.execute("SELECT tdb_collect_garbage('stuff')").fetchone()[0] == 1
        s.wait_for(5)
        deleted = sorted(e["id"] for e in s.events() if e["room"] == "delete")
        assert deleted == sorted([gone, deep]), s.events()
        refs = dict(admin.execute("SELECT id, refs FROM thingsdb.rooms WHERE id = ANY(%s)",
                                  ([gone, kept, deep],)).fetchall())
        assert refs == {kept: 1}, refs
        assert s.conn.execute("SELECT array_agg(x) FROM tdb_joined() x").fetchone()[0] == [kept]
        # The kept room still counts right: its last reference takes it.
        q(".kept = []")
        s.wait_for(6)
        assert s.events()[-1] == {"room": "delete", "scope": "@:stuff", "id": kept}, s.events()
    finally:
        s.close()


def name_race(first_code, second_code, end_first):
    """Runs first_code in an open transaction, then second_code in another session (which
    waits on the name), ends the first with end_first; returns the second's result or error."""
    first = psycopg.connect(tdbtest.dsn(DB))
    out = {}
    try:
        first.execute("SELECT tdb_query(%s, '@:stuff')", (first_code,))
        pid_box = {}

        def second():
            with psycopg.connect(tdbtest.dsn(DB), autocommit=True) as c:
                pid_box["pid"] = c.info.backend_pid
                try:
                    out["result"] = c.execute("SELECT tdb_query(%s, '@:stuff')",
                                              (second_code,)).fetchone()[0]
                except psycopg.Error as e:
                    out["error"] = (e.sqlstate, e.diag.message_detail, e.diag.message_primary)

        t = threading.Thread(target=second)
        t.start()
        # Until the second session waits for the first (a lock), or ended already.
        while t.is_alive():
            pid = pid_box.get("pid")
            if pid and admin.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity"
                                     " WHERE pid = %s", (pid,)).fetchone() == (True,):
                break
            time.sleep(0.02)
        getattr(first, end_first)()
        t.join()
    finally:
        first.close()
    return out


def test_same_room_name_at_once():
    """Two sessions naming rooms the same at once: the second gets ThingsDB's error once the
    first commits (never a unique violation), and the name once the first rolls back."""
    q(".ra = room(); .rb = room(); nil")
    # set_name on stored rooms.
    out = name_race(".ra.set_name('race')", ".rb.set_name('race')", "commit")
    assert "error" in out, out
    assert out["error"][1] == "lookup_err" and out["error"][2] == "room `race` already exists", out
    # New rooms named in the query that stores them.
    out = name_race(".n1 = room(); .n1.set_name('fresh')", ".n2 = room(); .n2.set_name('fresh')",
                    "commit")
    assert out.get("error") and out["error"][2] == "room `fresh` already exists", out
    assert q("[room('fresh') == .n1, .has('n2')]") == [True, False]
    # The first rolls back: the second names its room.
    out = name_race(".ra.set_name('free')", ".rb.set_name('free'); .rb.name()", "rollback")
    assert out == {"result": "free"}, out
    assert q("[.ra.name(), .rb.name()]") == ["race", "free"]


def exercise_example(cmd):
    """Runs a room example on two rooms (and one that does not exist) and checks what it prints."""
    a, b = q(".ex_a = room(); .ex_b = room(); [.ex_a.id(), .ex_b.id()]")
    env = dict(os.environ, PGHOST=tdbtest.HOST, PGPORT=str(tdbtest.PORT), PGUSER="postgres", PGDATABASE=DB)
    p = subprocess.Popen(cmd + [str(a), str(b), "777777", "--scope", "@:stuff", "--count", "5"], cwd=EX,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    buf = bytearray()
    try:
        assert tdbtest.read_json_line(p, buf) == {"joined": [a, b, None]}
        joins = [tdbtest.read_json_line(p, buf), tdbtest.read_json_line(p, buf)]
        assert sorted(e["id"] for e in joins) == [a, b] and {e["room"] for e in joins} == {"join"}, joins
        with tdbtest.connect(DB) as c:
            with c.transaction():
                c.execute("SELECT tdb_query('.ex_a.emit(\"never\")', '@:stuff')")
                raise psycopg.Rollback()
            with connect_as("postgres") as f:   # a forgery on a guessable name reaches nobody
                f.execute("SELECT pg_notify('tdb_%s', '{\"room\": \"emit\", \"id\": %s}')" % (a, a))
            c.execute("SELECT tdb_query('.ex_a.emit(\"msg\", \"hi\"); .ex_b.emit(\"big\", s)', '@:stuff',"
                      " %s)", (json.dumps({"s": "z" * 9000}),))
            c.execute("SELECT tdb_query('.del(\"ex_b\")', '@:stuff')")
        ev = [tdbtest.read_json_line(p, buf) for _ in range(3)]
        assert p.wait(timeout=15) == 0, p.stderr.read().decode()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert ev[0] == {"room": "emit", "scope": "@:stuff", "id": a, "event": "msg", "args": ["hi"]}, ev[0]
    assert ev[1]["event"] == "big" and ev[1]["args"] == ["z" * 9000] and "ref" not in ev[1], str(ev[1])[:200]
    assert ev[2] == {"room": "delete", "scope": "@:stuff", "id": b}, ev[2]


def test_python_room_example():
    exercise_example(["/usr/bin/python3", "room.py"])


def test_javascript_room_example():
    node = subprocess.run(["which", "node"], capture_output=True, text=True).stdout.strip()
    if not node or not os.path.isdir(os.path.join(EX, "node_modules", "pg")):
        raise tdbtest.Skip("node or node-postgres missing (test_examples.py installs it)")
    exercise_example([node, "room.js"])


def test_cli_join():
    tdb = os.path.join(tdbtest.ROOT, "build", "tdb")
    if not os.path.exists(tdb):
        raise tdbtest.Skip("build/tdb is not built")
    r = q(".cli = room(); .cli.id()")
    env = dict(os.environ, PGHOST=tdbtest.HOST, PGPORT=str(tdbtest.PORT), PGUSER="postgres", PGDATABASE=DB)
    p = subprocess.Popen([tdb, "-C", "join", str(r), "31337", "--scope", "@:stuff", "--count", "3"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    buf = bytearray()
    try:
        assert tdbtest.read_json_line(p, buf) == [r, None]
        assert tdbtest.read_json_line(p, buf) == {"room": "join", "scope": "@:stuff", "id": r}
        with connect_as("postgres") as f:   # a forgery on another channel is dropped
            f.execute("SELECT pg_notify('tdbw_0', '{\"room\": \"emit\", \"id\": %s}')" % r)
        q(".cli.emit('hi', 1); .cli.emit('big', s)", vars={"s": "q" * 9000})
        assert tdbtest.read_json_line(p, buf) == {"room": "emit", "scope": "@:stuff", "id": r, "event": "hi", "args": [1]}
        big = tdbtest.read_json_line(p, buf)
        assert big["event"] == "big" and big["args"] == ["q" * 9000], str(big)[:200]
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_cli_join_by_name():
    """Rooms named on the command line: a name (even one needing quotes in an array
    literal) is sent as a name; a name that no room has gives null; ids and names in one
    call are refused."""
    tdb = os.path.join(tdbtest.ROOT, "build", "tdb")
    if not os.path.exists(tdb):
        raise tdbtest.Skip("build/tdb is not built")
    r = q(".cli_named = room(); .cli_named.set_name('cli_lobby'); .cli_named.id()")
    env = dict(os.environ, PGHOST=tdbtest.HOST, PGPORT=str(tdbtest.PORT), PGUSER="postgres", PGDATABASE=DB)
    bad = subprocess.run([tdb, "join", str(r), "cli_lobby", "--scope", "@:stuff"],
                         capture_output=True, text=True, env=env, timeout=30)
    assert bad.returncode == 3 and "not both" in bad.stderr, (bad.returncode, bad.stderr)
    p = subprocess.Popen([tdb, "-C", "join", "cli_lobby", 'no,such"room', "--scope", "@:stuff", "--count", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    buf = bytearray()
    try:
        assert tdbtest.read_json_line(p, buf) == [r, None]
        assert tdbtest.read_json_line(p, buf) == {"room": "join", "scope": "@:stuff", "id": r}
        q(".cli_named.emit('hi', 2)")
        assert tdbtest.read_json_line(p, buf) == {"room": "emit", "scope": "@:stuff", "id": r, "event": "hi", "args": [2]}
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    left = subprocess.run([tdb, "-C", "leave", "cli_lobby", "--scope", "@:stuff"],
                          capture_output=True, text=True, env=env, timeout=30)
    assert left.returncode == 0 and left.stdout.strip() == "[%d]" % r, (left.stdout, left.stderr)


if __name__ == "__main__":
    setup()
    for name, fn in list(globals().items()):
        if name.startswith("test_"):
            T.run(fn)
    admin.close()
    tdbtest.drop_db(DB)
    T.finish()
