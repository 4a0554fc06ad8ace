-- What CREATE EXTENSION thingsdb installs (pg_regress creates the extension).

-- The extension's tables live in schema thingsdb.
SELECT nspname FROM pg_namespace WHERE nspname = 'thingsdb';
SELECT c.relname, c.relkind
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'thingsdb'
ORDER BY c.relname;

-- pg_dump keeps their rows.
SELECT d::regclass AS dumped
FROM pg_extension, unnest(extconfig) AS d
WHERE extname = 'thingsdb'
ORDER BY d::regclass::text;

-- A fresh node has the collection stuff, whose id is the id of its root thing.
SELECT name, time_zone, default_deep, created_at > 0 AS has_created_at
FROM thingsdb.collections;
SELECT t.collection = c.id AS in_stuff, t.type_id, t.version, t.refs, t.props
FROM thingsdb.collections c JOIN thingsdb.things t ON t.id = c.id
WHERE c.name = 'stuff';

-- Only the owner may touch the tables.
SELECT has_schema_privilege('public', 'thingsdb', 'USAGE') AS public_usage,
       has_table_privilege('public', 'thingsdb.things', 'SELECT') AS public_select;

-- The SQL functions.
\df tdb_*

-- A NULL code is an error of its own (SQLSTATE 22004).
\set VERBOSITY sqlstate
SELECT tdb_query(NULL);
\set VERBOSITY default
SELECT tdb_query(NULL);

-- Loading the library defines the setting thingsdb.scope.
SHOW thingsdb.scope;
