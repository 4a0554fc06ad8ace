-- Bounded work: built-ins that look for equal values use a hash and string
-- searches are linear, so these finish well inside the timeout (the former
-- quadratic ones took minutes); loops that are long by themselves end at
-- statement_timeout (57014) and the session goes on; thingsdb.max_memory
-- covers the result's conversion to jsonb; no query leaves its time zone to
-- the next one.
\set VERBOSITY terse
SET statement_timeout = '30s';
SELECT tdb_query_ro('a = range(100000).map(|i| i * 7); a.extend(range(50000).map(|i| -i - 1)); x = []; x.extend_unique(a); [x.len(), x.last()]');
SELECT tdb_query_ro('a = range(100000); a.extend(range(100000).map(|i| i * 1.0)); [a.unique().len(), a.is_unique(), a.unique().last()]');
SELECT tdb_query_ro('[1, 1.0, true, ''a'', bytes(''a''), nil, nil, [1], [1.0], nan, nan].unique()');
SELECT tdb_query_ro($$k = range(1000).map(|| 'a').join(''); m = range(1000).map(|| k).join(''); n = range(500).map(|| k).join('') + 'b'; [m.contains(n), m.split(n).len(), m.replace(n, 'x', -1).len(), m.replace(n, 'x').len()]$$);
SELECT tdb_query('s = set(range(100000).map(|| {})); [s.remove(|| true).len(), s.len()]');
SELECT tdb_query('a = range(100000); a.extend(range(100000)); [a.remove(|x| x % 2 == 1).len(), a.len()]');
SET statement_timeout = '1s';
SELECT tdb_query_ro('a = range(100000); a.extend(a); range(100000).each(|| a.reverse()); nil');
SELECT tdb_query_ro('a = range(100000); range(100000).each(|| a.unique()); nil');
SELECT tdb_query_ro('a = range(100000).map(|i| -i); range(1000).each(|| a.sort(|x, y| x - y)); nil');
SELECT tdb_query_ro('s = set(range(100000).map(|| {})); range(100000).each(|| s | s); nil');
SELECT tdb_query_ro('k = range(100000).map(|| ''a b'').join('' ''); range(100000).each(|| k.split('' '')); nil');
RESET statement_timeout;
SELECT tdb_query_ro('"still usable"');
-- The result's conversion counts against the limit: out of memory (53200).
-- 900,000 ints take 15 MB as values and 100 MB as they become jsonb.
SET thingsdb.max_memory = '60MB';
SELECT tdb_query_ro('a = range(100000).map(|| 1); b = []; range(9).each(|| b.extend(a)); b.len()');
SELECT tdb_query_ro('a = range(100000).map(|| 1); b = []; range(9).each(|| b.extend(a)); b');
SELECT tdb_query_ro('a = range(100000).map(|| 1); b = []; range(9).each(|| b.extend(a)); json_dump(b).len()');
SELECT length(tdb_query_ro('a = range(100000).map(|| 1); b = []; range(9).each(|| b.extend(a)); json_dump(b)')::text);
RESET thingsdb.max_memory;
SELECT tdb_query_ro('range(3)');
-- The time zone of one query is gone in the next, in either order.
SELECT tdb_query_ro($$[datetime(0).format('%s'), int(datetime('0', '%s'))]$$);
SELECT tdb_query_ro($$datetime(0).to('America/New_York').format('%H %s')$$);
SELECT tdb_query_ro($$[datetime(0).format('%s'), int(datetime('0', '%s')), datetime(3600).to('+01').format('%H')]$$);
SELECT tdb_query_ro($$datetime(0).to('Asia/Tokyo').format('%H'); raise('x')$$);
SELECT tdb_query_ro($$[datetime(0).format('%s'), datetime(0).to('Asia/Tokyo').format('%H'), datetime(0).format('%s')]$$);
