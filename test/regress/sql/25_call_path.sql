-- The short path of a procedure call: what it skips and what it keeps.
SELECT tdb_query('new_collection("callpath")', '@thingsdb')::bigint > 0 AS created;
SET thingsdb.scope = '@:callpath';

CREATE FUNCTION cp_try(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    result text;
    detail text;
BEGIN
    EXECUTE stmt INTO result;
    RETURN result;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ' ' || detail || ': ' || SQLERRM;
END $$;

-- The collection locks this backend holds (docs/sql.md, "Concurrency").
CREATE FUNCTION cp_locks() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pg_locks
    WHERE locktype = 'advisory' AND objsubid = 3 AND pid = pg_backend_pid() $$;

SELECT tdb_query($$
    set_type('CpT', {name: 'str'});
    .n = 0;
    .bump = || .n += 1;
    task(datetime().move('days', 1), || nil);
    new_procedure('cp_mul', |a, b| a * b);
    new_procedure('cp_read', || .n);
    new_procedure('cp_type', || CpT{}.len());
    new_procedure('cp_tasks', || tasks().len());
    new_procedure('cp_write', |x| .n = x);
    new_procedure('cp_maybe', |w| w ? wse(.bump.call()) : 0);
    new_procedure('cp_fail', |w| w ? {wse(.bump.call()); raise('stop')} : 0);
    nil
$$);

-- The collection's lock is taken when a call first uses the collection: a procedure that
-- only computes takes none, one that reads a thing, a Type or the tasks does.
BEGIN;
SELECT tdb_run('cp_mul', 6, 7);
SELECT tdb_run('cp_mul', 6, 7);
SELECT cp_locks() AS computing;
SELECT tdb_run('cp_read');
SELECT cp_locks() AS reading;
ROLLBACK;
BEGIN;
SELECT tdb_run('cp_type');
SELECT cp_locks() AS type_read;
ROLLBACK;
BEGIN;
SELECT tdb_run('cp_tasks');
SELECT cp_locks() AS tasks_read;
ROLLBACK;
BEGIN;
SELECT tdb_call('cp_write', '[5]');
SELECT cp_locks() AS writing;
COMMIT;
SELECT tdb_run('cp_read');

-- A procedure that stayed a reader runs without the subtransaction of an attempt; one that
-- becomes a change as it runs (wse) writes, and what it wrote goes when it fails.
SELECT tdb_run('cp_maybe', false), tdb_run('cp_maybe', false);
SELECT tdb_run('cp_maybe', true);
SELECT tdb_run('cp_read');
SELECT tdb_run('cp_fail', false), tdb_run('cp_fail', false);
SELECT cp_try($$SELECT tdb_run('cp_fail', true)$$);
SELECT tdb_run('cp_read');
BEGIN;
SELECT tdb_run('cp_maybe', false);
SELECT tdb_run('cp_maybe', true);
ROLLBACK;
SELECT tdb_run('cp_read');

-- The same for code: code that stayed a reader runs without the subtransaction of an attempt
-- (its prediction is kept by code, whatever the vars), code that may change data is a writer
-- from its start, and code that turns into a change as it runs (a procedure's wse) runs again
-- as a writer; what a failing change wrote goes.
SELECT tdb_query('.n'), tdb_query('.n');
SELECT tdb_query('.n += 1; .n'), tdb_query('.n'), tdb_query('.n += 1; .n');
SELECT tdb_query('run("cp_maybe", w)', NULL, '{"w": false}') AS r1,
       tdb_query('run("cp_maybe", w)', NULL, '{"w": false}') AS r2,
       tdb_query('run("cp_maybe", w)', NULL, '{"w": true}') AS w1,
       tdb_query('.n') AS n;
SELECT tdb_query('run("cp_fail", w)', NULL, '{"w": false}'),
       tdb_query('run("cp_fail", w)', NULL, '{"w": false}');
SELECT cp_try($$SELECT tdb_query('run("cp_fail", w)', NULL, '{"w": true}')$$);
SELECT cp_try($$SELECT tdb_query('.n += 100; raise("stop")')$$);
SELECT tdb_query('.n');
BEGIN;
SELECT tdb_query('run("cp_maybe", w)', NULL, '{"w": true}');
SELECT tdb_query('.n');
ROLLBACK;
SELECT tdb_query('.n');
BEGIN READ ONLY;
SELECT tdb_query('.n'), tdb_query('run("cp_maybe", w)', NULL, '{"w": false}');
SELECT cp_try($$SELECT tdb_query('run("cp_maybe", w)', NULL, '{"w": true}')$$);
SELECT cp_try($$SELECT tdb_query('.n += 1')$$);
COMMIT;
SELECT tdb_query('.n');

-- In a read-only transaction a reader runs, a change is refused before it writes.
BEGIN READ ONLY;
SELECT tdb_run('cp_mul', 2, 3), tdb_run('cp_read'), tdb_run('cp_maybe', false);
SELECT cp_try($$SELECT tdb_run('cp_maybe', true)$$);
COMMIT;
BEGIN READ ONLY;
SELECT cp_try($$SELECT tdb_run('cp_write', 1)$$);
COMMIT;
SELECT tdb_run('cp_read');

-- Rights are checked on every call, also of a reader.
SELECT tdb_query($$new_user('cp_role'); grant('@:callpath', 'cp_role', QUERY|RUN); nil$$,
                 '@thingsdb');
CREATE ROLE cp_role;
GRANT USAGE ON SCHEMA thingsdb TO cp_role;
SET ROLE cp_role;
SELECT tdb_run('cp_mul', 3, 4), tdb_run('cp_mul', 3, 4);
RESET ROLE;
SELECT tdb_query($$revoke('@:callpath', 'cp_role', RUN); nil$$, '@thingsdb');
SET ROLE cp_role;
SELECT cp_try($$SELECT tdb_run('cp_mul', 3, 4)$$);
RESET ROLE;
SELECT tdb_query($$del_user('cp_role'); nil$$, '@thingsdb');
REVOKE USAGE ON SCHEMA thingsdb FROM cp_role;
DROP ROLE cp_role;

-- A scalar result is the jsonb that jsonb_in makes of its text: equal, same hash and size.
SELECT r, r = e AS equal, jsonb_hash(r) = jsonb_hash(e) AS hash,
       pg_column_size(r) = pg_column_size(e) AS size, jsonb_typeof(r),
       jsonb_build_array(r) = jsonb_build_array(e) AS nested
FROM (VALUES (tdb_query('42'), '42'::jsonb), (tdb_query('-9007199254740993'), '-9007199254740993'),
             (tdb_query('0'), '0'), (tdb_query('"héllo"'), '"héllo"'), (tdb_query('""'), '""'),
             (tdb_query('true'), 'true'), (tdb_query('false'), 'false'),
             (tdb_query('nil'), 'null'), (tdb_run('cp_mul', -6, 7), '-42')) v(r, e);
-- Integers are written as numeric_in would: the same base-10000 digits and weight (numeric_send),
-- trailing zero digits left out, also for the largest integers written directly (18 digits).
SELECT e, r = e::jsonb AS equal, numeric_send(r::numeric) = numeric_send(e::numeric) AS digits,
       pg_column_size(r) = pg_column_size(e::jsonb) AS size
FROM (VALUES ('1'), ('-1'), ('9999'), ('10000'), ('-20000'), ('12345678'), ('100000000'),
             ('99999999999999999'), ('100000000000000000'), ('-123456789012345678'),
             ('999999999999999999'), ('1000000000000000000'), ('-9223372036854775807')) v(e),
     LATERAL (SELECT tdb_query(e)) q(r);
SELECT tdb_run('cp_mul', 100000, 100000) AS ten_digits, tdb_run('cp_mul', -1, 0) AS zero;
SELECT tdb_query($$new_procedure('cp_echo', |x| x); nil$$);

-- A SQL argument printed by its output function (regclass) names what the owner's search path
-- (pg_catalog only) sees, whatever the caller's search_path.
CREATE SCHEMA cp_s;
CREATE TABLE cp_s.cp_t (a int);
BEGIN;
SET LOCAL search_path = cp_s, public;
SELECT tdb_run('cp_echo', 'cp_t'::regclass) AS regclass, tdb_run('cp_echo', 'cp_t'::regclass);
SELECT tdb_run('cp_echo', ARRAY['cp_t'::regclass]) AS regclass_array;
ROLLBACK;
DROP TABLE cp_s.cp_t;
DROP SCHEMA cp_s;

-- The calls of one statement: computing ones between writers, each writer's statements run.
SELECT tdb_run('cp_mul', 2, 2) AS a, tdb_run('cp_write', 7) AS b, tdb_run('cp_mul', 3, 3) AS c,
       tdb_run('cp_read') AS d, tdb_query('.n += 1') AS e, tdb_run('cp_read') AS f;

SELECT tdb_run('cp_mul', 6, 7)::int + 1 AS plus_one, tdb_query('"ab"') #>> '{}' AS text,
       tdb_query('true')::bool AS bool, tdb_query('nil') = 'null' AS nil;

SELECT tdb_query('del_collection("callpath")', '@thingsdb');
RESET thingsdb.scope;
DROP FUNCTION cp_try(text);
DROP FUNCTION cp_locks();
