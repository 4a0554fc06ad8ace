-- HTTP gateways: named SQL arguments as a gateway maps a JSON
-- body, the read-only (STABLE) variants, and a COMMENT on every function.
SELECT tdb_query('new_collection("gw"); nil', '@thingsdb');
SET thingsdb.scope = '@:gw';
SELECT tdb_new_procedure('add', '|a, b| a + b');
SELECT tdb_new_procedure('remember', '|note| {.note = note; .note}');
SELECT tdb_query('.seen = 0; nil');

-- Named arguments, as PostgREST calls a function: procedure := .., params := ..
SELECT tdb_call(procedure => 'add', params => '{"a": 1, "b": 2}');
SELECT tdb_call(params => '{"B": 40, "A": 2}', procedure => 'add');
SELECT tdb_call(procedure => 'add', params => '[1, 2]', scope => '@:gw');
SELECT tdb_call(procedure => 'add', params => '[{"name": "a", "value": 5}, {"name": "b", "value": 6}]');
SELECT tdb_call(procedure => 'remember', params => '{"note": "hi"}');
SELECT tdb_call(procedure => 'add', params => '{"c": 1}');
SELECT tdb_query(code => '.note', scope => '@:gw', vars => NULL);
SELECT tdb_query(vars => '{"x": 20}', code => 'x + 1');
-- A JSON body mapped to the arguments by name (what a gateway does).
PREPARE gateway(json) AS
    SELECT tdb_call(procedure := b.procedure, params := b.params, scope := b.scope)
    FROM json_to_record($1) AS b(procedure text, params jsonb, scope text);
EXECUTE gateway('{"procedure": "add", "params": {"a": "x", "b": "y"}}');
EXECUTE gateway('{"procedure": "add", "params": [3, 4], "scope": "@:gw"}');
PREPARE gateway_ro(json) AS
    SELECT tdb_call_ro(procedure := b.procedure, params := b.params, scope := b.scope)
    FROM json_to_record($1) AS b(procedure text, params jsonb, scope text);
EXECUTE gateway_ro('{"procedure": "add", "params": {"a": 1, "b": 1}}');
EXECUTE gateway_ro('{"procedure": "remember", "params": {"note": "no"}}');

-- Read-only variants: reads work, changes are refused before anything is written.
SELECT tdb_query_ro('.note');
SELECT tdb_query_ro('x * 2', vars => '{"x": 21}');
SELECT tdb_query_ro('.seen += 1');
SELECT tdb_query_ro('wse(); 1');
SELECT tdb_call_ro('add', '[1, 2]');
SELECT tdb_call_ro('remember', '["x"]');
SELECT tdb_call_ro('nosuch', '[]');
SELECT tdb_query('.seen');
-- In a READ ONLY transaction (a GET request of PostgREST) tdb_query and
-- tdb_call read, and refuse changes with a clear error.
BEGIN TRANSACTION READ ONLY;
SELECT tdb_query('.seen');
SELECT tdb_call('add', '[2, 3]');
SAVEPOINT s;
SELECT tdb_query('.seen = 5');
ROLLBACK TO s;
SELECT tdb_call('remember', '["x"]');
ROLLBACK;
BEGIN TRANSACTION READ ONLY;
SELECT tdb_new_procedure('nope', '|| nil');
ROLLBACK;
-- STABLE functions may be used in a query's WHERE clause, evaluated once.
SELECT n FROM generate_series(1, 3) n WHERE n < tdb_query_ro('.note.len()')::int;

-- Volatility: the read-only variants are STABLE, the others VOLATILE.
SELECT p.proname, p.provolatile
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'thingsdb'
WHERE p.proname IN ('tdb_query', 'tdb_query_ro', 'tdb_call', 'tdb_call_ro')
ORDER BY 1;

-- Every function of the extension has a COMMENT (\df+ and API docs show it).
SELECT p.oid::regprocedure AS without_comment
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'thingsdb'
WHERE obj_description(p.oid, 'pg_proc') IS NULL
ORDER BY 1;
SELECT count(*) > 15 AS many_functions
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'thingsdb'
WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e';

RESET thingsdb.scope;
SELECT tdb_query('del_collection("gw")', '@thingsdb');
