-- The function library in PostgreSQL: log() as a NOTICE, set_default_deep and a
-- collection scope by id, futures, and a few functions end to end.

CREATE FUNCTION fnlib_try(code text, scope text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    RETURN tdb_query(code, scope)::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ' ' || detail || ': ' || SQLERRM;
END $$;

SELECT tdb_query('new_collection("fnlib") > 0', '@thingsdb');

-- log() sends a NOTICE to the client and returns nil.
SELECT tdb_query($$log('hello from ThingsDB'); log(42)$$, '@:fnlib');
SELECT fnlib_try($$log([1])$$, '@:fnlib');

-- set_default_deep is kept in thingsdb.collections and renders the queries.
SELECT tdb_query($$.a = {b: {c: {}}}; nil$$, '@:fnlib');
SELECT tdb_query($$set_default_deep('@:fnlib', 2)$$, '@thingsdb');
SELECT default_deep FROM thingsdb.collections WHERE name = 'fnlib';
SELECT tdb_query('[deep(), {b: {c: {d: {}}}}]', '@:fnlib');
SELECT tdb_query($$collection_info('fnlib').default_deep$$, '@thingsdb');
SELECT fnlib_try($$set_default_deep('@:fnlib', 200)$$, '@thingsdb');
SELECT tdb_query($$set_default_deep('fnlib', 1)$$, '@thingsdb');

-- A collection scope by id, and ThingsDB's scope errors.
SELECT tdb_query('root().a.len()', '@:' || (SELECT id FROM thingsdb.collections WHERE name = 'fnlib'));
SELECT fnlib_try('1', '@:999999999');
SELECT fnlib_try('1', '@collection');
SELECT fnlib_try('1', '@:no-such name');

-- Math, strings and values.
SELECT tdb_query('[abs(-3), ceil(1.2), floor(-1.2), round(2.345, 2), pow(2, 8), sqrt(2.25), INT_MAX]', '@:fnlib');
SELECT tdb_query($$[base64_encode('ThingsDB'), str(base64_decode('VGhpbmdzREI=')), is_email('a@b.io'), is_url('https://x.io')]$$, '@:fnlib');
SELECT tdb_query($$[/(\w)(\d)/g.match('a1 b2 c3'), /(\w)(\d)/.match('a1 b2')]$$, '@:fnlib');
SELECT tdb_query('[[1, [2, [3]]].flat(), {a: 1, b: 2}.vmap(|v| v * 2), randstr(8).len()]', '@:fnlib');
SELECT tdb_query('x = 6; future(|x| x * 7).then(|v| v + 1)', '@:fnlib');
-- A closure making a future of itself ends at ThingsDB's 255 futures per
-- closure; an error in a future's closure ends the query.
SELECT tdb_query('fut = || future(nil, fut).then(|_, fut| fut()); fut()', '@:fnlib');
SELECT tdb_query('future(nil).then(|| 1 / 0).else(|e| 0)', '@:fnlib');
SELECT fnlib_try('export()', '@:fnlib');

SELECT tdb_query('del_collection("fnlib")', '@thingsdb');
DROP FUNCTION fnlib_try(text, text);
