"""pg_dump / pg_restore round trips of a database with collections, typed
data, enums, procedures, users, tokens and events.

CREATE EXTENSION seeds a fresh node (the collection stuff, the first user);
a restore runs it and then copies the dumped rows, which must replace the
seeds (thingsdb.seeds, thingsdb.node). Checked: the custom format with
pg_restore, the plain format through psql with ON_ERROR_STOP, a source whose
stuff and first seeded user were changed or deleted, and that the restored
database keeps working (ids, tokens, procedures, types, watch).

A parallel pg_restore (-j 2, -j 4, and the directory format) copies the
tables' rows in any order and at the same time: the restored database must
be the same (rows, Type indexes, rooms, tasks) and work (procedures, tokens,
deleting a collection takes its catalog rows along)."""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402

SRC = "tdb_e2e_dump_src"
DST = "tdb_e2e_dump_dst"
ROLE = "tdb_e2e_dump_ana"
T = tdbtest.Tally()
PGBIN = subprocess.check_output(["pg_config", "--bindir"], text=True).strip()
TMP = tempfile.mkdtemp(prefix="tdb_dump_")


def q(db, code, scope="@:stuff", vars=None):
    with tdbtest.connect(db) as c:
        return c.execute("SELECT tdb_query(%s, %s, %s)", (code, scope, vars)).fetchone()[0]


def sql(db, stmt, args=None):
    with tdbtest.connect(db) as c:
        cur = c.execute(stmt, args)
        return cur.fetchall() if cur.description else None


def run(*cmd, **kw):
    env = dict(os.environ, PGHOST=tdbtest.HOST, PGPORT=str(tdbtest.PORT), PGUSER="postgres")
    r = subprocess.run(list(cmd), capture_output=True, text=True, env=env, **kw)
    assert r.returncode == 0, "%s failed (%d): %s" % (cmd[0], r.returncode, r.stderr[-2000:])
    return r


def empty_db(name):
    with tdbtest.connect("postgres") as c:
        c.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
        c.execute("CREATE DATABASE %s" % name)


# What a round trip must keep: everything ThingsDB shows, and the rows.
STATE_CODE = {
    "@:stuff": "return(thing(.id()), 4)",
    "@:shop": "[return(thing(.id()), 4), types_info(), enums_info(), procedures_info()]",
    "@thingsdb": "[collections_info(), users_info(), procedures_info()]",
}
TABLES = ["collections", "things", "types", "enums", "procedures", "users", "tokens", "access",
          "events", "node", "rooms", "tasks"]


def state(db, scopes=STATE_CODE):
    s = {}
    for scope, code in scopes.items():
        s[scope] = q(db, code, scope)
    for t in TABLES:
        s[t] = sql(db, "SELECT * FROM thingsdb.%s t ORDER BY 1, 2" % t)
    # The partial indexes of Types with idx (pg_dump does not keep them).
    s["indexes"] = sql(db, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                           "'thingsdb' AND tablename = 'things' ORDER BY 1")
    s["seq"] = sql(db, "SELECT last_value FROM thingsdb.thing_id_seq")
    s["change"] = sql(db, "SELECT last_value FROM thingsdb.change_id_seq")
    return s


