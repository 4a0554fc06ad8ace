"""Users and access: a matrix of roles, one ThingsDB right each,
showing what each can and cannot do; tokens (tdb_authenticate), an expired
token, a deleted user; the extension's tables are closed to every role."""
import os
import sys

import psycopg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tdbtest  # noqa: E402

DB = "tdb_e2e_access"
RIGHTS = ["QUERY", "CHANGE", "GRANT", "JOIN", "RUN"]
# A few combinations next to the single rights: a query that changes needs
# QUERY and CHANGE, a procedure with side effects RUN and CHANGE.
COMBOS = {"query_change": "QUERY|CHANGE", "run_change": "RUN|CHANGE"}

t = tdbtest.Tally()
admin = None


def role_name(key):
    return "tdb_acc_" + key.lower()


def setup():
    global admin
    tdbtest.scratch_db(DB)
    admin = tdbtest.connect(DB)
    roles = {**{r: r for r in RIGHTS}, **COMBOS}
    for key, mask in roles.items():
        name = role_name(key)
        admin.execute('DROP ROLE IF EXISTS "%s"' % name)
        admin.execute('CREATE ROLE "%s" LOGIN' % name)
        admin.execute('GRANT USAGE ON SCHEMA public TO "%s"' % name)
        # The same right on @thingsdb and on @:stuff.
        admin.execute("SELECT tdb_query($$new_user(u); grant('@thingsdb', u, %s); grant('@:stuff', u, %s)$$,"
                      " '@thingsdb', jsonb_build_object('u', %%s::text))" % (mask, mask), (name,))
    admin.execute("DROP ROLE IF EXISTS tdb_acc_stranger")
    admin.execute("CREATE ROLE tdb_acc_stranger LOGIN")
    admin.execute("SELECT tdb_query($$.x = 1; .n = 0$$)")
    admin.execute("SELECT tdb_query($$new_user('tdb_acc_target')$$, '@thingsdb')")


def as_role(name):
    c = tdbtest.connect(DB)
    c.execute('SET ROLE "%s"' % name)
    return c


def attempt(conn, sql, params=None):
    """'ok', or the error's DETAIL (forbidden_err, auth_err) / SQLSTATE."""
    try:
        conn.execute(sql, params)
        return "ok"
    except psycopg.Error as e:
        d = e.diag
        return d.message_detail or d.sqlstate


def root_id():
    return admin.execute("SELECT tdb_query('.id()')").fetchone()[0]


def have_run():
    return admin.execute("SELECT count(*) FROM pg_proc WHERE proname = 'tdb_run'").fetchone()[0] > 0


OPS = {
    "read": lambda c: attempt(c, "SELECT tdb_query('.x')"),
    "change": lambda c: attempt(c, "SELECT tdb_query('.n += 1')"),
    "thingsdb_read": lambda c: attempt(c, "SELECT tdb_query('collections_info()', '@thingsdb')"),
    "watch": lambda c: attempt(c, "SELECT tdb_watch(%s)" % root_id()),
    "grant": lambda c: attempt(c, "SELECT tdb_query($$grant('@:stuff', 'tdb_acc_target', QUERY)$$, '@thingsdb')"),
    "table_things": lambda c: attempt(c, "SELECT * FROM thingsdb.things"),
    "table_tokens": lambda c: attempt(c, "SELECT * FROM thingsdb.tokens"),
    "table_write": lambda c: attempt(c, "DELETE FROM thingsdb.access"),
}
if True:  # procedures (tdb_run)
    OPS["run_pure"] = lambda c: attempt(c, "SELECT tdb_run('pure')") if have_run() else "n/a"
    OPS["run_changing"] = lambda c: attempt(c, "SELECT tdb_run('bump')") if have_run() else "n/a"

