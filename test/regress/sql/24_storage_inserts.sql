-- New things are inserted in batches straight into thingsdb.things, their props written
-- in jsonb's binary form directly: the stored jsonb is the one jsonb_in makes of its text
-- (the same text and size; keys found by lookup, items by position past the 32nd, where
-- jsonb stores offsets), whatever the keys' lengths and order, the nesting and the sizes.
\set VERBOSITY terse
SELECT tdb_query('if (has_collection("ins")) del_collection("ins"); new_collection("ins");',
                 '@thingsdb') IS NOT NULL AS made;
SELECT id AS cid FROM thingsdb.collections WHERE name = 'ins' \gset
SELECT tdb_query($$
  .wide = {};
  range(40).each(|i| .wide.set('k' + str(40 - i) + (i % 3 == 0 ? '_long' : ''), i));
  .mixed = range(70).map(|i| [i, 's' + str(i % 7), i % 5 == 0, nil, i * 0.5, {a: i, bb: [i]}][i % 6]);
  .deep = {z: {y: {x: [[1, 'a'], {ccc: 0, ab: 2, b: 3, aa: 4, a: 1}]}}};
  .pads = range(40).map(|i| [range(i % 5).map(|_| 'é').join(''), -i - 9999, i * 10000]);
  .big = range(1200).map(|i| {n: i, s: range(i % 9).map(|_| 'y').join('')});
  nil$$, '@:ins');

-- Every row of the collection against jsonb_in of its own text (the sizes of the stored form
-- without compression: jsonb_path_query_first hands back the bytes read), and its lookups.
SELECT count(*) AS things,
       count(*) FILTER (WHERE t.props::text = t.props::text::jsonb::text) AS same_text,
       count(*) FILTER (WHERE pg_column_size(jsonb_path_query_first(t.props, '$')) =
                              pg_column_size(t.props::text::jsonb)) AS same_size,
       count(*) FILTER (WHERE t.props = t.props::text::jsonb) AS equal
FROM thingsdb.things t WHERE t.collection = :cid;
SELECT count(*) AS keys, count(*) FILTER (WHERE (t.props->k)::int = v::int) AS keys_found,
       min(k) AS first_key, max(length(k)) AS longest
FROM thingsdb.things t, jsonb_each_text(t.props) AS e(k, v)
WHERE t.collection = :cid AND t.props ? 'k39';
SELECT props->'mixed'->34 AS item34, props->'mixed'->65 ? '#' AS item65_ref,
       props->'mixed'->67 AS item67, props->'pads'->39 AS pad39
FROM thingsdb.things WHERE id = :cid;
SELECT props AS sorted_keys FROM thingsdb.things WHERE collection = :cid AND props ? 'ccc';
SELECT numeric_send((props->'pads'->39->>1)::numeric) = numeric_send(-10038::numeric) AS neg,
       numeric_send((props->'pads'->39->>2)::numeric) = numeric_send(390000::numeric) AS trailing_zeros
FROM thingsdb.things WHERE id = :cid;
-- The 1,200 new things: each a row with its props, version 1, one reference.
SELECT count(*) AS rows, count(*) FILTER (WHERE refs = 1 AND version = 1 AND type_id IS NULL) AS fresh,
       sum((props->>'n')::int) AS sum_n, sum(length(props->>'s')) AS sum_len
FROM thingsdb.things WHERE collection = :cid AND props ? 'n';
SELECT tdb_query('[.big.len(), .big[1199].n, .big[1199].s, .big.map(|t| t.n).reduce(|a, b| a + b)]',
                 '@:ins') AS read_back;

-- The root rewritten with its big list kept as stored: the same bytes as jsonb_in's.
SELECT tdb_query('.other = 1; nil', '@:ins');
SELECT props::text = props::text::jsonb::text AS same_text,
       pg_column_size(jsonb_path_query_first(props, '$')) = pg_column_size(props::text::jsonb) AS same_size
FROM thingsdb.things WHERE id = :cid;

-- Typed instances are rows with their Type.
SELECT tdb_query('set_type("Pt", {x: "int", y: "int"}); .pts = range(50).map(|i| Pt{x: i, y: -i}); nil',
                 '@:ins');
SELECT count(*) AS typed_rows, count(DISTINCT type_id) AS types, sum((props->>'x')::int) AS sum_x
FROM thingsdb.things WHERE collection = :cid AND type_id IS NOT NULL;

-- A trigger someone puts on inserts fires for every new thing: the INSERT statement then.
CREATE TABLE ins_log (id bigint, n int);
CREATE FUNCTION ins_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.ins_log VALUES (NEW.id, (NEW.props->>'n')::int);
    RETURN NEW;
END $$;
CREATE TRIGGER ins_audit AFTER INSERT ON thingsdb.things FOR EACH ROW EXECUTE FUNCTION ins_audit();
SELECT tdb_query('.logged = range(1500).map(|i| {n: i}); nil', '@:ins');
SELECT count(*) AS logged, count(DISTINCT id) AS ids, sum(n) AS sum_n FROM ins_log;
DROP TRIGGER ins_audit ON thingsdb.things;
-- A BEFORE trigger that changes the row: the row stored is the one it made.
CREATE FUNCTION ins_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.props := NEW.props || '{"marked": true}';
    RETURN NEW;
END $$;
CREATE TRIGGER ins_mark BEFORE INSERT ON thingsdb.things FOR EACH ROW EXECUTE FUNCTION ins_mark();
SELECT tdb_query('.marked = range(3).map(|i| {n: i}); nil', '@:ins');
DROP TRIGGER ins_mark ON thingsdb.things;
SELECT tdb_query('.marked.map(|t| t.marked)', '@:ins') AS marked;

-- A CHECK constraint someone adds holds for the rows written directly, with its own error.
ALTER TABLE thingsdb.things ADD CONSTRAINT no_forbidden CHECK (NOT props ? 'forbidden') NOT VALID;
SELECT tdb_query('.bad = range(5).map(|i| i == 3 ? {forbidden: i} : {n: i}); nil', '@:ins');
SELECT tdb_query('.has("bad")', '@:ins') AS bad_stored;
ALTER TABLE thingsdb.things DROP CONSTRAINT no_forbidden;

-- Everything made is counted: replacing the lists deletes every row they held.
SELECT tdb_query('.big = []; .logged = []; .pts = []; .marked = []; .del("wide"); .del("mixed");
                  .del("deep"); nil', '@:ins');
SELECT count(*) AS rows_left FROM thingsdb.things WHERE collection = :cid;
SELECT tdb_query('del_collection("ins");', '@thingsdb') IS NOT NULL AS dropped;
DROP TABLE ins_log;
DROP FUNCTION ins_audit();
DROP FUNCTION ins_mark();
