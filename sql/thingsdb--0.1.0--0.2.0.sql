-- thingsdb 0.1.0 -> 0.2.0 (ALTER EXTENSION thingsdb UPDATE): the same objects as
-- a fresh install of 0.2.0, with the data kept.

\echo Use "ALTER EXTENSION thingsdb UPDATE" to load this file. \quit

-- ---- Stored events: the scope id of each event (tdb_event and
-- tdb_events_since check JOIN on it). Events stored by 0.1.0 get the id of
-- the collection of that name now (0 for @thingsdb, -1 when it is gone).
ALTER TABLE thingsdb.changes ADD COLUMN scope_ids bigint[] COMPRESSION lz4;
UPDATE thingsdb.changes c
SET scope_ids = ARRAY(
    SELECT CASE WHEN u.name IS NULL THEN 0
                ELSE coalesce((SELECT k.id FROM thingsdb.collections k WHERE k.name = u.name), -1)
           END
    FROM unnest(c.collections) WITH ORDINALITY AS u(name, i)
    ORDER BY u.i);
ALTER TABLE thingsdb.changes ALTER COLUMN scope_ids SET NOT NULL;
ALTER TABLE thingsdb.changes DROP CONSTRAINT changes_check;
ALTER TABLE thingsdb.changes ADD CONSTRAINT changes_check
    CHECK (cardinality(thing_ids) = cardinality(payloads) AND cardinality(collections) = cardinality(payloads)
           AND cardinality(scope_ids) = cardinality(payloads));
CREATE OR REPLACE VIEW thingsdb.events AS
    SELECT c.change_id, e.thing_id, e.collection, e.payload::jsonb AS payload, c.created_at, e.scope_id
    FROM thingsdb.changes c,
         unnest(c.thing_ids, c.collections, c.payloads, c.scope_ids)
             AS e(thing_id, collection, payload, scope_id);

