-- Dropping many things in one query: a flat list of 100k things, a chain
-- of links (each level freed after the one above it, without recursion),
-- and things still referenced from elsewhere survive with what they hold.
\set VERBOSITY terse
SELECT tdb_query('if (has_collection("drops")) del_collection("drops"); new_collection("drops");',
                 '@thingsdb') IS NOT NULL AS made;
-- Things only: the chunk rows of a big list (type_id -2, docs/storage.md) are none.
CREATE TEMP VIEW drops_count AS
  SELECT count(*) AS things FROM thingsdb.things t
  JOIN thingsdb.collections c ON t.collection = c.id WHERE c.name = 'drops'
  AND t.type_id IS DISTINCT FROM -2;

-- A flat list: 100,000 things and the root.
SELECT tdb_query('.arr = range(100000).map(|i| {n: i}); .arr.len()', '@:drops');
SELECT * FROM drops_count;
-- One of them is kept elsewhere: it survives the list.
SELECT tdb_query('.keep = .arr[77]; .arr = []; .keep.n', '@:drops');
SELECT * FROM drops_count;

-- A chain of 3000 links, whose link 1000 is also held by .mid.
SELECT tdb_query($$
  c = {n: 0}; .chain = c;
  for (i in range(1, 3000)) { c.next = {n: i}; c = c.next; if (i == 1000) .mid = c; };
  nil$$, '@:drops');
SELECT * FROM drops_count;
-- Links 0..999 go; 1000..2999 stay with .mid.
SELECT tdb_query('.chain = nil; .mid.n', '@:drops');
SELECT * FROM drops_count;
SELECT tdb_query('.mid = nil; .keep = nil; 0', '@:drops');
SELECT * FROM drops_count;

-- A tree: 100 things each holding a list of 100 things, dropped at once.
SELECT tdb_query('.tree = range(100).map(|i| {l: range(100).map(|j| {n: j})}); nil', '@:drops');
SELECT * FROM drops_count;
SELECT tdb_query('.tree = nil; 0', '@:drops');
SELECT * FROM drops_count;

SELECT tdb_query('del_collection("drops")', '@thingsdb') IS NULL AS gone;
