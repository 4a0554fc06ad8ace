"""Scale-out: a hot standby.

Starts its own primary and a streaming replica made with pg_basebackup -R,
both in a temporary folder with their own sockets (Unix sockets only, so the
ports cannot collide with anything), and stops them at the end. The shared
cluster of scripts/setup.sh is not touched.

On the standby: tdb_query and tdb_query_ro read, side-effect-free procedures
run (tdb_run, tdb_call, tdb_call_ro), tokens authenticate, the tdb client
works; changes of every kind get operation_err "... the server is a hot
standby (read-only); send changes to the primary"; changes made on the
primary show up on the standby."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402

import psycopg  # noqa: E402

PGBIN = os.environ.get("TDB_PG_BINDIR") or subprocess.check_output(
    ["pg_config", "--bindir"], text=True).strip()
TDB = os.path.join(tdbtest.ROOT, "build", "tdb")
DB = "app"
ROLE = "tdb_standby_reader"
PRIMARY_PORT, STANDBY_PORT = 5611, 5612
STANDBY_MSG = "the server is a hot standby (read-only); send changes to the primary"
T = tdbtest.Tally()


class Cluster:
    def __init__(self, base, name, port):
        self.dir = os.path.join(base, name)
        self.sock = base
        self.port = port
        self.log = os.path.join(base, name + ".log")

    def as_owner(self, cmd):
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--"] + cmd
        return cmd

    def run(self, *cmd):
        r = subprocess.run(self.as_owner(list(cmd)), capture_output=True, text=True)
        assert r.returncode == 0, "%s: %s%s" % (cmd[0], r.stdout, r.stderr)
        return r

    def conf(self, text):
        with open(os.path.join(self.dir, "postgresql.auto.conf"), "a") as f:
            f.write(text)

    def start(self):
        self.run(os.path.join(PGBIN, "pg_ctl"), "-D", self.dir, "-l", self.log, "-w", "start")

    def stop(self):
        if os.path.exists(os.path.join(self.dir, "postmaster.pid")):
            subprocess.run(self.as_owner([os.path.join(PGBIN, "pg_ctl"), "-D", self.dir, "-m", "fast",
                                          "-w", "stop"]), capture_output=True)

    def dsn(self, db=DB, user="postgres"):
        return "host=%s port=%d user=%s dbname=%s" % (self.sock, self.port, user, db)

    def connect(self, db=DB, user="postgres"):
        return psycopg.connect(self.dsn(db, user), autocommit=True)


BASE = tempfile.mkdtemp(prefix="tdb_standby_")
PRIMARY = Cluster(BASE, "primary", PRIMARY_PORT)
STANDBY = Cluster(BASE, "standby", STANDBY_PORT)


def setup():
    if os.geteuid() == 0:
        shutil.chown(BASE, "postgres")
    PRIMARY.run(os.path.join(PGBIN, "initdb"), "-D", PRIMARY.dir, "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--locale=C.UTF-8")
    PRIMARY.conf("port = %d\nlisten_addresses = ''\nunix_socket_directories = '%s'\n"
                 "wal_level = replica\nmax_wal_senders = 4\n" % (PRIMARY.port, BASE))
    PRIMARY.start()
    with PRIMARY.connect("postgres") as c:
        c.execute("CREATE DATABASE %s" % DB)
        c.execute("CREATE ROLE %s LOGIN" % ROLE)
    with PRIMARY.connect() as c:
        c.execute("CREATE EXTENSION thingsdb")
        c.execute("SELECT tdb_query('.items = [{name: \"a\", n: 1}, {name: \"b\", n: 2}]; nil')")
        c.execute("SELECT tdb_new_procedure('total', '|| .items.reduce(|s, it| s + it.n, 0)')")
        c.execute("SELECT tdb_new_procedure('scaled', '|by| .items.map(|it| it.n * by)')")
        c.execute("SELECT tdb_new_procedure('add', '|name, n| {.items.push({name: name, n: n}); n}')")
        c.execute("SELECT tdb_query('new_user(\"%s\"); grant(\"@:stuff\", \"%s\", QUERY | RUN); nil', "
                  "'@thingsdb')" % (ROLE, ROLE))
        # A task due at once, which no worker runs on the primary (not preloaded there).
        c.execute("SELECT tdb_query('task(datetime(), |t| .ran = true); nil')")
        KEY["key"] = c.execute("SELECT tdb_query('new_token(\"%s\")', '@thingsdb')" % ROLE).fetchone()[0]
    # The replica: a base backup with -R (standby.signal and primary_conninfo).
    STANDBY.run(os.path.join(PGBIN, "pg_basebackup"), "-D", STANDBY.dir, "-h", BASE, "-p", str(PRIMARY.port),
                "-U", "postgres", "-R", "-X", "stream", "-c", "fast")
    STANDBY.conf("port = %d\nhot_standby = on\n" % STANDBY.port +
                 # The task worker would run the tasks of DB, were it not a standby.
                 "shared_preload_libraries = 'thingsdb'\nthingsdb.task_databases = '%s'\n" % DB)
    STANDBY.start()
    wait_replay()


KEY = {}


def wait_replay(timeout=30):
    """Waits until the standby replayed everything the primary wrote."""
    with PRIMARY.connect() as p:
        lsn = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    end = time.time() + timeout
    with STANDBY.connect() as s:
        while True:
            done = s.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)).fetchone()[0]
            if done:
                return
            assert time.time() < end, "the standby did not catch up"
            time.sleep(0.1)


def standby_error(stmt, args=None, user="postgres"):
    with STANDBY.connect(user=user) as c:
        try:
            c.execute(stmt, args)
        except psycopg.Error as e:
            return e.sqlstate, e.diag.message_primary, e.diag.message_detail
    raise AssertionError("no error for %s" % stmt)


def one(conn, stmt, args=None):
    return conn.execute(stmt, args).fetchone()[0]


def test_standby_runs_no_task():
    with STANDBY.connect() as c:
        assert one(c, "SELECT tdb_run_due_task()") is None
        assert one(c, "SELECT count(*) FROM pg_stat_activity "
                      "WHERE backend_type = 'thingsdb task worker'") == 0
        assert one(c, "SELECT tdb_query('[tasks().len(), .get(\"ran\")]')") == [1, None]


def test_is_standby():
    with STANDBY.connect() as c:
        assert one(c, "SELECT pg_is_in_recovery()") is True


def test_reads_on_standby():
    with STANDBY.connect() as c:
        assert one(c, "SELECT tdb_query('.items.map(|it| it.name)')") == ["a", "b"]
        assert one(c, "SELECT tdb_query_ro('.items.len()')") == 2
        assert one(c, "SELECT tdb_query('x * 2', vars => '{\"x\": 21}')") == 42
        assert one(c, "SELECT tdb_query('collections_info().map(|c| c.name)', '@thingsdb')") == ["stuff"]
        # Side-effect-free procedures.
        assert one(c, "SELECT tdb_run('total')") == 3
        assert one(c, "SELECT tdb_run('scaled', 10)") == [10, 20]
        assert one(c, "SELECT tdb_call('scaled', '{\"by\": 2}')") == [2, 4]
        assert one(c, "SELECT tdb_call_ro(procedure => 'total', params => '[]')") == 3
        assert one(c, "SELECT tdb_query('total() + 1')") == 4
        info = one(c, "SELECT tdb_procedure_info('add')")
        assert info["with_side_effects"] is True, info
        # New things that are not stored are no change.
        assert one(c, "SELECT tdb_query('t = {a: [1, 2]}; t.a.map(|x| x * 3)')") == [3, 6]


def test_changes_refused_on_standby():
    for stmt in ["SELECT tdb_query('.x = 1')",
                 "SELECT tdb_query('.items[0].n += 1')",
                 "SELECT tdb_query('wse(); 1')",
                 "SELECT tdb_query('new_collection(\"c\")', '@thingsdb')",
                 "SELECT tdb_query('new_user(\"u\")', '@thingsdb')",
                 "SELECT tdb_query('wse(add(\"c\", 3))')",
                 "SELECT tdb_query_ro('.x = 1')"]:
        state, msg, detail = standby_error(stmt)
        assert (state, detail) == ("TD063", "operation_err"), (stmt, state, msg)
        if "tdb_query_ro" not in stmt:
            assert msg == "the query changes data but " + STANDBY_MSG, (stmt, msg)
    for stmt in ["SELECT tdb_run('add', 'c', 3)",
                 "SELECT tdb_call('add', '[\"c\", 3]')",
                 "SELECT tdb_call_ro('add', '[\"c\", 3]')"]:
        state, msg, detail = standby_error(stmt)
        assert state == "TD063", (stmt, state, msg)
        assert msg == "procedure `add` has side effects but " + STANDBY_MSG, (stmt, msg)
    state, msg, _ = standby_error("SELECT tdb_new_procedure('p', '|| 1')")
    assert state == "TD063" and msg == "the query changes data but " + STANDBY_MSG, msg
    # Watching needs LISTEN, which a standby does not have.
    state, msg, _ = standby_error("SELECT tdb_watch(0)")
    assert state == "25006" and msg.startswith("cannot watch on a hot standby"), (state, msg)


def test_tokens_and_rights_on_standby():
    with STANDBY.connect(user=ROLE) as c:
        assert one(c, "SELECT tdb_query('.items.len()')") == 2
        assert one(c, "SELECT tdb_run('total')") == 3
    with STANDBY.connect() as c:
        assert one(c, "SELECT tdb_authenticate(%s)", (KEY["key"],)) == ROLE
        assert one(c, "SELECT tdb_query('.items.len()')") == 2
    state, msg, _ = standby_error("SELECT tdb_query('.items.len()', '@thingsdb')", user=ROLE)
    assert state == "TD055", (state, msg)   # forbidden_err: rights are checked on the standby too


def test_primary_changes_reach_standby():
    with PRIMARY.connect() as c:
        assert one(c, "SELECT tdb_run('add', 'c', 3)") == 3
        c.execute("SELECT tdb_query('.items[0].name = \"A\"')")
        c.execute("SELECT tdb_new_procedure('names', '|| .items.map(|it| it.name)')")
    wait_replay()
    with STANDBY.connect() as c:
        assert one(c, "SELECT tdb_run('total')") == 6
        assert one(c, "SELECT tdb_run('names')") == ["A", "b", "c"]


def test_cli_on_standby():
    env = dict(os.environ, PGHOST=BASE, PGPORT=str(STANDBY.port), PGUSER="postgres", PGDATABASE=DB)
    r = subprocess.run([TDB, "-c", ".items.len()"], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0 and r.stdout == "3\n", r
    r = subprocess.run([TDB, "-c", ".items.pop()"], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 1 and r.stderr.strip() == "operation_err: the query changes data but " + STANDBY_MSG, r


def main():
    try:
        setup()
        for fn in (test_is_standby, test_reads_on_standby, test_changes_refused_on_standby,
                   test_tokens_and_rights_on_standby, test_primary_changes_reach_standby,
                   test_cli_on_standby, test_standby_runs_no_task):
            T.run(fn)
    except Exception:
        import traceback
        traceback.print_exc()
        T.failed += 1
        for c in (PRIMARY, STANDBY):
            if os.path.exists(c.log):
                print("---- %s" % c.log)
                print(open(c.log).read()[-3000:])
    finally:
        STANDBY.stop()
        PRIMARY.stop()
        shutil.rmtree(BASE, ignore_errors=True)
    T.finish()


if __name__ == "__main__":
    main()
