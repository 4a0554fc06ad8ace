#!/usr/bin/python3
"""The comparisons of test/bench (run by run.sh, which sets up the database).

Each comparison runs its contenders interleaved (A B C, B C A, ...) in one
run, so the load of a shared machine hits them alike, and prints the median
of each with its ratio to the reference. Sections: a (call overhead),
b (interpreter), c (data), d (scale), e (memory), t (types: typed vs untyped),
f (no cliffs, pinned: create and read back things, typed instances and plain SQL rows
at --create-sizes; create and drop at --cliff-sizes; chains; one item of a list).

  bench.py [--db tdb_bench] [--reps N] [--only a,b,...] [--quick]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import psycopg

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOST = os.environ.get("PGHOST", os.path.join(ROOT, ".pgsock"))
PORT = os.environ.get("PGPORT", "5499")
USER = os.environ.get("PGUSER", "postgres")


def connect(db):
    return psycopg.connect("host=%s port=%s user=%s dbname=%s" % (HOST, PORT, USER, db),
                           autocommit=True)


def tq(code, scope=None):
    """SQL of a tdb_query call (dollar-quoted code)."""
    s = "NULL" if scope is None else "'%s'" % scope
    return "SELECT tdb_query($tdb$%s$tdb$, %s)" % (code, s)


def out(line=""):
    print(line, flush=True)


def interleave(contenders, reps, run_one):
    """contenders: list of names; run_one(name) -> seconds. Returns name -> list."""
    times = {c: [] for c in contenders}
    n = len(contenders)
    for r in range(reps):
        for k in range(n):
            c = contenders[(r + k) % n]
            times[c].append(run_one(c))
    return times


def report(title, times, ref, unit="ms", scale=1000.0, higher_better=False):
    out("  %s" % title)
    ref_med = statistics.median(times[ref])
    for name, ts in times.items():
        med = statistics.median(ts)
        ratio = (med / ref_med) if not higher_better else (med / ref_med)
        # The run furthest from the median, as a factor: over 2x is a bimodal workload
        # (a slower run for lower-is-better times, a lower rate for rates).
        worst = (med / min(ts)) if higher_better else (max(ts) / med)
        out("    %-34s median %10.2f %s  min %10.2f  ratio to %s %6.2fx  worst %5.2fx of median%s" %
            (name, med * scale, unit, min(ts) * scale, ref, ratio, worst,
             "  BIMODAL" if worst > 2.0 else ""))


def timed(cur, sql):
    t0 = time.perf_counter()
    cur.execute(sql)
    if cur.description:
        cur.fetchall()
    return time.perf_counter() - t0


class postmaster_pinned:
    """While active (and on), the postmaster runs on args.cpu only: backends it forks then
    start there. Its affinity is restored on exit."""

    def __init__(self, args, on=True):
        self.args, self.on, self.pid, self.saved = args, on, None, None

    def __enter__(self):
        if not self.on:
            return self
        with connect(self.args.db) as c:
            backend = c.execute("SELECT pg_backend_pid()").fetchone()[0]
        with open("/proc/%d/status" % backend) as f:
            self.pid = int(next(l for l in f if l.startswith("PPid:")).split()[1])
        self.saved = os.sched_getaffinity(self.pid)
        os.sched_setaffinity(self.pid, {self.args.cpu})
        return self

    def __exit__(self, *exc):
        if self.pid:
            os.sched_setaffinity(self.pid, self.saved)
        return False


# ---- (a) call overhead -------------------------------------------------------

def bench_calls(args):
    out("(a) call overhead: pgbench -M prepared, %d s per run, tps (higher is better)" % args.seconds)
    queries = {
        "tdb_run('multiply', 6, 7)": "SELECT tdb_run('multiply', 6, 7);",
        "plpgsql pl_mul(6, 7)": "SELECT pl_mul(6, 7);",
        "sql sql_mul(6, 7)": "SELECT sql_mul(6, 7);",
        "pllua lua_mul(6, 7)": "SELECT lua_mul(6, 7);",
        "tdb_query('6 * 7')": "SELECT tdb_query('6 * 7');",
    }
    files = {}
    tmp = tempfile.mkdtemp(prefix="tdb_bench_")
    for i, (name, sql) in enumerate(queries.items()):
        files[name] = os.path.join(tmp, "q%d.sql" % i)
        with open(files[name], "w") as f:
            f.write(sql + "\n")
    results = {}
    for clients in (1, 2):
        # One client: pgbench and the server's new backends pinned to one CPU (the postmaster's
        # affinity, which backends inherit at fork, set for the runs and restored after).
        # Two clients: unpinned, both CPUs.
        pinned = clients == 1
        cpu_prefix = ["taskset", "-c", str(args.cpu)] if pinned else []

        def run_one(name):
            p = subprocess.run(cpu_prefix + ["pgbench", "-n", "-M", "prepared", "-T", str(args.seconds),
                                "-c", str(clients), "-j", str(clients), "-f", files[name],
                                "-h", HOST, "-p", PORT, "-U", USER, args.db],
                               capture_output=True, text=True)
            m = re.search(r"tps = ([0-9.]+)", p.stdout)
            if not m:
                raise RuntimeError("pgbench failed: %s %s" % (p.stdout, p.stderr))
            return float(m.group(1))
        with postmaster_pinned(args, pinned):
            times = interleave(list(queries), args.call_reps, run_one)
        out("  %d client(s)%s" % (clients, ", pinned to CPU %d" % args.cpu if pinned else ", unpinned"))
        ref = statistics.median(times["plpgsql pl_mul(6, 7)"])
        for name, ts in times.items():
            med = statistics.median(ts)
            out("    %-34s median %9.0f tps  max %9.0f  ratio to plpgsql %5.2fx" %
                (name, med, max(ts), med / ref))
        results[clients] = times
    return results


# ---- (b) interpreter -------------------------------------------------------

INTERP = [
    ("sum of range(1000000) by reduce (1M closure calls)",
     "range(10).reduce(|s, j| s + range(j * 100000, j * 100000 + 100000).reduce(|a, b| a + b), 0)",
     "pl_sum", "lua_sum", "499999500000"),
    ("for loop with local arithmetic (1M iterations)",
     "s = 0; for (j in range(10)) { for (i in range(100000)) { x = i * 3 % 7; s += x; }; }; s",
     "pl_loop", "lua_loop", None),
    ("string of 100,000 parts",
     "range(100000).map(|i| str(i)).join(',').len()",
     "pl_str", "lua_str", None),
    ("sort 100,000 ints",
     "a = range(100000).map(|i| (i * 7919) % 100003); a.sort()[50000]",
     "pl_sort", "lua_sort", None),
]


def bench_interp(args):
    out("(b) interpreter: one call each, interleaved, %d reps (lower is better)" % args.reps)
    conn = connect(args.db)
    cur = conn.cursor()
    results = {}
    for title, code, pl, lua, expect in INTERP:
        sqls = {"thingsdb": tq(code), "plpgsql": "SELECT %s()" % pl, "pllua": "SELECT %s()" % lua}
        if lua == "lua_sum":
            sqls["pllua (plain loop)"] = "SELECT lua_sum_loop()"
        # warm up and check the answers agree
        answers = {}
        for name, sql in sqls.items():
            cur.execute(sql)
            answers[name] = str(cur.fetchone()[0])
        if expect and answers["thingsdb"] != expect:
            out("  !! %s: thingsdb answered %s, expected %s" % (title, answers["thingsdb"], expect))
        if answers["thingsdb"] != answers["plpgsql"] or answers["thingsdb"] != answers["pllua"]:
            out("  !! %s: answers differ: %s" % (title, answers))
        times = interleave(list(sqls), args.reps, lambda n: timed(cur, sqls[n]))
        report(title, times, "plpgsql")
        results[title] = times
    conn.close()
    return results


# ---- (c) data -----------------------------------------------------------------

N_DATA = 100000

TDB_DATA = {
    "create": ".items = range(%d).map(|i| {n: i}); nil" % N_DATA,
    "read": ".items.map(|t| t.n).reduce(|a, b| a + b)",
    "update": ".items.each(|t| t.n += 1); nil",
}
SQL_DATA = {
    "create": "INSERT INTO bench_rows (id, collection, props)"
              " SELECT i, 1, jsonb_build_object('n', i) FROM generate_series(1, %d) AS i" % N_DATA,
    "read": "SELECT sum((props->>'n')::bigint) FROM bench_rows WHERE collection = 1",
    "update": "UPDATE bench_rows SET props = jsonb_set(props, '{n}', to_jsonb((props->>'n')::bigint + 1))"
              " WHERE collection = 1",
}
DATA_SCOPE = "@:bench_data"


def ensure_collection(cur, name):
    cur.execute(tq("has_collection('%s')" % name, "@thingsdb"))
    if not cur.fetchone()[0]:
        cur.execute(tq("new_collection('%s')" % name, "@thingsdb"))


def data_reset(cur, kind):
    if kind == "thingsdb":
        cur.execute(tq("if (.has('items')) .del('items'); nil", DATA_SCOPE))
    else:
        cur.execute("TRUNCATE bench_rows")
    cur.execute("VACUUM ANALYZE %s" % ("thingsdb.things" if kind == "thingsdb" else "bench_rows"))


def data_cycle(cur, kind):
    """create, read, update: seconds of each step."""
    data_reset(cur, kind)
    res = {}
    for step in ("create", "read", "update"):
        sql = tq(TDB_DATA[step], DATA_SCOPE) if kind == "thingsdb" else SQL_DATA[step]
        res[step] = timed(cur, sql)
    return res


def bench_data(args):
    out("(c) data: %d things vs %d jsonb rows; reset between reps (lower is better)" % (N_DATA, N_DATA))
    conn = connect(args.db)
    cur = conn.cursor()
    ensure_collection(cur, "bench_data")
    results = {}
    for sc in ("on", "off"):
        cur.execute("SET synchronous_commit = %s" % sc)
        steps = {"thingsdb": {s: [] for s in TDB_DATA}, "sql": {s: [] for s in TDB_DATA}}
        for r in range(args.data_reps):
            for kind in (("thingsdb", "sql") if r % 2 == 0 else ("sql", "thingsdb")):
                for s, t in data_cycle(cur, kind).items():
                    steps[kind][s].append(t)
        for s in TDB_DATA:
            report("%s (synchronous_commit = %s)" % (s, sc),
                   {"thingsdb": steps["thingsdb"][s], "plain SQL jsonb": steps["sql"][s]},
                   "plain SQL jsonb")
        results[sc] = steps
    cur.execute("SELECT tdb_query($$.items.len()$$, '%s')" % DATA_SCOPE)
    conn.close()
    return results


# ---- (t) types: typed vs untyped ------------------------------------------------
# 100,000 instances of a Type made in one query and read back in another,
# beside the same with plain things; the reference is the untyped run.

N_TYPES = 100000
TYPES_SCOPE = "@:bench_types"
TYPES_CODE = {
    "typed": {
        "create": ".items = range(%d).map(|i| BItem{n: i, name: 'item'}); nil" % N_TYPES,
        "read": ".items.map(|t| t.n).reduce(|a, b| a + b)",
    },
    "untyped": {
        "create": ".items = range(%d).map(|i| {n: i, name: 'item'}); nil" % N_TYPES,
        "read": ".items.map(|t| t.n).reduce(|a, b| a + b)",
    },
}


def types_cycle(cur, kind):
    cur.execute(tq("if (.has('items')) .del('items'); nil", TYPES_SCOPE))
    cur.execute("VACUUM ANALYZE thingsdb.things")
    res = {}
    for step in ("create", "read"):
        res[step] = timed(cur, tq(TYPES_CODE[kind][step], TYPES_SCOPE))
    cur.execute(tq(TYPES_CODE[kind]["read"], TYPES_SCOPE))
    got = cur.fetchone()[0]
    want = str(N_TYPES * (N_TYPES - 1) // 2)
    if str(got) != want:
        out("  !! %s read answered %s, expected %s" % (kind, got, want))
    return res


def bench_types(args):
    out("(t) types: %d typed instances vs %d plain things, create and read back "
        "(lower is better)" % (N_TYPES, N_TYPES))
    conn = connect(args.db)
    cur = conn.cursor()
    ensure_collection(cur, "bench_types")
    cur.execute(tq("if (!has_type('BItem')) set_type('BItem', {n: 'int', name: 'str'}); nil", TYPES_SCOPE))
    kinds = ("typed", "untyped")
    steps = {k: {"create": [], "read": [], "total": []} for k in kinds}
    for r in range(args.data_reps):
        for kind in (kinds if r % 2 == 0 else kinds[::-1]):
            res = types_cycle(cur, kind)
            for st, t in res.items():
                steps[kind][st].append(t)
            steps[kind]["total"].append(res["create"] + res["read"])
    for st in ("create", "read", "total"):
        report(st, {"typed (BItem{...})": steps["typed"][st], "untyped ({...})": steps["untyped"][st]},
               "untyped ({...})")
    cur.execute(tq("if (.has('items')) .del('items'); nil", TYPES_SCOPE))
    conn.close()
    return steps


# ---- (d) scale ------------------------------------------------------------------

BUCKET = 10000


def scale_name(n):
    return "scale_%d" % n


def build_scale(cur, n):
    """A collection of n things {n: i} in buckets of 10,000 (each bucket a
    thing with a list `items`), and root.probe pointing at one of them."""
    name = scale_name(n)
    scope = "@:" + name
    ensure_collection(cur, name)
    cur.execute(tq(".has('probe')", scope))
    if cur.fetchone()[0]:
        cur.execute(tq("(.buckets.len() * %d)" % BUCKET, scope))
        if cur.fetchone()[0] == n:
            return
        cur.execute(tq(".del('probe'); .del('buckets'); nil", scope))
    out("    building %s ..." % name)
    cur.execute(tq(".buckets = []; nil", scope))
    for b in range(n // BUCKET):
        cur.execute(tq(".buckets.push({items: range(%d).map(|i| {n: i})}); nil" % BUCKET, scope))
    cur.execute(tq(".probe = .buckets[%d].items[1234]; nil" % (n // BUCKET // 2), scope))
    cur.execute("VACUUM ANALYZE thingsdb.things")


def bench_scale(args):
    sizes = [10000, 100000, 1000000]
    out("(d) scale: read one property of one thing; %d queries per sample (lower is better)" %
        args.scale_queries)
    conn = connect(args.db)
    cur = conn.cursor()
    for n in sizes:
        build_scale(cur, n)
    ids = {}
    for n in sizes:
        cur.execute(tq(".probe.id()", "@:" + scale_name(n)))
        ids[n] = cur.fetchone()[0]
    results = {}
    for label, code in (("root.probe.n", lambda n: ".probe.n"),
                        ("thing(id).n", lambda n: "thing(%d).n" % ids[n])):
        sqls = {"%d things" % n: tq(code(n), "@:" + scale_name(n)) for n in sizes}

        def run_one(name):
            sql = sqls[name]
            t0 = time.perf_counter()
            for _ in range(args.scale_queries):
                cur.execute(sql)
                cur.fetchall()
            return (time.perf_counter() - t0) / args.scale_queries
        for name in sqls:
            run_one(name)   # warm
        times = interleave(list(sqls), args.reps, run_one)
        report(label + " (per query)", times, "10000 things", unit="us", scale=1e6)
        results[label] = times
    # the same read from a plain table of a million jsonb rows, for reference
    conn.close()
    return results


# ---- (e) memory -------------------------------------------------------------------

def status(pid):
    d = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                d[k] = int(v.split()[0])
    return d


def cpu_seconds(pid):
    """CPU time the backend has run (schedstat): what a step cost it, whatever else the
    machine's CPUs were doing meanwhile."""
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0]) / 1e9


