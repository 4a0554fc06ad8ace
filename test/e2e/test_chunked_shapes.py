"""Big lists kept in chunk rows (docs/storage.md, "Big lists in chunks") in the shapes
beyond one list of one thing: items also held elsewhere, a Type's field, nested lists, a
list that shrinks below the threshold and grows again, two lists of one thing changed in
one query, a list dropped and written again in one query, concurrent writers of one list,
the garbage collector, a dump and restore. After every step the list is compared with a
Python model read in a fresh backend, and the stored references are consistent (every
reference resolves, every count matches, everything is reachable). A chunk row is never
seen as a thing: not by thing(id), not in the count of things, not by a watch."""
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
import psycopg  # noqa: E402
from reliability import check_consistent, retry  # noqa: E402

DB = "tdb_e2e_chunked_shapes"
SCOPE = "@:cs"
N = 5000  # past the threshold of 4,096 items: five chunks
t = tdbtest.Tally()
PGBIN = subprocess.check_output(["pg_config", "--bindir"], text=True).strip()


def q(conn, code, scope=SCOPE):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def fresh(conn):
    q(conn, 'if (has_collection("cs")) del_collection("cs"); new_collection("cs")', "@thingsdb")


def read(code, db=DB):
    with tdbtest.connect(db) as c:
        return q(c, code)


def chunk_rows(conn):
    return conn.execute("SELECT count(*) FROM thingsdb.things WHERE type_id = -2").fetchone()[0]


def test_items_held_elsewhere():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".arr = range(%d).map(|i| {n: i}); .also = .arr[0:10]; "
             ".one = .arr[4999]; .twice = range(%d).map(|i| .arr[i %% 7]); nil" % (N, N))
        assert chunk_rows(c) == 10, chunk_rows(c)
        check_consistent(c)
        q(c, ".arr.pop(); .arr.shift(); .arr[100] = .one; nil")
        check_consistent(c)
        assert read("[.one.n, .arr[-1].n, .arr[0].n, .arr[100].n, .arr.len()]") == \
            [4999, 4998, 1, 4999, N - 2]
        q(c, ".arr = []; nil")  # the chunks go; the items held elsewhere stay
        check_consistent(c)
        assert read("[.also.map(|t| t.n), .one.n, .twice[6].n]") == [list(range(10)), 4999, 6]
        assert chunk_rows(c) == 5
        q(c, ".twice.clear(); nil")
        check_consistent(c)
        assert chunk_rows(c) == 0


def test_typed_field_and_nested_lists():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, "new_type('T'); set_type('T', {items: '[int]', name: 'str'}); "
             ".t = T{items: range(%d), name: 'x'}; "
             ".nest = range(%d).map(|i| [i, [i, 'x']]); nil" % (N, N))
        model = list(range(N))
        for code, apply in ((".t.items[2500] = -1", lambda: model.__setitem__(2500, -1)),
                            (".t.items.push(7, 8)", lambda: model.extend([7, 8])),
                            (".t.items.splice(10, 3000)", lambda: model.__delitem__(
                                slice(10, 3010)))):
            q(c, code + "; nil")
            apply()
            assert read(".t.items") == model, code
            assert read("type_count('T')") == 1
        try:
            q(c, ".t.items.push('no')")
            raise AssertionError("a str went into [int]")
        except psycopg.DatabaseError as e:
            assert "type_err" in str(e) or "type" in str(e), e
        assert read(".t.items.len()") == len(model)
        assert read("[.nest[4321], .nest[-1][1][1]]") == [[4321, [4321, "x"]], "x"]
        q(c, ".nest[4321] = [0]; .nest.push([1, [2]]); nil")
        assert read("[.nest[4321], .nest[-1], .nest.len()]") == [[0], [1, [2]], N + 1]
        check_consistent(c)


def test_shrinks_and_grows_again():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".s = range(%d).map(|i| {n: i}); nil" % N)
        model = list(range(N))
        q(c, ".s.splice(5, %d); nil" % (N - 10))
        del model[5:N - 5]
        assert read(".s.map(|t| t.n)") == model
        check_consistent(c)
        q(c, ".s.extend(range(6000).map(|i| {n: -i})); nil")
        model += [-i for i in range(6000)]
        assert read(".s.map(|t| t.n)") == model
        check_consistent(c)
        while len(model) > 3:  # pops across every chunk, each one emptied in turn
            q(c, "range(1000).each(|| .s.len() > 3 && .s.pop()); nil")
            del model[max(3, len(model) - 1000):]
        assert read(".s.map(|t| t.n)") == model
        check_consistent(c)
        q(c, ".s = .s.map(|t| t); .s.extend(range(5000).map(|i| {n: i})); nil")
        model += list(range(5000))
        assert read(".s.map(|t| t.n)") == model
        check_consistent(c)


