#!/usr/bin/python3
"""Watch events stay private: PostgreSQL has no rights on notification
channels, so a role without the right to watch must not be able to read
events by listening on channels it can guess, nor forge events that the
documented clients apply. A watch ends when its right does (revoke, del_user,
rename_user, del_token, del_collection) and with the extension; the stored
events are readable by a watcher with the right, filtered by it.
Last line: "N passed, N failed"."""
import json
import os
import select
import subprocess
import sys
import time

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402

DB = "tdb_e2e_watch_privacy"
EX = os.path.join(tdbtest.ROOT, "examples", "events")
TDB = os.path.join(tdbtest.ROOT, "build", "tdb")
GUESSES = 400   # tdb_0 .. tdb_399: every id this database has handed out, and more
T = tdbtest.Tally()
admin = None


def connect_as(role, dbname=DB):
    return psycopg.connect("host=%s port=%s user=%s dbname=%s" % (tdbtest.HOST, tdbtest.PORT, role, dbname),
                           autocommit=True)


def q(code, scope="@:stuff", conn=None, vars=None):
    return (conn or admin).execute("SELECT tdb_query(%s, %s, %s)",
                                   (code, scope, json.dumps(vars) if vars else None)).fetchone()[0]


def new_role(name, mask=None, scopes=("@:stuff",)):
    """A LOGIN role; with mask, also a ThingsDB user with that right on the scopes."""
    admin.execute('DROP ROLE IF EXISTS "%s"' % name)
    admin.execute('CREATE ROLE "%s" LOGIN' % name)
    if mask is not None:
        q("if (has_user(u)) del_user(u); new_user(u);", "@thingsdb", vars={"u": name})
        for s in scopes:
            q("grant(s, u, %s)" % mask, "@thingsdb", vars={"u": name, "s": s})


class Session:
    """A connection that collects every notification it gets."""

    def __init__(self, role="postgres", dbname=DB):
        self.conn = connect_as(role, dbname)
        self.got = []   # (channel, payload text)
        self.conn.add_notify_handler(lambda n: self.got.append((n.channel, n.payload)))

    def watch(self, thing_id, scope="@:stuff"):
        return self.conn.execute("SELECT tdb_watch(%s, %s)", (thing_id, scope)).fetchone()[0]

    def pump(self, wait=0.3):
        # psycopg hands over notifications while it runs a command.
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


def listen_everywhere(s):
    for n in range(GUESSES):
        s.conn.execute('LISTEN "tdb_%d"' % n)


def setup():
    global admin
    tdbtest.scratch_db(DB)
    admin = tdbtest.connect(DB)
    q("new_collection('other')", "@thingsdb")


def test_listeners_without_rights_receive_nothing():
    new_role("wp_none")                                   # no ThingsDB user
    new_role("wp_nojoin", "QUERY|CHANGE", ("@thingsdb", "@:stuff", "@:other"))
    new_role("wp_join", "JOIN|QUERY")                     # JOIN on @:stuff only
    root = q(".id()")
    other_root = q(".id()", "@:other")
    spies = [Session("wp_none"), Session("wp_nojoin")]
    watcher, joiner = Session(), Session("wp_join")
    try:
        for s in spies:
            listen_everywhere(s)
            # A session sees only its own channels.
            mine = {r[0] for r in s.conn.execute("SELECT pg_listening_channels()").fetchall()}
            assert mine == {"tdb_%d" % n for n in range(GUESSES)}, sorted(mine)[:5]
            # The registry of watches and the watching of others are closed.
            try:
                s.conn.execute("SELECT * FROM thingsdb.watches")
                raise AssertionError("thingsdb.watches is readable")
            except psycopg.errors.InsufficientPrivilege:
                pass
            assert s.conn.execute("SELECT count(*) FROM tdb_watching()").fetchone()[0] == 0
        try:
            spies[1].watch(root)
            raise AssertionError("a user without JOIN watched")
        except psycopg.Error as e:
            assert e.diag.message_detail == "forbidden_err", e
        init = watcher.watch(root)
        assert watcher.watch(0, "@thingsdb")["channel"] == init["channel"]
        assert watcher.watch(other_root, "@:other")["channel"] == init["channel"]
        jinit = joiner.watch(root)
        assert jinit["channel"] != init["channel"]
        assert init["channel"] not in {"tdb_%d" % n for n in range(GUESSES)}
        q(".x = 1; .t = {n: 1}; nil")
        q(".t.n = 2")
        q(".y = 'secret'", "@:other")
        q("new_user('wp_someone'); new_token('wp_someone'); nil", "@thingsdb")
        got = watcher.wait_for(5)
        assert {c for c, _ in got} == {init["channel"]}, got
        jobs = [j for e in watcher.events() for j in e["jobs"]]
        assert any("new_user" in j for j in jobs) and any("new_token" in j for j in jobs), jobs
        assert any(j.get("set", {}).get("y") == "secret" for j in jobs), jobs
        got = joiner.wait_for(1)
        assert {c for c, _ in got} == {jinit["channel"]} and len(joiner.events()) == 1, got
        for s in spies:
            s.pump(0.5)
            assert s.got == [], s.got[:3]
    finally:
        for s in spies + [watcher, joiner]:
            s.close()


