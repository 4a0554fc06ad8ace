"""Concurrency: many clients on one counter, one list and one Type
lose nothing, and sessions that change different things do not wait for each
other. At READ COMMITTED a concurrent update of the same thing makes the
query run again (docs/sql.md, "Concurrency"); the clients here still retry
what fails, test_writers_wait.py shows that nothing does.

CI runs a reduced load; TDB_RELIABILITY_FULL=1 runs the issue's figures
(8 clients x 2,000 increments)."""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
from reliability import check_consistent, retry, scaled  # noqa: E402

DB = "tdb_e2e_concurrency"
CLIENTS = 8
INCREMENTS = scaled(2000, 200)   # per client
PUSHES = scaled(500, 80)         # per client
t = tdbtest.Tally()


def q(conn, code, vars=None):
    return conn.execute("SELECT tdb_query(%s, NULL, %s)",
                        (code, None if vars is None else psycopg_json(vars))).fetchone()[0]


def psycopg_json(v):
    from psycopg.types.json import Jsonb
    return Jsonb(v)


def run_clients(n, fn):
    """Runs fn(i) in n threads (one connection each); re-raises the first
    error of any of them."""
    errors = []

    def body(i):
        try:
            fn(i)
        except BaseException as e:   # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]


def setup():
    tdbtest.scratch_db(DB)
    with tdbtest.connect(DB) as c:
        q(c, ".counter = 0; .items = []; new_procedure('inc', || .counter += 1); nil")


def test_counter_through_procedure():
    results = [[] for _ in range(CLIENTS)]
    retries = [0] * CLIENTS

    def client(i):
        with tdbtest.connect(DB) as c:
            for _ in range(INCREMENTS):
                row, n = retry(c, "SELECT tdb_run('inc')")
                results[i].append(row[0])
                retries[i] += n

    start = time.time()
    run_clients(CLIENTS, client)
    took = time.time() - start
    calls = CLIENTS * INCREMENTS
    with tdbtest.connect(DB) as c:
        assert q(c, ".counter") == calls
        check_consistent(c)
    # Every committed call saw its own value: no two increments were merged.
    seen = sorted(v for r in results for v in r)
    assert seen == list(range(1, calls + 1)), "increments lost or doubled"
    print("     %d clients x %d increments: %d committed in %.1f s (%.0f/s), %d retried 40001"
          % (CLIENTS, INCREMENTS, calls, took, calls / took, sum(retries)))


def test_concurrent_pushes_lose_nothing():
    retries = [0] * CLIENTS

    def client(i):
        with tdbtest.connect(DB) as c:
            for k in range(PUSHES):
                _, n = retry(c, "SELECT tdb_query('.items.push(x); nil', NULL, %s)",
                             (psycopg_json({"x": i * 100000 + k}),))
                retries[i] += n

    run_clients(CLIENTS, client)
    with tdbtest.connect(DB) as c:
        items = q(c, ".items")
        check_consistent(c)
    want = sorted(i * 100000 + k for i in range(CLIENTS) for k in range(PUSHES))
    assert sorted(items) == want, "lost %d, doubled %d" % (
        len(set(want) - set(items)), len(items) - len(set(items)))
    # Each client's items keep its own order.
    for i in range(CLIENTS):
        mine = [x for x in items if x // 100000 == i]
        assert mine == sorted(mine)
    print("     %d clients x %d pushes: none lost, %d retried 40001"
          % (CLIENTS, PUSHES, sum(retries)))


def test_mod_type_during_writes():
    with tdbtest.connect(DB) as c:
        q(c, "new_type('P'); set_type('P', {name: 'str', age: 'int'}); "
             ".people = range(20).map(|i| P{name: str(i), age: i}); nil")
    stop = threading.Event()
    ROUNDS = scaled(30, 10)
    writes = [0]
    mod_retries = [0]

    def writer(i):
        with tdbtest.connect(DB) as c:
            k = 0
            while not stop.is_set():
                k += 1
                # A steady load (not a flood: a change of every instance
                # must find a moment between two writes), the list bounded.
                retry(c, "SELECT tdb_query('.people[i].age += 1; .people.push(P{name: \"w\", age: 0});"
                         " if (.people.len() > 40) .people.shift(); nil', NULL, %s)",
                      (psycopg_json({"i": (i * 7 + k) % 20}),))
                writes[0] += 1
                time.sleep(0.01)

    def modder():
        with tdbtest.connect(DB) as c:
            for r in range(ROUNDS):
                for code in ("mod_type('P', 'add', 'email', 'str', 'none')",
                             "mod_type('P', 'mod', 'age', 'int?', |p| p.age)",
                             "mod_type('P', 'mod', 'age', 'int', |p| p.age || 0)",
                             "mod_type('P', 'del', 'email')"):
                    _, n = retry(c, "SELECT tdb_query(%s)", (code + "; nil",))
                    mod_retries[0] += n
        stop.set()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(3)]
    for th in threads:
        th.start()
    try:
        modder()
    finally:
        stop.set()
        for th in threads:
            th.join()
    with tdbtest.connect(DB) as c:
        check_consistent(c)
        fields = c.execute("""
            SELECT array_agg(f->>0 ORDER BY f->>0), min(t.type_id)
            FROM thingsdb.types t, jsonb_array_elements(t.definition->'fields') f
            WHERE t.name = 'P'""").fetchone()
        assert fields[0] == ["age", "name"], fields
        bad = c.execute("""
            SELECT id, props FROM thingsdb.things
            WHERE type_id = %s AND (NOT props ?& array['age', 'name']
                   OR (SELECT count(*) FROM jsonb_object_keys(props)) <> 2
                   OR jsonb_typeof(props->'age') <> 'number'
                   OR jsonb_typeof(props->'name') <> 'string')
            LIMIT 5""", (fields[1],)).fetchall()
        assert not bad, bad
        n = q(c, ".people.len()")
        assert q(c, ".people.every(|p| is_int(p.age) && is_str(p.name) && !p.has('email'))")
        print("     %d mod_type calls (%d retried 40001) during %d writes; %d instances valid"
              % (ROUNDS * 4, mod_retries[0], writes[0], n))


