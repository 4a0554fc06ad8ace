-- thingsdb 0.2.0 -> 0.3.0 (ALTER EXTENSION thingsdb UPDATE): the same objects as
-- a fresh install of 0.3.0, with the data kept.

\echo Use "ALTER EXTENSION thingsdb UPDATE" to load this file. \quit

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
