#!/usr/bin/python3
"""The per-backend cache of collection, user, token and access rows
(src/pg/storage/catalog_cache.cpp): a warm session must see every committed change
made by another session, by itself, or by plain SQL, and nothing of a
rolled-back one."""
import psycopg

import tdbtest

DB = "tdb_cache_e2e"


def q(conn, code, scope="@:stuff"):
    return conn.execute("SELECT tdb_query(%s, %s)", (code, scope)).fetchone()[0]


def err(conn, code, scope="@:stuff"):
    """The DETAIL (error name) of a failing query, or None."""
    try:
        q(conn, code, scope)
    except psycopg.Error as e:
        if not conn.autocommit:
            conn.rollback()
        return e.diag.message_detail or e.diag.sqlstate
    return None


def main():
    tdbtest.scratch_db(DB)
    a = tdbtest.connect(DB)
    b = tdbtest.connect(DB)
    t = tdbtest.Tally()

    def collection_renamed_by_another_session():
        q(b, "new_collection('cc1')", "@thingsdb")
        assert q(a, "1", "@:cc1") == 1          # warm in a
        q(b, "rename_collection('cc1', 'cc2')", "@thingsdb")
        assert err(a, "1", "@:cc1") == "lookup_err"
        assert q(a, "2", "@:cc2") == 2

    def collection_deleted_by_another_session():
        q(a, "new_collection('cc3')", "@thingsdb")
        assert q(a, ".x = 1", "@:cc3") == 1
        q(b, "del_collection('cc3')", "@thingsdb")
        assert err(a, ".x", "@:cc3") == "lookup_err"
        q(b, "new_collection('cc3')", "@thingsdb")   # a new one of the same name
        assert err(a, ".x", "@:cc3") == "lookup_err"

    def rolled_back_rename_is_forgotten():
        q(a, "new_collection('cc4')", "@thingsdb")
        assert q(a, "4", "@:cc4") == 4
        a.execute("BEGIN")
        q(a, "rename_collection('cc4', 'cc5')", "@thingsdb")
        assert q(a, "5", "@:cc5") == 5          # cached inside the transaction
        a.execute("ROLLBACK")
        assert q(a, "4", "@:cc4") == 4
        assert err(a, "5", "@:cc5") == "lookup_err"

    def plain_sql_change_is_seen():
        q(a, "new_collection('cc6')", "@thingsdb")
        assert q(a, "6", "@:cc6") == 6
        b.execute("UPDATE thingsdb.collections SET name = 'cc7' WHERE name = 'cc6'")
        assert err(a, "6", "@:cc6") == "lookup_err"
        assert q(a, "7", "@:cc7") == 7
        b.execute("UPDATE thingsdb.collections SET time_zone = 'Europe/Amsterdam' WHERE name = 'cc7'")
        assert q(a, "datetime(0).zone()", "@:cc7") == "Europe/Amsterdam"

    def user_deleted_and_rights_revoked():
        b.execute("DROP ROLE IF EXISTS tdb_cache_u")
        b.execute("CREATE ROLE tdb_cache_u LOGIN")
        b.execute("GRANT CONNECT ON DATABASE %s TO tdb_cache_u" % DB)
        q(b, "new_user('tdb_cache_u'); grant('@:stuff', 'tdb_cache_u', QUERY); nil", "@thingsdb")
        u = psycopg.connect(tdbtest.dsn(DB).replace("user=postgres", "user=tdb_cache_u"), autocommit=True)
        assert q(u, "1 + 1") == 2
        q(b, "revoke('@:stuff', 'tdb_cache_u', QUERY)", "@thingsdb")
        assert err(u, "1 + 1") == "forbidden_err"
        q(b, "grant('@:stuff', 'tdb_cache_u', QUERY)", "@thingsdb")
        assert q(u, "1 + 1") == 2
        q(b, "del_user('tdb_cache_u')", "@thingsdb")
        assert err(u, "1 + 1") == "auth_err"
        u.close()
        b.execute("REVOKE CONNECT ON DATABASE %s FROM tdb_cache_u" % DB)
        b.execute("DROP ROLE tdb_cache_u")

    def token_deleted_by_another_session():
        q(b, "new_user('tdb_cache_t'); grant('@:stuff', 'tdb_cache_t', QUERY); nil", "@thingsdb")
        key = q(b, "new_token('tdb_cache_t')", "@thingsdb")
        a.execute("SELECT tdb_authenticate(%s)", (key,))
        assert q(a, "3") == 3
        q(b, "del_token(%s)" % psycopg.sql.quote(key), "@thingsdb")
        assert err(a, "3") == "auth_err"
        a.execute("SELECT tdb_authenticate(NULL)")
        assert q(a, "3") == 3

    def role_changes_reach_a_warm_session():
        # What a warm session keeps of its role (name, admin, ThingsDB user) follows every
        # change of the role made by another session: membership of the installing role,
        # superuser, rename, and a user created or deleted for it.
        b.execute("DROP ROLE IF EXISTS tdb_cache_r")
        b.execute("DROP ROLE IF EXISTS tdb_cache_r2")
        b.execute("CREATE ROLE tdb_cache_r LOGIN")
        b.execute("GRANT CONNECT ON DATABASE %s TO tdb_cache_r" % DB)
        r = psycopg.connect(tdbtest.dsn(DB).replace("user=postgres", "user=tdb_cache_r"), autocommit=True)
        assert err(r, "1") == "auth_err"                 # no user, no admin
        b.execute("GRANT postgres TO tdb_cache_r")       # a member of the installing role
        assert q(r, "2") == 2
        b.execute("REVOKE postgres FROM tdb_cache_r")
        assert err(r, "3") == "auth_err"
        b.execute("ALTER ROLE tdb_cache_r SUPERUSER")
        assert q(r, "4") == 4
        b.execute("ALTER ROLE tdb_cache_r NOSUPERUSER")
        assert err(r, "5") == "auth_err"
        q(b, "new_user('tdb_cache_r'); grant('@:stuff', 'tdb_cache_r', QUERY); nil", "@thingsdb")
        assert q(r, "6") == 6
        b.execute("ALTER ROLE tdb_cache_r RENAME TO tdb_cache_r2")   # now another name
        assert err(r, "7") == "auth_err"
        q(b, "new_user('tdb_cache_r2'); grant('@:stuff', 'tdb_cache_r2', QUERY); nil", "@thingsdb")
        assert q(r, "8") == 8
        q(b, "del_user('tdb_cache_r2')", "@thingsdb")
        assert err(r, "9") == "auth_err"
        r.close()
        q(b, "if (has_user('tdb_cache_r')) del_user('tdb_cache_r')", "@thingsdb")
        b.execute("REVOKE CONNECT ON DATABASE %s FROM tdb_cache_r2" % DB)
        b.execute("DROP ROLE tdb_cache_r2")

    for fn in (collection_renamed_by_another_session, collection_deleted_by_another_session,
               rolled_back_rename_is_forgotten, plain_sql_change_is_seen,
               user_deleted_and_rights_revoked, token_deleted_by_another_session,
               role_changes_reach_a_warm_session):
        t.run(fn)
    a.close()
    b.close()
    tdbtest.drop_db(DB)
    t.finish()


if __name__ == "__main__":
    main()
