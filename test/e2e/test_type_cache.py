#!/usr/bin/python3
"""The per-backend cache of Type and enum catalog rows (src/core/schema/types.cpp
Catalog::load, PgStorage::catalog_epoch): a warm session sees every committed change of the catalogs made by another session, by
itself or by plain SQL, and nothing of a rolled-back one. Also the views
tdb_types/tdb_enums for a role with and without QUERY."""
import threading

import psycopg

import tdbtest

DB = "tdb_type_cache_e2e"


def q(conn, code, scope="@:stuff"):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def main():
    tdbtest.scratch_db(DB)
    a = tdbtest.connect(DB)
    b = tdbtest.connect(DB)
    t = tdbtest.Tally()
    q(b, "set_type('User', {name: 'str'}); set_enum('Color', {RED: 1}); nil")

    def field_added_by_another_session():
        assert q(a, "User{}") == {"name": ""}      # warm in a
        q(b, "mod_type('User', 'add', 'age', 'int', 5); nil")
        assert q(a, "User{}") == {"name": "", "age": 0}

    def rolled_back_change_is_forgotten():
        assert q(a, "User{}.len()") == 2
        seen = []
        with b.transaction():
            q(b, "mod_type('User', 'del', 'age'); nil")
            assert q(b, "User{}.len()") == 1       # the writer sees its own change
            # others never see it: a query that only reads does not wait for the
            # open mod_type and reads the old definition (docs/sql.md)
            reader = threading.Thread(target=lambda: seen.append(q(a, "User{}.len()")))
            reader.start()
            reader.join(30)
            assert not reader.is_alive() and seen == [2], seen
            raise psycopg.Rollback()
        assert seen == [2], seen
        assert q(b, "User{}.len()") == 2
        assert q(a, "User{}.len()") == 2

    def enum_changed_by_another_session():
        assert q(a, "Color{RED}.value()") == 1
        q(b, "mod_enum('Color', 'add', 'BLUE', 2); nil")
        assert q(a, "Color{BLUE}.value()") == 2

    def plain_sql_change_is_seen():
        assert q(a, "has_type('Person')") is False
        b.execute("UPDATE thingsdb.types SET name = 'Person' WHERE name = 'User'")
        assert q(a, "has_type('Person')") is True
        b.execute("UPDATE thingsdb.types SET name = 'User' WHERE name = 'Person'")
        assert q(a, "has_type('User')") is True

    def views_follow_query_rights():
        b.execute("DROP ROLE IF EXISTS tdb_tc_reader")
        b.execute("CREATE ROLE tdb_tc_reader")
        q(b, "new_user('tdb_tc_reader'); grant('@:stuff', 'tdb_tc_reader', QUERY); nil", "@thingsdb")
        try:
            with b.transaction():
                b.execute("SET LOCAL ROLE tdb_tc_reader")
                names = [r[0] for r in b.execute("SELECT name FROM tdb_types ORDER BY type_id")]
                enums = [r[0] for r in b.execute("SELECT name FROM tdb_enums")]
                assert names == ["User"] and enums == ["Color"], (names, enums)
            q(b, "revoke('@:stuff', 'tdb_tc_reader', QUERY); nil", "@thingsdb")
            with b.transaction():
                b.execute("SET LOCAL ROLE tdb_tc_reader")
                assert b.execute("SELECT count(*) FROM tdb_types").fetchone()[0] == 0
        finally:
            q(b, "del_user('tdb_tc_reader'); nil", "@thingsdb")
            b.execute("REVOKE CONNECT ON DATABASE %s FROM tdb_tc_reader" % DB)
            b.execute("DROP ROLE tdb_tc_reader")

    for fn in (field_added_by_another_session, rolled_back_change_is_forgotten,
               enum_changed_by_another_session, plain_sql_change_is_seen, views_follow_query_rights):
        t.run(fn)
    a.close()
    b.close()
    tdbtest.drop_db(DB)
    t.finish()


if __name__ == "__main__":
    main()
