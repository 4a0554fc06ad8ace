"""Versioned install scripts and upgrades.

sql/thingsdb--VERSION.sql installs a version; sql/thingsdb--FROM--TO.sql
upgrades one (docs/sql.md, "Versions and upgrades"). This test checks:

* thingsdb.control's default_version has an install script, and PostgreSQL
  sees every version and an update path from each older one to it;
* for every older version: CREATE EXTENSION thingsdb VERSION 'old', the data
  that version's library wrote (test/e2e/fixtures/upgrade_OLD.sql, a data-only
  dump of a database it filled: things, Types with instances and an index, enums,
  procedures, users, events), ALTER EXTENSION thingsdb UPDATE; then every thing,
  Type, enum, procedure and event reads back and works, and the extension's
  objects are exactly those of a fresh install of the default version (a
  catalog fingerprint: tables, columns, constraints, indexes, triggers,
  functions with their definitions and volatility, comments, what pg_dump keeps);
* the library refuses a database of an older version until it is updated;
* ALTER EXTENSION thingsdb UPDATE on the current version keeps everything."""
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402

import psycopg  # noqa: E402

T = tdbtest.Tally()
SQL = os.path.join(tdbtest.ROOT, "sql")
DB_OLD = "tdb_e2e_upgrade_old"
DB_NEW = "tdb_e2e_upgrade_new"


def default_version():
    with open(os.path.join(tdbtest.ROOT, "thingsdb.control")) as f:
        return re.search(r"default_version\s*=\s*'([^']+)'", f.read()).group(1)


def vkey(v):
    return tuple(int(x) for x in v.split("."))


def scripts():
    installs, upgrades = [], []
    for p in glob.glob(os.path.join(SQL, "thingsdb--*.sql")):
        parts = os.path.basename(p)[len("thingsdb--"):-len(".sql")].split("--")
        (installs if len(parts) == 1 else upgrades).append(tuple(parts))
    return sorted(v for (v,) in installs), sorted(upgrades)


FINGERPRINT = r"""
WITH members AS (
    SELECT classid, objid FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE e.extname = 'thingsdb' AND d.deptype = 'e'
)
SELECT 'object ' || pg_describe_object(classid, objid, 0) FROM members
UNION ALL
SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || ' storage ' || a.attstorage::text
       || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
FROM members m JOIN pg_attribute a ON m.classid = 'pg_class'::regclass AND a.attrelid = m.objid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || c.conrelid::regclass || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
FROM members m JOIN pg_constraint c ON m.classid = 'pg_class'::regclass AND c.conrelid = m.objid
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid)
FROM members m JOIN pg_index i ON m.classid = 'pg_class'::regclass AND i.indrelid = m.objid
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid)
FROM members m JOIN pg_trigger t ON m.classid = 'pg_class'::regclass AND t.tgrelid = m.objid
WHERE NOT t.tgisinternal
UNION ALL
SELECT 'function ' || p.oid::regprocedure || ' ' || p.provolatile::text || ' ' || p.proisstrict::text || ' '
       || pg_get_function_result(p.oid) || ' ' || md5(p.prosrc)
       || coalesce(' ' || p.proconfig::text, '')
FROM members m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
UNION ALL
SELECT 'comment ' || pg_describe_object(m.classid, m.objid, 0) || ': ' || d.description
FROM members m JOIN pg_description d ON d.classoid = m.classid AND d.objoid = m.objid AND d.objsubid = 0
UNION ALL
SELECT 'dumped ' || c::regclass || ' ' || coalesce(f, '')
FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS u(c, f)
WHERE e.extname = 'thingsdb'
UNION ALL
SELECT 'acl ' || c.oid::regclass || ' ' || coalesce(c.relacl::text, '')
FROM members m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
ORDER BY 1
"""


