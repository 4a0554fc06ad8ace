-- Types and enums changed from inside their own change (arguments, closures,
-- migration callbacks): a clean error or a consistent catalog, never a crash;
-- a failed change leaves the catalog and its instances as they were.
\set VERBOSITY terse
SELECT tdb_query($$ if (has_collection('hostile')) del_collection('hostile'); new_collection('hostile'); nil; $$, '@thingsdb');
SET thingsdb.scope = '@:hostile';
CREATE TEMP VIEW hostile_reset AS
    SELECT tdb_query($$ if (has_collection('hostile')) del_collection('hostile'); new_collection('hostile'); nil; $$, '@thingsdb') IS NOT NULL AS reset;

-- 1. the catalog changed from inside its own arguments or closures
SELECT tdb_query($$ new_type('A'); mod_type('A', 'hid', {del_type('A'); true}) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ new_type('A'); set_type('A', {g: {del_type('A'); 'int'}}) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ new_type('A'); rename_type('A', {del_type('A'); 'B'}) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ set_enum('E', {X: 1}); mod_enum('E', 'add', 'Z', {del_enum('E'); 3}) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ new_type('A'); set_type('A', {n: 'int'}); x = A{}; mod_type('A', 'mod', 'n', 'str', |a| {mod_type('A', 'del', 'n'); 's'}) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ set_type('A', {n: 'int'}); mod_type('A', 'add', 'z', 'int', {del_type('A'); 1}) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ set_type('A', {n: 'int'}); mod_type('A', 'ren', 'n', {rename_type('A', 'X'); 'm'}) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ set_type('A', {n: 'int'}); .a = A{}; mod_type('A', 'all', |a| del_type('A')) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ set_type('A', {n: 'int'}); x = A{}; mod_type('A', 'add', 'z', 'int', |a| A{}) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ set_enum('E', {X: 1, Y: 2}); mod_enum('E', 'ren', 'X', {mod_enum('E', 'del', 'X'); 'Z'}) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ set_enum('E', {X: 1, Y: 2}); mod_enum('E', 'mod', 'X', {rename_enum('E', 'F'); 5}) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ new_type('A', {new_type('A'); false}) $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ set_enum('E', {X: {set_enum('E', {Y: 1}); 1}}) $$);
SELECT * FROM hostile_reset;
-- caught: the lock goes with the change
SELECT tdb_query($$ set_type('A', {n: 'int'}); try(mod_type('A', 'hid', {del_type('A'); true})); del_type('A'); has_type('A') $$);
SELECT * FROM hostile_reset;
-- another type may change from inside a change
SELECT tdb_query($$ set_type('A', {n: 'int'}); new_type('B'); .x = A{}; mod_type('A', 'add', 'z', 'int', |a| {del_type('B'); 4}); [.x.z, has_type('B')] $$);
SELECT tdb_query($$ [.x.z, has_type('B'), type_info('A').fields] $$);
SELECT * FROM hostile_reset;

-- 2. del_type with stored instances: they become plain things
SELECT tdb_query($$ new_type('A'); .a = A{}; nil $$);
SELECT tdb_query($$ del_type('A') $$);
SELECT tdb_query($$ [type(.a), has_type('A')] $$);
SELECT * FROM hostile_reset;
SELECT tdb_query($$ set_type('Root', {name: 'str'}); .to_type('Root'); nil $$);
SELECT tdb_query($$ del_type('Root'); .x = 123; nil $$);
SELECT tdb_query($$ [type(.), .x, .name] $$);
SELECT * FROM hostile_reset;

-- 3. a caught error of an argument leaves the Type and its instances as they were;
-- an error of a migration closure is one instance's answer: the change completes
SELECT tdb_query($$ new_type('A'); set_type('A', {n: 'int'}); .a = A{}; nil $$);
SELECT tdb_query($$ try(mod_type('A', 'add', 'z', 'int', {raise('boom')})); try(mod_type('A', 'mod', 'n', 'str', {raise('boom')})); [type_info('A').fields, .a.n] $$);
SELECT tdb_query($$ try(mod_type('A', 'add', 'z', 'int', |x| raise('boom'))); mod_type('A', 'hid', false) $$);
SELECT tdb_query($$ [type_info('A').fields, .a.n] $$);
SELECT tdb_query($$ try(mod_type('A', 'mod', 'n', 'str', |x| raise('boom'))); [type_info('A').fields, .a.n] $$);
SELECT tdb_query($$ mod_type('A', 'mod', 'n', 'str', |x| 'q'); [type_info('A').fields, .a.n] $$);
SELECT tdb_query($$ [type_info('A').fields, .a.n] $$);
SELECT * FROM hostile_reset;

-- 4. del_enum with a stored member is refused
SELECT tdb_query($$ set_enum('E', {X: 1, Y: 2}); .m = E{Y}; nil $$);
SELECT tdb_query($$ del_enum('E') $$);
SELECT tdb_query($$ [has_enum('E'), .m.name()] $$);
SELECT tdb_query($$ .del('m'); nil $$);
SELECT tdb_query($$ del_enum('E'); has_enum('E') $$);

DROP VIEW hostile_reset;
SELECT tdb_query($$ del_collection('hostile'); nil; $$, '@thingsdb');
RESET thingsdb.scope;
