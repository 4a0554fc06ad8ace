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

-- Things a task keeps as arguments are reachable: the mark of the garbage
-- collector starts from them too.
CREATE OR REPLACE FUNCTION thingsdb.gc_reach(coll bigint)
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
COMMENT ON FUNCTION thingsdb.gc_reach(bigint) IS
'the mark of thingsdb.collect_garbage: the ids of the things of a collection reachable from its root, an enum member''s value or a task''s arguments';
