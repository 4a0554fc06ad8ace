"""Big lists (past the chunking threshold of docs/storage.md, "Big lists in chunks") behave
as the same lists held whole: every list method, indexes (negative ones too), slices, len,
the closures over items, assignment of the whole list, each checked step by step against
a Python model of the list in a fresh backend (the list read back from storage every time);
every change sends the watch event ThingsDB sends; the references of the items are counted
and collected; a change undone by a later error of the same query, and by a backend killed
in the middle of writing, leaves the list as it was. A one-item change writes a bounded
number of bytes (WAL, a counter; never timed) once the lists are kept in chunks."""
import json
import os
import select
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
import psycopg  # noqa: E402
from reliability import PrivateCluster, check_consistent  # noqa: E402

DB = "tdb_e2e_chunked_lists"
SCOPE = "@:cl"
N = 6000  # past the threshold (4,096 items) and several chunks of 1,024
t = tdbtest.Tally()


def q(conn, code, scope=SCOPE):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def fresh(conn):
    q(conn, 'if (has_collection("cl")) del_collection("cl"); new_collection("cl")', "@thingsdb")


def read(code):
    """code's result in a fresh backend: nothing of the list is cached."""
    with tdbtest.connect(DB) as c:
        return q(c, code)


class Watcher:
    def __init__(self, thing_id):
        self.conn = tdbtest.connect(DB)
        self.got = []
        self.conn.add_notify_handler(lambda m: self.got.append(json.loads(m.payload)))
        self.conn.execute("SELECT tdb_watch(%s, %s)", (thing_id, SCOPE))

    def jobs(self, want, timeout=5.0):
        """The jobs of the events that arrived, once `want` events did (or the time ran out)."""
        waited = 0.0
        while len(self.got) < want and waited < timeout:
            select.select([self.conn.fileno()], [], [], 0.1)
            self.conn.execute("SELECT 1")
            waited += 0.1
        out = []
        for ev in self.got:
            if ev.get("ref"):
                ev = self.conn.execute("SELECT tdb_event(%s, %s)",
                                       (ev["event"], ev["#"])).fetchone()[0]
            out.append(ev["jobs"])
        self.got.clear()
        return out


def splice_job(i, d, ins=()):
    return {"splice": {"nums": [i, d] + list(ins)}}


