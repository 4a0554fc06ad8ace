"""End-to-end tests of tdb, the command-line client (src/cli): -c, -f and
stdin scripts, connection options and PG* variables, error output and exit
status, `tdb watch` with events, and the interactive prompt under a
pseudo-terminal (multi-line input, scope switching, history, Ctrl-C)."""
import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
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
        # 24 rows: results longer than that go through the pager.
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
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


def test_prompt_features():
    """The continue key, regex literals, one-shot scopes, \\i, \\timing, the
    pager, completion, multi-line history across restarts and --token."""
    hist = tempfile.mktemp(prefix="tdb_hist_")
    script = tempfile.mktemp(prefix="tdb_script_", suffix=".ti")
    with open(script, "w") as f:
        f.write("x = 20;\nx + 22\n")
    pager_out = tempfile.mktemp(prefix="tdb_pager_")
    t = Pty(TDB_HISTFILE=hist, PAGER="cat > %s" % pager_out)
    try:
        t.read_until("@:stuff> ")
        # A finished line with the continue key waits for `else`.
        t.send("x = 0; if (false) x = 1 \\\r")
        t.read_until("> ")
        t.send("else x = 2; x\r")
        out = t.read_until("@:stuff> ")
        assert "2" in out, out
        # Quotes and braces inside a regex do not hold the prompt.
        t.send("/'/.test(\"it's\")\r")
        assert "true" in t.read_until("@:stuff> ")
        t.send("/\\{/.test('{')\r")
        assert "true" in t.read_until("@:stuff> ")
        # Code run once in another scope; the prompt stays where it was.
        t.send("@thingsdb collections_info().map(|c| c.name).len() > 0\r")
        out = t.read_until("@:stuff> ")
        assert "true" in out, out
        # A file, and the time of each query.
        t.send("\\i %s\r" % script)
        assert "42" in t.read_until("@:stuff> ")
        t.send("\\timing\r")
        assert "timing is on" in t.read_until("@:stuff> ")
        t.send("1 + 1\r")
        out = t.read_until("@:stuff> ")
        assert "2" in out and "Time: " in out and " ms" in out, out
        t.send("\\timing\r")
        t.read_until("@:stuff> ")
        # A result longer than the terminal goes through $PAGER.
        t.send("range(100)\r")
        out = t.read_until("@:stuff> ")
        assert "99" not in out, out
        with open(pager_out) as f:
            paged = f.read()
        assert paged.split() == ["["] + ["%d," % i for i in range(99)] + ["99", "]"], paged[:200]
        t.send("\\pager\r")
        assert "the pager is off" in t.read_until("@:stuff> ")
        t.send("range(100)\r")
        assert "99" in t.read_until("@:stuff> ")
        # Tab completes functions, methods and the root's properties.
        t.send(".completion_target = 1; nil\r")
        t.read_until("@:stuff> ")
        t.send("new_proc\t")
        t.read_until("new_procedure")
        t.send("\x15")   # Ctrl-U drops the line
        t.send(".complet\t")
        t.read_until("completion_target")
        t.send("\r")
        assert "1" in t.read_until("@:stuff> ")
        t.send("'abc'.upp\t")
        t.read_until("upper")
        t.send("()\r")
        assert '"ABC"' in t.read_until("@:stuff> ")
        t.send("\\q\r")
        assert t.close() == 0
        # The multi-line entry is one entry in the next session's history.
        t = Pty(TDB_HISTFILE=hist)
        t.read_until("@:stuff> ")
        for _ in range(12):
            t.send("\x1b[A")
        time.sleep(0.3)
        t.send("\x15")
        t.send("\x04")
        t.close()
        with open(hist) as f:
            lines = f.read().split("\n")
        assert "x = 0; if (false) x = 1 \\nelse x = 2; x" in lines, lines
    finally:
        for f in (hist, script, pager_out):
            if os.path.exists(f):
                os.unlink(f)


def test_token_login():
    with tdbtest.connect(DB) as c:
        c.execute("DROP ROLE IF EXISTS tdb_e2e_cli_app")
        c.execute("CREATE ROLE tdb_e2e_cli_app LOGIN")
        c.execute("SELECT tdb_query($$new_user('tdb_e2e_cli_app'); new_user('tdb_e2e_cli_iris'); "
                  "grant('@:stuff', 'tdb_e2e_cli_iris', QUERY)$$, '@thingsdb')")
        token = c.execute("SELECT tdb_query($$new_token('tdb_e2e_cli_iris')$$, '@thingsdb')"
                          ).fetchone()[0]
    try:
        r = tdb("-U", "tdb_e2e_cli_app", "--token", token, "-C", "-c", "user_info().name")
        assert r.returncode == 0 and r.stdout == '"tdb_e2e_cli_iris"\n', r
        r = tdb("-U", "tdb_e2e_cli_app", "-C", "-c", "user_info().name", TDB_TOKEN=token)
        assert r.returncode == 0 and r.stdout == '"tdb_e2e_cli_iris"\n', r
        r = tdb("-U", "tdb_e2e_cli_app", "--token", token, "-c", ".x = 1")
        assert r.returncode == 1 and r.stderr.startswith("forbidden_err: "), r
        r = tdb("-U", "tdb_e2e_cli_app", "--token", "nonsense", "-c", "1")
        assert r.returncode == 2 and r.stderr.startswith("auth_err: "), r
    finally:
        with tdbtest.connect(DB) as c:
            c.execute("SELECT tdb_query($$del_user('tdb_e2e_cli_iris'); del_user('tdb_e2e_cli_app')$$, "
                      "'@thingsdb')")
            c.execute("DROP ROLE IF EXISTS tdb_e2e_cli_app")


def main():
    if not os.path.exists(TDB):
        subprocess.run(["make", "-s", "-C", tdbtest.ROOT, "build/tdb"], check=True)
    tdbtest.scratch_db(DB)
    try:
        for fn in (test_command_pretty_and_compact, test_several_commands_and_scope,
                   test_errors_and_exit_status, test_read_only, test_stdin_and_file,
                   test_connection_options, test_watch, test_prompt, test_prompt_features,
                   test_token_login):
            T.run(fn)
    finally:
        tdbtest.drop_db(DB)
    T.finish()


if __name__ == "__main__":
    main()
