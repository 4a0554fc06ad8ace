-- thingsdb 0.4.0: the schema of stored collections and things, and tdb_query.

\echo Use "CREATE EXTENSION thingsdb" to load this file. \quit

-- The extension's own tables live in schema thingsdb; the tdb_* functions in
-- the extension's schema (public by default) so they work without a prefix.
CREATE SCHEMA thingsdb;
REVOKE ALL ON SCHEMA thingsdb FROM PUBLIC;

-- One sequence for the ids of all things, as in ThingsDB; a collection's id
-- is the id of its root thing.
CREATE SEQUENCE thingsdb.thing_id_seq;

CREATE TABLE thingsdb.collections (
    id bigint PRIMARY KEY,
    name text NOT NULL UNIQUE,
    created_at bigint NOT NULL,          -- seconds since the Unix epoch
    time_zone text NOT NULL DEFAULT 'UTC',
    default_deep int NOT NULL DEFAULT 1
);

-- props holds the thing's properties in the core's JSON encoding, so SQL can
-- read them. version increases with every change of props or type; writers
-- check it to detect concurrent updates. refs counts stored references.
--
-- The primary key leads with the collection: every access of the extension
-- names the collection (a thing of another collection is not found), and one
-- index then serves both the lookups by id and the scans of a collection
-- (counts, garbage collection, type scans, deletion); ids stay unique over all
-- collections because they come from one sequence.
--
-- things.collection has no foreign key: the row check of a key cost a query
-- per written thing (a third of creating 10,000 things). Only the extension
-- writes this table, and it keeps the same guarantee with one lock per
-- transaction and collection: before it inserts things it locks the
-- collection's row FOR KEY SHARE (as the key's check did), so a concurrent
-- del_collection waits, and a collection deleted before is not found
-- (PgStorage::write_things). Deleting a collection deletes its things
-- (trigger drop_collection_rows below, for any way the row goes).
CREATE TABLE thingsdb.things (
    id bigint NOT NULL,
    collection bigint NOT NULL,
    type_id int,
    version bigint NOT NULL DEFAULT 1,
    refs bigint NOT NULL DEFAULT 0,
    -- lz4: large props (a list of many things) are compressed on every
    -- write of the thing; pglz took 7% of creating 100,000 things.
    props jsonb COMPRESSION lz4 NOT NULL DEFAULT '{}',
    PRIMARY KEY (collection, id)
);

REVOKE ALL ON ALL TABLES IN SCHEMA thingsdb FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA thingsdb FROM PUBLIC;

