#!/usr/bin/python3
"""Garbage collection scales linearly: tdb_collect_garbage over N unreachable things.

For each N the collection gcbench is made afresh with N/10 reachable things (a list
under the root) and N unreachable ones (N/2 cycles of two things cut off from the root),
then one tdb_collect_garbage('gcbench') is timed. Prints the seconds, the microseconds
per unreachable thing and the ratio of that to the smallest N's (1.0 is linear).
The server backend is pinned to one CPU (taskset -p, when present), as the client is
when run as `taskset -c 1 test/bench/gc.py`.

  gc.py [--db tdb_gcbench] [--sizes 10000,20000,100000]
"""
import argparse
import os
import shutil
import subprocess
import time

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOST = os.environ.get("PGHOST", os.path.join(ROOT, ".pgsock"))
PORT = os.environ.get("PGPORT", "5499")
USER = os.environ.get("PGUSER", "postgres")
BATCH = 5000  # cycles per query (10,000 things: within thingsdb.max_things)


def connect(db):
    return psycopg.connect("host=%s port=%s user=%s dbname=%s" % (HOST, PORT, USER, db),
                           autocommit=True)


def tq(conn, code, scope="@:gcbench"):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def fill(conn, n):
    tq(conn, "if (has_collection('gcbench')) del_collection('gcbench'); "
       "new_collection('gcbench'); nil", "@thingsdb")
    live = max(1, n // 10)
    tq(conn, ".live = range(%d).map(|i| {i: i}); nil" % live)
    cycles = n // 2
    while cycles > 0:
        k = min(BATCH, cycles)
        tq(conn, ".tmp = range(%d).map(|i| {a = {i: i}; b = {a: a}; a.b = b; a}); "
           ".del('tmp'); nil" % k)
        cycles -= k
    conn.execute("VACUUM ANALYZE thingsdb.things")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="tdb_gcbench")
    ap.add_argument("--sizes", default="10000,20000,100000")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    admin = connect("postgres")
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                         (args.db,)).fetchone():
        admin.execute("CREATE DATABASE %s" % args.db)
    admin.close()
    conn = connect(args.db)
    conn.execute("CREATE EXTENSION IF NOT EXISTS thingsdb")
    conn.execute("SET client_min_messages = warning")
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    if shutil.which("taskset"):
        subprocess.run(["taskset", "-cp", "1", str(pid)], check=False,
                       stdout=subprocess.DEVNULL)

    base = None
    print("%10s %10s %12s %14s %8s" % ("N", "removed", "seconds", "us per thing", "ratio"))
    for n in sizes:
        fill(conn, n)
        t0 = time.perf_counter()
        removed = conn.execute("SELECT tdb_collect_garbage('gcbench')").fetchone()[0]
        dt = time.perf_counter() - t0
        per = dt / n * 1e6
        if base is None:
            base = per
        print("%10d %10d %12.3f %14.2f %8.2f" % (n, removed, dt, per, per / base), flush=True)
        left = tq(conn, ".live.len()")
        assert removed == n and left == max(1, n // 10), (removed, left)
    tq(conn, "del_collection('gcbench')", "@thingsdb")


if __name__ == "__main__":
    main()