def bench_memory(args):
    out("(e) memory: backend VmHWM / VmRSS in kB (fresh backend each)")
    res = {}
    for kind in ("baseline (SELECT 1)", "thingsdb", "sql"):
        conn = connect(args.db)
        cur = conn.cursor()
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
        cur.execute("SELECT 1")
        before = status(pid)
        if kind != "baseline (SELECT 1)":
            if kind == "thingsdb":
                ensure_collection(cur, "bench_data")
            data_cycle(cur, kind)
        after = status(pid)
        out("    %-34s VmHWM %8d kB (after connect %d)  VmRSS %8d kB" %
            ("data cycle " + kind if kind != "baseline (SELECT 1)" else kind,
             after["VmHWM"], before["VmHWM"], after["VmRSS"]))
        res[kind] = after
        conn.close()
    # One thing of a million: a fresh backend reads .probe.n; the tuple
    # counters of this transaction show how many rows of thingsdb.things it read.
    n = 1000000
    with connect(args.db) as c:
        build_scale(c.cursor(), n)
    conn = psycopg.connect("host=%s port=%s user=%s dbname=%s" % (HOST, PORT, USER, args.db))
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    conn.commit()
    before = status(pid)
    cur.execute(tq(".probe.n", "@:" + scale_name(n)))
    val = cur.fetchone()[0]
    cur.execute("SELECT coalesce(seq_scan, 0), coalesce(seq_tup_read, 0), coalesce(idx_scan, 0),"
                " coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables"
                " WHERE schemaname = 'thingsdb' AND relname = 'things'")
    row = cur.fetchone() or (0, 0, 0, 0)
    conn.commit()
    after = status(pid)
    out("    .probe.n in a collection of %d things = %s: rows of thingsdb.things read: "
        "seq_scan %d (tuples %d), idx_scan %d, idx_tup_fetch %d; VmHWM %d -> %d kB" %
        (n, val, row[0], row[1], row[2], row[3], before["VmHWM"], after["VmHWM"]))
    conn.close()
    res["probe"] = (row, before, after)
    return res


