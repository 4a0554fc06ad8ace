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

-- wrapped values: fields of the wrapping type, its methods with the thing as `this`
SELECT tdb_query($$
    set_type('MathXY', {x: 'number', multiply: |this| this.x * this.y, plus: |this, n| this.x + n});
    set_type('P2', {x: 'number', y: 'number'});
    set_type('U', {name: 'str', age: 'int<0:150>', tags: '[str]'});
    w = P2{x: 6, y: 7}.wrap('MathXY');
    [w.multiply(), w.plus(10), w.x, type(w), w.id(), {x: 2, y: 3}.wrap('MathXY').multiply()];
$$);
SELECT tdb_query($$ P2{x: 1, y: 2}.wrap('MathXY').y; $$);
SELECT tdb_query($$ P2{}.wrap('MathXY').nope(); $$);
SELECT tdb_query($$ .p = P2{x: 1, y: 2}; .p.wrap('MathXY').id() == .p.id(); $$);
-- map_wrap
SELECT tdb_query($$ [P2{x: 1, y: 2}, {x: 3}].map_wrap('MathXY').map(|w| w.x); $$);
SELECT tdb_query($$ set(P2{x: 5, y: 1}).map_wrap().map(|w| type(w)); $$);
SELECT tdb_query($$ [{}].map_wrap(); $$);
SELECT tdb_query($$ set({}).map_wrap(); $$);
SELECT tdb_query($$ [1].map_wrap('P2'); $$);
-- map_type and new
SELECT tdb_query($$ [{name: 'a', age: 3, other: 1}, {name: 'b'}].map_type('U'); $$);
SELECT tdb_query($$ .u = U{name: 'z'}; [.u.id()].map_type('U')[0].name; $$);
SELECT tdb_query($$ [{age: 200}].map_type('U'); $$);
SELECT tdb_query($$ [P2{}].map_type('U'); $$);
SELECT tdb_query($$ ['x'].map_type('U'); $$);
SELECT tdb_query($$ [new('U'), new('U', {name: 'n', age: 4, x: 1}), type(new('U', U{name: 'c'}))]; $$);
SELECT tdb_query($$ new('U', P2{}); $$);
SELECT tdb_query($$ new('U', 1); $$);
SELECT tdb_query($$ new('Nope'); $$);
-- enum(name) and enum(name, value)
SELECT tdb_query($$
    set_enum('Col', {R: 'r', G: 'g'}); set_enum('Num', {ONE: 1, TWO: 2});
    [enum('Col').name(), enum('Col', 'g').name(), enum('Num', 2).name()];
$$);
SELECT tdb_query($$ enum('Col', 'G'); $$);
SELECT tdb_query($$ enum('Col', 1); $$);
SELECT tdb_query($$ enum('Num', 3); $$);
SELECT tdb_query($$ enum('Nope'); $$);