F, NO = "forbidden_err", "42501"   # 42501: PostgreSQL's permission denied
TABLES = {"table_things": NO, "table_tokens": NO, "table_write": NO}
EXPECTED = {
    "QUERY": {"read": "ok", "change": F, "thingsdb_read": "ok", "watch": F, "grant": F,
              "run_pure": F, "run_changing": F},
    "CHANGE": {"read": F, "change": F, "thingsdb_read": F, "watch": F, "grant": F,
               "run_pure": F, "run_changing": F},
    # GRANT comes with CHANGE, but a query needs QUERY first.
    "GRANT": {"read": F, "change": F, "thingsdb_read": F, "watch": F, "grant": F,
              "run_pure": F, "run_changing": F},
    "JOIN": {"read": F, "change": F, "thingsdb_read": F, "watch": "ok", "grant": F,
             "run_pure": F, "run_changing": F},
    "RUN": {"read": F, "change": F, "thingsdb_read": F, "watch": F, "grant": F,
            "run_pure": "ok", "run_changing": F},
    "query_change": {"read": "ok", "change": "ok", "thingsdb_read": "ok", "watch": F, "grant": F,
                     "run_pure": F, "run_changing": F},
    "run_change": {"read": F, "change": F, "thingsdb_read": F, "watch": F, "grant": F,
                   "run_pure": "ok", "run_changing": "ok"},
}


def check_matrix(key):
    conn = as_role(role_name(key))
    try:
        got = {op: fn(conn) for op, fn in OPS.items()}
    finally:
        conn.close()
    want = dict(EXPECTED[key], **TABLES)
    diff = {op: (got[op], want[op]) for op in OPS if got[op] != "n/a" and got[op] != want[op]}
    assert not diff, "role %s: (got, want) %r" % (key, diff)


def make_matrix_test(key):
    def fn():
        check_matrix(key)
    fn.__name__ = "test_matrix_%s" % key.lower()
    return fn


def test_forbidden_message():
    conn = as_role(role_name("QUERY"))
    try:
        conn.execute("SELECT tdb_query('.x = 2')")
        raise AssertionError("no error")
    except psycopg.Error as e:
        assert e.diag.sqlstate == "TD055", e.diag.sqlstate
        assert e.diag.message_primary == (
            "user `tdb_acc_query` is missing the required privileges (`CHANGE`) on scope `@:stuff`"), \
            e.diag.message_primary
    finally:
        conn.close()


def test_stranger_role():
    conn = as_role("tdb_acc_stranger")
    try:
        assert attempt(conn, "SELECT tdb_query('1')") == "auth_err"
        assert attempt(conn, "SELECT * FROM thingsdb.users") == NO
    finally:
        conn.close()


def test_admin_sees_tables():
    n = admin.execute("SELECT count(*) FROM thingsdb.users").fetchone()[0]
    assert n >= 8, n


def test_token_acts_as_user():
    key = admin.execute("SELECT tdb_query($$new_token('tdb_acc_query')$$, '@thingsdb') #>> '{}'").fetchone()[0]
    assert len(key) == 22, key
    # The key itself is nowhere in the tables.
    assert admin.execute("SELECT count(*) FROM thingsdb.tokens WHERE key_hint = %s OR description = %s",
                         (key, key)).fetchone()[0] == 0
    conn = as_role("tdb_acc_stranger")
    try:
        assert attempt(conn, "SELECT tdb_query('.x')") == "auth_err"
        assert conn.execute("SELECT tdb_authenticate(%s)", (key,)).fetchone()[0] == "tdb_acc_query"
        assert conn.execute("SELECT tdb_query('.x')").fetchone()[0] == 1
        assert attempt(conn, "SELECT tdb_query('.x = 5')") == F
        assert conn.execute("SELECT tdb_query('user_info().name')").fetchone()[0] == "tdb_acc_query"
        conn.execute("SELECT tdb_authenticate(NULL)")
        assert attempt(conn, "SELECT tdb_query('.x')") == "auth_err"
        # For one transaction only.
        with conn.transaction():
            conn.execute("SELECT tdb_authenticate(%s, true)", (key,))
            assert conn.execute("SELECT tdb_query('.x')").fetchone()[0] == 1
        assert attempt(conn, "SELECT tdb_query('.x')") == "auth_err"
        assert attempt(conn, "SELECT tdb_authenticate('abcdefghijklmnopqrstuv')") == "auth_err"
    finally:
        conn.close()


