-- Procedures: the ThingsDB API in tdb_query, and tdb_run, tdb_call,
-- tdb_new_procedure, tdb_procedure_info and tdb_procedures from SQL.
SELECT tdb_query('new_collection("procs")', '@thingsdb')::bigint > 0 AS created;
SET thingsdb.scope = '@:procs';

-- Errors come back as SQLSTATE, the kind (DETAIL) and ThingsDB's message.
CREATE FUNCTION proc_try(stmt text) RETURNS text
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

-- The procedures API inside ThingsDB code.
SELECT tdb_query('new_procedure("multiply", |a, b| a * b)');
SELECT tdb_query('[multiply(6, 7), run("multiply", 2, 3), has_procedure("multiply"), has_procedure("nope")]');
SELECT tdb_query($$new_procedure('greet', |name| {
    "Says hello.";
    `Hello {name}`;
});
[procedure_doc('greet'), greet('Iris')]$$);
SELECT tdb_query('procedure_info("multiply")') - 'created_at' AS info;
SELECT tdb_query('procedures_info().map(|p| p.name)');
SELECT tdb_query('new_procedure("tmp", |x| x); rename_procedure("tmp", "tmp2"); mod_procedure("tmp2", |x| x + 1); [has_procedure("tmp"), tmp2(1)]');
SELECT tdb_query('del_procedure("tmp2"); has_procedure("tmp2")');

-- Missing arguments are nil, extra ones are ignored (and not evaluated).
SELECT tdb_query('new_procedure("pair", |a, b| [a, b]); [pair(1), pair(1, 2, 1/0)]');

-- Side effects need a change: wse(), or tdb_run which runs them as one.
SELECT tdb_query('new_procedure("store", |v| .v = v)');
SELECT proc_try($$SELECT tdb_query('store(5)')$$);
SELECT tdb_query('wse(store(5)); .v');

-- The API's errors.
SELECT proc_try($$SELECT tdb_query('new_procedure("multiply", |a| a)')$$);
SELECT proc_try($$SELECT tdb_query('new_procedure("1st", |a| a)')$$);
SELECT proc_try($$SELECT tdb_query('new_procedure("f", 1)')$$);
SELECT proc_try($$SELECT tdb_query('new_procedure("f")')$$);
SELECT proc_try($$SELECT tdb_query('run("nope")')$$);
SELECT proc_try($$SELECT tdb_query('del_procedure("nope")')$$);
SELECT proc_try($$SELECT tdb_query('rename_procedure("greet", "multiply")')$$);
SELECT proc_try($$SELECT tdb_query('procedure_info(1)')$$);

-- tdb_run: SQL values become ThingsDB values.
SELECT tdb_run('multiply', 6, 7);
SELECT tdb_query('new_procedure("echo", |v| [type(v), v])');
SELECT tdb_run('echo', NULL::int);
SELECT tdb_run('echo', true);
SELECT tdb_run('echo', 42::smallint), tdb_run('echo', 42::bigint);
SELECT tdb_run('echo', 1.5::real), tdb_run('echo', 2.5::float8);
SELECT tdb_run('echo', 12::numeric), tdb_run('echo', 12.25::numeric);
SELECT tdb_run('echo', 'text'), tdb_run('echo', 'varchar'::varchar);
SELECT tdb_run('echo', '\x0102'::bytea);
SELECT tdb_run('echo', '{"a": [1, {"b": null}]}'::jsonb), tdb_run('echo', '[1, "x"]'::json);
SELECT tdb_run('echo', '2024-02-29 12:00:00+00'::timestamptz);
SELECT tdb_run('echo', ARRAY[1, 2, 3]), tdb_run('echo', ARRAY['a', NULL]);
SELECT tdb_run('echo', ROW(1, 'x'));
SELECT tdb_run('echo', '192.168.0.1'::inet);
SELECT tdb_run('echo', VARIADIC ARRAY[5, 6]);
SELECT tdb_run('pair', 1), tdb_run('pair', 1, 2, 3), tdb_run('pair');
-- A procedure with side effects runs as a change.
SELECT tdb_run('store', 'from sql'), tdb_query('.v');
-- Not in thingsdb.scope: @thingsdb next.
SELECT tdb_query('new_procedure("add", |a, b| a + b)', '@thingsdb');
SELECT tdb_run('add', 'a', 'b');
SELECT proc_try($$SELECT tdb_run('nope')$$);
SELECT proc_try($$SELECT tdb_run('no pe', 1)$$);
SELECT proc_try($$SELECT tdb_run(NULL)$$);
SELECT proc_try($$SELECT tdb_run('multiply', 'a', 1)$$);

