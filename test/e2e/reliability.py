"""Helpers of the reliability tests: the consistency check of stored
collections, retries of serialization failures, the scale of the load, and a
private PostgreSQL cluster for crash tests (the shared one must never crash)."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import psycopg
from psycopg import errors

# The load of the concurrency and crash tests. CI runs a reduced load; set
# TDB_RELIABILITY_FULL=1 for the figures (8 clients x 2,000 calls).
FULL = os.environ.get("TDB_RELIABILITY_FULL", "") not in ("", "0")


def scaled(full, ci):
    return full if FULL else ci


def retry(conn, sql, args=(), tries=1000):
    """Runs one autocommit statement, retrying serialization failures (40001,
    a concurrent update of the same thing) and deadlocks (40P01); returns
    (first row, number of retries)."""
    for n in range(tries):
        try:
            return conn.execute(sql, args).fetchone(), n
        except (errors.SerializationFailure, errors.DeadlockDetected):
            continue
    raise AssertionError("no success after %d tries: %s" % (tries, sql))


# Every thing reference in stored props: {"#": id} and the ids of {"!s": [...]}
# (src/core/io/codec_write.cpp; "#" and "!s" are no valid property names), with the
# thing and collection holding it; kept in a temporary table for the checks.
REFS_SQL = """
DROP TABLE IF EXISTS pg_temp.tdb_refs;
CREATE TEMP TABLE tdb_refs AS
    SELECT t.id AS owner, t.collection AS coll, r.v::text::bigint AS target
    FROM thingsdb.things t,
         LATERAL (SELECT jsonb_path_query(t.props, 'strict $.**."#"')
                  UNION ALL
                  SELECT jsonb_path_query(t.props, 'strict $.**."!s"[*]')) r(v);
