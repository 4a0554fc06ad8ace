-- Writing things: the properties go to thingsdb.things as jsonb built
-- directly (no JSON text); the stored jsonb is the one jsonb_in makes of
-- the JSON text form (the same text, the same size byte for byte).
\set VERBOSITY terse
SELECT tdb_query('if (has_collection("writes")) del_collection("writes"); new_collection("writes");',
                 '@thingsdb') IS NOT NULL AS made;
SELECT tdb_query($$
  .floats = [1.5, 1.0e+300, -0.0, 0.0, 0.1, 1.5e-7, -1.25e-300, 1.7976931348623157e+308, 2.5e-320, inf, -inf, nan];
  .ints = [0, 1, -1, 2147483647, -2147483648, 2147483648, 9223372036854775807, -9223372036854775807 - 1];
  .strs = ["", "hé ☃ 😀", "quote "" backslash \ slash / tab	nl
end", "e\u0000 stays text"];
  .nested = [[1, [2.5, [], [[]]]], {}, [{x: [nil, true, false]}]];
  .z = {};
  .sets = [set(), set([.z])];
  .cl = |x, y| x + y;
  .re = /a.b/i;
  .err = value_err('boom');
  .by = bytes('ab');
  .dts = [datetime(2020, 1, 2, 3, 4, 5, 'Europe/Amsterdam'), datetime('2020-01-01T00:00:00+01:00'), timeval(5)];
  .r = {a: 1};
  .r.restrict('int');
  nil$$, '@:writes');

-- Each row of the collection against jsonb_in of its own text.
CREATE TEMP TABLE writes_ref AS
  SELECT t.id, t.props::text::jsonb AS j
  FROM thingsdb.things t JOIN thingsdb.collections c ON t.collection = c.id
  WHERE c.name = 'writes';
SELECT count(*) AS things,
       count(*) FILTER (WHERE t.props::text = r.j::text) AS same_text,
       count(*) FILTER (WHERE pg_column_size(t.props) = pg_column_size(r.j)) AS same_size
FROM thingsdb.things t JOIN writes_ref r USING (id);
SELECT k, left(s, 60) AS stored, length(s) AS len
FROM thingsdb.things t JOIN thingsdb.collections c ON t.id = c.id, jsonb_each(t.props) AS e(k, v),
     regexp_replace(v::text, '"#": [0-9]+', '"#": N', 'g') AS s
WHERE c.name = 'writes' AND k NOT IN ('floats', 'z', 'r', 'sets')
ORDER BY k;
SELECT t.props AS restricted
FROM thingsdb.things t JOIN thingsdb.collections c ON t.collection = c.id
WHERE c.name = 'writes' AND t.props ? '!';

-- Numbers are numerics as jsonb_in makes them of the writer's text (-0.0
-- is 0.0, 1.5e-7 keeps its scale); inf and nan are tagged strings.
SELECT i, left(v::text, 40) AS stored, length(v::text) AS len, jsonb_typeof(v) AS kind
FROM thingsdb.things t JOIN thingsdb.collections c ON t.id = c.id,
     jsonb_array_elements(t.props->'floats') WITH ORDINALITY AS f(v, i)
WHERE c.name = 'writes' ORDER BY i;

-- Updates go the same way; the values read back are the ones written.
SELECT tdb_query('.z.more = [2.5, "x"]; .ints.push(42); .floats.splice(9, 3); nil', '@:writes');
TRUNCATE writes_ref;
INSERT INTO writes_ref
  SELECT t.id, t.props::text::jsonb
  FROM thingsdb.things t JOIN thingsdb.collections c ON t.collection = c.id
  WHERE c.name = 'writes';
SELECT count(*) AS things,
       count(*) FILTER (WHERE t.props::text = r.j::text AND pg_column_size(t.props) = pg_column_size(r.j)) AS same