# ---- (f) no cliffs: create, drop, one item, each pinned to one CPU ----------
# Client and backend pinned to the same CPU (taskset): unpinned runs on this
# machine are bimodal from cross-CPU wake-ups. Contenders interleaved.

CLIFF_SCOPE = "@:bench_cliffs"


def pin(cur, cpu):
    os.sched_setaffinity(0, {cpu})
    cur.execute("SELECT pg_backend_pid()")
    pid = cur.fetchone()[0]
    subprocess.run(["taskset", "-pc", str(cpu), str(pid)], check=True, stdout=subprocess.DEVNULL)


def fresh_backend(args):
    """A new connection whose backend is pinned with the client to args.cpu, allowed
    the benchmark's sizes: (connection, cursor, the backend's pid)."""
    conn = connect(args.db)
    cur = conn.cursor()
    pin(cur, args.cpu)
    cur.execute("SET thingsdb.max_things = 2000000")
    cur.execute("SELECT pg_backend_pid()")
    return conn, cur, cur.fetchone()[0]


def fresh_step(args, kind, sql):
    """sql run in a fresh backend pinned to args.cpu, after a warm-up call: (seconds, the
    backend's peak memory VmHWM in kB)."""
    conn, cur, pid = fresh_backend(args)
    # The warm-up reads a row through the primary key, as the step will.
    if kind == "thingsdb":
        cur.execute(tq(".has('items')", CLIFF_SCOPE))
    else:
        cur.execute("SELECT count(*) FROM bench_rows WHERE collection = 1 AND id = 1")
    t = timed(cur, sql)
    hwm = status(pid)["VmHWM"]
    conn.close()
    return t, hwm


