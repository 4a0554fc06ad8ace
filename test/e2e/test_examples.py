"""The client examples of the events guide (docs/events.md) work: the Python
(psycopg) and the JavaScript (node-postgres) watcher in examples/events each
print the init event, the update events in change order (one per changed
thing and commit, nothing for a rollback) and an event too large for a
notification (read with tdb_event).

node-postgres comes from examples/events/node_modules. When that folder is
absent the test runs `npm ci` (the package-lock.json pins the versions) if
npm and the registry are reachable (scripts/setup.sh --test installs Debian's
nodejs and npm); otherwise the JavaScript part is counted as skipped."""
import json
import os
import select
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402

import psycopg  # noqa: E402

DB = "tdb_e2e_examples"
EX = os.path.join(tdbtest.ROOT, "examples", "events")
T = tdbtest.Tally()


def env():
    return dict(os.environ, PGHOST=tdbtest.HOST, PGPORT=str(tdbtest.PORT), PGUSER="postgres", PGDATABASE=DB)


class Lines:
    def __init__(self, p):
        self.p = p
        self.buf = bytearray()

    def next(self, timeout=15):
        fd = self.p.stdout.fileno()
        end = time.time() + timeout
        while b"\n" not in self.buf:
            r, _, _ = select.select([fd], [], [], max(end - time.time(), 0))
            if not r:
                raise AssertionError("no output within %ss" % timeout)
            data = os.read(fd, 65536)
            if not data:
                raise AssertionError("the watcher ended: %s" % self.p.stderr.read().decode())
            self.buf += data
        i = self.buf.index(b"\n")
        line = bytes(self.buf[:i])
        del self.buf[:i + 1]
        return json.loads(line)


def exercise(cmd):
    """Runs a watcher of two things and checks what it prints."""
    with tdbtest.connect(DB) as c:
        c.execute("SELECT tdb_query('.book = {title: \"HG2G\"}; .shelf = {books: []}; nil')")
        book = c.execute("SELECT tdb_query('.book.id()')").fetchone()[0]
        shelf = c.execute("SELECT tdb_query('.shelf.id()')").fetchone()[0]
    p = subprocess.Popen(cmd + [str(book), str(shelf), "--scope", "@:stuff", "--count", "4"], cwd=EX,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env())
    out = Lines(p)
    try:
        init1, init2 = out.next(), out.next()
        assert init1["#"] == book and init1["init"]["thing"]["title"] == "HG2G", init1
        assert init2["#"] == shelf and init2["init"]["thing"]["books"] == [], init2
        with tdbtest.connect(DB) as c:
            c.execute("SELECT tdb_query('.book.title = \"Hitchhiker\"; .shelf.books.push(.book); nil')")
            with c.transaction():
                c.execute("SELECT tdb_query('.book.title = \"never\"')")
                raise psycopg.Rollback()   # nothing is sent for it
        with tdbtest.connect(DB) as c:
            c.execute("SELECT tdb_query('.book.emit(\"read\", \"Iris\")')")
            c.execute("SELECT tdb_query('.book.blob = range(3000).map(|| \"xyz\").join(\"\"); nil')")
        events = [out.next() for _ in range(4)]
        assert p.wait(timeout=15) == 0, p.stderr.read().decode()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    first = [e for e in events if e["event"] == events[0]["event"]]
    assert sorted(e["#"] for e in first) == sorted([book, shelf]), events
    by_thing = {e["#"]: e for e in first}
    assert by_thing[book]["jobs"] == [{"set": {"title": "Hitchhiker"}}], by_thing
    assert by_thing[shelf]["jobs"] == [{"splice": {"books": [0, 0, {"#": book}]}}], by_thing
    assert events[2]["jobs"] == [{"event": ["read", "Iris"]}], events[2]
    assert events[3]["jobs"] == [{"set": {"blob": "xyz" * 3000}}], str(events[3])[:200]
    assert "ref" not in events[3]
    ids = [e["event"] for e in events]
    assert ids == sorted(ids) and events[1]["event"] < events[2]["event"] < events[3]["event"], ids


def test_python_example():
    exercise(["/usr/bin/python3", "watch.py"])


def node_ready():
    """True when node and examples/events/node_modules/pg are there (runs
    `npm ci` if only node_modules is missing and the registry answers)."""
    if not shutil.which("node"):
        return "node is not installed"
    if os.path.isdir(os.path.join(EX, "node_modules", "pg")):
        return None
    if not shutil.which("npm"):
        return "examples/events/node_modules is absent and npm is not installed"
    ping = subprocess.run(["npm", "ping"], cwd=EX, capture_output=True, text=True, timeout=60)
    if ping.returncode != 0:
        return "examples/events/node_modules is absent and the npm registry is not reachable"
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=EX, capture_output=True, text=True,
                       timeout=300)
    if r.returncode != 0:
        return "npm ci failed: %s" % r.stderr[-500:]
    return None


def test_javascript_example():
    why = node_ready()
    if why:
        raise tdbtest.Skip("%s (run `npm ci` in examples/events)" % why)
    exercise(["node", "watch.js"])


def main():
    tdbtest.scratch_db(DB)
    try:
        for fn in (test_python_example, test_javascript_example):
            T.run(fn)
    finally:
        tdbtest.drop_db(DB)
    T.finish()


if __name__ == "__main__":
    main()
