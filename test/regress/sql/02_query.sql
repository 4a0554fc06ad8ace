-- tdb_query: results, scopes, variables, errors, atomicity and limits.

-- Results are ThingsDB's JSON rendering.
SELECT tdb_query('1 + 2');
SELECT tdb_query('[nil, true, 1, 1.5, "str", [1, [2]], {a: 1}]');
SELECT tdb_query('|x| x * 2');
SELECT tdb_query('/ab+c/i');
SELECT tdb_query('err(-100, "my error")');
SELECT tdb_query('x = 6; y = 7; `{x} * {y} = {x * y}`');

-- Variables come from a jsonb object; objects become things.
SELECT tdb_query('a + b', NULL, '{"a": 40, "b": 2}');
SELECT tdb_query('user.name', NULL, '{"user": {"name": "Iris"}}');

-- The scope argument and the thingsdb.scope setting.
SELECT tdb_query('collection_info("stuff").name', '@thingsdb');
SELECT tdb_query('new_collection("shop") > 0', '@t');
SELECT tdb_query('.greeting = "hi"; .greeting', '@:shop');
SELECT tdb_query('.greeting', '@collection:shop');
SELECT tdb_query('.greeting', '//shop');
SET thingsdb.scope = '@:shop';
SELECT tdb_query('.greeting');
RESET thingsdb.scope;
SELECT tdb_query('.has("greeting")');

-- Stored things get ids, nested things render as {"#": id} beyond the deep.
SELECT tdb_query('.book = {title: "HG2G", author: {name: "Douglas"}}; .book.id() > 0');
SELECT tdb_query('.book.author.name');
SELECT jsonb_typeof(tdb_query('.book')->'author'->'#') AS nested_is_ref,
       tdb_query('.book') ? 'title' AS has_title;
SELECT tdb_query('return .book, 2;')->'author'->>'name' AS deep_2;

-- The properties are jsonb rows that SQL can read.
SELECT props->>'title' AS title FROM thingsdb.things WHERE props ? 'author';

-- Errors: SQLSTATE TD + the code's digits, ThingsDB's message, DETAIL the kind.
CREATE FUNCTION tdb_try(code text, scope text DEFAULT NULL) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    RETURN tdb_query(code, scope)::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ' ' || detail || ': ' || SQLERRM;
END $$;

SELECT tdb_try('1 +');
SELECT tdb_try('x = ;');
SELECT tdb_try('1 + "a"');
SELECT tdb_try('9223372036854775807 + 1');
SELECT tdb_try('1 / 0');
SELECT tdb_try('nope');
SELECT tdb_try('nope()');
SELECT tdb_try('.nope');
SELECT tdb_try('"abc".upper(1)');
SELECT tdb_try('[].push()');
SELECT tdb_try('"a".nope()');
SELECT tdb_try('[1][5]');
SELECT tdb_try('raise(err(-100, "custom"))');
-- Shifts and the bitwise not: ThingsDB's kinds and messages.
SELECT tdb_query('[1 << 4, -8 >> 1, 1 + 2 << 3, ~5, ~~1.5, ~true]');
SELECT tdb_try('1.5 << 1');
SELECT tdb_try('~1.5');
SELECT tdb_try('~"a"');
SELECT tdb_try('!~1');
SELECT tdb_try('assert(1 > 2)');
SELECT tdb_try('new_collection("x")');
SELECT tdb_try('.x = 1', '@thingsdb');
SELECT tdb_try('1', '@:nothing');
SELECT tdb_try('1', 'bad scope');
-- psql shows the kind as DETAIL.
SELECT tdb_query('type_err("wrong")');
SELECT tdb_query('raise(type_err("wrong"))');

-- A failed query changes nothing: the statement rolls back.
SELECT tdb_try('.a = 1; .b = 1 / 0;');
SELECT tdb_query('.has("a")');
-- ... and inside try() the rest of the query goes on.
SELECT tdb_query('.c = try(1 / 0); .c.code()');

-- Limits: recursion and nesting end in errors, the session stays usable.
SELECT tdb_try('f = |n| f(n + 1); f(0)');
SELECT left(tdb_try(repeat('[', 3000) || repeat(']', 3000)), 80);
SET statement_timeout = '300ms';
SELECT tdb_query('for (x in range(100000)) { for (y in range(100000)) { nil; } }');
RESET statement_timeout;
SELECT tdb_query('"still usable"');

-- Garbage: a thing nobody references is deleted with what only it held.
SELECT tdb_query('.tmp = {a: {b: {}}}; nil');
SELECT count(*) AS before FROM thingsdb.things;
SELECT tdb_query('.del("tmp"); nil');
SELECT count(*) AS after FROM thingsdb.things;

-- A cycle cut off from the root keeps its counts; the sweep removes it.
SELECT tdb_query('a = {}; b = {a: a}; a.b = b; .cycle = a; nil');
SELECT tdb_query('.del("cycle"); nil');
SELECT count(*) AS with_cycle FROM thingsdb.things;
SET client_min_messages = warning;
SELECT tdb_collect_garbage('stuff') AS removed;
RESET client_min_messages;
SELECT count(*) AS after_sweep FROM thingsdb.things;
SELECT tdb_collect_garbage('nope');

SELECT tdb_query('del_collection("shop")', '@thingsdb');
DROP FUNCTION tdb_try(text, text);

-- A syntax error carries its position in the code (psql marks it under the
-- QUERY line): counted in characters, on the right line, in procedures too.
SELECT tdb_query('x = 1;
y = ;');
SELECT tdb_query('"é" + )');
SELECT tdb_query('1 +');
SELECT tdb_new_procedure('broken', '|x| x +* 2');