def cliff_cycle(args, cur, kind, n):
    """create n things (or jsonb rows), replace them by n new ones in one query (or one
    transaction), then drop them all: (seconds, backend peak kB) of each, each step in a
    fresh backend."""
    res = {}
    make = create_code(n, False)
    if kind == "thingsdb":
        cur.execute(tq("if (.has('items')) .del('items'); nil", CLIFF_SCOPE))
        cur.execute("VACUUM ANALYZE thingsdb.things")
        res["create"] = fresh_step(args, kind, tq(make, CLIFF_SCOPE))
        cur.execute("VACUUM ANALYZE thingsdb.things")
        res["replace"] = fresh_step(args, kind, tq(make, CLIFF_SCOPE))
        cur.execute("VACUUM ANALYZE thingsdb.things")
        res["drop"] = fresh_step(args, kind, tq(".items = []; nil", CLIFF_SCOPE))
    else:
        rows = ("INSERT INTO bench_rows (id, collection, props)"
                " SELECT i, 1, jsonb_build_object('n', i - %d)"
                " FROM generate_series(%d, %d) AS i")
        cur.execute("TRUNCATE bench_rows")
        cur.execute("VACUUM ANALYZE bench_rows")
        res["create"] = fresh_step(args, kind, rows % (1, 1, n))
        cur.execute("VACUUM ANALYZE bench_rows")
        res["replace"] = fresh_step(args, kind, "BEGIN; DELETE FROM bench_rows WHERE collection = 1; "
                                    + rows % (n + 1, n + 1, 2 * n) + "; COMMIT")
        cur.execute("VACUUM ANALYZE bench_rows")
        res["drop"] = fresh_step(args, kind, "DELETE FROM bench_rows WHERE collection = 1")
    return res


