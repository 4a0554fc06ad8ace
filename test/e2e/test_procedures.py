"""Procedures with real connections: the per-backend closure cache
follows changes made by other sessions (redefinition, rename, delete) from
their commit on, and not before; a rolled-back change leaves no trace in the
cache; procedures survive a pg_dump/pg_restore round trip; the seed's
create_user runs from SQL. The short path of a call (src/pg/entry.h,
Writes::PREDICTED): a procedure that stayed a reader runs without the
subtransaction of an attempt, and one that writes after all (wse(), or
redefined by another session) runs again in attempts, so it still waits for
and runs again after a conflicting writer; a call that waited for a mod_type
reads the new Type."""
import os
import subprocess
import sys
import threading
import time

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


def wait_until_blocked(watch, pid):
    """Until the backend pid waits for a lock (a condition, not a time: the test goes on
    once it holds)."""
    for _ in range(3000):
        row = watch.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                            (pid,)).fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.01)
    raise AssertionError("backend %d never waited for a lock" % pid)


def in_thread(fn):
    out = []
    th = threading.Thread(target=lambda: out.append(fn()))
    th.start()
    return th, out


def test_reader_that_writes_meets_a_writer():
    a = tdbtest.connect(DB, autocommit=False)
    b, watch = tdbtest.connect(DB), tdbtest.connect(DB)
    b.execute("""SELECT tdb_query($$.pm_n = 0; .pm_bump = || .pm_n += 1;
        new_procedure('pm_maybe', |w| w ? wse(.pm_bump.call()) : 0); nil$$)""")
    # Two calls that stay readers: the next one runs without an attempt's subtransaction.
    assert one(b, "SELECT tdb_run('pm_maybe', false)") == 0
    assert one(b, "SELECT tdb_run('pm_maybe', false)") == 0
    a.execute("SELECT tdb_query('.pm_n += 10')")  # holds the root's row until its commit
    b_pid = one(b, "SELECT pg_backend_pid()")
    th, out = in_thread(lambda: one(b, "SELECT tdb_run('pm_maybe', true)"))
    wait_until_blocked(watch, b_pid)
    a.commit()
    th.join(60)
    # It waited, met the committed change and ran again: no 40001, both increments kept.
    assert out == [11], out
    assert one(watch, "SELECT tdb_query('.pm_n')") == 11
    for c in (a, b, watch):
        c.close()


def test_redefined_reader_becomes_writer():
    a, b = tdbtest.connect(DB), tdbtest.connect(DB, autocommit=False)
    a.execute("SELECT tdb_query($$.rw_n = 0; new_procedure('rw', |x| x * 2); nil$$)")
    for _ in range(2):
        assert one(b, "SELECT tdb_run('rw', 4)") == 8
    b.commit()
    # b's transaction stays open (READ COMMITTED): each call sees what committed before it.
    assert one(b, "SELECT tdb_run('rw', 4)") == 8
    a.execute("SELECT tdb_query('mod_procedure(\"rw\", |x| .rw_n = x * 3)')")
    assert one(b, "SELECT tdb_run('rw', 4)") == 12
    assert one(b, "SELECT tdb_query('.rw_n')") == 12
    assert one(a, "SELECT tdb_query('.rw_n')") == 0  # not committed yet
    b.commit()
    assert one(a, "SELECT tdb_query('.rw_n')") == 12
    a.execute("SELECT tdb_query('mod_procedure(\"rw\", |x| x - 1)')")
    assert one(b, "SELECT tdb_run('rw', 4)") == 3
    b.commit()
    a.close()
    b.close()


def test_writer_waiting_for_mod_type_reads_new_type():
    a, b = tdbtest.connect(DB, autocommit=False), tdbtest.connect(DB, autocommit=False)
    watch = tdbtest.connect(DB)
    watch.execute("""SELECT tdb_query($$set_type('MtT', {name: 'str'});
        new_procedure('mt_make', || {.mt = MtT{}; .mt.len()}); nil$$)""")
    watch.execute("SELECT tdb_query('new_collection(\"mt_other\")', '@thingsdb')")
    assert one(a, "SELECT tdb_run('mt_make')") == 1  # a's caches hold MtT of one field
    assert one(a, "SELECT tdb_run('mt_make')") == 1
    a_pid = one(a, "SELECT pg_backend_pid()")
    a.commit()
    # a's transaction has the tables open already (a read in another collection), so opening
    # them again takes in no invalidation: only the call itself can.
    assert one(a, "SELECT tdb_query('.len()', '@:mt_other')") == 0
    b.execute("SELECT tdb_query($$mod_type('MtT', 'add', 'age', 'int', 5); nil$$)")
    th, out = in_thread(lambda: one(a, "SELECT tdb_run('mt_make')"))
    wait_until_blocked(watch, a_pid)  # the collection's lock, held by the mod_type
    b.commit()
    th.join(60)
    a.commit()
    # The call's caches took in what the mod_type committed while the call waited.
    assert out == [2], out
    for c in (a, b, watch):
        c.close()


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
               test_dump_and_restore, test_seed_create_user,
               test_reader_that_writes_meets_a_writer, test_redefined_reader_becomes_writer,
               test_writer_waiting_for_mod_type_reads_new_type]:
        t.run(fn)
    tdbtest.drop_db(DB)
    t.finish()