def check_reads(nums):
    """Reads of every kind against the model, each in a fresh backend."""
    n = len(nums)
    reads = [
        (".nums.len()", n),
        (".nums[0]", nums[0]),
        (".nums[%d]" % (n // 2), nums[n // 2]),
        (".nums[-1]", nums[-1]),
        (".nums[-%d]" % n, nums[-n]),
        (".nums[1023:1026]", nums[1023:1026]),
        (".nums[-5:]", nums[-5:]),
        (".nums[::997]", nums[::997]),
        (".nums[%d:%d]" % (n - 1030, n - 1020), nums[n - 1030:n - 1020]),
        (".nums.first()", nums[0]),
        (".nums.last()", nums[-1]),
        (".nums.index_of(%s)" % json.dumps(nums[3000]), nums.index(nums[3000])),
        (".nums.has(-123456)", -123456 in nums),
        (".nums.map(|x| is_int(x) ? x * 2 : x)[2040:2050]",
         [x * 2 if isinstance(x, int) else x for x in nums[2040:2050]]),
        (".nums.filter(|x| is_int(x) && x >= 0 && x % 1000 == 7)",
         [x for x in nums if isinstance(x, int) and x >= 0 and x % 1000 == 7]),
        (".nums.find(|x| is_int(x) && x > 4500)",
         next((x for x in nums if isinstance(x, int) and x > 4500), None)),
        (".nums.find_index(|x| x == %s)" % json.dumps(nums[5000]), nums.index(nums[5000])),
        ("s = 0; .nums.each(|x| if (is_int(x)) s += x); s",
         sum(x for x in nums if isinstance(x, int))),
        (".nums.count(|x| is_str(x))", sum(1 for x in nums if isinstance(x, str))),
        (".nums.reverse()[0:3]", nums[::-1][0:3]),
        (".nums.filter(|x| is_int(x)).sort()[-3:]", sorted(x for x in nums
                                                           if isinstance(x, int))[-3:]),
        (".nums", nums),
    ]
    for code, want in reads:
        got = read(code)
        assert got == want, (code, got if not isinstance(got, list) else len(got), want
                             if not isinstance(want, list) else len(want))


def test_every_method_against_a_model():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".nums = range(%d); nil" % N)
        root = q(c, ".id()")
    nums = list(range(N))
    check_reads(nums)
    w = Watcher(root)
    try:
        def removed_where(pred, limit=None):
            """remove(): the first `limit` items where pred holds go; one job per item, from
            the last one back."""
            ks = [k for k, x in enumerate(nums) if pred(x)][:limit]
            want = [nums[k] for k in ks]
            for k in reversed(ks):
                del nums[k]
            return want, [splice_job(k, 1) for k in reversed(ks)]

        def edit(i, d, ins=()):
            """A splice of the model: (the items removed, the job)."""
            i = i if i >= 0 else len(nums) + i
            want = nums[i:i + d]
            nums[i:i + d] = list(ins)
            return want, [splice_job(i, d, ins)]

        def grown(i, ins):
            edit(i, 0, ins)
            return len(nums), [splice_job(i, 0, ins)]

        def popped(i):
            want, jobs = edit(i, 1)
            return want[0], jobs

        def set_at(i, x):
            edit(i, 1, [x])
            return x, [splice_job(i if i >= 0 else len(nums) + i, 1, [x])]

        # (code, a function that changes the model: the result and the event's jobs)
        steps = [
            (".nums.push('p1', 'p2')", lambda: grown(len(nums), ["p1", "p2"])),
            (".nums.pop()", lambda: popped(len(nums) - 1)),
            (".nums.shift()", lambda: popped(0)),
            (".nums.unshift(-1, -2)", lambda: grown(0, [-1, -2])),
            # Across the border of two chunks, and inside one.
            (".nums.splice(1020, 10, 'a', 'b')", lambda: edit(1020, 10, ["a", "b"])),
            (".nums.splice(3000, 0, 's1', 's2', 's3')", lambda: edit(3000, 0, ["s1", "s2", "s3"])),
            (".nums.splice(-3, 2)", lambda: edit(-3, 2)),
            (".nums[2500] = 'x'", lambda: set_at(2500, "x")),
            (".nums[-7] = 'y'", lambda: set_at(-7, "y")),
            (".nums.extend(range(5))", lambda: grown(len(nums), list(range(5)))),
            (".nums.extend_unique([0, 1, -99, -99])",
             lambda: grown(len(nums), [x for x in (0, -99) if x not in nums])),
            # A hundred items of one or two chunks.
            (".nums.remove(|x| is_int(x) && x >= 4000 && x < 4100)",
             lambda: removed_where(lambda x: isinstance(x, int) and 4000 <= x < 4100)),
            (".nums.remove(|x| is_str(x), 2)",
             lambda: removed_where(lambda x: isinstance(x, str), 2)),
            # 2,000 items in the middle: whole chunks out.
            (".nums.splice(1500, 2000)", lambda: edit(1500, 2000)),
            (".nums.splice(1500, 0, ...)".replace("...", ", ".join(str(-k) for k in range(1, 2501))),
             lambda: edit(1500, 0, [-k for k in range(1, 2501)])),
        ]
        for code, change in steps:
            want, jobs = change()
            with tdbtest.connect(DB) as c:
                got = q(c, code)
            assert got == want, (code[:60], got, want)
            got_jobs = w.jobs(1)
            assert got_jobs == [jobs], (code[:60], got_jobs, jobs)
            assert read(".nums.len()") == len(nums), code[:60]
        check_reads(nums)
        # fill and clear rewrite every item: one job each.
        with tdbtest.connect(DB) as c:
            q(c, ".nums.fill(7); nil")
        m = len(nums)
        assert w.jobs(1) == [[splice_job(0, m, [7] * m)]]
        nums = [7] * m
        check_reads(nums)
        with tdbtest.connect(DB) as c:
            q(c, ".nums = range(%d); nil" % N)
        assert w.jobs(1) == [[{"set": {"nums": list(range(N))}}]]
        nums = list(range(N))
        with tdbtest.connect(DB) as c:
            assert q(c, ".nums.clear()") is None
        assert w.jobs(1) == [[splice_job(0, N)]]
        assert read(".nums") == []
        # A list assigned empty grows past the threshold again by pushes.
        with tdbtest.connect(DB) as c:
            for k in range(0, N, 1500):
                q(c, ".nums.extend(range(%d, %d)); nil" % (k, min(k + 1500, N)))
        w.jobs(4)
        check_reads(list(range(N)))
    finally:
        w.conn.close()


def test_items_counted_and_collected():
    """Things as items: their reference counts follow every change and a dropped item
    goes, whether one, a run across chunks or the whole list."""
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".arr = range(%d).map(|i| {n: i}); .keep = .arr[10]; nil" % N)
        arr = list(range(N))
        for code, apply in (
                (".arr[100] = {n: -100}", lambda: arr.__setitem__(100, -100)),
                (".arr.splice(1000, 50, {n: -1}, {n: -2})",
                 lambda: arr.__setitem__(slice(1000, 1050), [-1, -2])),
                (".arr.pop()", lambda: arr.pop()),
                (".arr.push(.keep)", lambda: arr.append(10)),
                (".arr.shift()", lambda: arr.pop(0)),
                (".arr.remove(|t| t.n % 500 == 3)",
                 lambda: arr.__setitem__(slice(None), [x for x in arr if x % 500 != 3])),
                (".arr[-1] = .arr[0]", lambda: arr.__setitem__(-1, arr[0]))):
            q(c, code + "; nil")
            apply()
            check_consistent(c)
        assert read(".arr.map(|t| t.n)") == arr
        things = lambda: c.execute(  # noqa: E731
            "SELECT count(*) FROM thingsdb.things t JOIN thingsdb.collections c"
            " ON c.id = t.collection WHERE c.name = 'cl'"
            " AND t.type_id IS DISTINCT FROM -2").fetchone()[0]  # no chunk row
        distinct = len(set(arr))
        assert things() == 1 + distinct, (things(), distinct)
        q(c, ".arr = []; nil")
        check_consistent(c)
        assert things() == 2  # the root and .keep
        assert read(".keep.n") == 10