def instances_valid(c, type_name):
    """Every stored instance of the Type has exactly its fields, seen in one
    snapshot with the definition; returns the number of instances."""
    c.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    try:
        fields, tid = c.execute("""
            SELECT array_agg(f->>0 ORDER BY f->>0), min(t.type_id)
            FROM thingsdb.types t, jsonb_array_elements(t.definition->'fields') f
            WHERE t.name = %s""", (type_name,)).fetchone()
        bad = c.execute("""
            SELECT id, props FROM thingsdb.things
            WHERE type_id = %s
              AND (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(props) k) <> %s::text[]
            LIMIT 5""", (tid, fields)).fetchall()
        n = c.execute("SELECT count(*) FROM thingsdb.things WHERE type_id = %s", (tid,)).fetchone()[0]
    finally:
        c.execute("COMMIT")
    assert not bad, "instances of %s not of the fields %r: %r" % (type_name, fields, bad)
    return n


def test_mod_type_under_write_flood():
    """mod_type while 4 writers change and create instances without pause:
    mod_type takes the collection's lock exclusive (Storage::lock_collection),
    so it waits for the running writes instead of failing on them, and a writer
    never stores an instance of the old shape."""
    with tdbtest.connect(DB) as c:
        q(c, "new_type('F'); set_type('F', {name: 'str', age: 'int'}); "
             ".flood = range(20).map(|i| F{name: str(i), age: i}); nil")
    stop = threading.Event()
    writes = [0]
    steps = ["mod_type('F', 'add', 'email', 'str', 'none')",
             "mod_type('F', 'mod', 'age', 'int?', |f| f.age)",
             "mod_type('F', 'add', 'score', 'float', |f| f.age * 1.5)",
             "mod_type('F', 'mod', 'age', 'int', |f| f.age || 0)",
             "mod_type('F', 'del', 'email')",
             "mod_type('F', 'del', 'score')"]
    rounds = scaled(10, 3)
    per_call = []   # (retries, seconds)

    def writer(i):
        with tdbtest.connect(DB) as c:
            k = 0
            while not stop.is_set():
                k += 1
                retry(c, "SELECT tdb_query('.flood[i].age += 1; .flood.push(F{name: \"w\", age: 0});"
                         " if (.flood.len() > 40) .flood.shift(); nil', NULL, %s)",
                      (psycopg_json({"i": (i * 7 + k) % 20}),))
                writes[0] += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    try:
        time.sleep(0.5)   # the flood is on
        with tdbtest.connect(DB) as c:
            c.execute("SET statement_timeout = '60s'")
            for _ in range(rounds):
                for code in steps:
                    start = time.time()
                    _, n = retry(c, "SELECT tdb_query(%s)", (code + "; nil",), tries=5)
                    per_call.append((n, time.time() - start))
                    instances_valid(c, "F")
    finally:
        stop.set()
        for th in threads:
            th.join()
    with tdbtest.connect(DB) as c:
        check_consistent(c)
        n = instances_valid(c, "F")
        assert q(c, ".flood.every(|f| is_int(f.age) && is_str(f.name) && f.keys().len() == 2)")
    retries = sum(r for r, _ in per_call)
    # With the lock a mod_type never meets a concurrent write of an instance.
    assert retries == 0, "mod_type retried %d times" % retries
    print("     %d mod_type calls under 4 writers without pause (%d writes): %d retried 40001,"
          " slowest %.0f ms, mean %.0f ms; %d instances valid after every call"
          % (len(per_call), writes[0], retries, max(s for _, s in per_call) * 1000,
             sum(s for _, s in per_call) / len(per_call) * 1000, n))


