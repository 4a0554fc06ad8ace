-- A property name stays valid while the code of its value runs, also when
-- that code first loads the collection's Types in this session and parses
-- their methods (which interns new names)
SELECT tdb_query($$ set_type('Nm', {m: |this| this.n, mm: |this, long_parameter_name| 2}); set_type('Nr', {n: 'int'}); nil $$);
\c
SELECT tdb_query($$ .nr = Nr{n: 1}; .nr.n $$);
\c
SELECT tdb_query($$ .nr2 = Nr{}; .nr2.n = 2; [.nr.n, .nr2.n] $$);
\c
SELECT tdb_query($$ x = {}; x.some_longer_property = Nr{n: 3}; x.keys() $$);
SELECT tdb_query($$ .del('nr'); .del('nr2'); del_type('Nr'); del_type('Nm'); nil $$);