def test_rolled_back_by_a_later_error():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".nums = range(%d); .arr = range(%d).map(|i| {n: i}); nil" % (N, N))
        for code in (".nums[10] = 'z'", ".nums.push(1)", ".nums.splice(1000, 100)",
                     ".arr[5] = {n: -5}", ".arr.pop()", ".nums = []", ".nums.clear()"):
            try:
                q(c, code + "; raise('after the change')")
                raise AssertionError("no error: " + code)
            except psycopg.DatabaseError as e:
                assert "after the change" in str(e), (code, e)
        assert read(".nums") == list(range(N))
        assert read(".arr.map(|t| t.n)") == list(range(N))
    # In one transaction: changed, read back, then rolled back.
    with tdbtest.connect(DB, autocommit=False) as c:
        q(c, ".nums[3000] = 'a'; .nums.push('b'); nil")
        assert q(c, "[.nums[3000], .nums[-1], .nums.len()]") == ["a", "b", N + 1]
        c.rollback()
    assert read("[.nums[3000], .nums[-1], .nums.len()]") == [3000, N - 1, N]
    with tdbtest.connect(DB) as c:
        check_consistent(c)


def test_one_item_change_writes_bounded_bytes():
    big = 200000
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".nums = []; nil")
        for k in range(0, big, 100000):
            q(c, ".nums.extend(range(%d, %d)); nil" % (k, k + 100000))
        for code in (".nums[%d] = -1" % (big // 2), ".nums.push(1)", ".nums.pop()",
                     ".nums.splice(%d, 1, 'a')" % (big // 3)):
            before = c.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
            q(c, code + "; nil")
            wal = c.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s)",
                            (before,)).fetchone()[0]
            # One chunk of about 1,024 items (some 10 kB) and the event, with page images:
            # the row of 200,000 items is over a megabyte.
            assert wal < 96 * 1024, (code, wal)


def test_crash_mid_write():
    """A backend killed while it writes a change of a big list: after recovery the list is
    the one before or the one after, never a mix, and the collection is consistent."""
    cluster = PrivateCluster()
    try:
        cluster.scratch_db("chunks")
        with cluster.connect("chunks") as c:
            q(c, ".arr = range(%d).map(|i| {n: i}); nil" % N, "@:stuff")
        change = (".arr.splice(500, 3000); .arr.extend(range(20000).map(|i| {n: -i})); "
                  ".arr.each(|t| t.n += 0); nil")
        with cluster.connect("chunks", autocommit=False) as c:
            t0 = time.time()
            q(c, change, "@:stuff")
            took = time.time() - t0
            c.rollback()
        before = list(range(N))
        after = list(range(500)) + list(range(3500, N)) + [-i for i in range(20000)]
        for frac in (0.3, 0.7, 0.95):
            conn = cluster.connect("chunks", autocommit=False)
            pid = conn.info.backend_pid
            since = len(cluster.log())
            killed = []
            timer = threading.Timer(took * frac, lambda: (killed.append(1),
                                                          os.kill(pid, signal.SIGKILL)))
            timer.start()
            try:
                q(conn, change, "@:stuff")
                conn.commit()
            except psycopg.OperationalError:
                pass
            timer.cancel()
            timer.join()
            conn.close()
            with (cluster.wait_crash_restart("chunks", since) if killed
                  else cluster.connect("chunks")) as c:
                check_consistent(c)
                got = q(c, ".arr.map(|t| t.n)", "@:stuff")
                assert got in (before, after), len(got)
                q(c, ".arr = range(%d).map(|i| {n: i}); nil" % N, "@:stuff")
    finally:
        cluster.close()


tdbtest.scratch_db(DB)
t.run(test_every_method_against_a_model)
t.run(test_items_counted_and_collected)
t.run(test_rolled_back_by_a_later_error)
t.run(test_one_item_change_writes_bounded_bytes)
t.run(test_crash_mid_write)
tdbtest.drop_db(DB)
t.finish()