def test_different_things_do_not_block():
    with tdbtest.connect(DB) as c:
        q(c, ".a = {n: 0}; .b = {n: 0}; nil")
    holder = tdbtest.connect(DB, autocommit=False)
    other = tdbtest.connect(DB)
    try:
        # holder keeps an open transaction that changed .a (its row locked).
        q(holder, ".a.n += 1; .a.new = {}; nil")
        other.execute("SET statement_timeout = '5s'")
        worst = 0.0
        for _ in range(50):
            start = time.time()
            q(other, ".b.n += 1; .b.list = [{}]; nil")
            worst = max(worst, time.time() - start)
        assert worst < 0.5, "a change of .b waited %.2f s for a change of .a" % worst
        holder.commit()
        assert q(other, "[.a.n, .b.n]") == [1, 50]
        check_consistent(other)
    finally:
        holder.close()
        other.close()
    # Two writers in a loop on different things: no conflicts at all.
    conflicts = [0, 0]
    worst = [0.0, 0.0]

    def client(i):
        with tdbtest.connect(DB) as c:
            for _ in range(scaled(1000, 200)):
                start = time.time()
                _, n = retry(c, "SELECT tdb_query(%s)", ((".a" if i else ".b") + ".n += 1",))
                worst[i] = max(worst[i], time.time() - start)
                conflicts[i] += n

    run_clients(2, client)
    assert conflicts == [0, 0], conflicts
    assert max(worst) < 1.0, worst
    print("     two writers on different things: 0 conflicts, slowest call %.0f ms" % (max(worst) * 1000))


