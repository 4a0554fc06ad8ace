#!/usr/bin/python3
"""End-to-end tests of watch events: one connection watches (LISTEN through
tdb_watch) while others commit; the notifications carry ThingsDB's update
events. Last line: "N passed, N failed"."""
import json
import os
import select
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402

DB = "tdb_e2e_events"


class Watcher:
    """A session that watches things and collects the events it is sent
    (resolving large ones by reference, as a client must)."""

    def __init__(self):
        self.conn = tdbtest.connect(DB)
        self.got = []   # notification payloads, parsed, in arrival order
        self.conn.add_notify_handler(lambda n: self.got.append((n.channel, json.loads(n.payload))))

    def watch(self, thing_id, scope="@:stuff"):
        return self.conn.execute("SELECT tdb_watch(%s, %s)", (thing_id, scope)).fetchone()[0]

    def pump(self, timeout):
        # psycopg delivers notifications while it processes a command.
        select.select([self.conn.fileno()], [], [], timeout)
        self.conn.execute("SELECT 1")

    def events(self, n, timeout=5.0):
        """Waits until n events arrived (or the timeout) and returns them all."""
        waited = 0.0
        while len(self.got) < n and waited < timeout:
            self.pump(0.1)
            waited += 0.1
        return [self.resolve(ev) for _, ev in self.got]

    def resolve(self, ev):
        if ev.get("ref"):
            stored = self.conn.execute("SELECT tdb_event(%s, %s)", (ev["event"], ev["#"])).fetchone()[0]
            assert stored is not None, "referenced event %r not stored" % ev
            return stored
        return ev

    def quiet(self, wait=0.3):
        """Asserts that nothing arrives."""
        self.pump(wait)
        assert self.got == [], "unexpected events: %r" % self.got

    def close(self):
        self.conn.close()


writer = None
root = None


def q(code, scope="@:stuff", conn=None):
    return (conn or writer).execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def jobs_of(events):
    out = []
    for ev in events:
        out.extend(ev["jobs"])
    return out


def fresh():
    q("if (has_collection('stuff')) del_collection('stuff'); new_collection('stuff');", "@thingsdb")
    global root
    root = q(".id()")


def test_every_mutation_kind():
    fresh()
    q(".arr = ['a', 'b']; .s = set(); .t = {}; .name = 'x'; nil")
    t = q(".t.id()")
    w = Watcher()
    try:
        init = w.watch(root)
        assert init["collection"] == "stuff" and init["thing"]["#"] == root, init
        assert init["thing"]["arr"] == ["a", "b"] and init["thing"]["t"] == {"#": t}, init
        steps = [
            (".name = 'ThingsDB';", [{"set": {"name": "ThingsDB"}}]),
            (".del('name');", [{"del": "name"}]),
            (".arr.push('c', 'd');", [{"splice": {"arr": [2, 0, "c", "d"]}}]),
            (".arr.pop();", [{"splice": {"arr": [3, 1]}}]),
            (".arr.shift();", [{"splice": {"arr": [0, 1]}}]),
            (".arr.unshift('z');", [{"splice": {"arr": [0, 0, "z"]}}]),
            (".arr.splice(1, 1, 'q');", [{"splice": {"arr": [1, 1, "q"]}}]),
            (".arr.extend(['e', 'f']);", [{"splice": {"arr": [3, 0, "e", "f"]}}]),
            (".arr[0] = 'A';", [{"splice": {"arr": [0, 1, "A"]}}]),
            (".arr[1:3] = [];", [{"splice": {"arr": [1, 2]}}]),
            (".s.add(.t);", [{"add": {"s": [{"#": t}]}}]),
            (".s.remove(.t);", [{"remove": {"s": [t]}}]),
            (".emit('greet', 'Hello', 'universe!');", [{"event": ["greet", "Hello", "universe!"]}]),
        ]
        last = init["event"]
        for code, want in steps:
            w.got.clear()
            q(code)
            evs = w.events(1)
            assert len(evs) == 1, (code, evs)
            ev = evs[0]
            assert ev["#"] == root and ev["event"] > last, (code, ev, last)
            last = ev["event"]
            assert ev["jobs"] == want, (code, ev["jobs"], want)
        # A new thing is sent whole, once; the state of the list is as in the DB.
        w.got.clear()
        q(".n = {title: 'HG2G'}; .m = .n;")
        jobs = jobs_of(w.events(1))
        n = q(".n.id()")
        assert jobs == [{"set": {"n": {"#": n, "title": "HG2G"}}}, {"set": {"m": {"#": n}}}], jobs
        assert q(".arr") == ["A", "e", "f"]
        # A nested thing is watched separately.
        w.got.clear()
        w.watch(t)
        q(".t.x = 1;")
        evs = w.events(1)
        assert [(e["#"], e["jobs"]) for e in evs] == [(t, [{"set": {"x": 1}}])], evs
    finally:
        w.close()


def test_one_event_per_thing_and_commit():
    fresh()
    q(".a = {}; .b = {}; nil")
    a, b = q(".a.id()"), q(".b.id()")
    w = Watcher()
    try:
        w.watch(root)
        w.watch(a)
        w.watch(b)
        with writer.transaction():
            q(".a.x = 1; .c = 1;")
            q(".b.y = 2; .a.z = 3; .c = 2;")
        evs = w.events(3)
        assert len(evs) == 3, evs
        assert len({e["event"] for e in evs}) == 1, evs   # one change id per transaction
        by_thing = {e["#"]: e["jobs"] for e in evs}
        assert by_thing == {
            root: [{"set": {"c": 1}}, {"set": {"c": 2}}],
            a: [{"set": {"x": 1}}, {"set": {"z": 3}}],
            b: [{"set": {"y": 2}}],
        }, by_thing
    finally:
        w.close()


