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
ALTER TABLE thingsdb.types DROP CONSTRAINT types_collection_fkey;
ALTER TABLE thingsdb.enums DROP CONSTRAINT enums_collection_fkey;
ALTER TABLE thingsdb.rooms DROP CONSTRAINT rooms_collection_fkey;
ALTER TABLE thingsdb.tokens DROP CONSTRAINT tokens_user_id_fkey;
ALTER TABLE thingsdb.access DROP CONSTRAINT access_user_id_fkey;

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
