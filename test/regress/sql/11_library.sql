-- The function library: thing.restrict/restriction kept with a stored thing,
-- thing.search, lists in variables that are no change, every scope form,
-- collection_info's next_free_id and change_id().

CREATE FUNCTION lib_try(code text, scope text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    RETURN tdb_query(code, scope)::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ' ' || detail || ': ' || SQLERRM;
END $$;

CREATE FUNCTION lib_try_ro(code text, scope text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    RETURN tdb_query_ro(code, scope)::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ' ' || detail || ': ' || SQLERRM;
END $$;

SELECT tdb_query('new_collection("libreg") > 0', '@thingsdb');

-- restrict: kept with the stored thing (under the reserved key "!"), checked
-- by every later query.
SELECT tdb_query($$.prices = {}; .prices.restrict('float'); .prices.apple = 1.5; .prices.restriction()$$, '@:libreg');
SELECT t.props FROM thingsdb.things t, thingsdb.collections c
 WHERE c.name = 'libreg' AND t.collection = c.id AND t.props ? '!';
SELECT lib_try($$.prices.pear = 2$$, '@:libreg');
SELECT lib_try($$.prices.set('pear', 'cheap')$$, '@:libreg');
SELECT lib_try($$.prices.restrict('int')$$, '@:libreg');
SELECT lib_try($$.prices.restrict('list')$$, '@:libreg');
SELECT lib_try($$.prices.restrict(1)$$, '@:libreg');
SELECT lib_try($$.prices['!'] = 1.0$$, '@:libreg');
SELECT tdb_query($$.prices.pear = 2.25; [.prices.restriction(), .prices.len()]$$, '@:libreg');
-- a Type as restriction, shown by its current name
SELECT tdb_query($$set_type('Fruit', {name: 'str'}); .basket = {}.restrict('Fruit?'); .basket.a = Fruit{name: 'apple'}; .basket.restriction()$$, '@:libreg');
SELECT lib_try($$.basket.b = {name: 'pear'}$$, '@:libreg');
SELECT tdb_query($$rename_type('Fruit', 'Produce'); .basket.restriction()$$, '@:libreg');
-- removed again: writes the thing without the key
SELECT tdb_query($$.prices.restrict(nil); .prices.pear = 'ok'; .prices.restriction()$$, '@:libreg');
SELECT props FROM thingsdb.things WHERE id = (tdb_query('.prices.id()', '@:libreg'))::text::bigint;
-- the watch event of a restrict
SELECT tdb_query($$.prices.clear(); .prices.restrict('str'); nil$$, '@:libreg');
SELECT e.payload->'jobs' AS jobs FROM thingsdb.events e
 WHERE e.thing_id = (tdb_query('.prices.id()', '@:libreg'))::text::bigint
 ORDER BY e.change_id DESC LIMIT 1;

-- search: where a thing is referenced.
SELECT tdb_query($$.needle = {}; .hay = {x: .needle}; .list = [1, .needle]; nil$$, '@:libreg');
SELECT tdb_query($$.search(.needle, {limit: 5}).map(|r| [r.parent_type, r.key, r.key_type])$$, '@:libreg');
SELECT tdb_query($$.search(.needle, {limit: 5, deep: 2}).filter(|r| r.parent == .hay).map(|r| r.key)$$, '@:libreg');
SELECT lib_try($$.search(.needle, {limit: 300})$$, '@:libreg');
SELECT lib_try($$.search(.needle, {depth: 1})$$, '@:libreg');
SELECT lib_try($$.search(1)$$, '@:libreg');

-- A list or set in a variable is no change: read-only entry points run it;
-- a stored list is one, and a variable shares it: pushing to it needs a change.
SELECT lib_try_ro($$x = []; x.push(1); x.push(2); s = set(); s.add({}); [x, s.len()]$$, '@:libreg');
SELECT lib_try_ro($$x = .list; x.push(3); [x.len(), .list.len()]$$, '@:libreg');
SELECT lib_try_ro($$.list.push(3)$$, '@:libreg');
SELECT lib_try_ro($${}.restrict('int')$$, '@:libreg');

-- Every scope form of ThingsDB, in the scope argument and in thingsdb.scope.
SELECT tdb_query('1 + 1', s) AS two, s FROM unnest(ARRAY['@:libreg', '@collection:libreg', '@c:libreg',
    '@coll:libreg', '//libreg', '/collection/libreg', '/c/libreg']) AS s;
SELECT tdb_query('has_collection("libreg")', s) AS found, s FROM unnest(ARRAY['@thingsdb', '@t', '@things',
    '/thingsdb', '/t']) AS s;
SELECT tdb_query('.prices.restriction()', '@:' || (SELECT id FROM thingsdb.collections WHERE name = 'libreg'));
-- a change through a scope by id records the collection's name with its event
SELECT tdb_query('.byid = 1', '@:' || (SELECT id FROM thingsdb.collections WHERE name = 'libreg'));
SELECT collection FROM thingsdb.events
 WHERE thing_id = (SELECT id FROM thingsdb.collections WHERE name = 'libreg') ORDER BY change_id DESC LIMIT 1;
-- the scope arguments of the other SQL functions take the same forms
SELECT tdb_new_procedure('addone', '|x| x + 1', '//libreg');
SELECT tdb_call('addone', '{"x": 1}', '@c:libreg');
SELECT tdb_call('addone', '{"x": 2}', '@:' || (SELECT id FROM thingsdb.collections WHERE name = 'libreg'));
SELECT count(*) FROM tdb_procedures('/collection/libreg');
SET thingsdb.scope = '@c:libreg';
SELECT tdb_query('.list.len()');
SET thingsdb.scope = '/t';
SELECT tdb_query('has_collection("libreg")');
RESET thingsdb.scope;
SELECT lib_try('1', s) FROM unnest(ARRAY['', 'libreg', '@', '/', '@x', '@:', '@collection', '@c:',
    '@:no-such name', '@:12ab', '@:999999999', '//thingsdb', '@thingsdbx', '@node:99', '@' || chr(233)]) AS s;
SELECT lib_try('new_collection("x")', '@:' || (SELECT id FROM thingsdb.collections WHERE name = 'libreg'));
SELECT lib_try($$collection_info(999999999)$$, '@thingsdb');

-- collection_info has ThingsDB's keys; next_free_id is the next thing id.
SELECT tdb_query($$collection_info('libreg').keys()$$, '@thingsdb');
SELECT (tdb_query($$collection_info('libreg').next_free_id$$, '@thingsdb'))::text::bigint
     = (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM thingsdb.thing_id_seq) AS next_free_id_ok;

-- change_id(): nil without a change, the transaction's id for a change.
SELECT tdb_query('change_id()', '@:libreg');
BEGIN;
SELECT (tdb_query('.n = 1; change_id()', '@:libreg'))::text::bigint = txid_current() AS change_id_is_txid;
SELECT (tdb_query('.n = 2; change_id()', '@:libreg'))::text::bigint = txid_current() AS same_in_transaction;
COMMIT;

SELECT tdb_query('del_collection("libreg")', '@thingsdb');
DROP FUNCTION lib_try(text, text);
DROP FUNCTION lib_try_ro(text, text);
