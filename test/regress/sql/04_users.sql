-- Users, tokens and access rights.
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_tdb_cato;
DROP ROLE IF EXISTS regress_tdb_app;
RESET client_min_messages;
CREATE ROLE regress_tdb_cato;
CREATE ROLE regress_tdb_app;
GRANT USAGE ON SCHEMA public TO regress_tdb_cato, regress_tdb_app;
\set VERBOSITY default

-- The constants.
SELECT tdb_query('[QUERY, CHANGE, GRANT, JOIN, RUN, USER, FULL]');

-- The installing role is an admin and the first user.
SELECT tdb_query('user_info().access', '@thingsdb');

-- Users.
SELECT tdb_query($$new_user('regress_tdb_cato')$$, '@thingsdb')::int > 0 AS created;
SELECT tdb_query($$new_user('regress_tdb_cato')$$, '@thingsdb');
SELECT tdb_query($$has_user('regress_tdb_cato')$$, '@thingsdb');
SELECT tdb_query($$new_user('x')$$);
SELECT tdb_query($$grant('@:stuff', 'regress_tdb_cato', QUERY|JOIN|RUN)$$, '@thingsdb');
SELECT tdb_query($$user_info('regress_tdb_cato').access$$, '@thingsdb');
SELECT tdb_query($$grant('@:nope', 'regress_tdb_cato', QUERY)$$, '@thingsdb');
SELECT tdb_query($$grant('@:stuff', 'nobody', QUERY)$$, '@thingsdb');

-- Rights at work.
SELECT tdb_query('.x = 1');
SET ROLE regress_tdb_cato;
SELECT tdb_query('.x');
SELECT tdb_query('.x = 2');
SELECT tdb_query('wse()');
SELECT tdb_query('1', '@thingsdb');
SELECT count(*) FROM thingsdb.things;
SELECT * FROM thingsdb.tokens;
RESET ROLE;
SET ROLE regress_tdb_app;
SELECT tdb_query('.x');
RESET ROLE;

-- Tokens: hashed, checked on every call.
SELECT tdb_query($$new_token('regress_tdb_cato', 1)$$, '@thingsdb');
SELECT tdb_query($$new_token('regress_tdb_cato', nil, 'regress')$$, '@thingsdb') AS token \gset
SELECT length(:'token'::jsonb #>> '{}');
SELECT count(*) FROM thingsdb.tokens WHERE key_hint = left(:'token'::jsonb #>> '{}', 4) AND octet_length(key_hash) = 32;
SELECT tdb_query($$user_info('regress_tdb_cato').tokens.map(|t| [t.status, t.expiration_time, t.description])$$, '@thingsdb');
SET ROLE regress_tdb_app;
SELECT tdb_authenticate(:'token'::jsonb #>> '{}');
SELECT tdb_query('.x');
SELECT tdb_query('user_info().name');
SELECT tdb_authenticate(NULL);
SELECT tdb_authenticate('abcdefghijklmnopqrstuv');
RESET ROLE;
SELECT tdb_query($$del_token(t)$$, '@thingsdb', jsonb_build_object('t', :'token'::jsonb));
SET ROLE regress_tdb_app;
SELECT tdb_authenticate(:'token'::jsonb #>> '{}');
RESET ROLE;

-- Revoke, rename, delete.
SELECT tdb_query($$revoke('@:stuff', 'regress_tdb_cato', QUERY)$$, '@thingsdb');
SELECT tdb_query($$user_info('regress_tdb_cato').access$$, '@thingsdb');
SELECT tdb_query($$del_user('regress_tdb_cato')$$, '@thingsdb');
SELECT tdb_query($$has_user('regress_tdb_cato')$$, '@thingsdb');
SET ROLE regress_tdb_cato;
SELECT tdb_query('.x');
RESET ROLE;

DROP OWNED BY regress_tdb_cato, regress_tdb_app;
DROP ROLE regress_tdb_cato;
DROP ROLE regress_tdb_app;
