"""Generated adversarial statements against a live backend (a private cluster:
a crash must not hit the shared one), from the grammar tables of gen_shapes.py:
every recursive construct nested deep, random combinations whose leaves change
what the enclosing expression is using, and every catalog-changing function
with side effects on the same definitions nested in its arguments and
closures. Each statement runs in its own transaction, as a QUERY-only user
unless it changes something. Pass: every statement ends in a result or a clean
error (a ThingsDB error TDxxx, 54001 stack depth, 57014 canceled, 53200 out
of memory), the same connection still answers, a failed catalog change leaves
the catalog as it was, the server log has no "terminated by signal", and at
the end every collection is consistent and tdb_collect_garbage() works.

    TDB_GEN_SEED=N        the seed (default: a new one, printed)
    TDB_GEN_STATEMENTS=N  random and catalog statements (default 400; ~60 s in all)
    TDB_GEN_SECONDS=N     run batches of 300 with seeds N, N+1, ... this long
                          instead (long runs by hand; test/fuzz/RESULTS.md)
A finding prints its seed and its statement shrunk to a minimal one."""
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
import psycopg  # noqa: E402
import gen_shapes as g  # noqa: E402
from reliability import PrivateCluster, check_consistent  # noqa: E402

DB = "generated"
CLEAN = ("54001", "57014", "53200")   # stack depth, canceled, out of memory
HANG_SECONDS = 60   # statement_timeout is 20 s: a statement past 60 s ignored it
SEED = int(os.environ.get("TDB_GEN_SEED") or random.SystemRandom().randrange(1, 10**9))
STATEMENTS = int(os.environ.get("TDB_GEN_STATEMENTS") or 400)
SECONDS = float(os.environ.get("TDB_GEN_SECONDS") or 0)
ROTATE = 40   # catalog statements per collection; then it is deleted

t = tdbtest.Tally()
cluster = PrivateCluster()
cluster.scratch_db(DB)
totals = {"deep": 0, "random": 0, "catalog": 0, "ok": 0, "errors": 0, "timeouts": 0,
          "seeds": 0}
findings = []
messages = {}   # (kind, sqlstate, message) -> count, for TDB_GEN_VERBOSE=1
VERBOSE = os.environ.get("TDB_GEN_VERBOSE", "") not in ("", "0")


class Conns:
    """The admin connection, the QUERY-only one (role gen_q) and a third
    one that ends a statement that ignores statement_timeout."""

    def __init__(self):
        self.open()

    def open(self):
        self.admin = cluster.wait_ready(DB)
        self.admin.execute("SET statement_timeout = '20s'")
        self.query = cluster.wait_ready(DB)
        self.query.execute("SET ROLE gen_q")
        self.query.execute("SET statement_timeout = '20s'")
        self.guard = cluster.wait_ready(DB)

    def reopen(self):
        for c in (self.admin, self.query, self.guard):
            try:
                c.close()
            except Exception:
                pass
        self.open()


def setup():
    with cluster.connect(DB) as c:
        c.execute("CREATE ROLE gen_q LOGIN")
        c.execute("GRANT USAGE ON SCHEMA public TO gen_q")
        c.execute("SELECT tdb_query($$new_user('gen_q'); new_user('gen_t'); nil$$, '@thingsdb')")


coll = {"n": 0, "name": None, "used": 0}


def next_collection(conns):
    """A new collection readable by gen_q; the previous one is deleted (a
    collection full of Types, enums and instances changed every way)."""
    old = coll["name"]
    coll["n"] += 1
    coll["name"] = "g%d" % coll["n"]
    coll["used"] = 0
    code = "new_collection('%s'); grant('@:%s', 'gen_q', QUERY); nil" % ((coll["name"],) * 2)
    if old:
        code = "del_collection('%s'); " % old + code
    conns.admin.execute("SELECT tdb_query(%s, '@thingsdb')", (code,))


