-- thingsdb 0.1.0: the schema of stored collections and things, and tdb_query.

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
CREATE TABLE thingsdb.things (
    id bigint PRIMARY KEY,
    -- Deferred so a collection and its root thing can be inserted in any order.
    collection bigint NOT NULL REFERENCES thingsdb.collections (id)
        ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    type_id int,
    version bigint NOT NULL DEFAULT 1,
    refs bigint NOT NULL DEFAULT 0,
    props jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX things_collection_idx ON thingsdb.things (collection);

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

CREATE FUNCTION tdb_query(code text, scope text DEFAULT NULL, vars jsonb DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'tdb_query'
LANGUAGE C VOLATILE CALLED ON NULL INPUT;

COMMENT ON FUNCTION tdb_query(text, text, jsonb) IS
'runs ThingsDB code in a scope (NULL: the setting thingsdb.scope); the keys of vars are bound as variables; returns the result as jsonb';