-- pg_dump keeps the rows (and the sequence position) of these objects.
SELECT pg_catalog.pg_extension_config_dump('thingsdb.thing_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('thingsdb.collections', '');
SELECT pg_catalog.pg_extension_config_dump('thingsdb.things', '');

-- A fresh node has the collection stuff.
WITH root AS (SELECT nextval('thingsdb.thing_id_seq') AS id),
     coll AS (
        INSERT INTO thingsdb.collections (id, name, created_at)
        SELECT id, 'stuff', extract(epoch FROM now())::bigint FROM root
        RETURNING id)
INSERT INTO thingsdb.things (id, collection, refs, props)
SELECT id, id, 1, '{}' FROM coll;

-- ---- Types and enums (src/core/schema/, src/pg/storage/types.cpp)
-- The catalogs of a collection. definition holds what types.cpp writes:
-- for a type {"wrap_only", "hide_id", "fields": [[name, spec], ...],
-- "methods": [[name, closure source], ...]}; for an enum {"members":
-- [[name, value, member id], ...], "next_mid", "methods"}. Instances are
-- rows of thingsdb.things with their type_id. modified_at NULL: never.
CREATE TABLE thingsdb.types (
    collection bigint NOT NULL,
    type_id int NOT NULL,
    name text NOT NULL,
    created_at bigint NOT NULL,
    modified_at bigint,
    definition jsonb NOT NULL,
    PRIMARY KEY (collection, type_id)
);
CREATE TABLE thingsdb.enums (
    collection bigint NOT NULL,
    enum_id int NOT NULL,
    name text NOT NULL,
    created_at bigint NOT NULL,
    modified_at bigint,
    definition jsonb NOT NULL,
    PRIMARY KEY (collection, enum_id)
);
REVOKE ALL ON thingsdb.types, thingsdb.enums FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('thingsdb.types', '');
SELECT pg_catalog.pg_extension_config_dump('thingsdb.enums', '');

CREATE FUNCTION tdb_query(code text, scope text DEFAULT NULL, vars jsonb DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_query'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_query(text, text, jsonb) IS
'runs ThingsDB code in a scope (NULL: the setting thingsdb.scope); the keys of vars are bound as variables; returns the result as jsonb';

-- ---- Watch events (src/pg/notify.cpp, src/pg/sql_events.cpp) ----
-- Every committed transaction with changes stores its update events, one per
-- changed thing, in a row of thingsdb.changes (more rows, numbered by part,
-- when its payloads pass 64 MB): a row per transaction rather than per thing,
-- so storing the 10,000 events of a query that changes 10,000 things costs
-- one heap tuple and one index entry instead of 10,000 of each. The payloads
-- are the JSON the notifications carry, kept as json (the text as written:
-- nothing is parsed at commit; tdb_event and tdb_events_since return jsonb).
-- The view thingsdb.events shows one row per event. The change id is taken at
-- commit under a lock that serialises committers, so it follows commit order;
-- all events of one transaction share it.
CREATE SEQUENCE thingsdb.change_id_seq;
-- The highest change id pruned so far (see tdb_events_since).
CREATE SEQUENCE thingsdb.events_pruned_seq MINVALUE 0 START 0;
CREATE TABLE thingsdb.changes (
    change_id bigint NOT NULL,
    part int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- lz4 for the arrays: pglz took a fifth of updating 10,000 things.
    thing_ids bigint[] COMPRESSION lz4 NOT NULL,   -- the changed things, in the order they first changed
    collections text[] COMPRESSION lz4 NOT NULL,   -- each one's collection; NULL for @thingsdb (thing 0)
    -- each one's event {"#": thing_id, "event": change_id, "jobs": [...]}
    payloads json[] COMPRESSION lz4 NOT NULL,
    -- each one's scope id (0: @thingsdb, else the collection's id): what
    -- tdb_event and tdb_events_since check the caller's JOIN right on. A name
    -- would not do: a collection can be renamed, or deleted and its name reused.
    scope_ids bigint[] COMPRESSION lz4 NOT NULL,
    PRIMARY KEY (change_id, part),
    CHECK (cardinality(thing_ids) = cardinality(payloads) AND cardinality(collections) = cardinality(payloads)
           AND cardinality(scope_ids) = cardinality(payloads))
);
-- Rows arrive in created_at order: a BRIN index is enough for pruning.
CREATE INDEX changes_created_at_idx ON thingsdb.changes USING brin (created_at);
CREATE VIEW thingsdb.events AS
    SELECT c.change_id, e.thing_id, e.collection, e.payload::jsonb AS payload, c.created_at, e.scope_id
    FROM thingsdb.changes c,
         unnest(c.thing_ids, c.collections, c.payloads, c.scope_ids)
             AS e(thing_id, collection, payload, scope_id);
COMMENT ON VIEW thingsdb.events IS 'the stored update events, one row per changed thing and change';
REVOKE ALL ON thingsdb.changes, thingsdb.events, thingsdb.change_id_seq, thingsdb.events_pruned_seq FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('thingsdb.changes', '');
SELECT pg_catalog.pg_extension_config_dump('thingsdb.change_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('thingsdb.events_pruned_seq', '');

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

CREATE FUNCTION tdb_watch(thing_id bigint, scope text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_watch'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION tdb_watch(bigint, text) IS
'watches a thing (0: the @thingsdb scope) with the JOIN right and returns the init event {"event": change_id, "thing": {...}, "collection": name, "channel": name}; from its commit on, the thing''s events arrive as notifications on that channel, known only to this session';

CREATE FUNCTION tdb_unwatch(thing_id bigint)
RETURNS void
AS 'MODULE_PATHNAME', 'tdb_unwatch'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION tdb_unwatch(bigint) IS 'stops watching a thing';

-- The watches of the calling session: those on the channels it listens on
-- (pg_listening_channels() is the session's own list).
CREATE FUNCTION tdb_watching()
RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT w.thing_id FROM thingsdb.watches w
      WHERE w.channel IN (SELECT pg_catalog.pg_listening_channels()) ORDER BY 1 $$;
COMMENT ON FUNCTION tdb_watching() IS 'the ids of the things this session watches';

CREATE FUNCTION tdb_event(change_id bigint, thing_id bigint)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_event'
LANGUAGE C STABLE STRICT;
COMMENT ON FUNCTION tdb_event(bigint, bigint) IS
'the stored update event of a thing in a change (what a notification with "ref": true stands for); NULL when pruned or of a scope the caller may not watch (JOIN)';

CREATE FUNCTION tdb_events_since(change_id bigint, thing_ids bigint[] DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'tdb_events_since'
LANGUAGE C STABLE CALLED ON NULL INPUT;
COMMENT ON FUNCTION tdb_events_since(bigint, bigint[]) IS
'the stored update events with a change id above change_id (of the given things, or all) of the scopes the caller may watch (JOIN), in change order: catch-up after a reconnect';

CREATE FUNCTION tdb_prune_events()
RETURNS bigint
AS 'MODULE_PATHNAME', 'tdb_prune_events'
LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION tdb_prune_events() IS
'deletes the events older than thingsdb.event_retention; returns how many; needs CHANGE on @thingsdb';

-- ---- Users, tokens and access (src/pg/auth.cpp, src/pg/sql_users.cpp) ---
-- A ThingsDB user is the PostgreSQL role of the same name; the role may be
-- created before or after the user. Ids come from the thing id sequence, as
-- in ThingsDB.
CREATE TABLE thingsdb.users (
    id bigint PRIMARY KEY DEFAULT nextval('thingsdb.thing_id_seq'),
    name text NOT NULL UNIQUE,
    created_at bigint NOT NULL            -- seconds since the Unix epoch
);
-- Token keys are never stored: only their SHA-256 and their first four
-- characters (to tell tokens apart in user_info).
CREATE TABLE thingsdb.tokens (
    key_hash bytea PRIMARY KEY,
    user_id bigint NOT NULL,
    key_hint text NOT NULL,
    created_at bigint NOT NULL,
    expiration bigint,                    -- seconds since the Unix epoch; NULL: never
    description text NOT NULL DEFAULT ''
);
CREATE INDEX tokens_user_idx ON thingsdb.tokens (user_id);
-- Rights: scope_id 0 is @thingsdb, -1 is @node, any other a collection's id.
CREATE TABLE thingsdb.access (
    user_id bigint NOT NULL,
    scope_id bigint NOT NULL,
    mask int NOT NULL CHECK (mask > 0),
    PRIMARY KEY (user_id, scope_id)
);
REVOKE ALL ON thingsdb.users, thingsdb.tokens, thingsdb.access FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('thingsdb.users', '');
SELECT pg_catalog.pg_extension_config_dump('thingsdb.tokens', '');
SELECT pg_catalog.pg_extension_config_dump('thingsdb.access', '');

-- The role that creates the extension is the first user, with FULL on
-- @node, @thingsdb and @:stuff (superusers and this role are admins anyway).
INSERT INTO thingsdb.users (name, created_at)
VALUES (current_user, extract(epoch FROM now())::bigint);
INSERT INTO thingsdb.access (user_id, scope_id, mask)
SELECT u.id, s.id, 31
FROM thingsdb.users u,
     (SELECT -1::bigint AS id UNION ALL SELECT 0 UNION ALL
      SELECT id FROM thingsdb.collections WHERE name = 'stuff') s;

CREATE FUNCTION tdb_authenticate(token text, local boolean DEFAULT false)
RETURNS text
AS 'MODULE_PATHNAME', 'tdb_authenticate'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_authenticate(text, boolean) IS
'from now on (local: until the end of the transaction) the tdb_* functions of this session act as the user of the token; NULL returns to the session''s role; returns the user name';

-- ---- Procedures (src/pg/sql_procedures.cpp) -----------------------
-- A procedure is a named closure of a scope: scope_id 0 is @thingsdb, any
-- other a collection's id. definition is the closure's source as written;
-- each backend parses it once and keeps it (the cache follows the relcache
-- invalidations that every change of this table sends).
CREATE TABLE thingsdb.procedures (
    scope_id bigint NOT NULL,
    name text NOT NULL,
    definition text NOT NULL,
    created_at bigint NOT NULL,          -- seconds since the Unix epoch
    PRIMARY KEY (scope_id, name)
);
REVOKE ALL ON thingsdb.procedures FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('thingsdb.procedures', '');

-- A collection's procedures and things go with it: procedures have no row
-- to reference (@thingsdb is scope 0), things.collection has no foreign key
-- (see thingsdb.things).
CREATE FUNCTION thingsdb.drop_collection_rows() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM thingsdb.procedures WHERE scope_id = OLD.id;
    DELETE FROM thingsdb.things WHERE collection = OLD.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER drop_collection_rows AFTER DELETE ON thingsdb.collections
    FOR EACH ROW EXECUTE FUNCTION thingsdb.drop_collection_rows();

CREATE FUNCTION tdb_run(procedure text, VARIADIC args "any")
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_run'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_run(text, "any") IS
'runs a procedure of the scope thingsdb.scope (else of @thingsdb) with SQL values as its arguments (NULL: nil, numbers: int or float, text: str, bytea: bytes, json/jsonb/arrays/rows: values with objects as things, timestamps: datetime); returns its result as jsonb';

CREATE FUNCTION tdb_run(procedure text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_run'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_run(text) IS
'runs a procedure of the scope thingsdb.scope (else of @thingsdb) without arguments (they are nil); returns its result as jsonb';

CREATE FUNCTION tdb_call(procedure text, params jsonb, scope text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_call'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_call(text, jsonb, text) IS
'runs a procedure with params as a JSON array (positional), an object (by argument name) or a list of {"name": .., "value": ..} objects; names match case-insensitively; scope NULL: thingsdb.scope, else @thingsdb';

CREATE FUNCTION tdb_new_procedure(name text, closure text, scope text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'tdb_new_procedure'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_new_procedure(text, text, text) IS
'new_procedure(name, closure) in the scope (NULL: thingsdb.scope), the closure given as its source text, e.g. ''|a, b| a * b''; returns the name';

CREATE FUNCTION tdb_procedure_info(name text, scope text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_procedure_info'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_procedure_info(text, text) IS
'procedure_info(name) plus "params": one {"name", "position", "param_type", "type", "default"} per argument (position from 1, param_type IN); scope NULL: thingsdb.scope, else @thingsdb';

CREATE FUNCTION tdb_procedures_json(scope text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_procedures_json'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_procedures_json(text) IS
'the procedures of a scope (NULL: thingsdb.scope) as a JSON array of what tdb_procedure_info gives, by name';

CREATE FUNCTION tdb_procedures(scope text DEFAULT NULL)
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

COMMENT ON FUNCTION tdb_procedures(text) IS
'lists the procedures of a scope (NULL: thingsdb.scope) with their arguments as DreamFactory-style params, for discovery';

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
-- The mark is thingsdb.gc_reach, defined after the tasks table (below): it
-- starts from the root, the enum members' values and the tasks' arguments.

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

CREATE FUNCTION tdb_collect_garbage(collection_name text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'tdb_collect_garbage'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_collect_garbage(text) IS
'deletes the things of a collection (NULL: every collection) that cannot be reached from its root, such as cycles cut off from it; returns how many were deleted; needs CHANGE on @thingsdb';

-- ---- Read-only variants for gateways and hot standbys -----------
-- STABLE, so HTTP gateways (PostgREST: GET requests run READ ONLY) and hot
-- standbys can use them. Code that would change data, or a procedure with
-- side effects, is an operation_err (TD063) before anything is written.
-- (tdb_query and tdb_call refuse changes the same way in a read-only
-- transaction or on a hot standby.)
CREATE FUNCTION tdb_query_ro(code text, scope text DEFAULT NULL, vars jsonb DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_query_ro'
LANGUAGE C STABLE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_query_ro(text, text, jsonb) IS
'tdb_query for reads only (STABLE; works on hot standbys): code that changes data is refused with operation_err (TD063)';

CREATE FUNCTION tdb_call_ro(procedure text, params jsonb, scope text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_call_ro'
LANGUAGE C STABLE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_call_ro(text, jsonb, text) IS
'tdb_call for procedures without side effects (STABLE; works on hot standbys): a procedure with side effects is refused with operation_err (TD063)';

-- ---- Per-backend catalog cache (src/pg/storage/catalog_cache.cpp, epochs.cpp)
-- Every call reads its collection, user, token and access rows; backends
-- keep them in memory. Each write of these tables, from the extension or
-- from plain SQL, registers a relcache invalidation of the table that
-- empties the cache of every backend (at commit; in the writer at once).
CREATE FUNCTION thingsdb.catalog_changed() RETURNS trigger
AS 'MODULE_PATHNAME', 'tdb_catalog_changed'
LANGUAGE C;
REVOKE ALL ON FUNCTION thingsdb.catalog_changed() FROM PUBLIC;
COMMENT ON FUNCTION thingsdb.catalog_changed() IS
'trigger: a write of a table whose rows the backends cache (collections, users, tokens, access) invalidates those caches';
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON thingsdb.collections
    FOR EACH STATEMENT EXECUTE FUNCTION thingsdb.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON thingsdb.users
    FOR EACH STATEMENT EXECUTE FUNCTION thingsdb.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON thingsdb.tokens
    FOR EACH STATEMENT EXECUTE FUNCTION thingsdb.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON thingsdb.access
    FOR EACH STATEMENT EXECUTE FUNCTION thingsdb.catalog_changed();

-- Every function of the extension has a COMMENT (pg_regress gateway checks).
COMMENT ON FUNCTION thingsdb.drop_collection_rows() IS
'trigger: deletes the procedures and things of a deleted collection';

-- ---- Dump and restore -------------------------------------------
-- CREATE EXTENSION seeds a fresh node (the collection stuff, the first user
-- and its rights); pg_dump keeps every row of the config tables, so a
-- restore runs CREATE EXTENSION (seeding again) and then COPYs the dumped
-- rows. The dumped state must win: the seeded rows are listed in
-- thingsdb.seeds (not dumped, so a restore lists its own seeds) and
--   * a restored collection or user that collides (same id or name) with a
--     seeded one replaces it (the seeded collection goes with its things,
--     the seeded user with its rights);
--   * the restored thingsdb.node row (the dump's node) removes the seeds that
--     are left: what the dumped node no longer had (stuff deleted, ...).
-- thingsdb.seeds is empty after a restore; on a node that never was
-- restored it keeps naming the install's rows, which normal operation never
-- collides with (ids come from the sequence; names are checked first).
CREATE TABLE thingsdb.seeds (
    tbl text NOT NULL CHECK (tbl IN ('collections', 'users')),
    id bigint NOT NULL,
    PRIMARY KEY (tbl, id)
);
INSERT INTO thingsdb.seeds (tbl, id)
SELECT 'collections', id FROM thingsdb.collections
UNION ALL
SELECT 'users', id FROM thingsdb.users;

-- The node: one row, written at install, restored by pg_restore.
CREATE TABLE thingsdb.node (
    id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_version text NOT NULL           -- the extension version that created it
);
INSERT INTO thingsdb.node (created_version) VALUES ('0.4.0');
REVOKE ALL ON thingsdb.seeds, thingsdb.node FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('thingsdb.node', '');

CREATE FUNCTION thingsdb.replace_seed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    seed bigint;
BEGIN
    IF TG_TABLE_NAME = 'node' THEN
        -- The dump's node arrives: the install's node and remaining seeds go.
        DELETE FROM thingsdb.node WHERE id = NEW.id;
        FOR seed IN DELETE FROM thingsdb.seeds WHERE tbl = 'collections' RETURNING id LOOP
            PERFORM thingsdb.drop_seed_collection(seed);
        END LOOP;
        DELETE FROM thingsdb.users u USING thingsdb.seeds s
            WHERE s.tbl = 'users' AND u.id = s.id;
        DELETE FROM thingsdb.seeds;
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM thingsdb.seeds s WHERE s.tbl = TG_TABLE_NAME) THEN
        RETURN NEW;   -- the usual case: nothing seeded is left
    END IF;
    IF TG_TABLE_NAME = 'collections' THEN
        FOR seed IN
            DELETE FROM thingsdb.seeds s
            USING thingsdb.collections c
            WHERE s.tbl = 'collections' AND c.id = s.id AND (c.id = NEW.id OR c.name = NEW.name)
            RETURNING s.id
        LOOP
            PERFORM thingsdb.drop_seed_collection(seed);
        END LOOP;
    ELSE
        DELETE FROM thingsdb.users u
        USING thingsdb.seeds s
        WHERE s.tbl = 'users' AND u.id = s.id AND (u.id = NEW.id OR u.name = NEW.name);
        DELETE FROM thingsdb.seeds s
        WHERE s.tbl = 'users' AND NOT EXISTS (SELECT 1 FROM thingsdb.users u WHERE u.id = s.id);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION thingsdb.replace_seed() IS
'trigger: a restored node, collection or user replaces what CREATE EXTENSION seeded (see thingsdb.seeds)';

-- Drops a seeded collection with its things, types and enums. Procedures of
-- that id already present are restored ones (a seed has none; procedures
-- have no foreign key that would order them after collections): kept.
CREATE FUNCTION thingsdb.drop_seed_collection(seed bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    saved thingsdb.procedures[];
BEGIN
    SELECT array_agg(p) INTO saved FROM thingsdb.procedures p WHERE p.scope_id = seed;
    DELETE FROM thingsdb.collections WHERE id = seed;
    IF saved IS NOT NULL THEN
        INSERT INTO thingsdb.procedures SELECT * FROM unnest(saved);
    END IF;
END
$$;
COMMENT ON FUNCTION thingsdb.drop_seed_collection(bigint) IS
'drops a collection seeded by CREATE EXTENSION when a restore brings the dumped one (keeps procedures already restored)';

-- Internal: run by the triggers (as whoever writes the tables: the owner, or
-- the superuser of a restore), never by PUBLIC.
REVOKE ALL ON FUNCTION thingsdb.replace_seed(), thingsdb.drop_seed_collection(bigint),
    thingsdb.drop_collection_rows() FROM PUBLIC;

CREATE TRIGGER replace_seed BEFORE INSERT ON thingsdb.node
    FOR EACH ROW EXECUTE FUNCTION thingsdb.replace_seed();
CREATE TRIGGER replace_seed BEFORE INSERT ON thingsdb.collections
    FOR EACH ROW EXECUTE FUNCTION thingsdb.replace_seed();
CREATE TRIGGER replace_seed BEFORE INSERT ON thingsdb.users
    FOR EACH ROW EXECUTE FUNCTION thingsdb.replace_seed();

-- ---- Types and enums for SQL users (src/pg/storage/types.cpp) --
-- The views tdb_types and tdb_enums show a role the type and enum catalogs
-- of the collections it has QUERY on (its own role, or the user of its token,
-- see tdb_authenticate); the tables themselves stay revoked. The views read
-- the tables with their owner's rights; thingsdb.can_query runs as the caller
-- (a function in a view does) and the security barrier keeps a caller's own
-- functions from seeing rows before it.
CREATE FUNCTION thingsdb.can_query(collection bigint) RETURNS boolean
AS 'MODULE_PATHNAME', 'tdb_can_query'
LANGUAGE C STABLE;
COMMENT ON FUNCTION thingsdb.can_query(bigint) IS
'whether the caller (its role, or the user of its token) has QUERY on the collection';
GRANT EXECUTE ON FUNCTION thingsdb.can_query(bigint) TO PUBLIC;
CREATE VIEW tdb_types WITH (security_barrier) AS
    SELECT c.name AS collection_name, t.collection, t.type_id, t.name, t.created_at, t.modified_at,
           t.definition
    FROM thingsdb.types t JOIN thingsdb.collections c ON c.id = t.collection
    WHERE thingsdb.can_query(t.collection);
CREATE VIEW tdb_enums WITH (security_barrier) AS
    SELECT c.name AS collection_name, e.collection, e.enum_id, e.name, e.created_at, e.modified_at,
           e.definition
    FROM thingsdb.enums e JOIN thingsdb.collections c ON c.id = e.collection
    WHERE thingsdb.can_query(e.collection);
GRANT SELECT ON tdb_types, tdb_enums TO PUBLIC;
COMMENT ON VIEW tdb_types IS 'the Types of the collections the caller may query (definition: fields, methods, flags, relations)';
COMMENT ON VIEW tdb_enums IS 'the enums of the collections the caller may query (definition: members, methods)';
-- Every write of the catalogs (from the extension or plain SQL) registers a
-- relcache invalidation: it moves the catalog epoch that keeps each backend's
-- cache of catalog rows valid (PgStorage::catalog_epoch).
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON thingsdb.types
    FOR EACH STATEMENT EXECUTE FUNCTION thingsdb.catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON thingsdb.enums
    FOR EACH STATEMENT EXECUTE FUNCTION thingsdb.catalog_changed();

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

-- ---- Rooms (src/core/model/room.*, src/pg/storage/rooms.cpp, src/pg/sql_rooms.cpp) ----
-- A room gets its id from thingsdb.thing_id_seq when it is first stored in a
-- thing of a collection, so a room id is never a thing id. Stored properties
-- refer to it as {"!o": id}; refs counts those references as things.refs
-- counts references to things, and the row goes when it drops to 0 (the
-- sessions that joined get a delete event). name is unique per collection.
CREATE TABLE thingsdb.rooms (
    collection bigint NOT NULL,
    id bigint NOT NULL,
    name text,
    refs bigint NOT NULL,
    PRIMARY KEY (collection, id),
    UNIQUE (collection, name)
);
REVOKE ALL ON thingsdb.rooms FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('thingsdb.rooms', '');
COMMENT ON TABLE thingsdb.rooms IS 'the stored rooms of each collection: id (from the thing ids), name (unique per collection, or NULL), refs (references from stored things)';

-- A joined room is a row of thingsdb.watches with room set and the room's id
-- as thing_id: the same private channel, the same identity re-checked when
-- rights change, the same end with the session. Room events go only to these
-- rows, watch events only to the others.
ALTER TABLE thingsdb.watches ADD COLUMN room boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN thingsdb.watches.room IS 'a joined room (thing_id is the room''s id), not a watched thing';

CREATE OR REPLACE FUNCTION tdb_watching()
RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT w.thing_id FROM thingsdb.watches w
      WHERE NOT w.room AND w.channel IN (SELECT pg_catalog.pg_listening_channels()) ORDER BY 1 $$;

CREATE FUNCTION tdb_join(rooms bigint[], scope text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_join'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION tdb_join(bigint[], text) IS
'joins rooms of a collection with the JOIN right; returns an array with each room''s id, or null for a room that does not exist; from the commit on, the room''s events arrive as notifications on the session''s private channel (the join event first)';

CREATE FUNCTION tdb_leave(rooms bigint[], scope text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_leave'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION tdb_leave(bigint[], text) IS
'leaves rooms; returns an array with each room''s id, or null for a room that does not exist';

-- The rooms this session joined (of the channels it listens on).
CREATE FUNCTION tdb_joined()
RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT w.thing_id FROM thingsdb.watches w
      WHERE w.room AND w.channel IN (SELECT pg_catalog.pg_listening_channels()) ORDER BY 1 $$;
COMMENT ON FUNCTION tdb_joined() IS 'the ids of the rooms this session joined';

-- ---- Tasks (src/pg/sql_tasks.cpp, src/pg/task_worker.cpp) ------------------
-- A task is a closure scheduled to run as its owner (task(), docs/tasks.md). The
-- worker of each database in thingsdb.task_databases runs the due ones, one
-- transaction each, through tdb_run_due_task().
CREATE TABLE thingsdb.tasks (
    scope_id bigint NOT NULL,            -- 0: @thingsdb, else the collection's id
    id bigint NOT NULL,                  -- from thingsdb.thing_id_seq, as ThingsDB
    run_at bigint,                       -- seconds since the Unix epoch; NULL: not scheduled
    owner_id bigint NOT NULL,            -- thingsdb.users.id; 0: an admin role that is no user
    owner text NOT NULL,                 -- the owner's name when given
    closure text NOT NULL,               -- the closure's source as written
    args jsonb,                          -- {"a": [..]} in the stored form of properties
    err_code integer,                    -- NULL: no run yet; 0: the last run succeeded
    err_msg text,
    PRIMARY KEY (scope_id, id)
);
CREATE INDEX tasks_due_idx ON thingsdb.tasks (run_at) WHERE run_at IS NOT NULL;
REVOKE ALL ON thingsdb.tasks FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('thingsdb.tasks', '');
COMMENT ON TABLE thingsdb.tasks IS 'the tasks of each scope (0: @thingsdb, else a collection id): start time, owner, closure, arguments and the error of the last run';

-- A collection's tasks go with it, and a user's tasks with the user (as
-- ThingsDB deletes them).
CREATE FUNCTION thingsdb.drop_tasks_of_collection() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM thingsdb.tasks WHERE scope_id = OLD.id;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION thingsdb.drop_tasks_of_collection() FROM PUBLIC;
COMMENT ON FUNCTION thingsdb.drop_tasks_of_collection() IS
'trigger: deletes the tasks of a deleted collection';
CREATE TRIGGER drop_tasks_of_collection AFTER DELETE ON thingsdb.collections
    FOR EACH ROW EXECUTE FUNCTION thingsdb.drop_tasks_of_collection();

CREATE FUNCTION thingsdb.drop_tasks_of_user() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM thingsdb.tasks WHERE owner_id = OLD.id;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION thingsdb.drop_tasks_of_user() FROM PUBLIC;
COMMENT ON FUNCTION thingsdb.drop_tasks_of_user() IS
'trigger: deletes the tasks of a deleted user';
CREATE TRIGGER drop_tasks_of_user AFTER DELETE ON thingsdb.users
    FOR EACH ROW EXECUTE FUNCTION thingsdb.drop_tasks_of_user();

CREATE FUNCTION tdb_run_due_task() RETURNS bigint
LANGUAGE C VOLATILE
AS 'MODULE_PATHNAME', 'tdb_run_due_task';
REVOKE ALL ON FUNCTION tdb_run_due_task() FROM PUBLIC;
COMMENT ON FUNCTION tdb_run_due_task() IS
'runs one due task of this database as its owner, in the caller''s transaction (the task worker calls it once per transaction): the task''s id, or NULL when none is due';

-- The mark of the garbage collector: the ids reachable from the root, the enum
-- members' values and the things a task keeps as arguments. Each step of the
-- recursion looks the new ids up by the primary key (a nested loop: the cost
-- follows the things reached, whatever the depth of the graph; a hash join
-- would hash the whole collection again on every step once it no longer fits
-- work_mem); the UNION keeps the reached ids in a hash table. Its plan has no
-- use for JIT.
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
        SELECT jsonb_path_query(k.args, 'strict $.*.**."#"')::text::bigint
        FROM thingsdb.tasks k WHERE k.scope_id = coll AND k.args IS NOT NULL
        UNION
        SELECT jsonb_path_query(k.args, 'strict $.*.**."!s"[*]')::text::bigint
        FROM thingsdb.tasks k WHERE k.scope_id = coll AND k.args IS NOT NULL
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
'the mark of thingsdb.collect_garbage: the ids of the things of a collection reachable from its root, an enum member''s value or a task''s arguments';

-- ---- Parallel restore (pg_restore -j) ---------------------------------------
-- pg_restore -j copies the rows of each dumped table in a worker of its own,
-- one transaction per table, in any order and at the same time. So the rows
-- of no table may need another table's rows to be there first:
--   * no foreign keys between the tables: the rows of a deleted collection or
--     user go by trigger (drop_collection_rows, drop_user_rows), and before
--     the extension inserts a row that belongs to a collection or a user it
--     locks that row FOR KEY SHARE, as the check of a key would;
--   * each row CREATE EXTENSION seeded is a placeholder listed in
--     thingsdb.seeds (the collection stuff, its root thing, the first user and
--     its rights). A restored row with the same key, or a restored collection
--     or user with the same name, replaces the placeholder and only it
--     (drop_seeds: no cascade reaches the restored rows of the same id); the
--     dump's node row removes the placeholders left. A worker takes a lock on
--     thingsdb.seeds before it replaces any, so two workers never replace the
--     same placeholder nor wait for each other's rows in opposite orders.

-- seeds: (tbl, id, sub) is the key of the placeholder in its table:
-- collections (id), things (collection, id), users (id), access (user_id,
-- scope_id). dropping marks, within drop_seeds only, the rows it is removing.
ALTER TABLE thingsdb.seeds ADD COLUMN sub bigint NOT NULL DEFAULT 0;
ALTER TABLE thingsdb.seeds ADD COLUMN dropping boolean NOT NULL DEFAULT false;
ALTER TABLE thingsdb.seeds DROP CONSTRAINT seeds_pkey, ADD PRIMARY KEY (tbl, id, sub);
ALTER TABLE thingsdb.seeds DROP CONSTRAINT seeds_tbl_check,
    ADD CONSTRAINT seeds_tbl_check CHECK (tbl IN ('collections', 'things', 'users', 'access'));
INSERT INTO thingsdb.seeds (tbl, id, sub)
SELECT 'things', t.collection, t.id
FROM thingsdb.seeds s JOIN thingsdb.things t ON t.collection = s.id AND t.id = s.id
WHERE s.tbl = 'collections'
UNION ALL
SELECT 'access', a.user_id, a.scope_id
FROM thingsdb.seeds s JOIN thingsdb.access a ON a.user_id = s.id
WHERE s.tbl = 'users';
COMMENT ON TABLE thingsdb.seeds IS 'the rows CREATE EXTENSION seeded (collection stuff, its root thing, the first user, its rights), each replaced by the dumped row with its key on a restore';

-- Removes placeholders: kind 'collections' (the collection, its root thing,
-- the rights on it), 'users' (the user, its rights), 'things' or 'access'
-- (that row), NULL (all). Only rows still listed go: a row that a restored
-- one replaced is no longer listed.
CREATE FUNCTION thingsdb.drop_seeds(kind text, key bigint, subkey bigint) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE thingsdb.seeds s SET dropping = true
    WHERE kind IS NULL
       OR (kind = 'collections' AND ((s.tbl IN ('collections', 'things') AND s.id = key)
                                     OR (s.tbl = 'access' AND s.sub = key)))
       OR (kind = 'users' AND s.tbl IN ('users', 'access') AND s.id = key)
       OR (s.tbl = kind AND s.id = key AND s.sub = subkey);
    DELETE FROM thingsdb.things t USING thingsdb.seeds s
    WHERE s.dropping AND s.tbl = 'things' AND t.collection = s.id AND t.id = s.sub;
    DELETE FROM thingsdb.access a USING thingsdb.seeds s
    WHERE s.dropping AND s.tbl = 'access' AND a.user_id = s.id AND a.scope_id = s.sub;
    DELETE FROM thingsdb.collections c USING thingsdb.seeds s
    WHERE s.dropping AND s.tbl = 'collections' AND c.id = s.id;
    DELETE FROM thingsdb.users u USING thingsdb.seeds s
    WHERE s.dropping AND s.tbl = 'users' AND u.id = s.id;
    DELETE FROM thingsdb.seeds WHERE dropping;
END
$$;
COMMENT ON FUNCTION thingsdb.drop_seeds(text, bigint, bigint) IS
'removes placeholders that CREATE EXTENSION seeded (a collection or user with what belongs to it, one row, or all), without touching other rows of the same ids';

-- Whether the row (as tbl, its key and its name) replaces a placeholder:
-- the placeholders it replaces, as drop_seeds takes them.
CREATE FUNCTION thingsdb.seeds_hit(tbl text, key bigint, subkey bigint, name text)
RETURNS TABLE (id bigint, sub bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT s.id, s.sub FROM thingsdb.seeds s
    WHERE s.tbl = seeds_hit.tbl AND NOT s.dropping AND CASE seeds_hit.tbl
        WHEN 'collections' THEN s.id = key OR s.id IN
            (SELECT c.id FROM thingsdb.collections c WHERE c.name = seeds_hit.name)
        WHEN 'users' THEN s.id = key OR s.id IN
            (SELECT u.id FROM thingsdb.users u WHERE u.name = seeds_hit.name)
        ELSE s.id = key AND s.sub = subkey END
$$;
COMMENT ON FUNCTION thingsdb.seeds_hit(text, bigint, bigint, text) IS
'the placeholders (thingsdb.seeds) that a row of the table with that key and name replaces';

DROP FUNCTION thingsdb.drop_seed_collection(bigint);

CREATE OR REPLACE FUNCTION thingsdb.replace_seed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    key bigint;
    subkey bigint := 0;
    nm text;
    hit record;
BEGIN
    IF TG_TABLE_NAME = 'node' THEN
        -- The dump's node arrives: the install's node and the placeholders left go.
        LOCK TABLE thingsdb.seeds IN SHARE ROW EXCLUSIVE MODE;
        DELETE FROM thingsdb.node WHERE id = NEW.id;
        PERFORM thingsdb.drop_seeds(NULL, NULL, NULL);
        RETURN NEW;
    END IF;
    CASE TG_TABLE_NAME
        WHEN 'collections' THEN key := NEW.id; nm := NEW.name;
        WHEN 'users' THEN key := NEW.id; nm := NEW.name;
        WHEN 'things' THEN key := NEW.collection; subkey := NEW.id;
        WHEN 'access' THEN key := NEW.user_id; subkey := NEW.scope_id;
    END CASE;
    -- The usual case: the row replaces nothing, and no lock is taken.
    IF NOT EXISTS (SELECT 1 FROM thingsdb.seeds_hit(TG_TABLE_NAME, key, subkey, nm)) THEN
        RETURN NEW;
    END IF;
    -- Again under the lock: another worker may have replaced it meanwhile.
    LOCK TABLE thingsdb.seeds IN SHARE ROW EXCLUSIVE MODE;
    FOR hit IN SELECT * FROM thingsdb.seeds_hit(TG_TABLE_NAME, key, subkey, nm) LOOP
        PERFORM thingsdb.drop_seeds(TG_TABLE_NAME, hit.id, hit.sub);
    END LOOP;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION thingsdb.replace_seed() IS
'trigger: a restored node, collection, root thing, user or right replaces what CREATE EXTENSION seeded in its place (see thingsdb.seeds)';
-- Only a root thing (id = collection) can be a placeholder: the condition keeps
-- the trigger from running for the other things.
CREATE TRIGGER replace_seed BEFORE INSERT ON thingsdb.things
    FOR EACH ROW WHEN (NEW.id = NEW.collection) EXECUTE FUNCTION thingsdb.replace_seed();
CREATE TRIGGER replace_seed BEFORE INSERT ON thingsdb.access
    FOR EACH ROW EXECUTE FUNCTION thingsdb.replace_seed();

-- What the foreign keys deleted with a collection or user; nothing when
-- drop_seeds removes a placeholder (the rows of that id are restored ones).
CREATE OR REPLACE FUNCTION thingsdb.drop_collection_rows() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM thingsdb.seeds s
               WHERE s.tbl = 'collections' AND s.id = OLD.id AND s.dropping) THEN
        RETURN NULL;
    END IF;
    DELETE FROM thingsdb.procedures WHERE scope_id = OLD.id;
    DELETE FROM thingsdb.things WHERE collection = OLD.id;
    DELETE FROM thingsdb.types WHERE collection = OLD.id;
    DELETE FROM thingsdb.enums WHERE collection = OLD.id;
    DELETE FROM thingsdb.rooms WHERE collection = OLD.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION thingsdb.drop_collection_rows() IS
'trigger: deletes the procedures, things, Types, enums and rooms of a deleted collection';

CREATE FUNCTION thingsdb.drop_user_rows() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM thingsdb.seeds s
               WHERE s.tbl = 'users' AND s.id = OLD.id AND s.dropping) THEN
        RETURN NULL;
    END IF;
    DELETE FROM thingsdb.tokens WHERE user_id = OLD.id;
    DELETE FROM thingsdb.access WHERE user_id = OLD.id;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION thingsdb.drop_user_rows() IS
'trigger: deletes the tokens and rights of a deleted user';
CREATE TRIGGER drop_user_rows AFTER DELETE ON thingsdb.users
    FOR EACH ROW EXECUTE FUNCTION thingsdb.drop_user_rows();

CREATE OR REPLACE FUNCTION thingsdb.drop_tasks_of_collection() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM thingsdb.seeds s
                   WHERE s.tbl = 'collections' AND s.id = OLD.id AND s.dropping) THEN
        DELETE FROM thingsdb.tasks WHERE scope_id = OLD.id;
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION thingsdb.drop_tasks_of_user() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM thingsdb.seeds s
                   WHERE s.tbl = 'users' AND s.id = OLD.id AND s.dropping) THEN
        DELETE FROM thingsdb.tasks WHERE owner_id = OLD.id;
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION thingsdb.drop_seeds(text, bigint, bigint),
    thingsdb.seeds_hit(text, bigint, bigint, text), thingsdb.drop_user_rows() FROM PUBLIC;

-- ---- Rooms by id or name (src/pg/sql_rooms.cpp) -----------------------------
-- tdb_join and tdb_leave take an array of room ids (integers) or of text, each
-- element a room id or a room's name; "any" so that ARRAY[17], ARRAY['chat'],
-- '{17,chat}' and NULL all reach the one function.
DROP FUNCTION tdb_join(bigint[], text);
DROP FUNCTION tdb_leave(bigint[], text);
CREATE FUNCTION tdb_join(rooms "any", scope text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_join'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION tdb_join("any", text) IS
'joins rooms of a collection, given as an array of room ids or names, with the JOIN right; returns an array with each room''s id, or null for a room that does not exist; from the commit on, the room''s events arrive as notifications on the session''s private channel (the join event first)';
CREATE FUNCTION tdb_leave(rooms "any", scope text DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_leave'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION tdb_leave("any", text) IS
'leaves rooms, given as an array of room ids or names; returns an array with each room''s id, or null for a room that does not exist';

-- ---- Rooms and the garbage collector (src/pg/sql_maintenance.cpp) -----------
-- rooms.refs counts the references {"!o": id} in the stored things of the
-- collection. After collect_garbage deleted unreachable things, the rooms they
-- held are counted again from the things left; a room left without references
-- goes, as when its last reference is removed, and its id is returned so that
-- tdb_collect_garbage sends the joined sessions its delete event.
CREATE FUNCTION thingsdb.gc_rooms(coll bigint)
RETURNS SETOF bigint
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
    WITH refd AS (
        SELECT jsonb_path_query(s.props, 'strict $.*.**."!o"')::text::bigint AS id
        FROM thingsdb.things s WHERE s.collection = coll
    ),
    counted AS (
        SELECT r.id, count(d.id) AS n
        FROM thingsdb.rooms r LEFT JOIN refd d ON d.id = r.id
        WHERE r.collection = coll
        GROUP BY r.id
    ),
    recounted AS (
        UPDATE thingsdb.rooms r SET refs = c.n
        FROM counted c
        WHERE r.collection = coll AND r.id = c.id AND c.n > 0 AND r.refs <> c.n
        RETURNING r.id
    ),
    gone AS (
        DELETE FROM thingsdb.rooms r USING counted c
        WHERE r.collection = coll AND r.id = c.id AND c.n = 0
        RETURNING r.id
    )
    SELECT g.id FROM gone g ORDER BY g.id
$$;
REVOKE ALL ON FUNCTION thingsdb.gc_rooms(bigint) FROM PUBLIC;
COMMENT ON FUNCTION thingsdb.gc_rooms(bigint) IS
'after collect_garbage: counts the references to the rooms of a collection again from its things, deletes the rooms left without any and returns their ids';

-- Big props read by slices: stored out of line and uncompressed, so that reading one item of
-- a big list (or one property of a big thing) fetches the TOAST chunks that hold it, not the
-- whole row (src/pg/storage/toast_read.cpp). Rows written before keep their form until
-- rewritten; compressed ones are read whole, as before.
ALTER TABLE thingsdb.things ALTER COLUMN props SET STORAGE EXTERNAL;
