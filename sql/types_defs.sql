-- Types and enums, more: things as enum member values (reference counts and
-- tdb_collect_garbage), wrapped values, map_wrap / map_type / new / enum,
-- and definitions, conditions and actions not covered by types.sql.
SELECT tdb_query($$ if (has_collection('types_d')) del_collection('types_d'); new_collection('types_d'); nil; $$, '@thingsdb');
SET thingsdb.scope = '@:types_d';
CREATE TEMP VIEW d_things AS
    SELECT t.props->>'n' AS n, t.refs, t.props ? 'sub' AS has_sub FROM thingsdb.things t JOIN thingsdb.collections c ON c.id = t.collection
    WHERE c.name = 'types_d' AND t.props ? 'n' ORDER BY t.props->>'n';

-- a thing as an enum member's value is stored and counted by the enum
SELECT tdb_query($$ set_enum('Pt', {A: {n: 'a', sub: {n: 'a.sub'}}, B: {n: 'b'}}); .x = Pt{A}.value(); nil; $$);
SELECT * FROM d_things;
-- the other reference goes; a cycle elsewhere makes the sweep recount
SELECT tdb_query($$ .del('x'); .c = {n: 'cyc'}; .c.me = .c; .del('c'); nil; $$);
SELECT tdb_collect_garbage('types_d') AS removed;
SELECT * FROM d_things;
SELECT tdb_query($$ [Pt{A}.value().sub.n, Pt{B}.value().n]; $$);
-- mod: the old value is released, the new one counted
SELECT tdb_query($$ mod_enum('Pt', 'mod', 'B', {n: 'b2'}); nil; $$);
SELECT * FROM d_things;
-- del: the member's thing (and what only it holds) is freed
SELECT tdb_query($$ mod_enum('Pt', 'del', 'A'); nil; $$);
SELECT * FROM d_things;
SELECT tdb_collect_garbage('types_d') AS removed;
SELECT * FROM d_things;
SELECT tdb_query($$ del_enum('Pt'); nil; $$);
SELECT * FROM d_things;
