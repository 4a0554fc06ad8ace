"""Loops over stored lists (map, filter, each, reduce, ...) read the things of a list a run
at a time, straight from the rows, and let go of the things nothing holds after their run.
Each loop here must give what the same loop gives over the list decoded whole (`index_of`
decodes it first): lists of shared things, of things of several Types and plain ones, of
things changed earlier in the same query, in no order of ids; and a list read under a
snapshot in which another transaction has since deleted some of its things. The reference
counts hold after every change (reliability.check_consistent)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
from reliability import check_consistent  # noqa: E402

DB = "tdb_e2e_list_loops"
t = tdbtest.Tally()
N = 5000


def q(conn, code, scope="@:loops"):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


SETUP = (
    "set_type('A', {n: 'int'}); set_type('B', {n: 'int', tag: 'str'}); .s = {n: -1};"
    ".arr = []; range(%d).each(|i| .arr.push(i %% 700 == 7 ? .s : i %% 3 == 0 ? A{n: i}"
    " : i %% 3 == 1 ? B{n: i, tag: str(i)} : {n: i, sub: [i]}));"
    ".rev = range(3000).map(|i| {n: i}); .rev = .rev.sort(|a, b| b.n - a.n); nil" % N)

# Each case runs twice in its own transaction (rolled back): as written, and with the list
# decoded whole first. Changes are made in the query before or inside the loop.
CASES = [
    ".arr.map(|t| t.n).reduce(|a, b| a + b)",
    ".arr.reduce(|a, t| a + t.n, 0)",
    ".arr[2500].n = 5; .arr.map(|t| t.n).reduce(|a, b| a + b)",
    "x = .arr[4100]; x.n = 77; .arr.filter(|t| t.n == 77).len()",
    ".arr.map(|t| { t.n += 1; t.n; }).reduce(|a, b| a + b)",
    ".arr.filter(|t| t == .s).len()",
    ".arr.map(|t| type(t)).filter(|n| n == 'B').len()",
    ".arr.find(|t| t.n == 4999).n",
    ".arr.find_index(|t| t.n == 3001)",
    ".arr.count(|t| is_list(t.get('sub')))",
    "[.arr.some(|t| t.n == 4998), .arr.every(|t| t.n > -2)]",
    ".q = 1; x = .arr.reduce(|a, t| { if (t.n == 2000) return t.sub; return a; }, nil);"
    " x.push(5);"
    " .arr[2000].sub",
    "r = 0; .arr.each(|t| { r += t.n; if (t.n == 1000) .arr[4000].n = 0; }); r",
    "a = .arr.map(|t| t.n).reduce(|a, b| a + b); .arr[5].n = 1000;"
    " a - .arr.map(|t| t.n).reduce(|a, b| a + b)",
    ".rev.map(|t| t.n)[:3]",
    ".rev.filter(|t| t.n % 500 == 0).map(|t| t.n)",
    ".rev.map(|t| .arr[t.n].n).reduce(|a, b| a + b)",
]


def test_loops_give_what_the_decoded_list_gives():
    with tdbtest.connect(DB) as c:
        q(c, 'if (has_collection("loops")) del_collection("loops"); new_collection("loops")',
          "@thingsdb")
        q(c, SETUP)
    for code in CASES:
        got = []
        for prefix in ("", ".arr.index_of(nil); .rev.index_of(nil); "):
            with tdbtest.connect(DB, autocommit=False) as c:
                got.append(q(c, prefix + code))
                c.rollback()
        assert got[0] == got[1], (code, got)
    with tdbtest.connect(DB) as c:
        # Changes made inside a loop are stored.
        q(c, ".arr.each(|t| { if (t.n % 1000 == 1) t.n = -t.n; }); nil")
        assert q(c, ".arr.filter(|t| t.n < -1).map(|t| t.n)") == [-1001, -2001, -3001, -4001]
        q(c, ".q = 1; x = .arr.reduce(|a, t| { if (t.n == 2000) return t.sub; return a; }, nil);"
             " x.push(5); nil")
        assert q(c, ".arr[2000].sub") == [2000, 5]
        check_consistent(c)


def test_things_deleted_by_another_transaction():
    with tdbtest.connect(DB) as c:
        q(c, 'if (has_collection("loops")) del_collection("loops"); new_collection("loops")',
          "@thingsdb")
        q(c, ".arr = range(%d).map(|i| {n: i}); nil" % N)
    want = N * (N - 1) // 2
    with tdbtest.connect(DB, autocommit=False) as a, tdbtest.connect(DB) as b:
        a.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        assert q(a, ".arr.len()") == N
        # Another transaction takes items out of the list: their things go (no reference
        # left), the rows are deleted and committed.
        q(b, ".arr.splice(100, 3); .arr.splice(4000, 2); nil")
        assert q(b, ".arr.len()") == N - 5
        # The snapshot of `a` still holds the list and the rows as they were.
        assert q(a, ".arr.map(|t| t.n).reduce(|a, b| a + b)") == want
        assert q(a, ".arr.filter(|t| t.n >= 4000 && t.n < 4002).len()") == 2
        a.rollback()
        # A new snapshot sees them gone.
        gone = 100 + 101 + 102 + 4003 + 4004
        assert q(a, ".arr.map(|t| t.n).reduce(|a, b| a + b)") == want - gone
        a.rollback()
    with tdbtest.connect(DB) as c:
        # A row gone under a reference (deleted outside ThingsDB): an empty thing, as when the
        # list is decoded whole.
        ids = q(c, "[.arr[10].id(), .arr[3000].id()]")
        c.execute("DELETE FROM thingsdb.things WHERE id = ANY(%s)", (ids,))
        for code in (".arr.map(|t| t.get('n', -1)).reduce(|a, b| a + b)",
                     ".arr.filter(|t| !t.has('n')).len()", ".arr.map(|t| t.n).len()"):
            try:
                whole = q(c, ".arr.index_of(nil); " + code)
            except Exception as e:  # the same error both ways
                whole = str(e).splitlines()[0]
            try:
                got = q(c, code)
            except Exception as e:
                got = str(e).splitlines()[0]
            assert got == whole, (code, got, whole)


tdbtest.scratch_db(DB)
t.run(test_loops_give_what_the_decoded_list_gives)
t.run(test_things_deleted_by_another_transaction)
tdbtest.drop_db(DB)
t.finish()