def fill(db):
    """Collections, typed data, enums, procedures, users and tokens."""
    q(db, "new_collection('shop'); new_user('%s'); nil" % ROLE, "@thingsdb")
    q(db, "grant('@:shop', '%s', QUERY | CHANGE | RUN); nil" % ROLE, "@thingsdb")
    key = q(db, "new_token('%s', nil, 'for the dump test')" % ROLE, "@thingsdb")
    q(db, """
        set_enum('Color', {RED: '#f00', GREEN: '#0f0'});
        set_type('Tag', {name: 'str', color: 'Color'});
        set_type('Item', {title: 'str', price: 'float', tags: '{Tag}', notes: '[str]',
                          meta: 'thing', made: 'datetime?'});
        red = Tag{name: 'hot', color: Color{RED}};
        .items = [
            Item{title: 'Lamp', price: 12.5, tags: set(red), notes: ['a', 'b'],
                 meta: {weight: 3, parts: [{n: 1}, {n: 2}]}, made: datetime(2024, 5, 1)},
            Item{title: 'Desk', price: 99.0, tags: set(red, Tag{name: 'new', color: Color{GREEN}}),
                 meta: {}},
        ];
        .cycle = {name: 'a'}; .cycle.self = .cycle;
        .blob = bytes('raw');
        .re = /ab+c/i;
        .when = timeval(86400);
        .err = err(-100, 'kept');
        .f = |x| x * 2;
        new_procedure('total', |cur| .items.reduce(|a, it| a + it.price, 0.0) * (cur == 'EUR' ? 0.9 : 1));
        new_procedure('add_item', |title| .items.push(Item{title: title, price: 1.0}));
        mod_type('Tag', 'idx', true);
        nil
    """, "@:shop")
    q(db, "new_procedure('shop_total', || wse(nil)); nil", "@thingsdb")
    # Rooms and tasks (far in the future: the task worker leaves them alone).
    q(db, """
        .lobby = room(); .lobby.set_name('lobby'); .rooms = [room(), .lobby];
        .later = task(datetime().move('days', 3000), |_t, x| x, [.items[0]]);
        nil
    """, "@:shop")
    q(db, ".t = task(datetime().move('days', 3000), || nil); nil")
    q(db, ".greeting = 'hello'; .list = [1, [2, 3], {x: nil}]; nil")
    return key


def round_trip_custom(src, dst, *restore_opts):
    dump = os.path.join(TMP, "%s.dump" % src)
    run(os.path.join(PGBIN, "pg_dump"), "-Fc", "-d", src, "-f", dump)
    empty_db(dst)
    run(os.path.join(PGBIN, "pg_restore"), "--exit-on-error", "-d", dst, *restore_opts, dump)


def round_trip_dir(src, dst, *restore_opts):
    dump = os.path.join(TMP, "%s.dir" % src)
    subprocess.run(["rm", "-rf", dump])
    run(os.path.join(PGBIN, "pg_dump"), "-Fd", "-j", "2", "-d", src, "-f", dump)
    empty_db(dst)
    run(os.path.join(PGBIN, "pg_restore"), "--exit-on-error", "-d", dst, *restore_opts, dump)