def wait_until_blocked(watcher, app_name, timeout=10.0):
    """Waits until the backend of application_name app_name waits for a lock."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        n = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'",
            (app_name,)).fetchone()[0]
        if n:
            return
        time.sleep(0.02)
    raise AssertionError("%s never waited for a lock" % app_name)


def test_del_collection_races_insert():
    """things.collection has no foreign key; the extension locks the
    collection row FOR KEY SHARE before it inserts things, as the key's check
    did. A writer that meets an uncommitted del_collection waits for it and
    then finds the collection gone (TD054), and a del_collection that meets
    an uncommitted writer waits for it and then deletes its things too:
    either way no thing is left without its collection."""
    import psycopg
    with tdbtest.connect(DB) as c:
        c.execute("SELECT tdb_query('new_collection(\"race1\"); new_collection(\"race2\"); nil', '@thingsdb')")
        ids = dict(c.execute("SELECT name, id FROM thingsdb.collections WHERE name LIKE 'race_'").fetchall())

    # 1. del_collection first, the writer waits and fails.
    deleter = tdbtest.connect(DB, autocommit=False)
    deleter.execute("SELECT tdb_query('del_collection(\"race1\")', '@thingsdb')")
    result = {}

    def writer():
        with psycopg.connect(tdbtest.dsn(DB) + " application_name=race_writer", autocommit=True) as w:
            try:
                w.execute("SELECT tdb_query('.items = [{n: 1}, {n: 2}]; nil', '@:race1')")
                result["ok"] = True
            except psycopg.Error as e:
                result["sqlstate"] = e.sqlstate
                result["message"] = e.diag.message_primary

    th = threading.Thread(target=writer)
    th.start()
    with tdbtest.connect(DB) as watcher:
        wait_until_blocked(watcher, "race_writer")
    deleter.commit()
    th.join(10)
    deleter.close()
    assert result.get("sqlstate") == "TD054", result
    assert result["message"] == "`collection:%d` not found" % ids["race1"], result

    # 2. The writer first (uncommitted), del_collection waits and deletes
    # what it wrote.
    writer_conn = tdbtest.connect(DB, autocommit=False)
    writer_conn.execute("SELECT tdb_query('.items = [{n: 1}, {n: 2}]; nil', '@:race2')")
    done = {}

    def deleter2():
        with psycopg.connect(tdbtest.dsn(DB) + " application_name=race_deleter", autocommit=True) as d:
            d.execute("SELECT tdb_query('del_collection(\"race2\")', '@thingsdb')")
            done["ok"] = True

    th = threading.Thread(target=deleter2)
    th.start()
    with tdbtest.connect(DB) as watcher:
        wait_until_blocked(watcher, "race_deleter")
    writer_conn.commit()
    writer_conn.close()
    th.join(10)
    assert done.get("ok"), done
    with tdbtest.connect(DB) as c:
        orphans = c.execute("SELECT count(*) FROM thingsdb.things t WHERE NOT EXISTS "
                            "(SELECT 1 FROM thingsdb.collections c WHERE c.id = t.collection)").fetchone()[0]
        assert orphans == 0, orphans
    print("     writer after del_collection: TD054; del_collection after writer: its things deleted; 0 orphans")


def wait_until_active(watcher, app_name, timeout=10.0):
    """Waits until the backend of application_name app_name runs a statement."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        n = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND state = 'active'",
            (app_name,)).fetchone()[0]
        if n:
            return
        time.sleep(0.01)
    raise AssertionError("%s never ran" % app_name)


# About a second of work between a query's reads (4 ms per reduce here).
BUSY = "range(300).map(|_| range(100000).reduce(|a, b| a + b));"


def run_during(code, change):
    """Runs `code` in a session of its own and, while it runs (between its
    reads, see BUSY), `change` in another; returns the first one's result,
    or its error as "SQLSTATE message"."""
    import psycopg
    result = {}

    def runner():
        with psycopg.connect(tdbtest.dsn(DB) + " application_name=snap_reader", autocommit=True) as r:
            try:
                result["got"] = q(r, code)
            except psycopg.Error as e:
                result["got"] = "%s %s" % (e.sqlstate, e.diag.message_primary)

    th = threading.Thread(target=runner)
    th.start()
    with tdbtest.connect(DB) as watcher:
        wait_until_active(watcher, "snap_reader")
        time.sleep(0.2)   # the first session has done its first reads by now
        q(watcher, change)
        still_running = watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'snap_reader' "
            "AND state = 'active'").fetchone()[0]
    th.join(30)
    assert still_running == 1, "the query ended before the change committed: the test proves nothing"
    return result.get("got")


def test_one_snapshot_per_query():
    """A query reads as of one moment: what another session commits while the
    query runs is not half seen. The reader reads one thing, works, then reads
    others (loaded only then) while a writer changes both and deletes a list's
    items in between: the reader sees the values from before, and the deleted
    items with their properties (once it read them as a missing thing with no
    properties: a lookup_err), and the next query sees the writer's state."""
    with tdbtest.connect(DB) as c:
        q(c, ".snap_a = {v: {n: 1}}; .snap_b = {v: {n: 1}}; .snap_l = [{age: 6}, {age: 7}]; nil")
    got = run_during("a = .snap_a.v.n; l = .snap_l; " + BUSY + " [a, .snap_b.v.n, l.map(|t| t.age)];",
                     ".snap_a.v.n = 2; .snap_b.v.n = 2; .snap_l = [{age: 8}]; nil")
    assert got == [1, 1, [6, 7]], got
    with tdbtest.connect(DB) as c:
        assert q(c, "[.snap_a.v.n, .snap_b.v.n, .snap_l.map(|t| t.age)]") == [2, 2, [8]]
        check_consistent(c)

    # A thing read by the query and changed by the other session meanwhile:
    # at READ COMMITTED the query runs again on the newest state (docs/sql.md,
    # "Concurrency") and its change wins; only putting it into another thing
    # (its reference count) needs no second run: the other session's change
    # stays.
    q_t = ".snap_t = {n: 1}; .snap_h = {l: []}; nil"
    with tdbtest.connect(DB) as c:
        q(c, q_t)
    got = run_during("t = .snap_t; " + BUSY + " t.n = t.n * 10; t.n", ".snap_t.n = 2; nil")
    assert got == 20, got
    got = run_during("t = .snap_t; " + BUSY + " .snap_h.l.push(t); t.n;", ".snap_t.n = 3; nil")
    assert got == 20, got   # the value this query read (the run above made it 20)
    with tdbtest.connect(DB) as c:
        assert q(c, "[.snap_t.n, .snap_h.l.len(), .snap_h.l[0] == .snap_t]") == [3, 1, True]
        check_consistent(c)
    print("     a query reads as of its start: [1, 1, [6, 7]] while a writer committed [2, 2, [8]]; "
          "a changed thing runs the query again, a new reference to it does not")


