"""Procedures with real connections: the per-backend closure cache
follows changes made by other sessions (redefinition, rename, delete) from
their commit on, and not before; a rolled-back change leaves no trace in the
cache; procedures survive a pg_dump/pg_restore round trip; the seed's
create_user runs from SQL."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402
import psycopg  # noqa: E402

DB = "tdb_e2e_procedures"
t = tdbtest.Tally()


def one(conn, sql, *args):
    return conn.execute(sql, args).fetchone()[0]


def setup():
    tdbtest.scratch_db(DB)


def test_other_session_sees_redefinition():
    a, b = tdbtest.connect(DB), tdbtest.connect(DB)
    a.execute("SELECT tdb_new_procedure('multiply', '|x, y| x * y')")
    # b warms its cache.
    assert one(b, "SELECT tdb_run('multiply', 6, 7)") == 42
    assert one(b, "SELECT tdb_run('multiply', 6, 7)") == 42
    a.execute("SELECT tdb_query('mod_procedure(\"multiply\", |x, y| x + y)')")
    assert one(b, "SELECT tdb_run('multiply', 6, 7)") == 13
    a.close()
    b.close()


def test_uncommitted_change_is_not_seen():
    a = tdbtest.connect(DB, autocommit=False)
    b = tdbtest.connect(DB)
    a.execute("SELECT tdb_new_procedure('answer', '|| 42')")
    a.commit()
    assert one(b, "SELECT tdb_run('answer')") == 42
    a.execute("SELECT tdb_query('mod_procedure(\"answer\", || 43)')")
    # a sees its own change at once, b only after the commit.
    assert one(a, "SELECT tdb_run('answer')") == 43
    assert one(b, "SELECT tdb_run('answer')") == 42
    a.commit()
    assert one(b, "SELECT tdb_run('answer')") == 43
    # A rolled-back change: a's cache forgets it too.
    a.execute("SELECT tdb_query('mod_procedure(\"answer\", || 44)')")
    assert one(a, "SELECT tdb_run('answer')") == 44
    a.rollback()
    assert one(a, "SELECT tdb_run('answer')") == 43
    assert one(b, "SELECT tdb_run('answer')") == 43
    a.close()
    b.close()


def test_other_session_sees_rename_and_delete():
    a, b = tdbtest.connect(DB), tdbtest.connect(DB)
    a.execute("SELECT tdb_new_procedure('old_name', '|| \"here\"')")
    assert one(b, "SELECT tdb_run('old_name')") == "here"
    a.execute("SELECT tdb_query('rename_procedure(\"old_name\", \"new_name\")')")
    assert one(b, "SELECT tdb_query('has_procedure(\"old_name\")')") is False
    assert one(b, "SELECT tdb_run('new_name')") == "here"
    a.execute("SELECT tdb_query('del_procedure(\"new_name\")')")
    try:
        b.execute("SELECT tdb_run('new_name')")
        raise AssertionError("expected procedure `new_name` not found")
    except psycopg.Error as e:
        assert e.sqlstate == "TD054", e.sqlstate
        assert "procedure `new_name` not found" in str(e)
    # An unknown name that b cached as missing appears once a creates it.
    a.execute("SELECT tdb_new_procedure('new_name', '|| \"again\"')")
    assert one(b, "SELECT tdb_run('new_name')") == "again"
    a.close()
    b.close()


def test_drop_and_create_extension():
    """A new extension (new table oid) must not serve old cached closures."""
    c = tdbtest.connect(DB)
    c.execute("SELECT tdb_new_procedure('ext_gen', '|| 1')")
    assert one(c, "SELECT tdb_run('ext_gen')") == 1
    c.execute("DROP EXTENSION thingsdb")
    c.execute("CREATE EXTENSION thingsdb")
    c.execute("SELECT tdb_new_procedure('ext_gen', '|| 2')")
    assert one(c, "SELECT tdb_run('ext_gen')") == 2
    c.close()


def test_dump_and_restore():
    c = tdbtest.connect(DB)
    c.execute("SELECT tdb_new_procedure('kept', '|a| {\"Kept.\"; a * 2}')")
    c.execute("SELECT tdb_new_procedure('kept_t', '|| \"t\"', '@thingsdb')")
    c.close()
    pgbin = subprocess.check_output(["pg_config", "--bindir"], text=True).strip()
    dump = "/tmp/tdb_e2e_procedures.dump"
    env = dict(os.environ, PGHOST=tdbtest.HOST, PGPORT=str(tdbtest.PORT), PGUSER="postgres")
    subprocess.run([os.path.join(pgbin, "pg_dump"), "-Fc", "-f", dump, DB], check=True, env=env)
    restored = DB + "_restored"
    tdbtest.drop_db(restored)
    with tdbtest.connect("postgres") as p:
        p.execute("CREATE DATABASE %s" % restored)
    # The rows CREATE EXTENSION inserts itself (the collection stuff, the
    # first user) collide with their dumped copies: pg_restore reports those
    # tables; the procedures table must restore cleanly.
    res = subprocess.run([os.path.join(pgbin, "pg_restore"), "-d", restored, dump], env=env,
                         capture_output=True, text=True)
    assert "procedures" not in res.stderr, res.stderr
    r = tdbtest.connect(restored)
    assert one(r, "SELECT tdb_run('kept', 21)") == 42
    assert one(r, "SELECT tdb_query('procedure_doc(\"kept\")')") == "Kept."
    assert one(r, "SELECT tdb_run('kept_t')") == "t"
    r.close()
    tdbtest.drop_db(restored)
    os.unlink(dump)


def test_seed_create_user():
    c = tdbtest.connect(DB)
    c.execute("""SELECT tdb_query($$new_procedure('create_user', |name| {
        "Creates a new user with a token and some basic access rights.";
        new_user(name);
        token = new_token(name, datetime().move('days', 1));
        grant('@:stuff', name, JOIN|QUERY|RUN);
        token;
    })$$, '@thingsdb')""")
    token = one(c, "SELECT tdb_run('create_user', 'cato')")
    assert isinstance(token, str) and len(token) > 10, token
    info = one(c, "SELECT tdb_query('user_info(\"cato\")', '@thingsdb')")
    assert info["name"] == "cato"
    c.close()


if __name__ == "__main__":
    setup()
    for fn in [test_other_session_sees_redefinition, test_uncommitted_change_is_not_seen,
               test_other_session_sees_rename_and_delete, test_drop_and_create_extension,
               test_dump_and_restore, test_seed_create_user]:
        t.run(fn)
    tdbtest.drop_db(DB)
    t.finish()