FROM thingsdb.things t JOIN writes_ref r USING (id);
SELECT tdb_query('[.floats.len(), .floats[0], .floats[5], .floats[6] < 0, .ints, .strs[1], .z.more, .cl(1, 2), .re.test("AxB"), .err.msg(), .by.len(),
                   .dts.map(|d| type(d)), .r.restriction(), .sets[1].len()]', '@:writes') AS read_back;

-- What jsonb refuses is refused as before: a NUL in a str.
SELECT tdb_query('.nul = str(base64_decode("QQBC")); nil', '@:writes');
SELECT tdb_query('.has("nul")', '@:writes') AS stored_nul;

-- Updates go straight to the primary key whatever the statistics say: right
-- after VACUUM ANALYZE of a nearly empty collection (the planner would take
-- the table for a few rows), creating and updating 3,000 things reads no
-- table sequentially.
SELECT tdb_query('new_collection("stale"); nil', '@thingsdb');
VACUUM ANALYZE thingsdb.things;
\c
\set VERBOSITY terse
BEGIN;
SELECT tdb_query('.items = range(3000).map(|i| {n: i}); nil', '@:stale');
SELECT tdb_query('.items.each(|t| t.n += 1); .items.len()', '@:stale') AS updated;
SELECT coalesce(seq_scan, 0) AS seq_scans, n_tup_upd >= 3000 AS rows_updated
FROM pg_stat_xact_user_tables WHERE schemaname = 'thingsdb' AND relname = 'things';
COMMIT;
SELECT tdb_query('.items.map(|t| t.n).reduce(|a, b| a + b)', '@:stale') AS total;

-- Triggers someone puts on thingsdb.things fire: updates then go through
-- UPDATE statements (a trigger runs as the extension's owner, with
-- search_path pg_catalog, so it names its tables with their schema).
CREATE TABLE stale_log (id bigint, old_n text, new_n text);
CREATE FUNCTION stale_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.stale_log VALUES (NEW.id, OLD.props->>'n', NEW.props->>'n');
    RETURN NEW;
END $$;
CREATE TRIGGER stale_audit AFTER UPDATE ON thingsdb.things FOR EACH ROW EXECUTE FUNCTION stale_audit();
SELECT tdb_query('.items[0].n = 100; .items[1].n = 200; .items.splice(2, 2998); nil', '@:stale');
SELECT old_n, new_n FROM stale_log WHERE old_n IS DISTINCT FROM new_n ORDER BY new_n::int;
SELECT count(*) > 2 AS refs_updates_seen FROM stale_log WHERE old_n = new_n;
DROP TRIGGER stale_audit ON thingsdb.things;
SELECT tdb_query('[.items.len(), .items.map(|t| t.n)]', '@:stale') AS after_trigger;
SELECT tdb_query('del_collection("stale");', '@thingsdb') IS NOT NULL AS dropped_stale;

-- One index serves the lookups by id and the scans of a collection.
SELECT pg_get_indexdef('thingsdb.things_pkey'::regclass) AS pkey;
SELECT count(*) AS indexes FROM pg_index WHERE indrelid = 'thingsdb.things'::regclass;
-- Deleting a collection deletes its things (there is no foreign key to
-- cascade: a trigger does it, whichever way the row goes).
SELECT id AS wid FROM thingsdb.collections WHERE name = 'writes' \gset
SELECT count(*) AS things_before FROM thingsdb.things WHERE collection = :wid;
SELECT tdb_query('del_collection("writes");', '@thingsdb') IS NOT NULL AS dropped;
SELECT count(*) AS things_after FROM thingsdb.things WHERE collection = :wid;
SELECT tdb_query('new_collection("gone"); nil', '@thingsdb');
SELECT tdb_query('.a = [{}, {}]; nil', '@:gone');
SELECT id AS gid FROM thingsdb.collections WHERE name = 'gone' \gset
DELETE FROM thingsdb.collections WHERE id = :gid;
SELECT count(*) AS gone_things FROM thingsdb.things WHERE collection = :gid;