def same_name_race(scope, first_code, second_code):
    """first_code in an open transaction, second_code in another session (which waits for the
    first on the unique name); the first commits. The second's result or (sqlstate, kind,
    message)."""
    import psycopg
    first = psycopg.connect(tdbtest.dsn(DB))
    out, box = {}, {}
    try:
        first.execute("SELECT tdb_query(%s, %s)", (first_code, scope))

        def second():
            with psycopg.connect(tdbtest.dsn(DB), autocommit=True) as c:
                box["pid"] = c.info.backend_pid
                try:
                    out["result"] = c.execute("SELECT tdb_query(%s, %s)",
                                              (second_code, scope)).fetchone()[0]
                except psycopg.Error as e:
                    out["error"] = (e.sqlstate, e.diag.message_detail, e.diag.message_primary)

        th = threading.Thread(target=second)
        th.start()
        with tdbtest.connect(DB) as watcher:
            while th.is_alive():
                pid = box.get("pid")
                if pid and watcher.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity"
                                           " WHERE pid = %s", (pid,)).fetchone() == (True,):
                    break
                time.sleep(0.02)
        first.commit()
        th.join()
    finally:
        first.close()
    return out


def test_same_name_at_once():
    """Two sessions writing the same unique name at once (collections, users, procedures;
    rooms: test_rooms.py): the second waits for the first and then gets ThingsDB's error,
    never PostgreSQL's unique violation (23505)."""
    with tdbtest.connect("postgres") as c:
        c.execute("DROP ROLE IF EXISTS tdb_e2e_race")
        c.execute("CREATE ROLE tdb_e2e_race")
    cases = [
        ("@thingsdb", "new_collection('race')", "new_collection('race')",
         "collection `race` already exists"),
        ("@thingsdb", "new_collection('race2')", "rename_collection('race', 'race2')",
         "collection `race2` already exists"),
        ("@thingsdb", "new_user('tdb_e2e_race')", "new_user('tdb_e2e_race')",
         "user `tdb_e2e_race` already exists"),
        ("@:stuff", "new_procedure('race', || 1)", "new_procedure('race', || 2)",
         "procedure `race` already exists"),
        ("@thingsdb", "new_procedure('race', || 1)", "new_procedure('race', || 2)",
         "procedure `race` already exists"),
        ("@:stuff", "new_procedure('race_b', || 1)", "rename_procedure('race', 'race_b')",
         "procedure `race_b` already exists"),
    ]
    try:
        for scope, first, second, msg in cases:
            out = same_name_race(scope, first, second)
            assert out.get("error") == ("TD054", "lookup_err", msg), (first, second, out)
    finally:
        with tdbtest.connect("postgres") as c:
            c.execute("DROP ROLE IF EXISTS tdb_e2e_race")


def timed(fn):
    def run():
        start = time.time()
        try:
            fn()
        finally:
            print("     (%.1f s)" % (time.time() - start))
    run.__name__ = fn.__name__
    return run


setup()
t.run(timed(test_counter_through_procedure))
t.run(timed(test_concurrent_pushes_lose_nothing))
t.run(timed(test_mod_type_during_writes))
t.run(timed(test_mod_type_under_write_flood))
t.run(timed(test_different_things_do_not_block))
t.run(timed(test_del_collection_races_insert))
t.run(timed(test_one_snapshot_per_query))
t.run(timed(test_same_name_at_once))
tdbtest.drop_db(DB)
t.finish()