def test_two_lists_and_rewritten_in_one_query():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".a = range(%d); .b = range(%d).map(|i| {n: i}); nil" % (N, N))
        q(c, ".a.push(-1); .b.pop(); .a[0] = 'a'; .b[0] = {n: 'b'}; .b.unshift({n: 'u'}); nil")
        assert read("[.a[0], .a[-1], .a.len(), .b[0].n, .b[1].n, .b.len()]") == \
            ["a", -1, N + 1, "u", "b", N]
        check_consistent(c)
        q(c, ".del('b'); .b = range(%d).map(|i| {n: i * 2}); .b.push({n: 0}); "
             ".a = []; .a = range(4200); nil" % N)
        assert read("[.b[10].n, .b.len(), .a.len(), .a[4199]]") == [20, N + 1, 4200, 4199]
        check_consistent(c)
        assert chunk_rows(c) == 5 + 5  # the old ones went


def test_parent_dropped_and_list_copied():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".p = {arr: range(%d).map(|i| {n: i})}; .keep = .p.arr[7]; nil" % N)
        assert chunk_rows(c) == 5
        q(c, ".copy = .p.arr; .copy.push({n: -1}); .p.arr.pop(); nil")
        check_consistent(c)
        assert read("[.copy.len(), .copy[-1].n, .p.arr.len(), .p.arr[-1].n]") == \
            [N + 1, -1, N - 1, N - 2]
        q(c, ".del('p'); nil")  # the parent goes, its chunks, the items only it held
        check_consistent(c)
        assert read("[.copy.len(), .keep.n, .copy[7] == .keep]") == [N + 1, 7, True]
        q(c, ".del('copy'); nil")
        check_consistent(c)
        assert chunk_rows(c) == 0
        assert read(".keep.n") == 7


def test_never_a_thing():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".arr = range(%d); nil" % N)
        ids = [r[0] for r in c.execute(
            "SELECT id FROM thingsdb.things WHERE type_id = -2 ORDER BY id").fetchall()]
        assert len(ids) == 5
        for i in ids:
            try:
                got = q(c, "thing(%d)" % i)
                raise AssertionError("thing(%d) of a chunk gave %r" % (i, got))
            except psycopg.DatabaseError as e:
                assert "lookup_err" in str(e), e
            try:
                c.execute("SELECT tdb_watch(%s, %s)", (i, SCOPE))
                raise AssertionError("a chunk was watched")
            except psycopg.DatabaseError as e:
                assert "lookup_err" in str(e) or "not found" in str(e), e
        info = q(c, "collection_info('cs').load().things", "@thingsdb")
        assert info == 1, info  # the root only


def test_concurrent_writers():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".arr = range(%d); nil" % N)
    errors = []

    def writer(k):
        try:
            with tdbtest.connect(DB) as w:
                for j in range(15):
                    retry(w, "SELECT tdb_query(%s, %s)",
                          (".arr.push(%d); .arr[%d] = %d; nil" % (100000 + k * 100 + j,
                                                                 k * 1000 + j, -k), SCOPE))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    got = read(".arr")
    assert len(got) == N + 60
    assert sorted(got[N:]) == sorted(100000 + k * 100 + j for k in range(4) for j in range(15))
    for k in range(4):
        assert got[k * 1000:k * 1000 + 15] == [-k] * 15
    with tdbtest.connect(DB) as c:
        check_consistent(c)


def test_gc_and_dump():
    with tdbtest.connect(DB) as c:
        fresh(c)
        q(c, ".arr = range(%d).map(|i| {n: i}); .arr[0].me = .arr[0]; nil" % N)
        c.execute("SELECT tdb_collect_garbage('cs')")
        check_consistent(c)
        assert read(".arr.map(|t| t.n).reduce(|a, b| a + b)") == sum(range(N))
        q(c, "x = .arr[0]; .arr.shift(); nil")  # the self-cycle is cut off
        deleted = c.execute("SELECT tdb_collect_garbage('cs')").fetchone()[0]
        assert deleted == 1, deleted
        check_consistent(c)
    dump = os.path.join(os.environ.get("TMPDIR", "/tmp"), "tdb_chunked_shapes.dump")
    env = dict(os.environ, PGHOST=tdbtest.HOST, PGPORT=str(tdbtest.PORT), PGUSER="postgres")
    subprocess.run([os.path.join(PGBIN, "pg_dump"), "-Fc", "-f", dump, DB], check=True, env=env)
    with tdbtest.connect("postgres") as c:
        c.execute("DROP DATABASE IF EXISTS %s_r WITH (FORCE)" % DB)
        c.execute("CREATE DATABASE %s_r" % DB)
    subprocess.run([os.path.join(PGBIN, "pg_restore"), "-j", "2", "-d", DB + "_r", dump],
                   check=True, env=env)
    os.unlink(dump)
    assert read(".arr.map(|t| t.n)", DB + "_r") == list(range(1, N))
    with tdbtest.connect(DB + "_r") as c:
        q(c, ".arr.push({n: 0}); .arr[10] = {n: 10}; nil")
        check_consistent(c)
    tdbtest.drop_db(DB + "_r")


tdbtest.scratch_db(DB)
t.run(test_items_held_elsewhere)
t.run(test_typed_field_and_nested_lists)
t.run(test_shrinks_and_grows_again)
t.run(test_two_lists_and_rewritten_in_one_query)
t.run(test_parent_dropped_and_list_copied)
t.run(test_never_a_thing)
t.run(test_concurrent_writers)
t.run(test_gc_and_dump)
tdbtest.drop_db(DB)
t.finish()
