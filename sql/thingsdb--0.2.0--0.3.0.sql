-- thingsdb 0.2.0 -> 0.3.0 (ALTER EXTENSION thingsdb UPDATE): the same objects as
-- a fresh install of 0.3.0, with the data kept.

\echo Use "ALTER EXTENSION thingsdb UPDATE" to load this file. \quit

-- ---- Rooms (src/core/model/room.*, src/pg/storage/rooms.cpp, src/pg/sql_rooms.cpp) ----
-- A room gets its id from thingsdb.thing_id_seq when it is first stored in a
-- thing of a collection, so a room id is never a thing id. Stored properties
-- refer to it as {"!o": id}; refs counts those references as things.refs
-- counts references to things, and the row goes when it drops to 0 (the
-- sessions that joined get a delete event). name is unique per collection.
CREATE TABLE thingsdb.rooms (
    collection bigint NOT NULL REFERENCES thingsdb.collections (id) ON DELETE CASCADE,
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