def execute(conns, who, code, scope, fn="tdb_query"):
    """('ok', None) or (sqlstate, message) or ('died', message); a statement
    running past HANG_SECONDS is terminated and reported as 'hang'."""
    conn = conns.admin if who == "admin" else conns.query
    pid = conn.info.backend_pid
    hung = []

    def stop():
        hung.append(1)
        try:
            conns.guard.execute("SELECT pg_terminate_backend(%s)", (pid,))
        except Exception:
            pass
    timer = threading.Timer(HANG_SECONDS, stop)
    timer.start()
    t0 = time.time()
    try:
        conn.execute("SELECT %s(%%s, %%s)" % fn, (code, scope)).fetchone()
        state, msg = "ok", None
    except psycopg.Error as e:
        if conn.closed or conn.broken:
            state, msg = "died", str(e).split("\n")[0]
        else:
            state, msg = e.sqlstate, str(e).split("\n")[0]
    finally:
        timer.cancel()
    if VERBOSE:
        key = (who, fn, state, (msg or "")[:90])
        messages[key] = messages.get(key, 0) + 1
        if "deep" in sys.argv:
            print("%6.2f s %s %s" % (time.time() - t0, state, code[-80:].replace("\n", " ")))
    if hung:
        return "hang", "ran past %d s (statement_timeout 20 s)" % HANG_SECONDS
    if state == "died":
        return state, msg
    try:   # the backend survives: the same connection answers
        conn.execute("SELECT 1").fetchone()
    except psycopg.Error as e:
        return "died", "SELECT 1 after it: %s" % str(e).split("\n")[0]
    return state, msg


def bad(state):
    """Why an outcome is a finding, or None."""
    if state == "ok" or (state or "").startswith("TD") or state in CLEAN:
        return None
    return {"died": "the backend died", "hang": "hang"}.get(state, "SQLSTATE %s" % state)


def count(state):
    if state == "ok":
        totals["ok"] += 1
    elif state == "57014":
        totals["timeouts"] += 1
    else:
        totals["errors"] += 1


def record(conns, kind, why, code, msg):
    findings.append((kind, why, code, msg))
    print("FINDING (%s, seed %d): %s: %s\n  minimal statement: %s" % (kind, SEED, why, msg, code[:3000]))
    if why in ("the backend died", "hang"):
        conns.reopen()


# ---- the three kinds ------------------------------------------------------------------
def run_deep(conns):
    for label, depth, build in g.deep_statements():
        totals["deep"] += 1
        fn = "tdb_query_ro" if totals["deep"] % 3 == 0 else "tdb_query"
        state, msg = execute(conns, "query", build(depth), "@:" + coll["name"], fn)
        count(state)
        why = bad(state)
        if why:
            # The minimal statement: the smallest depth that still fails.
            _reopen_if_broken(conns)
            lo, hi = 0, depth
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if bad(execute(conns, "query", build(mid), "@:" + coll["name"], fn)[0]):
                    hi = mid
                else:
                    lo = mid
                if conns.admin.broken or conns.query.broken:
                    conns.reopen()
            record(conns, label, why, "SELECT %s($$%s$$)" % (fn, build(hi)), msg)


def random_one(conns, rng):
    as_admin = rng.random() < 0.3
    tree = g.random_statement(rng, root_changes=as_admin)
    who = "admin" if as_admin else "query"
    fn = "tdb_query_ro" if not as_admin and rng.random() < 0.3 else "tdb_query"
    scope = "@:" + coll["name"]
    state, msg = execute(conns, who, g.render(tree), scope, fn)
    count(state)
    why = bad(state)
    if why:
        print("     failed as first run (seed %d): %s" % (SEED, g.render(tree)[:3000]))
        _reopen_if_broken(conns)

        def fails(tr):
            # A candidate runs on a live connection: after a crash every statement on
            # the dead one would fail and the shrinking would keep nothing of the cause.
            state = execute(conns, who, g.render(tr), scope, fn)[0]
            _reopen_if_broken(conns)
            return bad(state) is not None
        tree = g.shrink(tree, fails)
        record(conns, "random", why, "SELECT %s($$%s$$, '%s')" % (fn, g.render(tree), scope), msg)


def _reopen_if_broken(conns):
    if conns.admin.broken or conns.query.broken or conns.admin.closed or conns.query.closed:
        conns.reopen()
    return False


SNAPSHOT = "[types_info(), enums_info(), procedures_info()]"
CHECK = ("[.keys(), try(.tk@K@), try(.tl@K@), try(.ek@K@), try(.fk@K@), try(type_info('T@K@')), "
         "try(enum_info('E@K@')), try(.tk@K@.copy(3)), try(.tl@K@.map(|x| x.wrap())), "
         "types_info().len(), enums_info().len()]")
NODE_CHECK = ("[users_info().len(), collections_info().len(), try(del_collection('X@K@')), "
              "try(del_collection('Y@K@')), try(del_collection('Z@K@')), try(del_user('W@K@')), "
              "try(rename_user('gen_t2', 'gen_t'))]")


def admin_value(conns, code, scope):
    try:
        return "ok", conns.admin.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]
    except psycopg.Error as e:
        _reopen_if_broken(conns)
        return getattr(e, "sqlstate", None) or "died", str(e).split("\n")[0]


