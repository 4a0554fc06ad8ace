#!/usr/bin/python3
"""Types benchmark by the backend's CPU time: 100,000 typed instances
(BItem{n, name}) against 100,000 plain things, created in one query and read
back in another, interleaved repetitions. The CPU time of the backend
(perf stat -e task-clock -p PID) does not count the time it waits for a
core on a loaded machine, which wall-clock figures do.

  types_cpu.py [--db tdb_perf] [--reps 4]     (needs perf; run as root)
Uses the collection bench_types that bench.py --only t makes.
"""
import argparse
import os
import signal
import statistics
import subprocess
import time

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CODE = {"typed": ".items = range(100000).map(|i| BItem{n: i, name: 'item'}); nil",
        "untyped": ".items = range(100000).map(|i| {n: i, name: 'item'}); nil"}
READ = ".items.map(|t| t.n).reduce(|a, b| a + b)"


def tq(code):
    return "SELECT tdb_query($q$%s$q$, '@:bench_types')" % code


def measure(cur, pid, sql):
    """(backend CPU seconds, wall seconds) of one statement."""
    p = subprocess.Popen(["perf", "stat", "-x", ",", "-e", "task-clock", "-p", str(pid)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    t0 = time.perf_counter()
    cur.execute(sql)
    cur.fetchall()
    wall = time.perf_counter() - t0
    time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    err = p.communicate()[1]
    cpu_ms = float(err.strip().splitlines()[-1].split(",")[0])
    return cpu_ms / 1000.0, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="tdb_perf")
    ap.add_argument("--reps", type=int, default=4)
    args = ap.parse_args()
    host = os.environ.get("PGHOST", os.path.join(ROOT, ".pgsock"))
    conn = psycopg.connect("host=%s port=%s user=%s dbname=%s" % (
        host, os.environ.get("PGPORT", "5499"), os.environ.get("PGUSER", "postgres"), args.db), autocommit=True)
    cur = conn.cursor()
    cur.execute(tq("if (!has_type('BItem')) set_type('BItem', {n: 'int', name: 'str'}); nil"))
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    res = {k: {"create": [], "read": []} for k in CODE}
    for r in range(args.reps):
        for k in (("typed", "untyped") if r % 2 == 0 else ("untyped", "typed")):
            cur.execute(tq("if (.has('items')) .del('items'); nil"))
            cur.execute("VACUUM ANALYZE thingsdb.things")
            res[k]["create"].append(measure(cur, pid, tq(CODE[k])))
            res[k]["read"].append(measure(cur, pid, tq(READ)))
    cur.execute(tq("if (.has('items')) .del('items'); nil"))
    print("backend CPU and wall seconds, medians of %d interleaved reps" % args.reps)
    tot = {}
    for k in CODE:
        tot[k] = statistics.median(c[0] + r[0] for c, r in zip(res[k]["create"], res[k]["read"]))
    for st in ("create", "read"):
        m = {k: (statistics.median(x[0] for x in res[k][st]), statistics.median(x[1] for x in res[k][st])) for k in CODE}
        print("  %-6s typed cpu %6.2f s wall %6.2f s | untyped cpu %6.2f s wall %6.2f s | ratio cpu %.2fx wall %.2fx" % (
            st, m["typed"][0], m["typed"][1], m["untyped"][0], m["untyped"][1],
            m["typed"][0] / m["untyped"][0], m["typed"][1] / m["untyped"][1]))
    print("  total  ratio cpu %.2fx" % (tot["typed"] / tot["untyped"]))


if __name__ == "__main__":
    main()