def chain_cycle(cur, kind, n):
    """a chain of n links (each thing or row naming the next), then the head
    dropped: seconds of the drop."""
    if kind == "thingsdb":
        cur.execute(tq(".head = {i: -1}; .tail = .head; nil", CLIFF_SCOPE))
        for k in range(0, n, 5000):
            cur.execute(tq(".tail = range(%d).reduce(|a, i| { n = {i: i}; a.next = n; n }, .tail);"
                           " nil" % min(5000, n - k), CLIFF_SCOPE))
        cur.execute("VACUUM ANALYZE thingsdb.things")
        return timed(cur, tq(".head = nil; .tail = nil; nil", CLIFF_SCOPE))
    cur.execute("TRUNCATE bench_rows")
    cur.execute("INSERT INTO bench_rows (id, collection, props)"
                " SELECT i, 1, CASE WHEN i < %d THEN jsonb_build_object('i', i, 'next', i + 1)"
                " ELSE jsonb_build_object('i', i) END FROM generate_series(0, %d) AS i" % (n, n))
    cur.execute("VACUUM ANALYZE bench_rows")
    # The same walk in SQL: the links from the head, then one DELETE of them.
    return timed(cur, "WITH RECURSIVE c(id) AS (SELECT 0::bigint UNION ALL"
                 " SELECT (b.props->>'next')::bigint FROM c JOIN bench_rows b"
                 " ON b.collection = 1 AND b.id = c.id WHERE b.props ? 'next')"
                 " DELETE FROM bench_rows WHERE collection = 1 AND id IN (SELECT id FROM c)")


