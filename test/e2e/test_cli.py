"""End-to-end tests of tdb, the command-line client (src/cli): -c, -f and
stdin scripts, connection options and PG* variables, error output and exit
status, `tdb watch` with events, and the interactive prompt under a
pseudo-terminal (multi-line input, scope switching, history, Ctrl-C)."""
import json
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402

DB = "tdb_e2e_cli"
TDB = os.path.join(tdbtest.ROOT, "build", "tdb")
T = tdbtest.Tally()
LONG = "for (x in range(100000)) { for (y in range(100000)) { nil; } }"   # minutes


def env(**extra):
    e = dict(os.environ)
    e.update(PGHOST=tdbtest.HOST, PGPORT=str(tdbtest.PORT), PGUSER="postgres", PGDATABASE=DB)
    e.update(extra)
    return e


def tdb(*args, stdin=None, **kw):
    return subprocess.run([TDB] + list(args), input=stdin, capture_output=True, text=True,
                          env=env(**kw), timeout=30)


def test_command_pretty_and_compact():
    r = tdb("-c", ".greeting = 'hello'; .greeting.upper();")
    assert r.returncode == 0 and r.stdout == '"HELLO"\n', r
    r = tdb("-c", "{name: 'Iris', tags: ['a', 'b'], empty: [], none: {}, n: nil}")
    assert r.returncode == 0, r
    assert r.stdout == (
        '{\n'
        '    "n": null,\n'
        '    "name": "Iris",\n'
        '    "none": {},\n'
        '    "tags": [\n'
        '        "a",\n'
        '        "b"\n'
        '    ],\n'
        '    "empty": []\n'
        '}\n'), r.stdout
    r = tdb("-C", "-c", "{a: [1, [2, {}]], b: 'x y'}")
    assert r.stdout == '{"a":[1,[2,{}]],"b":"x y"}\n', r.stdout


def test_several_commands_and_scope():
    r = tdb("-c", ".n = 1;", "-c", ".n += 41; .n")
    assert r.returncode == 0 and r.stdout.split() == ["1", "42"], r
    r = tdb("-s", "@thingsdb", "-c", "collections_info().map(|c| c.name)", "-C")
    assert r.returncode == 0 and "stuff" in json.loads(r.stdout), r
    r = tdb("--scope=@:stuff", "--command=.n")
    assert r.stdout == "42\n", r


def test_errors_and_exit_status():
    r = tdb("-c", "1 + 'a'")
    assert r.returncode == 1, r
    assert r.stderr.strip() == "type_err: `+` not supported between `int` and `str`", r.stderr
    r = tdb("-c", "nope()")
    assert r.stderr.strip() == "lookup_err: function `nope` is undefined", r.stderr
    r = tdb("-c", "raise(err(-100, 'mine'))")
    assert r.returncode == 1 and r.stderr.strip().endswith("err: mine"), r.stderr
    # The first failing -c stops the script.
    r = tdb("-c", "1", "-c", "1/0", "-c", "3")
    assert r.returncode == 1 and r.stdout == "1\n" and r.stderr.startswith("zero_div_err: "), r
    r = tdb("-s", "@:nosuch", "-c", "1")
    assert r.returncode == 1 and r.stderr.strip() == "lookup_err: collection `nosuch` not found", r.stderr
    # PostgreSQL's own errors keep their SQLSTATE.
    r = tdb("-c", LONG, PGOPTIONS="-c statement_timeout=300")
    assert r.returncode == 1, r
    assert r.stderr.strip() == "ERROR (57014): canceling statement due to statement timeout", r.stderr
    r = tdb("-d", "tdb_e2e_cli_nosuch", "-c", "1")
    assert r.returncode == 2 and "does not exist" in r.stderr, r
    r = tdb("--bogus")
    assert r.returncode == 3 and "unknown option" in r.stderr, r


def test_read_only():
    r = tdb("-r", "-c", ".n")
    assert r.returncode == 0 and r.stdout == "42\n", r
    r = tdb("--read-only", "-c", ".n = 0")
    assert r.returncode == 1, r
    assert r.stderr.strip() == ("operation_err: the query changes data but tdb_query_ro() is read-only; "
                                "use tdb_query()"), r.stderr