def forge_everywhere(root, channel_of_old_design=True):
    """A role without a ThingsDB user NOTIFYs forged events with a huge change id."""
    with connect_as("wp_none") as f:
        forged = {"#": root, "event": 9223372036854775807, "jobs": [{"set": {"admin": True}}]}
        for n in range(GUESSES):
            f.execute("SELECT pg_notify(%s, %s)", ("tdb_%d" % n, json.dumps(dict(forged, **{"#": n}))))


def client_ignores_forgeries(cmd):
    root = q(".id()")
    env = dict(os.environ, PGHOST=tdbtest.HOST, PGPORT=str(tdbtest.PORT), PGUSER="postgres", PGDATABASE=DB)
    p = subprocess.Popen(cmd + [str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    buf = bytearray()
    try:
        init = tdbtest.read_json_line(p, buf)
        assert init["#"] == root, init
        forge_everywhere(root)
        q(".genuine = %d" % time.time_ns())
        ev = tdbtest.read_json_line(p, buf)
        assert ev["#"] == root and list(ev["jobs"][0]["set"]) == ["genuine"], ev
        assert ev["event"] < 9223372036854775807, ev
        assert init["init"]["channel"].startswith("tdbw_"), init
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_python_example_ignores_forgeries():
    client_ignores_forgeries([sys.executable, os.path.join(EX, "watch.py"), "--count", "1", "--scope", "@:stuff"])


def test_javascript_example_ignores_forgeries():
    node = subprocess.run(["which", "node"], capture_output=True, text=True).stdout.strip()
    if not node or not os.path.isdir(os.path.join(EX, "node_modules", "pg")):
        print("skip: node or node-postgres missing (test_examples.py installs it)")
        return
    client_ignores_forgeries([node, os.path.join(EX, "watch.js"), "--count", "1", "--scope", "@:stuff"])


def test_cli_ignores_forgeries():
    if not os.path.exists(TDB):
        print("skip: build/tdb missing (make tdb)")
        return
    client_ignores_forgeries([TDB, "watch", "--count", "1", "-s", "@:stuff"])


def watch_rows(user):
    return admin.execute("SELECT count(*) FROM thingsdb.watches w JOIN thingsdb.users u ON u.id = w.user_id"
                         " WHERE u.name = %s", (user,)).fetchone()[0]


def ending(name, end, token=False, same_transaction=False):
    """A user with JOIN watches the root; after end() no event reaches it (and a
    bystander with the same right keeps getting them)."""
    role = "wp_end_" + name
    new_role(role, "JOIN|QUERY")
    new_role("wp_bystander", "JOIN|QUERY")
    root = q(".id()")
    s = Session("wp_none" if token else role)
    b = Session("wp_bystander")
    try:
        if token:
            key = q("new_token(u)", "@thingsdb", vars={"u": role})
            s.conn.execute("SELECT tdb_authenticate(%s)", (key,))
            end_args = {"u": role, "key": key}
        else:
            end_args = {"u": role}
        s.watch(root)
        b.watch(root)
        q(".before = 1")
        assert len(s.wait_for(1)) == 1, s.got
        if same_transaction:
            with admin.transaction():
                end(end_args)
                q(".after = 0")
        else:
            end(end_args)
        q(".after = 1")
        q(".after = 2")
        n = 4 if same_transaction else 3
        assert len(b.wait_for(n)) == n, b.got   # the bystander still gets them
        s.pump(0.5)
        assert len(s.got) == 1, "events after the end of the right: %r" % s.got[1:]
        assert s.conn.execute("SELECT count(*) FROM tdb_watching()").fetchone()[0] == 0
    finally:
        s.close()
        b.close()


def test_revoke_ends_live_watch():
    ending("revoke", lambda a: q("revoke('@:stuff', u, JOIN)", "@thingsdb", vars=a))


def test_revoke_in_the_transaction_of_a_change():
    ending("revoke_tx", lambda a: q("revoke('@:stuff', u, JOIN)", "@thingsdb", vars=a), same_transaction=True)


def test_del_user_ends_live_watch():
    ending("del_user", lambda a: q("del_user(u)", "@thingsdb", vars=a))


def test_rename_user_ends_live_watch():
    # The watching role is no longer the user's name: it is no ThingsDB user.
    ending("rename", lambda a: q("rename_user(u, 'wp_renamed')", "@thingsdb", vars=a))
    q("del_user('wp_renamed')", "@thingsdb")


def test_del_token_ends_live_watch():
    ending("del_token", lambda a: q("del_token(key)", "@thingsdb", vars=a), token=True)


def test_del_expired_ends_watch_of_an_expired_token():
    def expire(a):
        # The token expires (by hand: the shortest expiration is in the future), then
        # del_expired, a change without events, removes it.
        admin.execute("UPDATE thingsdb.tokens SET expiration = 1 WHERE user_id = "
                      "(SELECT id FROM thingsdb.users WHERE name = %s)", (a["u"],))
        q("del_expired()", "@thingsdb")
    ending("del_expired", expire, token=True)


def test_del_collection_ends_watches():
    new_role("wp_coll", "JOIN|QUERY")
    q("new_collection('gone')", "@thingsdb")
    q("grant('@:gone', 'wp_coll', JOIN)", "@thingsdb")
    root = q(".id()", "@:gone")
    s = Session("wp_coll")
    try:
        s.watch(root, "@:gone")
        assert watch_rows("wp_coll") == 1
        q("del_collection('gone'); new_collection('gone'); grant('@:gone', 'wp_coll', JOIN)", "@thingsdb")
        assert watch_rows("wp_coll") == 0
        q(".x = 1", "@:gone")
        s.pump(0.5)
        assert s.got == [], s.got
    finally:
        s.close()


def test_drop_create_extension_ends_watches():
    db = tdbtest.scratch_db("tdb_e2e_watch_privacy_ext")
    s = Session("postgres", db)
    try:
        with tdbtest.connect(db) as w:
            root = w.execute("SELECT tdb_query('.id()')").fetchone()[0]
            first = s.watch(root).get("channel")
            w.execute("SELECT tdb_query('.a = 1')")
            assert len(s.wait_for(1)) == 1, s.got
            w.execute("DROP EXTENSION thingsdb")
            w.execute("CREATE EXTENSION thingsdb")
            # Ids start again: the new collection's root has the old one's id.
            assert w.execute("SELECT tdb_query('.id()')").fetchone()[0] == root
            w.execute("SELECT tdb_query('.b = 2')")
            s.pump(0.5)
            assert len(s.got) == 1, "an old watch got the new extension's events: %r" % s.got[1:]
            assert s.conn.execute("SELECT count(*) FROM tdb_watching()").fetchone()[0] == 0
            # A new watch gets a new channel.
            second = s.watch(root)["channel"]
            assert second != first
            w.execute("SELECT tdb_query('.c = 3')")
            got = s.wait_for(2)
            assert len(got) == 2 and got[1][0] == second, got
    finally:
        s.close()
        tdbtest.drop_db("tdb_e2e_watch_privacy_ext")


def test_event_functions_for_a_watcher_with_the_right():
    new_role("wp_reader", "JOIN|QUERY")    # JOIN on @:stuff, nothing on @:other or @thingsdb
    root, other_root = q(".id()"), q(".id()", "@:other")
    big = "z" * 9000
    q(".r1 = 1")
    q(".secret = 1", "@:other")
    q("new_user('wp_reader2'); nil", "@thingsdb")
    q(".r2 = %s; nil" % json.dumps(big))
    rows = admin.execute("SELECT change_id, thing_id, scope_id FROM thingsdb.events ORDER BY 1, 2").fetchall()
    mine = [(c, t) for c, t, s in rows if s == root]
    others = [(c, t) for c, t, s in rows if s != root]
    assert mine and any(t == other_root for _, t in others) and any(t == 0 for _, t in others), rows
    with connect_as("wp_reader") as r:
        got = [e for (e,) in r.execute("SELECT tdb_events_since(0)").fetchall()]
        assert [(e["event"], e["#"]) for e in got] == mine, (got, mine)
        got = r.execute("SELECT tdb_events_since(0, %s)", ([root, other_root, 0],)).fetchall()
        assert [(e["event"], e["#"]) for (e,) in got] == [m for m in mine if m[1] == root]
        for c, t in others:
            assert r.execute("SELECT tdb_event(%s, %s)", (c, t)).fetchone()[0] is None, (c, t)
        c, t = mine[-1]
        ev = r.execute("SELECT tdb_event(%s, %s)", (c, t)).fetchone()[0]
        assert ev["jobs"] == [{"set": {"r2": big}}], str(ev)[:100]
        # A large event reaches a non-admin watcher by reference and is read back.
        s = Session("wp_reader")
        try:
            s.watch(root)
            q(".r3 = %s; nil" % json.dumps(big))
            (_, payload), = s.wait_for(1)
            ref = json.loads(payload)
            assert ref.get("ref") is True, ref
            ev = s.conn.execute("SELECT tdb_event(%s, %s)", (ref["event"], ref["#"])).fetchone()[0]
            assert ev["jobs"] == [{"set": {"r3": big}}], str(ev)[:100]
        finally:
            s.close()
    with connect_as("wp_nojoin") as r:   # a user without JOIN anywhere reads nothing
        assert r.execute("SELECT count(*) FROM tdb_events_since(0)").fetchone()[0] == 0
        assert r.execute("SELECT tdb_event(%s, %s)", mine[0]).fetchone()[0] is None
    with connect_as("wp_none") as r:     # a role that is no ThingsDB user
        try:
            r.execute("SELECT tdb_events_since(0)")
            raise AssertionError("a role without a user read events")
        except psycopg.Error as e:
            assert e.diag.message_detail == "auth_err", e


def test_rows_of_ended_sessions_are_removed():
    root = q(".id()")
    s = Session()
    s.watch(root)
    pid = s.conn.info.backend_pid
    assert admin.execute("SELECT count(*) FROM thingsdb.watches WHERE pid = %s", (pid,)).fetchone()[0] == 1
    s.close()   # a normal end deletes the session's rows
    end = time.time() + 5
    while admin.execute("SELECT count(*) FROM thingsdb.watches WHERE pid = %s", (pid,)).fetchone()[0] and \
            time.time() < end:
        time.sleep(0.05)
    assert admin.execute("SELECT count(*) FROM thingsdb.watches WHERE pid = %s", (pid,)).fetchone()[0] == 0
    # A terminated session leaves its rows; the next session that starts watching removes them.
    s = Session()
    s.watch(root)
    pid = s.conn.info.backend_pid
    admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
    s.conn.close()
    assert admin.execute("SELECT count(*) FROM thingsdb.watches WHERE pid = %s", (pid,)).fetchone()[0] == 1
    t = Session()
    try:
        t.watch(root)
        assert admin.execute("SELECT count(*) FROM thingsdb.watches WHERE pid = %s", (pid,)).fetchone()[0] == 0
        assert admin.execute("SELECT count(*) FROM thingsdb.watches WHERE pid = %s",
                             (t.conn.info.backend_pid,)).fetchone()[0] == 1
    finally:
        t.close()


if __name__ == "__main__":
    setup()
    for name, fn in list(globals().items()):
        if name.startswith("test_"):
            T.run(fn)
    admin.close()
    tdbtest.drop_db(DB)
    T.finish()
