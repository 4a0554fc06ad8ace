-- Client JSON is data: tdb_query's vars, tdb_call's params and tdb_run's json
-- and jsonb arguments are decoded as ThingsDB decodes a client's arguments,
-- never by the rules of the stored form. {"#": id} is a thing of the
-- collection that exists, {"$": [...]} a set, {"/": ...} a closure, {"*": ...}
-- a regex, {"!": ..., "error_msg": ..., "error_code": ...} an error; other
-- reserved one-character keys are refused; any other key is a property.
-- The sweep's progress NOTICEs carry timings.
SET client_min_messages = warning;
\set VERBOSITY default
-- Each case's result or error (thing ids masked), so one failing case does not
-- hide the others.
CREATE FUNCTION pg_temp.try_q(code text, vars jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    kind text;
BEGIN
    RETURN tdb_query(code, NULL, vars)::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS kind = PG_EXCEPTION_DETAIL;
    RETURN kind || ': ' || regexp_replace(regexp_replace(SQLERRM, '#[0-9]+', '#ID', 'g'), '"#": [0-9]+', '"#": ID', 'g');
END $$;
SELECT tdb_query($$ if (has_collection('input_j')) del_collection('input_j'); new_collection('input_j'); nil $$, '@thingsdb');
SET thingsdb.scope = '@:input_j';
SELECT tdb_query('.target = {n: 7}; .target.id()') AS target \gset
SELECT tdb_query('.other = {n: 8}; .all = []; nil');

-- The tagged keys of the stored form are plain properties of a new thing,
-- stored and read back as such (vars).
SELECT k, val, pg_temp.try_q('.v = v; .all.push(v); [.v.keys(), .v.values()]', jsonb_build_object('v', jsonb_build_object(k, val))) AS stored,
       pg_temp.try_q('[.v.keys(), .v.values()]', NULL) AS read_back
FROM (VALUES ('!s', '[1.5]'::jsonb), ('!s', '[1, 2]'), ('!b', '"aGk="'),
             ('!f', '"inf"'), ('!c', '"|| 1"'), ('!r', '"/a/"'), ('!m', '[1, 0]'),
             ('!e', '[-100, "x"]'), ('!d', '[0, 0, null]'), ('!t', '[0, 0, null]'),
             ('!x', '[["k"]]'), ('#x', '1'), ('$x', '[]'), ('!!', '"str"')) AS t(k, val)
ORDER BY k, val::text;
-- the same keys nested in lists and things
SELECT pg_temp.try_q('.v = v; [.v[0][0].keys(), .v[1].a.keys(), .v[1].a.get("!s").keys()]',
    '{"v": [[{"!s": [1.5], "!": 1}], {"a": {"!s": {"!s": [2.5]}}}]}');
SELECT pg_temp.try_q('.v = v; .all.push(v); [.v[0][0].keys(), .v[1].a.keys(), .v[1].a.get("!s").keys()]',
    '{"v": [[{"!s": [1.5], "!m": 1}], {"a": {"!s": {"!s": [2.5]}}}]}');

-- Every single-character reserved key alone, in vars, nested in a list and in a thing.
SELECT k, pg_temp.try_q('.v = v; 1', jsonb_build_object('v', jsonb_build_object(k, 'x'))) AS alone,
       pg_temp.try_q('.v = v; 1', jsonb_build_object('v', jsonb_build_array(jsonb_build_array(jsonb_build_object('a', 1, k, 'x'))))) AS in_list,
       pg_temp.try_q('.v = v; 1', jsonb_build_object('v', jsonb_build_object('a', jsonb_build_object(k, 'x', 'b', 2)))) AS in_thing
FROM unnest(ARRAY['!', '#', '$', '%', '&', '.', '/', '*', '(', '''', '"', ' ', '+', ',', '-']) AS k
ORDER BY k;
SELECT tdb_query('.v = v; 1', NULL, '{"v": [[{"!": "str"}]]}');
SELECT tdb_query('.v = v; 1', NULL, '{"v": {"a": {"b": {"!": "str"}}}}');
SELECT tdb_query('.v = v; 1', NULL, '{"v": {"a": 1, "%": [0, 0]}}');
SELECT tdb_query('.v = v; 1', NULL, '{"v": {"&": [0, {"a": 1}]}}');
-- The keys of vars are names, not a value: a reserved key is refused.
SELECT tdb_query('1', NULL, '{"#": 1}');
SELECT tdb_query('1', NULL, '{"!": "str"}');

-- {"#": id}: a reference to a thing of the collection that exists.
SELECT tdb_query('.v = v; .v == .target', NULL, jsonb_build_object('v', jsonb_build_object('#', :target)));
SELECT tdb_query('[v][0].n', NULL, jsonb_build_object('v', jsonb_build_object('#', :target)));
SELECT tdb_query('v', NULL, '{"v": {"#": 999999999}}');
SELECT tdb_query('v', NULL, '{"v": {"#": 0}}');
SELECT tdb_query('v', NULL, '{"v": {"#": -1}}');
SELECT tdb_query('v', NULL, '{"v": {"#": "7"}}');
SELECT pg_temp.try_q('v', jsonb_build_object('v', jsonb_build_object('#', :target, 'n', 9)));
SELECT tdb_query('v', '@thingsdb', '{"v": {"#": 1}}');
-- a thing of another collection is not found
SELECT tdb_query('.id()', '@:stuff') AS stuff_root \gset
SELECT pg_temp.try_q('v', jsonb_build_object('v', jsonb_build_object('#', :stuff_root)));

-- {"$": [...]}: a set of things; {"/": ...} a closure; {"*": ...} a regex; an error.
SELECT tdb_query('.s = s; [type(.s), .s.len()]', NULL, jsonb_build_object('s', jsonb_build_object('$', jsonb_build_array(jsonb_build_object('#', :target), '{"a": 1}'::jsonb))));
SELECT tdb_query('s', NULL, '{"s": {"$": [1.5]}}');
SELECT tdb_query('s', NULL, '{"s": {"$": 1}}');
SELECT tdb_query('s', NULL, '{"s": {"$": [], "a": 1}}');
SELECT tdb_query('f(1)', NULL, '{"f": {"/": "|x| x + 1"}}');
SELECT tdb_query('f', NULL, '{"f": {"/": 1}}');
SELECT tdb_query('r.test("A")', NULL, '{"r": {"*": "/a/i"}}');
SELECT tdb_query('r', NULL, '{"r": {"*": "a"}}');
SELECT tdb_query('[e.code(), e.msg()]', NULL, '{"e": {"!": "err()", "error_msg": "boom", "error_code": -100}}');
SELECT tdb_query('e', NULL, '{"e": {"!": "err()", "error_msg": "boom", "error_code": 5}}');

-- tdb_call: params as an array, an object, a name/value list.
SELECT tdb_query($$ new_procedure('keep', |a, b| {.kept = [a, b]; [type(a), type(b)]}) $$);
SELECT tdb_call('keep', '[{"!s": [1.5]}, [{"!": "str"}]]');
SELECT tdb_call('keep', '[{"!s": [1.5]}, [{"!d": [1, 2, null]}]]');
SELECT tdb_call('keep', '{"a": {"!s": [1.5]}, "b": {"!": "str"}}');
SELECT tdb_call('keep', '{"a": {"!s": [1.5]}, "b": {"!t": [1, 2, null]}}');
SELECT tdb_call('keep', '[{"name": "a", "value": {"!s": [1.5]}}, {"name": "b", "value": {"!e": [1, "x"]}}]');
SELECT tdb_call('keep', '{"#": 1}');
SELECT tdb_call('keep', jsonb_build_array(jsonb_build_object('#', :target), '{"!c": "|| 1"}'::jsonb));
SELECT tdb_query('[.kept[0] == .target, .kept[1].keys()]');
-- tdb_run: json and jsonb arguments, an array of them, a row.
SELECT tdb_run('keep', '{"!s": [1.5]}'::jsonb, '{"!b": "aGk="}'::json);
SELECT tdb_run('keep', '{"!": "str"}'::json, 1);
SELECT tdb_run('keep', ARRAY['{"!s": [2.5]}'::jsonb], '[{"!r": "/x/"}]'::jsonb);
SELECT tdb_run('keep', jsonb_build_object('#', :target), jsonb_build_object('#', 999999999));
SELECT tdb_run('keep', ROW('{"!s": [3.5]}'::jsonb, 1), NULL);
SELECT tdb_query('.kept[0].keys()');

-- json_load() makes things the same way, without the client's kinds.
SELECT tdb_query($$ json_load('{"!s": [1.5], "!": 1}') $$);
SELECT tdb_query($$ .j = json_load('{"!s": [1.5], "#x": {"!b": 1}}'); [.j.keys(), .j.values()[0], .j.values()[1].keys()] $$);

-- The stored things are data to the sweep too.
SELECT tdb_collect_garbage('input_j') AS removed;
SELECT tdb_query('[.all.len(), .all.map(|v| type(v) == "thing" ? v.keys() : v.len()), .j.keys(), .kept[0].keys()]');
SELECT tdb_collect_garbage() >= 0 AS swept_all;

RESET thingsdb.scope;
SELECT tdb_query($$ del_collection('input_j') $$, '@thingsdb');