def test_nothing_for_rollback_or_failure():
    fresh()
    w = Watcher()
    try:
        w.watch(root)
        # rollback
        try:
            with writer.transaction():
                q(".x = 1;")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        w.quiet()
        # a failed statement (ThingsDB error after a change)
        try:
            q(".x = 2; 1 / 0;")
            raise AssertionError("expected an error")
        except tdbtest.psycopg.Error:
            pass
        w.quiet()
        # a failed later statement of the transaction
        try:
            with writer.transaction():
                q(".x = 3;")
                writer.execute("SELECT 1 / 0")
        except tdbtest.psycopg.Error:
            pass
        w.quiet()
        # a rolled-back savepoint drops only its own jobs
        with writer.transaction():
            q(".kept = 1;")
            try:
                with writer.transaction():
                    q(".dropped = 1;")
                    raise RuntimeError("roll back to savepoint")
            except RuntimeError:
                pass
        assert jobs_of(w.events(1)) == [{"set": {"kept": 1}}], w.got
        assert q(".has('x')") is False
    finally:
        w.close()


def test_concurrent_writers_ordered_change_ids():
    fresh()
    q(".w = range(4).map(|_| {n: 0}); nil")
    ids = q(".w.map(|t| t.id())")
    w = Watcher()
    per_writer = 25
    errors = []

    def write(tid):
        try:
            with tdbtest.connect(DB) as c:
                for i in range(per_writer):
                    c.execute("SELECT tdb_query(%s, '@:stuff')", ("#%d.n = %d;" % (tid, i + 1),))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    try:
        for t in ids:
            w.watch(t)
        threads = [threading.Thread(target=write, args=(t,)) for t in ids]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not errors, errors
        evs = w.events(4 * per_writer, timeout=20)
        assert len(evs) == 4 * per_writer, len(evs)
        change_ids = [e["event"] for e in evs]
        assert change_ids == sorted(change_ids), change_ids   # arrival follows commit order
        assert len(set(change_ids)) == len(change_ids), "duplicate change ids"
        for t in ids:   # each thing's own jobs arrive in its writer's order
            ns = [j["set"]["n"] for e in evs if e["#"] == t for j in e["jobs"]]
            assert ns == list(range(1, per_writer + 1)), (t, ns)
    finally:
        w.close()


def test_large_event_by_reference():
    fresh()
    w = Watcher()
    try:
        w.watch(root)
        q(".big = range(3000).map(|i| `item {i}`); nil")
        w.pump(0.5)
        assert len(w.got) == 1, w.got
        raw = w.got[0][1]
        assert raw.get("ref") is True and raw["#"] == root and "jobs" not in raw, raw
        ev = w.events(1)[0]
        big = ev["jobs"][0]["set"]["big"]
        assert len(big) == 3000 and big[2999] == "item 2999", len(big)
        assert len(json.dumps(ev)) > 8000
    finally:
        w.close()


def test_catch_up_after_reconnect():
    fresh()
    w = Watcher()
    init = w.watch(root)
    q(".a = 1;")
    last = w.events(1)[0]["event"]
    assert last > init["event"]
    w.close()   # disconnected while changes go on
    q(".a = 2;")
    q(".b = 3;")
    w2 = Watcher()
    try:
        rows = w2.conn.execute("SELECT tdb_events_since(%s, ARRAY[%s]::bigint[])", (last, root)).fetchall()
        missed = [r[0] for r in rows]
        assert [e["jobs"] for e in missed] == [[{"set": {"a": 2}}], [{"set": {"b": 3}}]], missed
        assert missed[0]["event"] < missed[1]["event"]
        init2 = w2.watch(root)
        assert init2["event"] >= missed[1]["event"] and init2["thing"]["b"] == 3, init2
        q(".c = 4;")
        ev = w2.events(1)[0]
        assert ev["event"] > init2["event"], ev
    finally:
        w2.close()


def test_thingsdb_scope_on_thing_zero():
    fresh()
    w = Watcher()
    try:
        init = w.watch(0, "@thingsdb")
        assert init["thing"] == {"#": 0} and init["collection"] is None, init
        q("new_collection('other'); rename_collection('other', 'other2'); del_collection('other2');", "@thingsdb")
        jobs = jobs_of(w.events(1))
        kinds = [next(iter(j)) for j in jobs]
        assert kinds == ["new_collection", "rename_collection", "del_collection"], jobs
    finally:
        w.close()


def test_unwatch():
    fresh()
    w = Watcher()
    try:
        w.watch(root)
        assert w.conn.execute("SELECT array_agg(x) FROM tdb_watching() x").fetchone()[0] == [root]
        w.conn.execute("SELECT tdb_unwatch(%s)", (root,))
        q(".x = 1;")
        w.quiet()
    finally:
        w.close()


def main():
    global writer
    tdbtest.scratch_db(DB)
    writer = tdbtest.connect(DB)
    tally = tdbtest.Tally()
    for fn in (test_every_mutation_kind, test_one_event_per_thing_and_commit,
               test_nothing_for_rollback_or_failure, test_concurrent_writers_ordered_change_ids,
               test_large_event_by_reference, test_catch_up_after_reconnect,
               test_thingsdb_scope_on_thing_zero, test_unwatch):
        tally.run(fn)
    writer.close()
    tdbtest.drop_db(DB)
    tally.finish()


if __name__ == "__main__":
    main()
