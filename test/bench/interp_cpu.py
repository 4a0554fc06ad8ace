#!/usr/bin/env python3
# The interpreter benchmarks of section (b) by the backend's CPU time instead of
# wall clock: the time the backend process spent on a CPU for each statement
# (first field of /proc/<pid>/schedstat, nanoseconds), interleaved reps, medians.
# Less sensitive to the machine's load than wall clock. Needs the database that
# test/bench/run.sh prepares and a server on this machine.
#   test/bench/interp_cpu.py [--db tdb_perf] [--reps 9]
import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="tdb_perf")
    ap.add_argument("--reps", type=int, default=9)
    args = ap.parse_args()
    conn = bench.connect(args.db)
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]

    def cpu_ns():
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0])

    print("(b) interpreter by backend CPU time, %d interleaved reps (ms, median)" % args.reps)
    for title, code, pl, lua, _ in bench.INTERP:
        sqls = {"thingsdb": bench.tq(code), "plpgsql": "SELECT %s()" % pl, "pllua": "SELECT %s()" % lua}
        for sql in sqls.values():   # warm up
            cur.execute(sql)
            cur.fetchall()
        times = {k: [] for k in sqls}
        for _ in range(args.reps):
            for k, sql in sqls.items():
                t0 = cpu_ns()
                cur.execute(sql)
                cur.fetchall()
                times[k].append((cpu_ns() - t0) / 1e6)
        m = {k: statistics.median(v) for k, v in times.items()}
        print("  %-50s thingsdb %7.2f  plpgsql %7.2f  pllua %7.2f   vs plpgsql %.2fx  vs pllua %.2fx" % (
            title, m["thingsdb"], m["plpgsql"], m["pllua"],
            m["thingsdb"] / m["plpgsql"], m["thingsdb"] / m["pllua"]))
    conn.close()


if __name__ == "__main__":
    main()