def catalog_try(conns, scope_kind, tree, k):
    """Runs one catalog statement with its prelude and checks: (why, message)
    of a finding, or (None, state)."""
    name = coll["name"]
    scope = "@:" + name if scope_kind == "c" else "@thingsdb"
    prelude = g.CATALOG_PRELUDE if scope_kind == "c" else g.NODE_PRELUDE
    st, msg = admin_value(conns, g.instantiate(prelude, k, name), scope)
    if st != "ok":
        return ("the prelude failed: %s %s" % (st, msg)) if bad(st) else None, st
    before = admin_value(conns, SNAPSHOT, "@:" + name)
    state, msg = execute(conns, "admin", g.instantiate(g.render(tree), k, name), scope)
    why = bad(state)
    if why:
        return why, msg
    if state != "ok":
        after = admin_value(conns, SNAPSHOT, "@:" + name)
        if after != before:
            return "a failed change left the catalog changed", "%s: %s" % (state, msg)
    check = CHECK if scope_kind == "c" else NODE_CHECK
    for who, fn in (("admin", "tdb_query"), ("query", "tdb_query_ro")):
        if scope_kind == "n" and who == "query":
            continue
        st, m = execute(conns, who, g.instantiate(check, k, name), scope, fn)
        if bad(st):
            return "the read after it: " + bad(st), m
    return None, state


def catalog_one(conns, rng):
    scope_kind, tree = g.catalog_statement(rng, 0, coll["name"])
    coll["used"] += 1
    k = totals["catalog"]
    why, msg = catalog_try(conns, scope_kind, tree, k)
    count(msg if why is None else "error")
    if why:
        serial = [k]

        def fails(tr):
            serial[0] += 100000
            return catalog_try(conns, scope_kind, tr, serial[0])[0] is not None
        tree = g.shrink(tree, fails)
        prelude = g.CATALOG_PRELUDE if scope_kind == "c" else g.NODE_PRELUDE
        record(conns, "catalog", why, "prelude: %s\n  statement: %s" % (
            g.instantiate(prelude, 0, coll["name"]), g.instantiate(g.render(tree), 0, coll["name"])), msg)


def run_batch(conns, seed, n):
    rng = g.rng_for(seed)
    totals["seeds"] += 1
    for i in range(n):
        if coll["used"] >= ROTATE:
            next_collection(conns)
        if rng.random() < 0.5:
            totals["random"] += 1
            random_one(conns, rng)
        else:
            totals["catalog"] += 1
            catalog_one(conns, rng)


# ---- the tests --------------------------------------------------------------------------
conns = None


def test_deep_shapes():
    run_deep(conns)
    assert not findings, "%d findings" % len(findings)


def test_random_and_catalog():
    before = len(findings)
    if SECONDS:
        end = time.time() + SECONDS
        seed = SEED
        while time.time() < end:
            print("     seed %d" % seed)
            run_batch(conns, seed, 300)
            seed += 1
    else:
        run_batch(conns, SEED, STATEMENTS)
    assert len(findings) == before, "%d findings" % (len(findings) - before)


def test_server_never_crashed():
    log = cluster.log()
    assert "terminated by signal" not in log, [l for l in log.splitlines() if "signal" in l][:5]


def test_consistent_and_collectable():
    next_collection(conns)
    check_consistent(conns.admin)
    conns.admin.execute("SELECT tdb_collect_garbage()").fetchall()
    check_consistent(conns.admin)


START = time.time()
try:
    setup()
    conns = Conns()
    next_collection(conns)
    print("     seed %d (TDB_GEN_SEED=%d reproduces it)" % (SEED, SEED))
    for fn in (test_deep_shapes, test_random_and_catalog, test_server_never_crashed,
               test_consistent_and_collectable):
        s = time.time()
        t.run(fn)
        print("     (%.1f s)" % (time.time() - s))
    n = totals["deep"] + totals["random"] + totals["catalog"]
    print("     %d statements generated (%d deep, %d random, %d catalog; %d seeds) in %.1f min: "
          "%d results, %d clean errors, %d timeouts; %d findings"
          % (n, totals["deep"], totals["random"], totals["catalog"], totals["seeds"],
             (time.time() - START) / 60, totals["ok"], totals["errors"], totals["timeouts"],
             len(findings)))
    if VERBOSE:
        for key, n in sorted(messages.items(), key=lambda kv: -kv[1])[:60]:
            print("%5d %s" % (n, key))
finally:
    if t.failed:
        print("\n".join(l[:300] for l in cluster.log()[-20000:].splitlines()[-30:]))
    cluster.close()
t.finish()