def round_trip_plain(src, dst):
    dump = os.path.join(TMP, "%s.sql" % src)
    run(os.path.join(PGBIN, "pg_dump"), "-d", src, "-f", dump)
    empty_db(dst)
    run("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dst, "-f", dump)


KEY = {}


def test_custom_format_round_trip():
    before = state(SRC)
    round_trip_custom(SRC, DST)
    after = state(DST)
    for k in before:
        assert before[k] == after[k], "%s differs:\n%r\n%r" % (k, before[k], after[k])
    assert sql(DST, "SELECT count(*) FROM thingsdb.seeds") == [(0,)]


def test_restored_database_works():
    # New ids continue after the restored ones; nothing collides.
    n = q(DST, ".items.len()", "@:shop")
    new_id = q(DST, "wse(add_item('Chair')); .items.last().id()", "@:shop")
    assert q(DST, ".items.len()", "@:shop") == n + 1
    assert new_id > max(r[0] for r in sql(SRC, "SELECT id FROM thingsdb.things"))
    assert q(DST, "total('USD')", "@:shop") == 12.5 + 99.0 + 1.0
    assert q(DST, "Item{title: 'x', price: 2.0}.tags.len()", "@:shop") == 0
    assert q(DST, "Color{GREEN}.value()", "@:shop") == "#0f0"
    assert q(DST, "[.cycle.self.name, .f(21), .re.test('xABBC')]", "@:shop") == ["a", 42, True]
    assert q(DST, "new_collection('other')", "@thingsdb") > new_id
    # The token and the user's rights came along.
    with tdbtest.connect(DST) as c:
        c.execute("SELECT tdb_authenticate(%s)", (KEY["key"],))
        assert c.execute("SELECT tdb_query('.items.len()', '@:shop')").fetchone()[0] == n + 1
    # Watch: change ids continue after the restored events.
    last = sql(DST, "SELECT max(change_id) FROM thingsdb.events")[0][0]
    with tdbtest.connect(DST) as c:
        init = c.execute("SELECT tdb_watch(tdb_query('.id()', '@:shop')::bigint, '@:shop')").fetchone()[0]
    assert init["event"] >= last


def check_parallel_restore(dst):
    """What a restored database must do beyond having the same rows."""
    # The Type index is there and type_info says so.
    assert q(dst, "type_info('Tag').idx", "@:shop") is True
    idx = sql(dst, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'thingsdb' AND "
                   "indexname LIKE 'things_c%_idx'")
    assert idx == [(1,)], idx
    assert q(dst, "total('USD')", "@:shop") == 12.5 + 99.0
    assert q(dst, "[room('lobby').id() == .lobby.id(), .rooms.len(), tasks().len()]",
             "@:shop") == [True, 2, 1]
    with tdbtest.connect(dst) as c:
        c.execute("SELECT tdb_authenticate(%s)", (KEY["key"],))
        assert c.execute("SELECT tdb_query('.items.len()', '@:shop')").fetchone()[0] == 2
    # Deleting the collection still takes every row that belongs to it.
    shop = q(dst, ".id()", "@:shop")
    q(dst, "del_collection('shop'); nil", "@thingsdb")
    for table, col in (("things", "collection"), ("types", "collection"),
                       ("enums", "collection"), ("rooms", "collection"),
                       ("procedures", "scope_id"), ("tasks", "scope_id")):
        n = sql(dst, "SELECT count(*) FROM thingsdb.%s WHERE %s = %%s" % (table, col), (shop,))
        assert n == [(0,)], (table, n)
    # And deleting a user its tokens and rights.
    uid = sql(dst, "SELECT id FROM thingsdb.users WHERE name = %s", (ROLE,))[0][0]
    q(dst, "del_user('%s'); nil" % ROLE, "@thingsdb")
    for table in ("tokens", "access"):
        n = sql(dst, "SELECT count(*) FROM thingsdb.%s WHERE user_id = %%s" % table, (uid,))
        assert n == [(0,)], (table, n)


def test_parallel_restore():
    """pg_restore -j: the tables' rows arrive in any order, at the same time."""
    before = state(SRC)
    for how, jobs in (("custom", "2"), ("custom", "4"), ("dir", "2"), ("dir", "4")):
        (round_trip_custom if how == "custom" else round_trip_dir)(SRC, DST, "-j", jobs)
        after = state(DST)
        for k in before:
            assert before[k] == after[k], "%s -j %s: %s differs:\n%r\n%r" % (
                how, jobs, k, before[k], after[k])
        assert sql(DST, "SELECT count(*) FROM thingsdb.seeds") == [(0,)]
        check_parallel_restore(DST)


def test_parallel_restore_orders():
    """Each table's rows first, and the node's first or last: whatever the order of the
    workers, the same database (pg_restore -L with a list in that order, one job)."""
    dump = os.path.join(TMP, "%s.dump" % SRC)
    run(os.path.join(PGBIN, "pg_dump"), "-Fc", "-d", SRC, "-f", dump)
    toc = run(os.path.join(PGBIN, "pg_restore"), "-l", dump).stdout.splitlines()
    data = [ln for ln in toc if " TABLE DATA thingsdb " in ln]
    rest = [ln for ln in toc if ln not in data]
    names = [ln.split(" TABLE DATA thingsdb ")[1].split()[0] for ln in data]
    assert "node" in names and "things" in names, names
    before = state(SRC)
    for first in ("node", "things", "access", "types", "rooms", "tasks", "tokens"):
        for node_last in (False, True):
            order = [d for d in data if (" %s " % first) in d]
            order += [d for d in reversed(data) if d not in order]
            if node_last:
                order = [d for d in order if " node " not in d] + [d for d in order if " node " in d]
            listing = os.path.join(TMP, "order.list")
            with open(listing, "w") as f:
                f.write("\n".join(rest + order) + "\n")
            empty_db(DST)
            run(os.path.join(PGBIN, "pg_restore"), "--exit-on-error", "-d", DST, "-L", listing,
                dump)
            after = state(DST)
            for k in before:
                assert before[k] == after[k], "%s first, node last %s: %s differs:\n%r\n%r" % (
                    first, node_last, k, before[k], after[k])
            assert sql(DST, "SELECT count(*) FROM thingsdb.seeds") == [(0,)]


def test_plain_format_round_trip():
    before = state(SRC)
    round_trip_plain(SRC, DST)
    after = state(DST)
    for k in before:
        assert before[k] == after[k], "%s differs" % k


def test_deleted_stuff_and_first_user():
    """The dumped node had no stuff and no first user: the restore's seeds go."""
    src, dst = SRC + "_b", DST + "_b"
    tdbtest.scratch_db(src)
    try:
        first = sql(src, "SELECT name FROM thingsdb.users ORDER BY id LIMIT 1")[0][0]
        q(src, "new_collection('only'); new_user('%s'); grant('@thingsdb', '%s', FULL); nil"
          % (ROLE, ROLE), "@thingsdb")
        q(src, "del_collection('stuff'); nil", "@thingsdb")
        # The first user goes (rights of an admin role come from its role anyway).
        sql(src, "DELETE FROM thingsdb.users WHERE name = %s", (first,))
        q(src, ".x = 1; nil", "@:only")
        scopes = {"@thingsdb": "[collections_info().map(|c| c.name), users_info().map(|u| u.name)]",
                  "@:only": ".x"}
        before = state(src, scopes)
        assert before["@thingsdb"] == [["only"], [ROLE]], before["@thingsdb"]
        round_trip_custom(src, dst)
        after = state(dst, scopes)
        for k in before:
            assert before[k] == after[k], "%s differs: %r %r" % (k, before[k], after[k])
        # A renamed stuff: the dumped row (same id, other name) replaces the seed.
        q(src, "new_collection('stuff'); rename_collection('stuff', 'renamed'); nil", "@thingsdb")
        round_trip_plain(src, dst)
        assert q(dst, "collections_info().map(|c| c.name)", "@thingsdb") == ["only", "renamed"]
    finally:
        tdbtest.drop_db(src)
        tdbtest.drop_db(dst)


def test_fresh_install_seeds_and_node():
    s = sql(SRC, "SELECT created_version FROM thingsdb.node")
    with open(os.path.join(tdbtest.ROOT, "thingsdb.control")) as f:
        version = re.search(r"default_version\s*=\s*'([^']+)'", f.read()).group(1)
    assert s == [(version,)], (s, version)
    tdbtest.scratch_db(DST)
    assert sql(DST, "SELECT tbl, count(*) FROM thingsdb.seeds GROUP BY 1 ORDER BY 1") == [
        ("access", 3), ("collections", 1), ("things", 1), ("users", 1)]
    # Normal operation never collides with the seeds: a new user or
    # collection does not replace them.
    q(DST, "new_collection('shop'); nil", "@thingsdb")
    assert q(DST, "collections_info().map(|c| c.name)", "@thingsdb") == ["stuff", "shop"]


def main():
    with tdbtest.connect("postgres") as c:
        c.execute("DROP ROLE IF EXISTS %s" % ROLE)
        c.execute("CREATE ROLE %s LOGIN" % ROLE)
    tdbtest.scratch_db(SRC)
    try:
        KEY["key"] = fill(SRC)
        # Events, so the events table and change ids are part of the dump.
        q(SRC, ".greeting = 'hi'; nil")
        for fn in (test_fresh_install_seeds_and_node, test_custom_format_round_trip,
                   test_restored_database_works, test_plain_format_round_trip,
                   test_parallel_restore, test_parallel_restore_orders,
                   test_deleted_stuff_and_first_user):
            T.run(fn)
    finally:
        tdbtest.drop_db(SRC)
        tdbtest.drop_db(DST)
        with tdbtest.connect("postgres") as c:
            c.execute("DROP ROLE IF EXISTS %s" % ROLE)
        subprocess.run(["rm", "-rf", TMP])
    T.finish()


if __name__ == "__main__":
    main()
