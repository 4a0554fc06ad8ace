-- Watch events: what a commit stores in thingsdb.events and the SQL functions
-- around it. (pg_regress cannot show notifications; test/e2e/test_events.py
-- listens for them.)
\set VERBOSITY terse
SELECT tdb_query('if (has_collection("stuff")) del_collection("stuff"); new_collection("stuff");',
                 '@thingsdb') AS root \gset
SELECT coalesce(max(change_id), 0) AS before FROM thingsdb.events \gset

-- The init event: the thing in the mutation format, the last change id, the
-- collection. Watching happens at commit (LISTEN); a rolled-back watch is none.
BEGIN;
SELECT tdb_query('.name = "ThingsDB"; .arr = ["a", "b"]; nil');
COMMIT;
BEGIN;
SELECT (w->'thing') - '#' AS thing, w->'thing'->'#' = to_jsonb(:root) AS root_id, w->'collection' AS collection,
       (w->>'event')::bigint > :before AS event_advanced
FROM tdb_watch(:root, '@:stuff') AS w;
ROLLBACK;
SELECT count(*) AS watching FROM tdb_watching();
SELECT tdb_watch(0) - 'event' - 'channel' AS thingsdb_init;
-- The events go to the session's own channel: 128 random bits, never a name
-- another role could guess (tdb_<thing id>); one channel for all its watches.
SELECT tdb_watch(0)->>'channel' ~ '^tdbw_[0-9a-f]{32}$' AS random_channel,
       tdb_watch(0)->>'channel' = tdb_watch(:root, '@:stuff')->>'channel' AS one_channel,
       (SELECT array_agg(c) FROM pg_listening_channels() c) = ARRAY[tdb_watch(0)->>'channel'] AS listening;
SELECT array_agg(w ORDER BY w) = ARRAY[0, :root]::bigint[] AS watching FROM tdb_watching() w;
SELECT tdb_unwatch(0);
SELECT tdb_unwatch(:root);
SELECT count(*) AS watching FROM tdb_watching();

-- One event per changed thing and commit, jobs in the order applied, across
-- the statements of the transaction.
BEGIN;
SELECT tdb_query('.arr.push("c", "d"); .del("name"); nil');
SELECT tdb_query('.emit("greet", "Hello", "universe!"); .s = set(); .s.add({title: "HG2G"}); nil');
COMMIT;
SELECT regexp_replace(payload->>'jobs', '"#": [0-9]+', '"#": N', 'g') AS jobs, collection,
       payload->'#' = to_jsonb(:root) AS on_root,
       (payload->>'event')::bigint = change_id AS event_is_change_id
FROM thingsdb.events WHERE change_id > :before ORDER BY change_id DESC LIMIT 1;
SELECT max(change_id) AS last FROM thingsdb.events \gset

-- Nothing for a rollback, a failed statement or a rolled-back savepoint;
-- what the transaction keeps is sent.
BEGIN;
SELECT tdb_query('.x = 1; nil');
ROLLBACK;
SELECT tdb_query('.x = 2; 1 / 0;');
BEGIN;
SELECT tdb_query('.kept = 1; nil');
SAVEPOINT s;
SELECT tdb_query('.dropped = 1; nil');
ROLLBACK TO SAVEPOINT s;
SAVEPOINT t;
SELECT tdb_query('.inner = 1; nil');
RELEASE SAVEPOINT t;
COMMIT;
DO $$ BEGIN PERFORM tdb_query('.in_block = 1; nil'); PERFORM 1 / 0;
          EXCEPTION WHEN division_by_zero THEN NULL; END $$;
SELECT change_id > :last AS newer, payload->'jobs' AS jobs
FROM thingsdb.events WHERE change_id > :last ORDER BY change_id;

-- Change ids increase; one change id for all things of a transaction.
SELECT tdb_query('.t = {}; .u = {}; nil');
SELECT max(change_id) AS last FROM thingsdb.events \gset
SELECT tdb_query('.t.a = 1; .u.b = 2; .c = 3; nil');
SELECT count(*) AS events, count(DISTINCT change_id) AS change_ids,
       array_agg(payload->'jobs' ORDER BY thing_id) AS jobs
FROM thingsdb.events WHERE change_id > :last;
-- They are stored as one row of thingsdb.changes: the things in the order
-- they first changed, each one's collection and event (json as notified).
SELECT part, cardinality(thing_ids) AS things, collections,
       thing_ids[3] = :root AS root_last,
       (SELECT bool_and((p::jsonb->>'#')::bigint = thing_ids[i])
        FROM unnest(payloads) WITH ORDINALITY AS u(p, i)) AS payloads_match
FROM thingsdb.changes WHERE change_id > :last;

-- The @thingsdb scope's changes go on thing 0.
SELECT tdb_query('new_collection("other"); del_collection("other");', '@thingsdb');
SELECT collection, jsonb_path_query_array(payload->'jobs', '$[*].keyvalue().key') AS kinds
FROM thingsdb.events WHERE thing_id = 0 ORDER BY change_id DESC LIMIT 1;

-- tdb_event: the stored event (what a notification with "ref": true stands
-- for); tdb_events_since: catch-up, in change order, of some things or all.
SELECT tdb_query('.big = range(3000).map(|i| "item"); nil');
SELECT max(change_id) AS big FROM thingsdb.events \gset
SELECT length(tdb_event(:big, :root)::text) > 8000 AS large,
       jsonb_array_length(tdb_event(:big, :root)->'jobs'->0->'set'->'big') AS items;
SELECT tdb_event(:big, 123456789) IS NULL AS unknown_is_null;
SELECT count(*) AS since_all FROM tdb_events_since(:last);
SELECT count(*) AS since_root FROM tdb_events_since(:last, ARRAY[:root]::bigint[]);
SELECT count(*) AS since_none FROM tdb_events_since(:big);

-- Pruning: events older than thingsdb.event_retention; asking for pruned
-- events is an error (the client must watch again).
SHOW thingsdb.event_retention;
SET thingsdb.event_retention = '1h';
UPDATE thingsdb.changes SET created_at = created_at - interval '2 hours' WHERE change_id <= :last;
SELECT tdb_prune_events() > 0 AS pruned;
SELECT count(*) AS left_before_last FROM thingsdb.events WHERE change_id <= :last;
SELECT set_config('evtest.last', :'last', false) IS NOT NULL AS noted;
DO $$ BEGIN PERFORM tdb_events_since(current_setting('evtest.last')::bigint - 1);
          EXCEPTION WHEN SQLSTATE 'TD054' THEN RAISE NOTICE 'pruned: %', SQLERRM ~ 'were pruned; watch again'; END $$;
SELECT count(*) > 0 AS ok FROM tdb_events_since(:last);
RESET thingsdb.event_retention;

-- Errors.
SELECT tdb_watch(NULL);
SELECT tdb_watch(-1);
SELECT tdb_watch(123456789, '@:stuff');
SELECT tdb_watch(:root, '@:nope');