def test_expired_token():
    key = admin.execute("SELECT tdb_query($$new_token('tdb_acc_query', datetime().move('hours', 1))$$,"
                        " '@thingsdb') #>> '{}'").fetchone()[0]
    conn = as_role("tdb_acc_stranger")
    try:
        conn.execute("SELECT tdb_authenticate(%s)", (key,))
        assert conn.execute("SELECT tdb_query('.x')").fetchone()[0] == 1
        admin.execute("UPDATE thingsdb.tokens SET expiration = 1 WHERE user_id = "
                      "(SELECT id FROM thingsdb.users WHERE name = 'tdb_acc_query') AND expiration IS NOT NULL")
        try:
            conn.execute("SELECT tdb_query('.x')")
            raise AssertionError("no error")
        except psycopg.Error as e:
            assert e.diag.message_primary == "token is expired", e.diag.message_primary
            assert e.diag.sqlstate == "TD056"
        assert attempt(conn, "SELECT tdb_authenticate(%s)" % psycopg.sql.quote(key)) == "auth_err"
        admin.execute("SELECT tdb_query('del_expired()', '@thingsdb')")
        assert attempt(conn, "SELECT tdb_query('.x')") == "auth_err"   # now: invalid token
    finally:
        conn.close()


def test_deleted_user():
    admin.execute("SELECT tdb_query($$new_user('tdb_acc_temp'); grant('@:stuff', 'tdb_acc_temp', QUERY)$$,"
                  " '@thingsdb')")
    key = admin.execute("SELECT tdb_query($$new_token('tdb_acc_temp')$$, '@thingsdb') #>> '{}'").fetchone()[0]
    conn = as_role("tdb_acc_stranger")
    try:
        conn.execute("SELECT tdb_authenticate(%s)", (key,))
        assert conn.execute("SELECT tdb_query('.x')").fetchone()[0] == 1
        admin.execute("SELECT tdb_query($$del_user('tdb_acc_temp')$$, '@thingsdb')")
        assert attempt(conn, "SELECT tdb_query('.x')") == "auth_err"
        assert admin.execute("SELECT count(*) FROM thingsdb.access a JOIN thingsdb.users u ON u.id = a.user_id"
                             " WHERE u.name = 'tdb_acc_temp'").fetchone()[0] == 0
    finally:
        conn.close()


def test_search_path_is_pinned():
    # A caller's own `=` operator for bigint must not run with the owner's rights.
    conn = as_role(role_name("query_change"))
    try:
        conn.execute("SET search_path = public, pg_catalog")
        assert conn.execute("SELECT tdb_query('.x')").fetchone()[0] == 1
        assert conn.execute("SHOW search_path").fetchone()[0] == "public, pg_catalog"
        assert conn.execute("SELECT current_user").fetchone()[0] == role_name("query_change")
    finally:
        conn.close()


def test_seed_create_user():
    """Seed 000: the create_user procedure yields a token whose holder can run
    procedures and query @:stuff but cannot change @thingsdb."""
    if not have_run():
        print("skip test_seed_create_user: tdb_run is not there yet")
        return
    admin.execute("""SELECT tdb_query($$new_procedure('create_user', |name| {
        "Creates a new user with a token and some basic access rights.";
        new_user(name);
        token = new_token(name, datetime().move('days', 1));
        grant('@:stuff', name, JOIN|QUERY|RUN);
        token;
    })$$, '@thingsdb')""")
    admin.execute("SELECT tdb_query($$new_procedure('answer', || 42)$$)")
    token = admin.execute("SELECT tdb_query($$wse(create_user('cato'))$$, '@thingsdb') #>> '{}'").fetchone()[0]
    conn = as_role("tdb_acc_stranger")
    try:
        conn.execute("SELECT tdb_authenticate(%s)", (token,))
        assert conn.execute("SELECT tdb_run('answer')").fetchone()[0] == 42
        assert conn.execute("SELECT tdb_query('.x')").fetchone()[0] == 1
        assert attempt(conn, "SELECT tdb_query($$new_collection('mine')$$, '@thingsdb')") == F
    finally:
        conn.close()


def main():
    setup()
    if have_run():
        admin.execute("SELECT tdb_query($$new_procedure('pure', || .x)$$)")
        admin.execute("SELECT tdb_query($$new_procedure('bump', || .n += 1)$$)")
    for key in list(RIGHTS) + list(COMBOS):
        t.run(make_matrix_test(key))
    for fn in (test_forbidden_message, test_stranger_role, test_admin_sees_tables, test_token_acts_as_user,
               test_expired_token, test_deleted_user, test_search_path_is_pinned, test_seed_create_user):
        t.run(fn)
    admin.close()
    tdbtest.drop_db(DB)
    t.finish()


if __name__ == "__main__":
    main()
