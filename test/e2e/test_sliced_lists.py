"""Big props stored out of line and uncompressed (thingsdb.things.props has STORAGE EXTERNAL)
are read by slices: a read of one item of a big stored list reads the top-level object's
header, JEntries and keys, the list's JEntries back to a stored offset and the item's bytes,
never the row whole (counted by thingsdb.toast_slices_read: slices and bytes this backend
read). Every use of such a list gives what the same list gives decoded: the expectations are
computed here, on a Python list, step by step. Never timed."""
import json
import os
import select
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
from reliability import check_consistent  # noqa: E402

DB = "tdb_e2e_sliced_lists"
t = tdbtest.Tally()


def q(conn, code, scope="@:sl"):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def fresh(conn):
    q(conn, 'if (has_collection("sl")) del_collection("sl"); new_collection("sl")', "@thingsdb")


def slices(conn):
    """(slices, bytes) this backend read out of line so far."""
    n, b = conn.execute("SHOW thingsdb.toast_slices_read").fetchone()[0].split()
    return int(n), int(b)


def row_bytes(conn):
    """The root's props with the chunk rows of its big lists (docs/storage.md, "Big lists in
    chunks": a list of 4,096 items or more is kept in chunk rows, each read by slices too)."""
    return conn.execute("SELECT sum(pg_column_size(props)) FROM thingsdb.things t"
                        " JOIN thingsdb.collections c ON c.id = t.collection"
                        " WHERE c.name = 'sl' AND (t.id = c.id OR t.type_id = -2)").fetchone()[0]


def read(code):
    """code's result in a fresh backend, and the slices and bytes it read out of line."""
    with tdbtest.connect(DB) as c:
        q(c, "nil")  # loads the module: the setting exists
        s0, b0 = slices(c)
        res = q(c, code)
        s1, b1 = slices(c)
        return res, s1 - s0, b1 - b0


def test_storage_is_external():
    with tdbtest.connect(DB) as c:
        st = c.execute("SELECT attstorage FROM pg_attribute WHERE attrelid = 'thingsdb.things'"
                       "::regclass AND attname = 'props'").fetchone()[0]
        assert st == "e", st