def test_stdin_and_file():
    code = "// a script\nx = [1, 2,\n     3];\nx.reduce(|a, b| a + b);\n"
    r = tdb(stdin=code)
    assert r.returncode == 0 and r.stdout == "6\n", r
    with tempfile.NamedTemporaryFile("w", suffix=".ti", delete=False) as f:
        f.write(".from_file = 'yes';\n.from_file")
    try:
        r = tdb("-f", f.name)
        assert r.returncode == 0 and r.stdout == '"yes"\n', r
    finally:
        os.unlink(f.name)
    r = tdb("-f", "-", stdin="2 * 21")
    assert r.stdout == "42\n", r
    r = tdb(stdin="1 +")
    assert r.returncode == 1 and r.stderr.startswith("syntax_err: "), r


def test_connection_options():
    # Options win over the environment; a positional DBNAME as psql.
    bad = dict(PGHOST="/nonexistent", PGPORT="1", PGUSER="nobody", PGDATABASE="nodb")
    r = tdb("-h", tdbtest.HOST, "-p", str(tdbtest.PORT), "-U", "postgres", "-d", DB, "-c", ".n", **bad)
    assert r.returncode == 0 and r.stdout == "42\n", r
    r = tdb("-h", tdbtest.HOST, "-p", str(tdbtest.PORT), DB, "postgres", "-c", ".n", **bad)
    assert r.returncode == 0 and r.stdout == "42\n", r
    r = tdb("-d", "host=%s port=%s user=postgres dbname=%s" % (tdbtest.HOST, tdbtest.PORT, DB),
            "-c", ".n", **bad)
    assert r.returncode == 0 and r.stdout == "42\n", r
    r = tdb("-c", ".n", **bad)
    assert r.returncode == 2, r
    r = tdb("-V")
    assert r.returncode == 0 and r.stdout.startswith("tdb "), r
    r = tdb("--help")
    assert r.returncode == 0 and "watch THING_ID" in r.stdout, r


BUFFERS = {}


def read_line(p, timeout=10):
    """The next line of the process's stdout (unbuffered: select sees it)."""
    fd = p.stdout.fileno()
    buf = BUFFERS.setdefault(p, bytearray())
    end = time.time() + timeout
    while b"\n" not in buf:
        left = end - time.time()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        if not ready:
            raise AssertionError("no output from tdb watch within %ss" % timeout)
        data = os.read(fd, 65536)
        if not data:
            raise AssertionError("tdb watch ended: %r" % p.stderr.read())
        buf += data
    i = buf.index(b"\n")
    line = bytes(buf[:i])
    del buf[:i + 1]
    return line.decode()


