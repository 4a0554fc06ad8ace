-- thingsdb 0.3.0 -> 0.4.0 (ALTER EXTENSION thingsdb UPDATE): the same objects as
-- a fresh install of 0.4.0, with the data kept.

\echo Use "ALTER EXTENSION thingsdb UPDATE" to load this file. \quit

-- Big props read by slices: stored out of line and uncompressed, so that reading one item of
-- a big list (or one property of a big thing) fetches the TOAST chunks that hold it, not the
-- whole row (src/pg/storage/toast_read.cpp). Rows written before keep their form until
-- rewritten; compressed ones are read whole, as before.
ALTER TABLE thingsdb.things ALTER COLUMN props SET STORAGE EXTERNAL;