def test_one_item_reads_a_bounded_part():
    n = 1000000
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".small = 'x'; .nums = []; .arr = range(40).map(|i| {n: i}); nil")
        for k in range(0, n, 100000):
            q(c, ".nums.extend(range(%d, %d)); nil" % (k, k + 100000))
        size = row_bytes(c)
    assert size > 4000000, size
    for code, want in ((".nums[%d]" % (n // 2), n // 2), (".nums[0]", 0), (".nums[-1]", n - 1),
                       (".nums[31]", 31), (".nums[32]", 32), (".nums[33]", 33),
                       (".nums[999999]", 999999), (".nums.len()", n), (".small", "x"),
                       ("[.nums[12345], .nums[54321], .arr[39].n]", [12345, 54321, 39])):
        res, s, b = read(code)
        assert res == want, (code, res, want)
        # The root's header, JEntries and keys, the lists' headers, the small values, then
        # per item at most 32 JEntries and the item: a few slices of whole TOAST chunks
        # (about 2 kB each, at most two a slice), against megabytes of items. The million
        # ints are kept in chunk rows: the root holds their directory (some 25 kB, read
        # whole) and one item reads the slices of one chunk.
        assert 1 <= s <= 32, (code, s)
        assert b <= 65536, (code, b)
    # Changing a property of one item writes that item's row only: the root's row is
    # neither written (its version stays) nor read beyond its slices.
    with tdbtest.connect(DB) as c:
        version = c.execute("SELECT version FROM thingsdb.things WHERE id = collection AND"
                            " collection = (SELECT id FROM thingsdb.collections"
                            " WHERE name = 'sl')").fetchone()[0]
    res, s, b = read(".arr[20].n = -20; .arr[20].n")
    assert res == -20 and 1 <= s <= 32 and b <= 65536, (res, s, b)
    with tdbtest.connect(DB) as c:
        assert c.execute("SELECT version FROM thingsdb.things WHERE id = collection AND"
                         " collection = (SELECT id FROM thingsdb.collections"
                         " WHERE name = 'sl')").fetchone()[0] == version
        # The root written back with its lists unchanged (copied whole), then read again.
        q(c, ".small = 'y'; nil")
    res, s, b = read("[.small, .nums[-1], .nums.len(), .arr[20].n, .arr.len()]")
    assert res == ["y", n - 1, n, -20, 40] and b <= 65536, (res, b)
    # A use that needs every item reads them all (a chunk row at a time: the chunks are
    # read by their rows, not by slices of the root).
    res, s, b = read(".nums.reduce(|a, b| a + b)")
    assert res == n * (n - 1) // 2, res


class Watcher:
    def __init__(self):
        self.conn = tdbtest.connect(DB)
        self.got = []
        self.conn.add_notify_handler(lambda m: self.got.append(json.loads(m.payload)))

    def events(self, n, timeout=5.0):
        waited = 0.0
        while len(self.got) < n and waited < timeout:
            select.select([self.conn.fileno()], [], [], 0.1)
            self.conn.execute("SELECT 1")
            waited += 0.1
        out = []
        for ev in self.got:
            if ev.get("ref"):
                ev = self.conn.execute("SELECT tdb_event(%s, %s)",
                                       (ev["event"], ev["#"])).fetchone()[0]
            out.append(ev)
        return out


def test_every_method_as_decoded():
    n = 20000
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".nums = range(%d); .arr = range(3000).map(|i| {n: i}); .other = 0; nil" % n)
        assert row_bytes(c) > 100000
    nums = list(range(n))
    arr = list(range(3000))
    # Reads, each in a fresh backend (the list read from its slices).
    reads = [
        (".nums.len()", len(nums)),
        (".nums[7]", 7),
        (".nums[-2]", nums[-2]),
        (".nums.index_of(12345)", 12345),
        (".nums.index_of(-5)", None),
        (".nums.map(|x| x * 2)[100:103]", [200, 202, 204]),
        (".nums.filter(|x| x % 4999 == 0)", [x for x in nums if x % 4999 == 0]),
        (".nums.find(|x| x > 15000)", 15001),
        ("s = 0; .nums.each(|x| s += x); s", sum(nums)),
        (".nums[100:105]", nums[100:105]),
        (".nums[-3:]", nums[-3:]),
        (".nums[::5000]", nums[::5000]),
        (".nums.some(|x| x == 19999)", True),
        (".nums.every(|x| x >= 0)", True),
        (".arr[1500].n", 1500),
        (".arr.map(|t| t.n).filter(|x| x % 1000 == 0)", [0, 1000, 2000]),
        (".arr.find(|t| t.n == 2999).n", 2999),
    ]
    for code, want in reads:
        res, s, _ = read(code)
        assert res == want, (code, res, want)
        assert s >= 1, (code, s)  # read by slices, not whole
    with tdbtest.connect(DB) as c:
        root = q(c, ".id()")
    w = Watcher()
    try:
        w.conn.execute("SELECT tdb_watch(%s, %s)", (root, "@:sl"))
        steps = [
            (".nums.push(-1)", n + 1, lambda: nums.append(-1),
             {"splice": {"nums": [n, 0, -1]}}),
            (".nums.pop()", -1, lambda: nums.pop(), {"splice": {"nums": [n, 1]}}),
            (".nums[5] = 'five'; .nums[5]", "five", lambda: nums.__setitem__(5, "five"),
             {"splice": {"nums": [5, 1, "five"]}}),
            (".nums.splice(10, 2, 'a', 'b', 'c')", [10, 11],
             lambda: nums.__setitem__(slice(10, 12), ["a", "b", "c"]),
             {"splice": {"nums": [10, 2, "a", "b", "c"]}}),
            (".arr[1500].n = -7; .arr[1500].n", -7, lambda: arr.__setitem__(1500, -7), None),
            (".arr[3] = {n: -3}; .arr[3].n", -3, lambda: arr.__setitem__(3, -3), None),
        ]
        for code, want, apply, job in steps:
            w.got.clear()
            with tdbtest.connect(DB) as c:
                res = q(c, code)
            assert res == want, (code, res, want)
            apply()
            if job:
                evs = w.events(1)
                assert [ev["jobs"] for ev in evs] == [[job]], (code, evs)
    finally:
        w.conn.close()
    for code, want in ((".nums.len()", len(nums)), (".nums[5]", "five"), (".nums[10:14]",
                       nums[10:14]), (".nums[-1]", nums[-1]), (".arr[1500].n", -7),
                       (".arr.map(|t| t.n)", arr)):
        res, _, _ = read(code)
        assert res == want, (code, res if not isinstance(res, list) else len(res))
    # Sorting gives a new list: compared with the same sort of the same items given as a
    # plain list; stored, it is read by slices again.
    with tdbtest.connect(DB) as c:
        q(c, ".nums = .nums.filter(|x| is_int(x)); nil")
        nums = [x for x in nums if isinstance(x, int)]
        want = c.execute("SELECT tdb_query(%s, '@:sl', %s::jsonb)",
                         ("[l.sort(|a, b| b - a), l.sort()]", json.dumps({"l": nums}))).fetchone()[0]
    res, s, _ = read("[.nums.sort(|a, b| b - a), .nums.sort()]")
    assert res == want and s >= 1, s
    with tdbtest.connect(DB) as c:
        q(c, ".nums = .nums.sort(|a, b| b - a); nil")
    for code, want in ((".nums[0]", want[0][0]), (".nums[-1]", want[0][-1]),
                       (".nums.len()", len(nums)), (".nums[777]", want[0][777])):
        res, s, _ = read(code)
        assert res == want and s >= 1, (code, res, want, s)
    # Dropped whole: the items' things go, the counts hold.
    with tdbtest.connect(DB) as c:
        check_consistent(c)
        q(c, ".arr = []; .nums = []; nil")
        check_consistent(c)
        left = c.execute("SELECT count(*) FROM thingsdb.things t JOIN thingsdb.collections c"
                         " ON c.id = t.collection WHERE c.name = 'sl'").fetchone()[0]
        assert left == 1, left


def test_rolled_back_and_in_one_transaction():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".nums = range(30000); .arr = range(100).map(|i| {n: i}); nil")
    # The row changed and read again in one transaction: the old list's slices stay
    # readable while the query holds it; what was rolled back leaves what was stored.
    with tdbtest.connect(DB, autocommit=False) as c:
        assert q(c, "x = .nums; .nums = []; .other = 1; [x[29999], x.len()]") == [29999, 30000]
        assert q(c, ".nums = range(40000); .nums[39999]") == 39999
        c.rollback()
    res, s, _ = read("[.nums[29999], .nums.len(), .has('other')]")
    assert res == [29999, 30000, False], res
    with tdbtest.connect(DB) as c:
        check_consistent(c)


