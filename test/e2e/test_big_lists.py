"""Big stored lists are read one item at a time: a list of a thing's top level stays as
stored (its jsonb array) until a use needs all of it, so reading or counting one item of
a list of a million builds no value for the others, and a thing written back with such a
list unchanged copies it as stored. Checked by the backend's peak memory
(VmHWM: a fresh backend reading one item against one decoding the list) and by the
consistency of every reference count after the changes (reliability.check_consistent);
never by time."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
from reliability import check_consistent  # noqa: E402

DB = "tdb_e2e_big_lists"
t = tdbtest.Tally()
N = 1000000


def q(conn, code, scope="@:big"):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def fresh(conn):
    q(conn, 'if (has_collection("big")) del_collection("big"); new_collection("big")',
      "@thingsdb")


def peak_kb(conn):
    pid = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise tdbtest.Skip("no VmHWM in /proc")


def growth(code):
    """The peak memory a fresh backend gains running code (kB), and its result."""
    with tdbtest.connect(DB) as c:
        c.execute("SET thingsdb.max_things = 2000000")
        q(c, ".other")  # the root's row and the catalogs, read once
        before = peak_kb(c)
        res = q(c, code)
        return peak_kb(c) - before, res


def test_one_item_of_a_million():
    with tdbtest.connect(DB) as c:
        c.execute("SET thingsdb.max_things = 2000000")
        fresh(c)
        q(c, ".other = 0; .arr = []; nil")
        for k in range(0, N, 100000):
            q(c, ".arr.extend(range(100000).map(|i| {n: %d + i})); nil" % k)
    one, res = growth(".arr[%d].n" % (N // 2))
    assert res == N // 2, res
    whole, res = growth(".arr.index_of(nil); .arr.len()")
    assert res == N, res
    # Decoding the list makes a value per item; one item makes one.
    assert one * 4 < whole, (one, whole)
    # A loop reads the items a run at a time and keeps none of the things it read; over the
    # list decoded first it holds all of them to the end of the query. (Both read every
    # row: the shared buffers they touch count in VmHWM alike.)
    code = ".arr.map(|t| t.n).reduce(|a, b| a + b)"
    loop, res = growth(code)
    assert res == N * (N - 1) // 2, res
    held, res = growth(".arr.index_of(nil); " + code)
    assert res == N * (N - 1) // 2, res
    assert loop * 2 < held, (loop, held)
    for code, want in ((".arr.len()", N), (".arr[-1].n", N - 1), (".arr[7].n", 7)):
        g, res = growth(code)
        assert res == want, (code, res)
        assert g * 4 < whole, (code, g, whole)
    # The thing written back with the list unchanged (copied as stored), then with one item
    # assigned: the values and counts hold. (Writing the row back builds PostgreSQL's
    # JsonbValue tree of all of it: not measured here.)
    g, res = growth(".other = 1; .arr[9].n")
    assert res == 9, res
    g, res = growth(".arr[3] = {n: -3}; .arr[3].n")
    assert res == -3, res
    with tdbtest.connect(DB) as c:
        assert q(c, "[.arr[2].n, .arr[3].n, .arr[4].n, .arr.len()]") == [2, -3, 4, N]
        q(c, ".arr = []; nil")
        check_consistent(c)


def test_changes_keep_the_counts():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".keep = {k: 1}; .arr = range(200).map(|i| {n: i}); .arr.push(.keep);"
             ".nums = range(100); nil")
        steps = [
            ".other = 1; nil",                           # both lists written back as stored
            ".arr[5] = .arr[6]; nil",                    # one item: the old one is dropped
            ".arr[200] = nil; .nums[0] = 'zero'; nil",   # the shared thing loses a reference
            "x = .arr; .arr = []; .again = x[:50]; nil",  # a slice of a list no longer held
            ".del('again'); .arr = range(100).map(|i| {n: i}); nil",
            ".copy = .arr; .arr.push({n: -1}); nil",      # a copy, then the list decoded
            ".arr = .arr.filter(|t| t.n % 2 == 0); nil",
        ]
        for code in steps:
            q(c, code)
            check_consistent(c)
        assert q(c, "[.keep.k, .copy.len(), .arr.len(), .nums[0], .nums.len()]") == \
            [1, 100, 50, "zero", 100]
    # A change of a kept list rolled back leaves what was stored.
    with tdbtest.connect(DB, autocommit=False) as c:
        q(c, ".copy[10] = {n: 'x'}; .copy.push({}); nil")
        c.rollback()
    with tdbtest.connect(DB) as c:
        assert q(c, "[.copy[10].n, .copy.len()]") == [10, 100]
        check_consistent(c)


tdbtest.scratch_db(DB)
t.run(test_one_item_of_a_million)
t.run(test_changes_keep_the_counts)
tdbtest.drop_db(DB)
t.finish()
