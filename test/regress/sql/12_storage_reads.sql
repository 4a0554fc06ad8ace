-- Reading things (direct access to thingsdb.things' primary key): what a
-- query sees of earlier writes, other collections' things, many things at
-- once, and rows counted by the table's statistics.
\set VERBOSITY terse
SELECT tdb_query('if (has_collection("reads")) del_collection("reads"); new_collection("reads");',
                 '@thingsdb') IS NOT NULL AS made;
SELECT tdb_query('if (has_collection("reads_other")) del_collection("reads_other"); new_collection("reads_other");',
                 '@thingsdb') IS NOT NULL AS made;
SELECT tdb_query('.t = {v: 1}; .t.id()', '@:reads_other') AS other_id \gset
SELECT tdb_query('.x = {v: 1}; .x.id()', '@:reads') AS xid \gset

-- A thing of another collection is not found by its id.
SELECT tdb_query('e = try(thing(' || :other_id || ')); [is_err(e), e.code()]', '@:reads') AS lookup_err;

-- A later call of the same transaction sees the writes of an earlier one,
-- whether it reaches the thing through the root or by id; a rollback undoes them.
BEGIN;
SELECT tdb_query('.x.v = 2; nil', '@:reads');
SELECT tdb_query('.x.v', '@:reads') AS via_root, tdb_query('thing(' || :xid || ').v', '@:reads') AS by_id;
ROLLBACK;
SELECT tdb_query('.x.v', '@:reads') AS after_rollback;

-- Two calls in one statement: the second sees the first one's write.
SELECT tdb_query('.x.v = 5; nil', '@:reads') AS wrote, tdb_query('thing(' || :xid || ').v', '@:reads') AS read;

-- Many things: made in one call, read back in the next (range scans of the
-- index), a few of them by id (single probes), and after some were removed.
BEGIN;
SELECT tdb_query('.many = range(3000).map(|i| {i: i}); nil', '@:reads');
SELECT tdb_query('.many.map(|t| t.i).reduce(|a, b| a + b)', '@:reads') AS total;
COMMIT;
SELECT tdb_query('ids = .many.map(|t| t.id()); [thing(ids[7]).i, thing(ids[2999]).i, thing(ids[1500]).i]',
                 '@:reads') AS by_id;
SELECT tdb_query('.many.splice(10, 2980); nil', '@:reads');
SELECT tdb_query('[.many.len(), .many.map(|t| t.i).reduce(|a, b| a + b)]', '@:reads') AS left_over;
-- Every number kind survives a round trip through jsonb.
SELECT tdb_query('.nums = [0, 1, -1, 9999, 10000, 123456789, -123456789012, 9223372036854775807,
                           -9223372036854775807, 12345678901234567, 1000000000000, 1.5, 0.0, -2.25,
                           100000000.0, 0.001]; nil', '@:reads');
SELECT tdb_query('[.nums, .nums.map(|x| type(x))]', '@:reads') AS nums;
-- The extremes: int64's least value, floats near the ends of double's range,
-- long fractions, fractions below one, the smallest subnormal.
SELECT tdb_query('.more = [-9223372036854775807 - 1, 1.0e+300, -1.0e-300, 3.141592653589793, -0.5, 0.000123,
                           1.2345e+15, 5.0e-324, 12345.6789]; nil', '@:reads');
SELECT tdb_query('m = .more; [m.map(|x| type(x)), m[0] == -9223372036854775807 - 1, m[1] == 1.0e+300,
                   m[2] == -1.0e-300, m[3] == 3.141592653589793, m[4] == -0.5, m[5] == 0.000123,
                   m[6] == 1.2345e+15, m[7] == 5.0e-324, m[7] > 0.0, m[8] == 12345.6789]', '@:reads') AS more;
-- Properties written by SQL are read as the text meant: an integer too
-- large for int64 is a float, a numeric with fraction digits too.
SELECT tdb_query('.y = {}; .y.id()', '@:reads') AS yid \gset
UPDATE thingsdb.things SET props = '{"big": 123456789012345678901234567890, "frac": 2.50, "neg": -7,
                                     "s": "\u00e9", "l": [[1, {"k": null}], true]}'
WHERE id = :yid;
SELECT tdb_query('y = .y; [y.big, type(y.big), y.frac, type(y.frac), y.neg, y.s, y.l]', '@:reads') AS sql_written;

-- Large props are stored out of line (TOAST): read back the same.
SELECT tdb_query('.ext = {s: range(4000).map(|i| str((i * 2654435761) % 4294967291)).join("")}; nil', '@:reads');
SELECT pg_column_size(t.props) > 2100 AS out_of_line
FROM thingsdb.things t WHERE t.id = (SELECT tdb_query('.ext.id()', '@:reads')::bigint);
SELECT tdb_query('[.ext.s.len(), .ext.s[0:30]]', '@:reads') AS ext;

-- Reading one thing of a collection reads two rows (the root and the
-- thing), by index: the counters of thingsdb.things of a fresh session.
\c
\set VERBOSITY terse
BEGIN;
SELECT tdb_query('.x.v', '@:reads') AS v;
SELECT coalesce(seq_scan, 0) AS seq_scans, idx_tup_fetch AS rows_fetched
FROM pg_stat_xact_user_tables WHERE schemaname = 'thingsdb' AND relname = 'things';
COMMIT;

SELECT tdb_query('del_collection("reads"); del_collection("reads_other"); nil', '@thingsdb');