def test_stored_shapes_as_read_whole():
    """Props of many shapes written by SQL (nested lists and objects, tagged values, numbers
    of every form, long strings, lists of 31, 32 and 33 items), read by slices, then the
    same row rewritten compressed and read whole: the same values."""
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".keep = {k: 1}; nil")
        keep = q(c, ".keep.id()")
        c.execute("""
            UPDATE thingsdb.things t SET props = jsonb_build_object(
                'keep', jsonb_build_object('#', %s::bigint),
                'a', 1.5, 'zz', repeat('z', 3000), 'n31', (SELECT jsonb_agg(i) FROM
                generate_series(1, 31) i), 'n32', (SELECT jsonb_agg(i * 1.25) FROM
                generate_series(1, 32) i), 'n33', (SELECT jsonb_agg(i::text) FROM
                generate_series(1, 33) i),
                'mixed', (SELECT jsonb_agg(CASE i %% 9
                    WHEN 0 THEN to_jsonb(i) WHEN 1 THEN to_jsonb(i * -0.001)
                    WHEN 2 THEN to_jsonb(repeat('s', i %% 300)) WHEN 3 THEN 'null'::jsonb
                    WHEN 4 THEN to_jsonb(i %% 2 = 0)
                    WHEN 5 THEN jsonb_build_array(i, jsonb_build_array('x', 12345678901234::bigint))
                    WHEN 6 THEN jsonb_build_object('#', %s::bigint)
                    WHEN 7 THEN jsonb_build_object('!s', jsonb_build_array(%s::bigint))
                    ELSE to_jsonb(10::numeric ^ (i %% 40)) END)
                    FROM generate_series(1, 5000) i),
                'big', (SELECT jsonb_agg(i) FROM generate_series(1, 20000) i))
            FROM thingsdb.collections c WHERE c.name = 'sl' AND t.id = c.id""",
                  (keep, keep, keep))
        c.execute("UPDATE thingsdb.things SET refs = refs + 5000 WHERE id = %s", (keep,))
        assert row_bytes(c) > 100000
    codes = [".mixed[%d]" % i for i in (0, 1, 2, 3, 4, 5, 31, 32, 33, 1000, 4998, 4999, -1)]
    codes += ["type(.mixed[5])", "type(.mixed[6])", ".mixed[5].k", ".mixed[4996].len()",
              "[.a, .zz.len(), .n31, .n32, .n33, .keep.k, .big[19999], .big.len()]",
              ".mixed.map(|x| type(x))", ".mixed.filter(|x| is_float(x)).len()",
              ".mixed[:40].map(|x| is_thing(x) ? x.k : is_set(x) ? x.len() : x)"]
    sliced = []
    for code in codes:
        res, s, _ = read(code)
        assert s >= 1, code
        sliced.append(res)
    with tdbtest.connect(DB) as c:
        c.execute("ALTER TABLE thingsdb.things ALTER COLUMN props SET STORAGE EXTENDED")
        try:
            c.execute("UPDATE thingsdb.things t SET props = props || '{}' FROM thingsdb.collections"
                      " c WHERE c.name = 'sl' AND t.id = c.id")
            for code, want in zip(codes, sliced):
                res, s, _ = read(code)
                assert s == 0, code  # read whole
                assert res == want, (code, res, want)
        finally:
            c.execute("ALTER TABLE thingsdb.things ALTER COLUMN props SET STORAGE EXTERNAL")
        fresh(c)


tdbtest.scratch_db(DB)
t.run(test_storage_is_external)
t.run(test_one_item_reads_a_bounded_part)
t.run(test_every_method_as_decoded)
t.run(test_rolled_back_and_in_one_transaction)
t.run(test_stored_shapes_as_read_whole)
tdbtest.drop_db(DB)
t.finish()
