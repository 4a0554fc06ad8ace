"""Helpers for the end-to-end tests: connections to the project's cluster
(scripts/setup.sh), scratch databases and a pass/fail tally whose last line
is "N passed, N failed" (scripts/test.sh counts it)."""
import json
import os
import select
import subprocess
import sys
import time
import traceback

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOST = os.environ.get("PGHOST", os.path.join(ROOT, ".pgsock"))
PORT = os.environ.get("PGPORT", "5499")
PGDATA = os.path.join(ROOT, ".pgdata")


def dsn(dbname):
    return "host=%s port=%s user=postgres dbname=%s" % (HOST, PORT, dbname)


def connect(dbname, autocommit=True):
    return psycopg.connect(dsn(dbname), autocommit=autocommit)


def scratch_db(name):
    """A fresh database with the extension."""
    with connect("postgres") as c:
        c.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        c.execute("CREATE DATABASE %s" % name)
    with connect(name) as c:
        c.execute("CREATE EXTENSION thingsdb")
    return name


def drop_db(name):
    with connect("postgres") as c:
        c.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)


def pg_ctl(*args):
    """Runs pg_ctl on the project's cluster as the postgres user."""
    pgbin = subprocess.check_output(["pg_config", "--bindir"], text=True).strip()
    cmd = [os.path.join(pgbin, "pg_ctl"), "-D", PGDATA, "-w", "-l",
           os.path.join(PGDATA, "startup.log")] + list(args)
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


class Skip(Exception):
    """Raised by a test that cannot run on this machine (the reason as its
    message): counted as skipped, never as passed."""


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def run(self, fn):
        """Runs one test function; an exception or failed assert fails it."""
        try:
            fn()
            self.passed += 1
            print("ok   %s" % fn.__name__)
        except Skip as e:
            self.skipped += 1
            print("SKIP %s: %s" % (fn.__name__, e))
        except Exception:
            self.failed += 1
            print("FAIL %s" % fn.__name__)
            traceback.print_exc()

    def finish(self):
        if self.skipped:
            print("%d passed, %d failed, %d skipped" % (self.passed, self.failed, self.skipped))
        else:
            print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def read_json_line(p, buf, timeout=15):
    """The next line a client process printed, as JSON. buf (a bytearray) keeps what was
    read past it for the next call."""
    fd = p.stdout.fileno()
    end = time.time() + timeout
    while b"\n" not in buf:
        r, _, _ = select.select([fd], [], [], max(end - time.time(), 0))
        if not r:
            raise AssertionError("no output within %ss" % timeout)
        data = os.read(fd, 65536)
        if not data:
            raise AssertionError("the client ended: %s" % p.stderr.read().decode())
        buf += data
    i = buf.index(b"\n")
    line = bytes(buf[:i])
    del buf[:i + 1]
    return json.loads(line)