-- The watches (src/pg/watches.cpp). PostgreSQL has no rights on notification
-- channels: any role may LISTEN on any name and NOTIFY any payload. So events
-- never go to a name that can be guessed: each watching session gets a
-- channel named by 128 random bits (returned in its init event, never
-- stored where a caller can read it), and a committing transaction sends a
-- changed thing's event only to the channels of the rows below, read under
-- the commit lock in one statement. A table rather than shared memory: a
-- watch and its end are transactional like the LISTEN they go with, a
-- revoke removes the rows in its own transaction (no later commit sees
-- them), the extension needs no shared_preload_libraries, and DROP
-- EXTENSION ends every watch with the table. Only the extension (as the
-- owner of schema thingsdb) reads or writes it. A row keeps the identity the
-- watch was granted to, so that every transaction that changes @thingsdb
-- (revoke, del_user, rename_user, del_token, del_collection, ...) can delete
-- the watches whose right is gone. pid and started (the backend's start)
-- tell rows of ended sessions: a session deletes its rows when it ends, and
-- rows of sessions that ended otherwise are deleted when a session starts
-- watching. Rooms (tdb_join) can deliver the same way: their ids come from the
-- thing id sequence, so a joined room is a row with its id as thing_id.
CREATE TABLE thingsdb.watches (
    channel text NOT NULL,
    thing_id bigint NOT NULL,
    scope_id bigint NOT NULL,        -- 0: @thingsdb, else the collection's id
    pid int NOT NULL,
    started timestamptz NOT NULL,
    user_id bigint NOT NULL,         -- 0: an admin role that is no ThingsDB user
    role_name text,                  -- the role the identity came from; NULL with a token
    token_hash bytea,                -- the session's token (tdb_authenticate), or NULL
    admin boolean NOT NULL,          -- a superuser or the installing role, when it started
    PRIMARY KEY (channel, thing_id)
);
CREATE INDEX watches_thing_idx ON thingsdb.watches (thing_id);
REVOKE ALL ON thingsdb.watches FROM PUBLIC;

COMMENT ON FUNCTION tdb_watch(bigint, text) IS
'watches a thing (0: the @thingsdb scope) with the JOIN right and returns the init event {"event": change_id, "thing": {...}, "collection": name, "channel": name}; from its commit on, the thing''s events arrive as notifications on that channel, known only to this session';

COMMENT ON FUNCTION tdb_unwatch(bigint) IS 'stops watching a thing';

CREATE OR REPLACE FUNCTION tdb_watching()
RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT w.thing_id FROM thingsdb.watches w
      WHERE w.channel IN (SELECT pg_catalog.pg_listening_channels()) ORDER BY 1 $$;

CREATE OR REPLACE FUNCTION tdb_event(change_id bigint, thing_id bigint)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_event'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION tdb_event(bigint, bigint) IS
'the stored update event of a thing in a change (what a notification with "ref": true stands for); NULL when pruned or of a scope the caller may not watch (JOIN)';

CREATE OR REPLACE FUNCTION tdb_events_since(change_id bigint, thing_ids bigint[] DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'tdb_events_since'
LANGUAGE C STABLE CALLED ON NULL INPUT;
COMMENT ON FUNCTION tdb_events_since(bigint, bigint[]) IS
'the stored update events with a change id above change_id (of the given things, or all) of the scopes the caller may watch (JOIN), in change order: catch-up after a reconnect';

COMMENT ON FUNCTION tdb_prune_events() IS
'deletes the events older than thingsdb.event_retention; returns how many; needs CHANGE on @thingsdb';

CREATE OR REPLACE FUNCTION tdb_procedures(scope text DEFAULT NULL)
RETURNS TABLE (name text, doc text, arguments text[], params jsonb,
               with_side_effects boolean, created_at timestamptz, definition text)
LANGUAGE sql VOLATILE
-- The caller's search_path must not choose the functions and operators below.
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p->>'name', p->>'doc',
           ARRAY(SELECT jsonb_array_elements_text(p->'arguments')),
           p->'params', (p->>'with_side_effects')::boolean,
           to_timestamp((p->>'created_at')::bigint), p->>'definition'
    FROM jsonb_array_elements(@extschema@.tdb_procedures_json(scope)) AS p
$$;

-- ==== garbage collection of cycles =========================================
-- Reference counts (things.refs) free a thing as soon as nothing points at
-- it; things that only point at each other (a cycle cut off from the root)
-- keep their counts above zero. The sweep marks every thing reachable from
-- the collection's root or from a thing that is an enum member's value (the
-- catalog counts as one reference to it), deletes the rest and recounts the
-- references of the survivors whose count changed.
--
-- tdb_collect_garbage (src/pg/sql_maintenance.cpp) checks the caller's right
-- (CHANGE on @thingsdb) and then runs thingsdb.collect_garbage as the
-- extension owner with only pg_catalog searched; PUBLIC cannot run
-- thingsdb.collect_garbage itself.
--
-- Every step is set-based, so the work grows linearly with the things of
-- the collection: the mark is a recursive CTE whose UNION keeps the reached
-- ids in a hash table (each step looks up the new ids by the primary key),
-- the sweep an anti-join against them, the recount one aggregate over all
-- references. In stored properties only the top-level keys are the
-- thing's own (any string, see codec_write.cpp); every object below them
-- is a reference {"#": id} or a tagged value such as a set {"!s": [ids]}, so
-- references are looked for in the values of the top level ($.*), never in
-- its keys. The lock keeps writers of the things table out from the mark to
-- the commit (a thing unreachable at the mark must not be made reachable
-- again by thing(id)); it is taken per call, so the caller should commit
-- soon after.
-- The mark: the ids reachable from the root and the enum members' values.
-- Each step of the recursion looks the new ids up by the primary key (a
-- nested loop: the cost follows the things reached, whatever the depth of
-- the graph; a hash join would hash the whole collection again on every step
-- once it no longer fits work_mem); the UNION keeps the reached ids in a hash
-- table. Its plan has no use for JIT.
CREATE FUNCTION thingsdb.gc_reach(coll bigint)
RETURNS SETOF bigint
LANGUAGE sql STABLE ROWS 100000
SET search_path = pg_catalog, pg_temp
SET enable_hashjoin = off
SET enable_mergejoin = off
SET jit = off
AS $$
    WITH RECURSIVE reach(id) AS (
        SELECT coll
        UNION
        SELECT jsonb_path_query(e.definition, 'lax $.members[*][1]."#"')::text::bigint
        FROM thingsdb.enums e WHERE e.collection = coll
        UNION
        SELECT ref.id
        FROM reach
        JOIN thingsdb.things t ON t.collection = coll AND t.id = reach.id,
        LATERAL (
            SELECT jsonb_path_query(t.props, 'strict $.*.**."#"')::text::bigint AS id
            UNION ALL
            SELECT jsonb_path_query(t.props, 'strict $.*.**."!s"[*]')::text::bigint
        ) AS ref
    )
    SELECT id FROM reach
$$;
REVOKE ALL ON FUNCTION thingsdb.gc_reach(bigint) FROM PUBLIC;
COMMENT ON FUNCTION thingsdb.gc_reach(bigint) IS
'the mark of thingsdb.collect_garbage: the ids of the things of a collection reachable from its root or an enum member''s value';

CREATE FUNCTION thingsdb.collect_garbage(coll bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
    n bigint;
    changed bigint;
    t0 timestamptz := clock_timestamp();
BEGIN
    LOCK TABLE thingsdb.things IN SHARE ROW EXCLUSIVE MODE;
    -- The sweep: one anti-join against the (hashed) reached ids.
    WITH gone AS (
        DELETE FROM thingsdb.things t
        WHERE t.collection = coll
          AND NOT EXISTS (SELECT 1 FROM thingsdb.gc_reach(coll) r(id) WHERE r.id = t.id)
        RETURNING 1
    )
    SELECT count(*) INTO n FROM gone;
    RAISE NOTICE 'collect_garbage: collection %: % unreachable things deleted (% ms)',
        coll, n, round(extract(epoch FROM clock_timestamp() - t0) * 1000);
    IF n > 0 THEN
        -- Counts of the survivors no longer include the removed things.
        WITH refd AS (
            SELECT ref.id, count(*) AS n
            FROM thingsdb.things s,
            LATERAL (
                SELECT jsonb_path_query(s.props, 'strict $.*.**."#"')::text::bigint AS id
                UNION ALL
                SELECT jsonb_path_query(s.props, 'strict $.*.**."!s"[*]')::text::bigint
                UNION ALL
                SELECT coll WHERE s.id = coll
            ) AS ref
            WHERE s.collection = coll
            GROUP BY ref.id
        ),
        enum_refd AS (
            SELECT ref.id::text::bigint AS id, count(*) AS n
            FROM thingsdb.enums e,
            LATERAL jsonb_path_query(e.definition, 'lax $.members[*][1]."#"') AS ref(id)
            WHERE e.collection = coll
            GROUP BY 1
        ),
        counted AS (
            SELECT t.id, coalesce(r.n, 0) + coalesce(er.n, 0) AS n
            FROM thingsdb.things t
            LEFT JOIN refd r ON r.id = t.id
            LEFT JOIN enum_refd er ON er.id = t.id
            WHERE t.collection = coll
        ),
        upd AS (
            UPDATE thingsdb.things t SET refs = c.n
            FROM counted c
            WHERE t.collection = coll AND t.id = c.id AND t.refs <> c.n
            RETURNING 1
        )
        SELECT count(*) INTO changed FROM upd;
        RAISE NOTICE 'collect_garbage: collection %: % reference counts corrected (% ms)',
            coll, changed, round(extract(epoch FROM clock_timestamp() - t0) * 1000);
    END IF;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION thingsdb.collect_garbage(bigint) FROM PUBLIC;
COMMENT ON FUNCTION thingsdb.collect_garbage(bigint) IS
'the sweep of tdb_collect_garbage for one collection (by id), run as the extension owner after the rights check; returns how many things it deleted';

CREATE OR REPLACE FUNCTION tdb_collect_garbage(collection_name text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'tdb_collect_garbage'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_collect_garbage(text) IS
'deletes the things of a collection (NULL: every collection) that cannot be reached from its root, such as cycles cut off from it; returns how many were deleted; needs CHANGE on @thingsdb';

-- Internal: run by the triggers (as whoever writes the tables: the owner, or
-- the superuser of a restore), never by PUBLIC.
REVOKE ALL ON FUNCTION thingsdb.replace_seed(), thingsdb.drop_seed_collection(bigint),
    thingsdb.drop_collection_rows() FROM PUBLIC;

-- mod_type(.., 'idx', true) makes a partial index of the Type's instances
-- (PgStorage::set_type_index). pg_dump keeps the extension's rows but no index
-- made after CREATE EXTENSION, so a restored Type row that has the flag makes
-- its index again (IF NOT EXISTS: the extension's own inserts find it there).
CREATE FUNCTION thingsdb.type_index_restored() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF coalesce((NEW.definition->>'idx')::boolean, false) THEN
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON thingsdb.things (id) '
                       'WHERE collection = %s AND type_id = %s',
                       'things_c' || NEW.collection || '_t' || NEW.type_id || '_idx',
                       NEW.collection, NEW.type_id);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION thingsdb.type_index_restored() FROM PUBLIC;
COMMENT ON FUNCTION thingsdb.type_index_restored() IS
'trigger: a Type row restored with "idx" makes the index of its instances again';
CREATE TRIGGER type_index_restored AFTER INSERT ON thingsdb.types
    FOR EACH ROW EXECUTE FUNCTION thingsdb.type_index_restored();

-- The partial indexes of Types with idx: a 0.1.0 database restored from a dump lost them.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT collection, type_id FROM thingsdb.types
             WHERE coalesce((definition->>'idx')::boolean, false)
    LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON thingsdb.things (id) '
                       'WHERE collection = %s AND type_id = %s',
                       'things_c' || t.collection || '_t' || t.type_id || '_idx',
                       t.collection, t.type_id);
    END LOOP;
END $$;

-- ---- Comments on the tables (what \d+ and tools show) ----------------------
COMMENT ON TABLE thingsdb.collections IS 'the collections: id (also the id of the root thing), name, time zone, default render depth';
COMMENT ON TABLE thingsdb.things IS 'the stored things, one row each, keyed by (collection, id): Type, version (raised by every write), refs (incoming references), props (jsonb in the stored form of docs/language.md)';
COMMENT ON TABLE thingsdb.types IS 'the Types of each collection; definition holds fields, methods, flags and relations';
COMMENT ON TABLE thingsdb.enums IS 'the enums of each collection; definition holds members, values and methods';
COMMENT ON TABLE thingsdb.changes IS 'the stored update events, one row per committed transaction with events (read through thingsdb.events, tdb_event and tdb_events_since; pruned after thingsdb.event_retention)';
COMMENT ON TABLE thingsdb.watches IS 'the live watches: the private channel of each watching session and the things it watches, with the identity whose rights are checked again when they change';
COMMENT ON TABLE thingsdb.users IS 'the ThingsDB users: each is the PostgreSQL role of the same name';
COMMENT ON TABLE thingsdb.tokens IS 'the tokens of the users: the SHA-256 of each key, its first characters, expiration and description';
COMMENT ON TABLE thingsdb.access IS 'the rights of each user per scope (0: @thingsdb, else a collection id) as ThingsDB''s mask';
COMMENT ON TABLE thingsdb.procedures IS 'the procedures of each scope (0: @thingsdb, else a collection id) with their closure''s definition';
COMMENT ON TABLE thingsdb.seeds IS 'the rows CREATE EXTENSION seeded (collection stuff, the first user), replaced by the dumped ones on a restore';
COMMENT ON TABLE thingsdb.node IS 'the node: one row, with the version of the extension that created it';
COMMENT ON SEQUENCE thingsdb.thing_id_seq IS 'the ids of things, collections and users, as ThingsDB hands them out';
COMMENT ON SEQUENCE thingsdb.change_id_seq IS 'the ids of changes (the event ids), in commit order';
COMMENT ON SEQUENCE thingsdb.events_pruned_seq IS 'the highest change id pruned so far (tdb_events_since refuses to start before it)';