# Create and read back N things, N typed instances and N plain SQL rows: each cycle in a
# fresh backend (pinned), its peak memory (VmHWM) and the WAL it wrote beside the times.
# range() stops at 100,000: a larger N is made in one query from chunks.
CREATE_CHUNK = 100000


def create_code(n, typed):
    make = "Item{n: %s}" if typed else "{n: %s}"
    if n <= CREATE_CHUNK:
        return ".items = range(%d).map(|i| %s); nil" % (n, make % "i")
    return ("a = []; range(%d).each(|j| a.extend(range(%d).map(|i| %s))); .items = a; nil" %
            (n // CREATE_CHUNK, CREATE_CHUNK, make % ("j * %d + i" % CREATE_CHUNK)))


READ_CODE = ".items.map(|t| t.n).reduce(|a, b| a + b)"


def wal_lsn(cur):
    cur.execute("SELECT pg_current_wal_lsn()")
    return cur.fetchone()[0]


def wal_bytes(cur, a, b):
    cur.execute("SELECT pg_wal_lsn_diff(%s, %s)", (b, a))
    return int(cur.fetchone()[0])


def create_cycle(args, kind, n):
    """kind: untyped, typed or sql. Seconds of create and read, WAL bytes of the create, the
    backend's VmHWM (kB) after each."""
    conn, cur, pid = fresh_backend(args)
    if kind == "sql":
        cur.execute("TRUNCATE bench_rows")
        cur.execute("VACUUM ANALYZE bench_rows")
        create = ("INSERT INTO bench_rows (id, collection, props)"
                  " SELECT i, 1, jsonb_build_object('n', i) FROM generate_series(0, %d) AS i" %
                  (n - 1))
        read = "SELECT sum((props->>'n')::bigint) FROM bench_rows WHERE collection = 1"
    else:
        cur.execute(tq("if (.has('items')) .del('items'); nil", CLIFF_SCOPE))
        cur.execute("VACUUM ANALYZE thingsdb.things")
        create = tq(create_code(n, kind == "typed"), CLIFF_SCOPE)
        read = tq(READ_CODE, CLIFF_SCOPE)
    hwm0 = status(pid)["VmHWM"]
    lsn0 = wal_lsn(cur)
    cpu0 = cpu_seconds(pid)
    t_create = timed(cur, create)
    cpu_create = cpu_seconds(pid) - cpu0
    lsn1 = wal_lsn(cur)
    hwm1 = status(pid)["VmHWM"]
    t0 = time.perf_counter()
    cur.execute(read)
    got = cur.fetchone()[0]
    t_read = time.perf_counter() - t0
    hwm2 = status(pid)["VmHWM"]
    if str(got) != str(n * (n - 1) // 2):
        out("  !! %s read of %d answered %s" % (kind, n, got))
    res = {"create": t_create, "read": t_read, "wal": wal_bytes(cur, lsn0, lsn1),
           "create_cpu": cpu_create,
           "hwm_create": hwm1 - hwm0, "hwm_read": hwm2 - hwm0}
    conn.close()
    return res


def bench_create(args):
    out("  create and read back, each cycle in a fresh backend; backend peak growth in MB, "
        "WAL of the create in MB")
    with connect(args.db) as c:
        cur = c.cursor()
        ensure_collection(cur, "bench_cliffs")
        cur.execute(tq("if (!has_type('Item')) set_type('Item', {n: 'int'}); nil", CLIFF_SCOPE))
    kinds = ("untyped", "typed", "sql")
    names = {"untyped": "thingsdb {n: i}", "typed": "thingsdb Item{n: i}",
             "sql": "plain SQL jsonb"}
    for n in [int(x) for x in args.create_sizes.split(",") if x]:
        res = {k: [] for k in kinds}
        for r in range(args.data_reps):
            for k in range(len(kinds)):
                kind = kinds[(r + k) % len(kinds)]
                res[kind].append(create_cycle(args, kind, n))
        for st in ("create", "read"):
            report("%s %d" % (st, n), {names[k]: [x[st] for x in res[k]] for k in kinds},
                   "plain SQL jsonb")
            if st == "create":
                report("create %d, the backend's CPU time" % n,
                       {names[k]: [x["create_cpu"] for x in res[k]] for k in kinds},
                       "plain SQL jsonb")
        for k in kinds:
            out("    %-34s WAL %8.1f MB  peak +%d MB create, +%d MB read" %
                (names[k], statistics.median(x["wal"] for x in res[k]) / 1e6,
                 statistics.median(x["hwm_create"] for x in res[k]) // 1024,
                 statistics.median(x["hwm_read"] for x in res[k]) // 1024))
    with connect(args.db) as c:
        c.execute(tq("if (.has('items')) .del('items'); nil", CLIFF_SCOPE))


def bench_cliffs(args):
    out("(f) no cliffs, client and backend on CPU %d (lower is better)" % args.cpu)
    conn = connect(args.db)
    cur = conn.cursor()
    pin(cur, args.cpu)
    ensure_collection(cur, "bench_cliffs")
    if args.create_sizes:
        bench_create(args)
    cur.execute("SET thingsdb.max_things = 2000000")
    # create: .items = N new things / INSERT; replace: .items = N new things over the N
    # there / DELETE + INSERT in one transaction; drop: .items = [] / DELETE.
    for n in [int(x) for x in args.cliff_sizes.split(",") if x]:
        names = ("create", "replace", "drop")
        steps = {k: {st: [] for st in names} for k in ("thingsdb", "sql")}
        peak = {k: {st: 0 for st in names} for k in ("thingsdb", "sql")}
        for r in range(args.data_reps):
            for kind in (("thingsdb", "sql") if r % 2 == 0 else ("sql", "thingsdb")):
                for st, (t, hwm) in cliff_cycle(args, cur, kind, n).items():
                    steps[kind][st].append(t)
                    peak[kind][st] = max(peak[kind][st], hwm)
        for st in names:
            report("%s %d things" % (st, n),
                   {"thingsdb": steps["thingsdb"][st], "plain SQL jsonb": steps["sql"][st]},
                   "plain SQL jsonb")
            out("    backend peak (VmHWM): thingsdb %d kB, plain SQL jsonb %d kB" %
                (peak["thingsdb"][st], peak["sql"][st]))
    # A chain of N links dropped from its head (each link released by the one before).
    for n in [int(x) for x in args.chain_sizes.split(",") if x]:
        times = {"thingsdb": [], "plain SQL jsonb": []}
        for r in range(args.data_reps):
            for kind in (("thingsdb", "sql") if r % 2 == 0 else ("sql", "thingsdb")):
                times["thingsdb" if kind == "thingsdb" else "plain SQL jsonb"].append(
                    chain_cycle(cur, kind, n))
        report("drop a chain of %d links" % n, times, "plain SQL jsonb")
    # One item of a list of N: `.arr[N/2].n`, warm (the list stays stored).
    # range() stops at 100,000 and a query makes at most thingsdb.max_things.
    cur.execute("SET thingsdb.max_things = 2000000")
    for n in [int(x) for x in args.item_sizes.split(",") if x]:
        cur.execute(tq(".arr = []; nil", CLIFF_SCOPE))
        for k in range(0, n, 100000):
            m = min(100000, n - k)
            cur.execute(tq(".arr.extend(range(%d).map(|i| {n: %d + i})); nil" % (m, k), CLIFF_SCOPE))
        # Read one property of one item, change it, replace the item: each in a fresh
        # backend (warm-up first), whose peak memory is what they cost.
        for label, code in ((".arr[%d].n" % (n // 2), ".arr[%d].n" % (n // 2)),
                            (".arr[%d].n = x" % (n // 2), ".arr[%d].n = 7; nil" % (n // 2)),
                            (".arr[%d] = {n: 1}" % (n // 2), ".arr[%d] = {n: 1}; nil" % (n // 2)),
                            # The pops (a warm-up and the reps) leave room for as many
                            # pushes: a list of 1M is at its size limit.
                            (".arr.pop()", ".arr.pop(); nil"),
                            (".arr.push({n: 1})", ".arr.push({n: 1}); nil"),
                            (".arr.splice(%d, 1, {n: 1})" % (n // 2),
                             ".arr.splice(%d, 1, {n: 1}); nil" % (n // 2))):
            sql = tq(code, CLIFF_SCOPE)
            rconn, rcur, pid = fresh_backend(args)
            hwm0 = status(pid)["VmHWM"]
            # A sample is the mean of q queries, q filling about --item-sample-ms (at most
            # --item-queries): one query of 0.2 ms is doubled by a single wake-up of the
            # client or a preemption of the backend, which its instructions do not show
            # (callgrind_queries.sh: the same count, within 2%, on every run).
            timed(rcur, sql)  # the backend's caches
            warm = statistics.median(timed(rcur, sql) for _ in range(3))
            q = max(1, min(args.item_queries, round(args.item_sample_ms / 1000.0 / warm)))
            ts = []
            for _ in range(args.reps):
                t0 = time.perf_counter()
                for _ in range(q):
                    rcur.execute(sql)
                    rcur.fetchall()
                ts.append((time.perf_counter() - t0) / q)
            hwm1 = status(pid)["VmHWM"]
            rconn.close()
            worst = max(ts) / statistics.median(ts)
            out("    %-34s median %10.3f ms  min %10.3f  worst %5.2fx of median%s"
                "  (%d queries per sample)  backend VmHWM %d -> %d kB" %
                ("%s, N = %d" % (label, n), statistics.median(ts) * 1000, min(ts) * 1000,
                 worst, "  BIMODAL" if worst > 2.0 else "", q, hwm0, hwm1))
        cur.execute(tq(".arr = []; nil", CLIFF_SCOPE))
    conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="tdb_perf")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--data-reps", type=int, default=3)
    ap.add_argument("--call-reps", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--scale-queries", type=int, default=200)
    ap.add_argument("--only", default="a,b,c,d,e,t,f")
    ap.add_argument("--cpu", type=int, default=1)
    ap.add_argument("--cliff-sizes", default="10000,100000")
    ap.add_argument("--item-sizes", default="10000,100000,1000000")
    ap.add_argument("--chain-sizes", default="10000,50000")
    # one item of a list in section f: queries per sample, up to about this many ms a sample
    ap.add_argument("--item-queries", type=int, default=200)
    ap.add_argument("--item-sample-ms", type=float, default=100.0)
    # create and read back (untyped, typed, plain SQL) in section f
    ap.add_argument("--create-sizes", default="10000,100000,1000000")
    args = ap.parse_args()
    only = set(args.only.split(","))
    with connect(args.db) as c:
        v = c.execute("SHOW server_version").fetchone()[0]
    out("PostgreSQL %s, nproc %d, %s" % (v, os.cpu_count(), time.strftime("%Y-%m-%d %H:%M")))
    if "a" in only:
        bench_calls(args)
    if "b" in only:
        bench_interp(args)
    if "c" in only:
        bench_data(args)
    if "d" in only:
        bench_scale(args)
    if "e" in only:
        bench_memory(args)
    if "t" in only:
        bench_types(args)
    if "f" in only:
        bench_cliffs(args)


if __name__ == "__main__":
    main()
