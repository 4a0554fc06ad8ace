#!/usr/bin/python3
"""The per-backend caches under a transaction snapshot (src/pg/storage/epochs.cpp):
a session in REPEATABLE READ sees what its snapshot holds, whatever another
session committed since, and its next READ COMMITTED transaction sees the
latest committed state. The same for procedures (warm: called before, so
cached; cold; created meanwhile), Types and collections: reading a row from
an old snapshot must not leave it in a cache for later transactions. Under
READ COMMITTED a warm tdb_run still reads no procedure row."""
import psycopg

import tdbtest

DB = "tdb_cache_snapshots_e2e"


def q(conn, code, scope="@:stuff"):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def run(conn, name):
    return conn.execute("SELECT tdb_run(%s)", (name,)).fetchone()[0]


def err(conn, sql, args):
    """The DETAIL (error name) of a failing statement, or None."""
    try:
        conn.execute(sql, args)
    except psycopg.Error as e:
        return e.diag.message_detail or e.diag.sqlstate
    return None


def repeatable_read(conn):
    """Begins a REPEATABLE READ transaction and takes its snapshot."""
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    conn.execute("SELECT 1")


def main():
    tdbtest.scratch_db(DB)
    a = tdbtest.connect(DB)
    b = tdbtest.connect(DB)
    t = tdbtest.Tally()

    def procedure_warm():
        a.execute("SELECT tdb_new_procedure('pw', '|| 1')")
        assert run(b, "pw") == 1                 # cached in b
        assert run(b, "pw") == 1
        repeatable_read(b)
        assert run(b, "pw") == 1
        a.execute("SELECT tdb_query('mod_procedure(\"pw\", || 2)')")
        assert run(b, "pw") == 1                 # b's snapshot
        b.execute("COMMIT")
        assert run(b, "pw") == 2
        assert run(b, "pw") == 2

    def procedure_cold():
        a.execute("SELECT tdb_new_procedure('pc', '|| 1')")
        repeatable_read(b)
        a.execute("SELECT tdb_query('mod_procedure(\"pc\", || 2)')")
        assert run(b, "pc") == 1                 # b's snapshot
        b.execute("COMMIT")
        assert run(b, "pc") == 2

    def procedure_created_meanwhile():
        repeatable_read(b)
        a.execute("SELECT tdb_new_procedure('pn', '|| 3')")
        assert err(b, "SELECT tdb_run('pn')", ()) == "lookup_err"   # not in b's snapshot
        b.execute("ROLLBACK")
        assert run(b, "pn") == 3

    def type_changed():
        q(a, "set_type('Snap', {name: 'str'}); nil")
        assert q(b, "Snap{}") == {"name": ""}    # cached in b
        repeatable_read(b)
        q(a, "mod_type('Snap', 'add', 'age', 'int', 5); nil")
        assert q(b, "Snap{}") == {"name": ""}    # b's snapshot
        b.execute("COMMIT")
        assert q(b, "Snap{}") == {"name": "", "age": 0}

    def collection_renamed():
        q(a, "new_collection('snap1')", "@thingsdb")
        assert q(b, "1", "@:snap1") == 1         # cached in b
        repeatable_read(b)
        q(a, "rename_collection('snap1', 'snap2')", "@thingsdb")
        assert q(b, "1", "@:snap1") == 1         # b's snapshot
        b.execute("COMMIT")
        assert err(b, "SELECT tdb_query('1', '@:snap1')", ()) == "lookup_err"
        assert q(b, "2", "@:snap2") == 2

    def warm_run_reads_no_procedure_row():
        # READ COMMITTED keeps the cache: warm calls read no row of thingsdb.procedures.
        a.execute("SELECT tdb_new_procedure('pr', '|x| x + 1')")
        reads = ("SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables"
                 " WHERE relid = 'thingsdb.procedures'::regclass")
        b.execute("BEGIN")
        assert b.execute("SELECT tdb_run('pr', 1)").fetchone()[0] == 2
        before = b.execute(reads).fetchone()[0]
        for i in range(3):
            assert b.execute("SELECT tdb_run('pr', %s)", (i,)).fetchone()[0] == i + 1
        assert b.execute(reads).fetchone()[0] == before
        b.execute("COMMIT")

    def cleanup(fn):
        def wrapped():
            try:
                fn()
            finally:
                if b.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    b.execute("ROLLBACK")
        wrapped.__name__ = fn.__name__
        return wrapped

    for fn in (procedure_warm, procedure_cold, procedure_created_meanwhile, type_changed,
               collection_renamed, warm_run_reads_no_procedure_row):
        t.run(cleanup(fn))
    a.close()
    b.close()
    tdbtest.drop_db(DB)
    t.finish()


if __name__ == "__main__":
    main()