CREATE INDEX ON tdb_refs (owner);
CREATE INDEX ON tdb_refs (target);
ANALYZE tdb_refs;
"""


def check_consistent(conn):
    """Raises AssertionError unless every collection of the database is
    consistent: each reference points to an existing thing of the same
    collection, each thing's refs equals its incoming references (+1 for a
    collection's root), and every thing is reachable from its root."""
    conn.execute(REFS_SQL)
    one = lambda sql: conn.execute(sql).fetchall()
    dangling = one("""
        SELECT r.owner, r.target FROM tdb_refs r
        WHERE NOT EXISTS (SELECT 1 FROM thingsdb.things t
                          WHERE t.id = r.target AND t.collection = r.coll)
        LIMIT 5""")
    assert not dangling, "references to missing things (owner, target): %r" % dangling
    bad_refs = one("""
        SELECT t.id, t.refs, coalesce(n.n, 0) + (t.id = t.collection)::int
        FROM thingsdb.things t
        LEFT JOIN (SELECT target, count(*) AS n FROM tdb_refs GROUP BY target) n
               ON n.target = t.id
        WHERE t.refs <> coalesce(n.n, 0) + (t.id = t.collection)::int
        LIMIT 5""")
    assert not bad_refs, "refs counts differ from incoming references (id, refs, expected): %r" % bad_refs
    unreachable = one("""
        WITH RECURSIVE reach(id) AS (
            SELECT id FROM thingsdb.collections
          UNION
            SELECT r.target FROM reach JOIN tdb_refs r ON r.owner = reach.id)
        SELECT t.id FROM thingsdb.things t LEFT JOIN reach USING (id)
        WHERE reach.id IS NULL LIMIT 5""")
    assert not unreachable, "things unreachable from their collection's root: %r" % unreachable
    orphans = one("""SELECT c.id FROM thingsdb.collections c
                     WHERE NOT EXISTS (SELECT 1 FROM thingsdb.things t WHERE t.id = c.id)""")
    assert not orphans, "collections without a root thing: %r" % orphans
    conn.execute("DROP TABLE pg_temp.tdb_refs")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateCluster:
    """A throw-away PostgreSQL 15 cluster (own data directory, socket and
    port) for tests that crash the server. The extension is installed system
    wide, so CREATE EXTENSION works at once. Use as a context manager."""

    def __init__(self, task_databases=None, extra_conf=""):
        # scripts/asan_regress.sh runs the server of a copied installation
        # (TDB_PG_BINDIR) through a wrapper that preloads ASan (TDB_PG_POSTGRES).
        self.bindir = os.environ.get("TDB_PG_BINDIR") or subprocess.check_output(
            ["pg_config", "--bindir"], text=True).strip()
        self.postgres = os.environ.get("TDB_PG_POSTGRES")
        self.dir = tempfile.mkdtemp(prefix="tdb_crash_")
        self.data = os.path.join(self.dir, "data")
        self.sock = self.dir
        self.port = str(free_port())
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync")
        with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
            f.write("listen_addresses = ''\nunix_socket_directories = '%s'\nport = %s\n"
                    "shared_buffers = 32MB\nmax_connections = 30\nfsync = on\n"
                    "restart_after_crash = on\n"
                    # Crash recovery starts by syncing the data directory:
                    # one syncfs() instead of an fsync() per file.
                    "recovery_init_sync_method = syncfs\n"
                    # Hostile statements are 100 MB long: do not log them.
                    "log_min_error_statement = panic\n" % (self.sock, self.port))
            if task_databases:
                # The task worker (docs/tasks.md) starts only from a preloaded library.
                f.write("shared_preload_libraries = 'thingsdb'\n"
                        "thingsdb.task_databases = '%s'\nthingsdb.task_naptime = 200\n"
                        % task_databases)
            f.write(extra_conf)
        self.start()

    def run(self, prog, *args, check=True):
        cmd = [os.path.join(self.bindir, prog)] + list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, check=check, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)

    def pg_ctl(self, *args, check=True):
        return self.run("pg_ctl", "-D", self.data, "-w", "-t", "60", "-l",
                        os.path.join(self.dir, "server.log"), *args, check=check)

    def start(self):
        if self.postgres:
            self.pg_ctl("start", "-p", self.postgres)
        else:
            self.pg_ctl("start")

    def stop(self, mode="fast"):
        self.pg_ctl("stop", "-m", mode)

    def dsn(self, dbname):
        return "host=%s port=%s user=postgres dbname=%s" % (self.sock, self.port, dbname)

    def connect(self, dbname, autocommit=True, **kw):
        return psycopg.connect(self.dsn(dbname), autocommit=autocommit, **kw)

    def wait_ready(self, dbname, timeout=60):
        """Connects once the server accepts connections again (after crash
        recovery)."""
        end = time.time() + timeout
        while True:
            try:
                return self.connect(dbname)
            except psycopg.OperationalError:
                if time.time() > end:
                    raise
                time.sleep(0.2)

    def wait_crash_restart(self, dbname, since, timeout=60):
        """After a backend died by a signal: waits until the postmaster has
        ended every server process and is ready again (the server log after
        offset `since` says both), then connects. Connecting earlier can win
        the race with the postmaster noticing the death, and that session is
        then ended by the crash restart."""
        end = time.time() + timeout
        while True:
            tail = self.log()[since:]
            i = tail.find("all server processes terminated; reinitializing")
            if i >= 0 and "database system is ready to accept connections" in tail[i:]:
                return self.wait_ready(dbname, max(1.0, end - time.time()))
            if time.time() > end:
                raise AssertionError("no crash restart in the server log:\n" + tail[-2000:])
            time.sleep(0.1)

    def scratch_db(self, name):
        with self.connect("postgres") as c:
            c.execute("CREATE DATABASE %s" % name)
        with self.connect(name) as c:
            c.execute("CREATE EXTENSION thingsdb")
        return name

    def log(self):
        try:
            with open(os.path.join(self.dir, "server.log")) as f:
                return f.read()
        except OSError:
            return ""

    def close(self):
        self.pg_ctl("stop", "-m", "immediate", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