def fingerprint(db):
    """The extension's objects; the partial indexes that Types with idx make belong to the
    data (checked by check_fixture_data), not to the install script."""
    with tdbtest.connect(db) as c:
        return [r[0] for r in c.execute(FINGERPRINT).fetchall()
                if not re.match(r"index CREATE INDEX things_c[0-9]+_t[0-9]+_idx ", r[0])]


def fill(db):
    """Data written with this version."""
    with tdbtest.connect(db) as c:
        c.execute("SELECT tdb_query('new_collection(\"kept\")', '@thingsdb')")
        c.execute("SELECT tdb_query('.list = [1, {x: \"y\"}]; .n = 42; nil', '@:kept')")
        c.execute("SELECT tdb_query('new_procedure(\"twice\", |x| x * 2); nil', '@:kept')")


def check_data(db):
    with tdbtest.connect(db) as c:
        got = c.execute("SELECT tdb_query('[.n, .list[1].x, twice(21)]', '@:kept')").fetchone()[0]
        assert got == [42, "y", 42], got
        # And it keeps working after the update.
        c.execute("SELECT tdb_query('.n += 1', '@:kept')")


def test_versions_and_paths():
    default = default_version()
    installs, upgrades = scripts()
    assert default in installs, "no install script sql/thingsdb--%s.sql" % default
    assert max(installs, key=vkey) == default, (installs, default)
    for a, b in upgrades:
        assert vkey(a) < vkey(b), "upgrade script %s--%s goes backwards" % (a, b)
    with tdbtest.connect("postgres") as c:
        avail = {r[0] for r in c.execute(
            "SELECT version FROM pg_available_extension_versions WHERE name = 'thingsdb'")}
        assert set(installs) <= avail, (installs, avail)
        for v in installs:
            if v == default:
                continue
            path = c.execute("SELECT path FROM pg_extension_update_paths('thingsdb') "
                             "WHERE source = %s AND target = %s", (v, default)).fetchone()
            assert path and path[0], "no update path from %s to %s" % (v, default)


FIXTURES = os.path.join(tdbtest.ROOT, "test", "e2e", "fixtures")


def load_fixture(db, version):
    path = os.path.join(FIXTURES, "upgrade_%s.sql" % version)
    assert os.path.exists(path), "no data written by %s: %s" % (version, path)
    env = dict(os.environ, PGHOST=tdbtest.HOST, PGPORT=str(tdbtest.PORT), PGUSER="postgres")
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", path],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr[-2000:]


def check_fixture_data(db):
    """What the fixtures hold (the same in every one), read with this version."""
    with tdbtest.connect(db) as c:
        def q(code, scope="@:kept"):
            return c.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]
        assert q("[.n, .list[0], .list[1].x, .list[2], .blob, .re.test('xABBC'), .f(21)]") == \
            [42, 1, "y", [2, 3], "cmF3", True, 42]
        assert q(".err.msg()") == "kept" and q(".cycle.self.self.name") == "a"
        assert q(".items.map(|i| [i.title, i.price])") == [["Lamp", 12.5], ["Desk", 1.0]]
        assert q(".items[0].tags.map(|t| [t.name, t.color.name(), t.color.value(), t.count])") \
            == [["hot", "RED", "#f00", 3]]
        assert q(".items[0].made.format('%Y-%m-%d')") == "2024-05-01"
        assert q("types_info().map(|t| t.name).sort()") == ["Item", "Tag"]
        assert q("enums_info().map(|e| e.name).sort()") == ["Color", "Ref"]
        assert q(".home.value().label") == "home" and q("Color{GREEN}.value()") == "#0f0"
        assert q("type_count('Item')") == 2
        assert q("twice(21)") == 42
        assert q("procedures_info().map(|p| p.name).sort()") == ["add_item", "twice"]
        assert q("hello()", "@thingsdb") == "hello"
        assert q("users_info().map(|u| u.name).sort()", "@thingsdb") == \
            ["postgres", "tdb_e2e_upgrade_user"]
        # The index of the Type with idx, and the stored events with their scope.
        assert c.execute("SELECT count(*) FROM pg_indexes WHERE schemaname = 'thingsdb' "
                         "AND indexname LIKE 'things\\_c%\\_idx'").fetchone()[0] == 1
        events = c.execute("SELECT count(*) FROM tdb_events_since(0)").fetchone()[0]
        assert events >= 4, events
        # It keeps working: changes, a new thing, garbage collection.
        q("wse(add_item('Chair')); .n += 1; nil")
        assert q("[.n, .items.len()]") == [43, 3]
        c.execute("SET client_min_messages = warning")
        assert c.execute("SELECT tdb_collect_garbage('kept')").fetchone()[0] >= 0


