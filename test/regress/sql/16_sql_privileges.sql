-- The SQL surface's privileges: maintenance needs CHANGE on @thingsdb, checked
-- before any lock or lookup; internal functions are not executable by PUBLIC;
-- no function of the extension takes functions or operators from the caller's
-- search_path.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_tdb_nouser;
DROP ROLE IF EXISTS regress_tdb_query;
DROP SCHEMA IF EXISTS regress_evil CASCADE;
-- (the sweep's progress NOTICEs carry timings)
CREATE ROLE regress_tdb_nouser;
CREATE ROLE regress_tdb_query;
GRANT USAGE ON SCHEMA public TO regress_tdb_nouser, regress_tdb_query;
\set VERBOSITY default
SELECT tdb_query($$new_user('regress_tdb_query'); nil$$, '@thingsdb');
SELECT tdb_query($$grant('@:stuff', 'regress_tdb_query', QUERY); grant('@thingsdb', 'regress_tdb_query', QUERY); nil$$, '@thingsdb');
SELECT tdb_query($$ if (has_collection('regress_secret')) del_collection('regress_secret'); new_collection('regress_secret'); nil $$, '@thingsdb');

-- Who may run what (PUBLIC's EXECUTE on the extension's functions).
SELECT p.oid::regprocedure AS function, has_function_privilege('regress_tdb_nouser', p.oid, 'EXECUTE') AS public_execute
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'thingsdb'
WHERE p.prosecdef OR p.pronamespace = 'thingsdb'::regnamespace
   OR p.proname IN ('tdb_collect_garbage', 'tdb_prune_events')
ORDER BY p.oid::regprocedure::text;
-- Two functions run with their owner's rights by SECURITY DEFINER: tdb_watching() and
-- tdb_joined(), which read only the watches and rooms of the caller's own channels
-- (pg_listening_channels()).
SELECT p.oid::regprocedure AS security_definer
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'thingsdb'
WHERE p.prosecdef ORDER BY 1;
-- Every SQL or PL/pgSQL function pins its search_path.
SELECT p.oid::regprocedure AS unpinned
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'thingsdb'
JOIN pg_language l ON l.oid = p.prolang
WHERE l.lanname IN ('sql', 'plpgsql')
  AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')
  AND p.proname NOT IN ('tdb_watching', 'tdb_event', 'tdb_events_since')
ORDER BY p.oid::regprocedure::text;

-- A role without a ThingsDB user: refused, the same for any collection name,
-- and no lock is left behind.
SET ROLE regress_tdb_nouser;
SELECT tdb_collect_garbage();
SELECT tdb_collect_garbage('regress_secret');
SELECT tdb_collect_garbage('no_such_collection');
SELECT tdb_prune_events();
SELECT thingsdb.collect_garbage(1);
RESET ROLE;

-- A user with QUERY only (on @thingsdb and the collection): forbidden_err,
-- before the collection is looked up.
SET ROLE regress_tdb_query;
SELECT tdb_collect_garbage();
SELECT tdb_collect_garbage('regress_secret');
SELECT tdb_collect_garbage('no_such_collection');
SELECT tdb_prune_events();
RESET ROLE;
-- Even with retention off (nothing to prune) the commit lock is not taken.
SET thingsdb.event_retention = 0;
SET ROLE regress_tdb_query;
BEGIN;
SELECT tdb_prune_events();
ROLLBACK;
RESET ROLE;
RESET thingsdb.event_retention;

-- CHANGE on @thingsdb is the right.
SELECT tdb_query($$grant('@thingsdb', 'regress_tdb_query', CHANGE); nil$$, '@thingsdb');
SET ROLE regress_tdb_query;
SELECT tdb_collect_garbage('regress_secret') AS removed;
SELECT tdb_collect_garbage('no_such_collection');
SELECT tdb_prune_events() >= 0 AS pruned;
RESET ROLE;

-- A search_path with a schema of the caller's before pg_catalog: none of the
-- caller's functions or operators is used by the extension's functions.
CREATE SCHEMA regress_evil;
GRANT USAGE ON SCHEMA regress_evil TO PUBLIC;
CREATE FUNCTION regress_evil.hijacked() RETURNS void LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'hijacked'; END $$;
CREATE FUNCTION regress_evil.jsonb_array_elements(jsonb) RETURNS SETOF jsonb LANGUAGE plpgsql AS
$$ BEGIN PERFORM regress_evil.hijacked(); END $$;
CREATE FUNCTION regress_evil.jsonb_path_query(jsonb, jsonpath) RETURNS SETOF jsonb LANGUAGE plpgsql AS
$$ BEGIN PERFORM regress_evil.hijacked(); END $$;
CREATE FUNCTION regress_evil.clock_timestamp() RETURNS timestamptz LANGUAGE plpgsql AS
$$ BEGIN PERFORM regress_evil.hijacked(); RETURN now(); END $$;
CREATE FUNCTION regress_evil.make_interval(secs double precision) RETURNS interval LANGUAGE plpgsql AS
$$ BEGIN PERFORM regress_evil.hijacked(); RETURN '1s'; END $$;
CREATE FUNCTION regress_evil.to_timestamp(double precision) RETURNS timestamptz LANGUAGE plpgsql AS
$$ BEGIN PERFORM regress_evil.hijacked(); RETURN now(); END $$;
CREATE FUNCTION regress_evil.int8eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM regress_evil.hijacked(); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR regress_evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = regress_evil.int8eq);
CREATE FUNCTION regress_evil.jsonb_text(jsonb, text) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM regress_evil.hijacked(); RETURN NULL; END $$;
CREATE OPERATOR regress_evil.->> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = regress_evil.jsonb_text);
SELECT tdb_query($$ new_procedure('regress_p', |a| a); nil $$);
SET search_path = regress_evil, pg_catalog, public;
SELECT tdb_query('.regress_x = [{}, {}]; .regress_x.len()');
SELECT name FROM tdb_procedures() WHERE name = 'regress_p';
SELECT tdb_run('regress_p', 1);
SELECT tdb_call('regress_p', '[2]');
SELECT tdb_collect_garbage('stuff') >= 0 AS swept;
SELECT tdb_prune_events() >= 0 AS pruned;
SELECT tdb_query('.del("regress_x"); del_procedure("regress_p"); nil');
RESET search_path;

SELECT tdb_query($$del_collection('regress_secret'); del_user('regress_tdb_query'); nil$$, '@thingsdb');
DROP SCHEMA regress_evil CASCADE;
DROP OWNED BY regress_tdb_nouser, regress_tdb_query;
DROP ROLE regress_tdb_nouser;
DROP ROLE regress_tdb_query;
