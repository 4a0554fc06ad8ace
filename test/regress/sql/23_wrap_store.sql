-- A wrap through a Type is stored as ThingsDB keeps it: the Type by id, the
-- wrapped thing by reference (stored with it, collected with it)
SELECT tdb_query($$ set_type('Pw', {name: 'str', age: 'int'}); set_type('_Pw', {name: 'str'}, true, true); .pw = [Pw{name: 'Iris', age: 9}, {name: 'Cato'}].map_wrap('_Pw'); nil $$);
SELECT tdb_query($$ [.pw, .pw.map(|w| type(w)), .pw[0].unwrap().age] $$);
SELECT tdb_query($$ rename_type('_Pw', '_Qw'); nil $$);
SELECT tdb_query($$ [type(.pw[0]), .pw.copy()] $$);
SELECT tdb_query($$ .pw_ids = .pw.map(|w| w.unwrap().id()); nil $$);
SELECT tdb_query($$ .pw.clear(); nil $$);
SELECT tdb_query($$ .pw_ids.map(|id| is_err(try(thing(id)))) $$);
-- not a wrap through an anonymous type
SELECT tdb_query($$ .pa = {x: 1}.wrap(&{x: 'int'}); $$);
SELECT tdb_query($$ .del('pw'); .del('pw_ids'); del_type('Pw'); del_type('_Qw'); nil $$);