-- tdb_call: positional, by name (case-insensitive), or name/value objects.
SELECT tdb_query('new_procedure("search_todos", |search, inc| [search, inc])');
SELECT tdb_call('search_todos', '["test%", 0]');
SELECT tdb_call('search_todos', '{"INC": 0, "search": "test%"}');
SELECT tdb_call('search_todos', '[{"name": "search", "value": "test%"}, {"name": "inc", "value": 0}]');
SELECT tdb_call('search_todos', '{"inc": 1}'), tdb_call('search_todos', NULL);
SELECT tdb_call('add', '[1, 2]');
SELECT tdb_call('add', '[1, 2]', '@thingsdb');
SELECT proc_try($$SELECT tdb_call('search_todos', '{"nope": 1}')$$);
SELECT proc_try($$SELECT tdb_call('search_todos', '1')$$);
SELECT proc_try($$SELECT tdb_call('add', '[1, 2]', '@:procs')$$);
SELECT proc_try($$SELECT tdb_call('add', '[1, 2]', '@:nowhere')$$);

-- tdb_new_procedure: the closure as text.
SELECT tdb_new_procedure('square', '|x| x * x');
SELECT tdb_run('square', 9);
SELECT tdb_new_procedure('shout', ' |s| s.upper() ', '@thingsdb');
SELECT tdb_query('procedure_info("shout").definition', '@thingsdb');
SELECT proc_try($$SELECT tdb_new_procedure('square', '|x| x')$$);
SELECT proc_try($$SELECT tdb_new_procedure('bad', '|x| x +')$$);
SELECT proc_try($$SELECT tdb_new_procedure('bad', '1 + 1')$$);
SELECT proc_try($$SELECT tdb_new_procedure('bad', NULL)$$);

-- Discovery: tdb_procedure_info and tdb_procedures, in DreamFactory's style.
SELECT jsonb_pretty(tdb_procedure_info('search_todos') - 'created_at');
SELECT tdb_procedure_info('add') ->> 'name' AS from_thingsdb;
SELECT proc_try($$SELECT tdb_procedure_info('nope')$$);
SELECT name, doc, arguments, with_side_effects, definition, created_at > '2020-01-01' AS recent
FROM tdb_procedures();
SELECT name, jsonb_array_length(params) AS params FROM tdb_procedures('@thingsdb');

-- Procedures are rows of thingsdb.procedures; a collection takes its own along.
SELECT scope_id = 0 AS thingsdb, name FROM thingsdb.procedures ORDER BY 1, 2;
SELECT tdb_query('del_collection("procs")', '@thingsdb');
SELECT count(*) AS left_in_procs FROM thingsdb.procedures WHERE scope_id <> 0;

-- A failed statement changes nothing: the procedure is not there afterwards.
SELECT proc_try($$SELECT tdb_query('new_procedure("gone", |x| x); 1/0', '@thingsdb')$$);
SELECT tdb_query('has_procedure("gone")', '@thingsdb');

SELECT tdb_query('del_procedure("add"); del_procedure("shout")', '@thingsdb');
RESET thingsdb.scope;
DROP FUNCTION proc_try(text);