def test_library_refuses_an_older_version():
    installs, _ = scripts()
    older = [v for v in installs if v != default_version()]
    if not older:
        raise tdbtest.Skip("no older version")
    with tdbtest.connect("postgres") as c:
        c.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % DB_OLD)
        c.execute("CREATE DATABASE %s" % DB_OLD)
    with tdbtest.connect(DB_OLD) as c:
        c.execute("CREATE EXTENSION thingsdb VERSION '%s'" % older[0])
        try:
            c.execute("SELECT tdb_query('1 + 1')")
            raise AssertionError("a %s database was used by the %s library" % (
                older[0], default_version()))
        except psycopg.errors.ObjectNotInPrerequisiteState as e:
            assert "ALTER EXTENSION thingsdb UPDATE" in (e.diag.message_hint or ""), e
        c.execute("ALTER EXTENSION thingsdb UPDATE")
        assert c.execute("SELECT tdb_query('1 + 1')").fetchone()[0] == 2


def test_update_from_each_older_version():
    default = default_version()
    installs, _ = scripts()
    tdbtest.scratch_db(DB_NEW)
    fresh = fingerprint(DB_NEW)
    assert fresh == fingerprint(DB_NEW) and len(fresh) > 50, len(fresh)
    older = [v for v in installs if v != default]
    if not older:
        print("     (no older version yet: the first upgrade script will be checked here)")
    for v in older:
        with tdbtest.connect("postgres") as c:
            c.execute("DROP DATABASE IF EXISTS %s WITH (FORCE)" % DB_OLD)
            c.execute("CREATE DATABASE %s" % DB_OLD)
        with tdbtest.connect(DB_OLD) as c:
            c.execute("CREATE EXTENSION thingsdb VERSION '%s'" % v)
        load_fixture(DB_OLD, v)
        with tdbtest.connect(DB_OLD) as c:
            c.execute("ALTER EXTENSION thingsdb UPDATE")
            got = c.execute("SELECT extversion FROM pg_extension WHERE extname = 'thingsdb'").fetchone()[0]
            assert got == default, (v, got)
        check_fixture_data(DB_OLD)
        old = fingerprint(DB_OLD)
        assert old == fresh, "after the update from %s the objects differ:\n-%s\n+%s" % (
            v, sorted(set(fresh) - set(old)), sorted(set(old) - set(fresh)))


def test_update_of_current_version_is_a_no_op():
    fill(DB_NEW)
    before = fingerprint(DB_NEW)
    with tdbtest.connect(DB_NEW) as c:
        c.execute("ALTER EXTENSION thingsdb UPDATE")
        got = c.execute("SELECT extversion FROM pg_extension WHERE extname = 'thingsdb'").fetchone()[0]
        assert got == default_version(), got
        assert c.execute("SELECT created_version FROM thingsdb.node").fetchone()[0] == default_version()
    check_data(DB_NEW)
    assert fingerprint(DB_NEW) == before


def main():
    try:
        for fn in (test_versions_and_paths, test_library_refuses_an_older_version,
                   test_update_from_each_older_version,
                   test_update_of_current_version_is_a_no_op):
            T.run(fn)
    finally:
        tdbtest.drop_db(DB_OLD)
        tdbtest.drop_db(DB_NEW)
    T.finish()


if __name__ == "__main__":
    main()