def test_watch():
    with tdbtest.connect(DB) as c:
        root = c.execute("SELECT tdb_query('.id()')").fetchone()[0]
        big = c.execute("SELECT tdb_query('.watched = {name: \"w\"}; .watched.id()')").fetchone()[0]
    p = subprocess.Popen([TDB, "watch", str(big), "--count", "3", "-s", "@:stuff"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env())
    try:
        init = json.loads(read_line(p))
        assert init["#"] == big and init["init"]["thing"]["name"] == "w", init
        with tdbtest.connect(DB) as c:
            c.execute("SELECT tdb_query('.watched.name = \"x\"')")
            c.execute("SELECT tdb_query('.watched.emit(\"ping\", 1, 2)')")
            # Too large for a notification: tdb reads the stored event.
            c.execute("SELECT tdb_query('.watched.blob = range(9000).map(|| \"z\").join(\"\")')")
        e1 = json.loads(read_line(p))
        e2 = json.loads(read_line(p))
        e3 = json.loads(read_line(p))
        assert e1["#"] == big and e1["jobs"] == [{"set": {"name": "x"}}], e1
        assert e2["jobs"] == [{"event": ["ping", 1, 2]}], e2
        assert e1["event"] < e2["event"] < e3["event"], (e1, e2, e3)
        assert "ref" not in e3 and e3["jobs"] == [{"set": {"blob": "z" * 9000}}], str(e3)[:200]
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    # Several things; SIGINT ends it with status 0; -q leaves out the init events.
    p = subprocess.Popen([TDB, "-q", "watch", str(root), str(big)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env())
    try:
        time.sleep(0.5)
        with tdbtest.connect(DB) as c:
            c.execute("SELECT tdb_query('.watched.name = \"y\"; .top = 1')")
        got = [json.loads(read_line(p)), json.loads(read_line(p))]
        assert sorted(e["#"] for e in got) == sorted([root, big]), got
        assert got[0]["event"] == got[1]["event"], got
        p.send_signal(signal.SIGINT)
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    r = tdb("watch", "999999999")
    assert r.returncode == 1 and r.stderr.startswith("lookup_err: "), r
    r = tdb("watch")
    assert r.returncode == 3, r


class Pty:
    """tdb's prompt on a pseudo-terminal."""

    def __init__(self, *args, **kw):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(TDB, [TDB] + list(args), env(TERM="dumb", **kw))
        self.out = ""

    def read_until(self, text, timeout=10):
        end = time.time() + timeout
        while text not in self.out:
            left = end - time.time()
            if left <= 0:
                raise AssertionError("waited for %r; got %r" % (text, self.out[-600:]))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                self.out += data.decode("utf-8", "replace")
        i = self.out.index(text) + len(text)
        seen, self.out = self.out[:i], self.out[i:]
        return seen.replace("\r\n", "\n")

    def send(self, s):
        os.write(self.fd, s.encode())

    def close(self):
        try:
            _, status = os.waitpid(self.pid, 0)
        finally:
            os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def test_prompt():
    hist = tempfile.mktemp(prefix="tdb_hist_")
    t = Pty(TDB_HISTFILE=hist)
    try:
        banner = t.read_until("@:stuff> ")
        assert "connected to database \"%s\"" % DB in banner, banner
        t.send(".n\r")
        assert "42" in t.read_until("@:stuff> ")
        # Multi-line input: runs once brackets, quotes and comments close.
        t.send("{\r")
        t.read_until("> ")
        t.send("  a: [1,\r")
        t.read_until("> ")
        t.send("      2], s: 'it''s {'  /* open\r")
        t.read_until("> ")
        t.send("  comment */ }\r")
        out = t.read_until("@:stuff> ")
        assert '"a": [\n        1,\n        2\n    ]' in out and '"s": "it\'s {"' in out, out
        # Errors as ThingsDB prints them.
        t.send("1 + 'a'\r")
        out = t.read_until("@:stuff> ")
        assert "type_err: `+` not supported between `int` and `str`" in out, out
        # Scope switching.
        t.send("@thingsdb\r")
        t.read_until("@thingsdb> ")
        t.send("collections_info().len() > 0\r")
        assert "true" in t.read_until("@thingsdb> ")
        t.send("\\scope @:nosuch\r")
        out = t.read_until("@thingsdb> ")
        assert "lookup_err: collection `nosuch` not found" in out, out
        t.send("\\scope @:stuff\r")
        t.read_until("@:stuff> ")
        t.send("\\scope\r")
        assert "@:stuff" in t.read_until("@:stuff> ")
        # Ctrl-C drops an unfinished input.
        t.send("[1,\r")
        t.read_until("> ")
        t.send("\x03")
        t.read_until("@:stuff> ")
        t.send("'after'\r")
        out = t.read_until("@:stuff> ")
        assert '"after"' in out and "syntax_err" not in out, out
        # Ctrl-C cancels a running query.
        t.send(LONG + "\r")
        time.sleep(1.0)
        t.send("\x03")
        out = t.read_until("@:stuff> ", timeout=20)
        assert "57014" in out or "cancel" in out, out
        t.send("\\ro\r")
        t.read_until("(ro)> ")
        t.send(".n = 1\r")
        out = t.read_until("(ro)> ")
        assert "operation_err: the query changes data" in out, out
        t.send("\\?\r")
        assert "switch the scope" in t.read_until("(ro)> ")
        t.send("\\q\r")
        assert t.close() == 0
        with open(hist) as f:
            h = f.read()
        assert ".n" in h and "@thingsdb" in h and "collections_info().len() > 0" in h, h
    finally:
        if os.path.exists(hist):
            os.unlink(hist)
    # History survives: the next session can recall the last line with Up.
    with open(hist, "w") as f:
        f.write("'from history'\n")
    t = Pty(TDB_HISTFILE=hist)
    try:
        t.read_until("@:stuff> ")
        t.send("\x1b[A\r")
        assert '"from history"' in t.read_until("@:stuff> ")
        t.send("\x04")   # Ctrl-D leaves
        assert t.close() == 0
    finally:
        os.unlink(hist)


def main():
    if not os.path.exists(TDB):
        subprocess.run(["make", "-s", "-C", tdbtest.ROOT, "build/tdb"], check=True)
    tdbtest.scratch_db(DB)
    try:
        for fn in (test_command_pretty_and_compact, test_several_commands_and_scope,
                   test_errors_and_exit_status, test_read_only, test_stdin_and_file,
                   test_connection_options, test_watch, test_prompt):
            T.run(fn)
    finally:
        tdbtest.drop_db(DB)
    T.finish()


if __name__ == "__main__":
    main()
