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
SET client_min_messages = warning;
SELECT tdb_collect_garbage('types_d') AS removed;
RESET client_min_messages;
SELECT * FROM d_things;
SELECT tdb_query($$ [Pt{A}.value().sub.n, Pt{B}.value().n]; $$);
-- mod: the old value is released, the new one counted
SELECT tdb_query($$ mod_enum('Pt', 'mod', 'B', {n: 'b2'}); nil; $$);
SELECT * FROM d_things;
-- del: the member's thing (and what only it holds) is freed
SELECT tdb_query($$ mod_enum('Pt', 'del', 'A'); nil; $$);
SELECT * FROM d_things;
SET client_min_messages = warning;
SELECT tdb_collect_garbage('types_d') AS removed;
RESET client_min_messages;
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
SELECT tdb_query($$ w = {x: 1, y: 2, z: {}}.wrap('MathXY'); [w.copy(), type(w.copy()), type(w.dup()), w.dup().unwrap().y]; $$);
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

-- every definition kind rejects a wrong value (and nil unless nillable)
SELECT tdb_query($$
    set_type('K', {
        s: 'str', u: 'utf8', r: 'raw', b: 'bytes', o: 'bool', i: 'int', ui: 'uint', pi: 'pint',
        ni: 'nint', f: 'float', n: 'number', dt: 'datetime', tv: 'timeval', re: 'regex',
        c: 'closure', e: 'error', t: 'thing', l: '[]', st: '{}', a: 'any', ty: 'P2', en: 'Col',
        os: 'str?', li: '[int]', ln: '[str?]?', sn: '{P2}?', tn: 'P2?'
    });
    bad = {
        s: 1, u: bytes('x'), r: 1, b: 'x', o: 1, i: 1.5, ui: -1, pi: 0, ni: 0, f: 'x', n: 'x',
        dt: 1, tv: 'x', re: 'x', c: 1, e: 1, t: 1, l: 1, st: [], ty: {}, en: 'x', os: 1,
        li: ['x'], ln: [1], sn: set({}), tn: {}
    };
    bad.map(|k, v| try(K{}.set(k, v)).msg());
$$);
SELECT tdb_query($$ ['s', 'o', 'i', 'f', 'dt', 're', 't', 'l', 'st', 'ty', 'en', 'li'].map(|k| try(K{}.set(k, nil)).msg()); $$);
SELECT tdb_query($$ k = K{os: nil, ln: nil, sn: nil, tn: nil, a: nil}; [k.os, k.ln, k.sn, k.tn, k.a]; $$);
SELECT tdb_query($$ k = K{}; [type(k.dt), type(k.tv), type(k.re), type(k.c), type(k.e), type(k.ty), k.en.name(), k.ln]; $$);
-- conditions: lengths, ranges, patterns, their defaults; a rejected value changes nothing
SELECT tdb_query($$
    set_type('Cd', {s: 'str<2:4>', i: 'int<-5:5:1>', f: 'float<0.5:1.5>', p: '/^[a-z]+$/i<abc>', q: '/^x/?', u: 'utf8<1:3:ok>'});
    c = Cd{};
    r = [c.s, c.i, c.f, c.p, c.q, c.u];
    r.push(try(c.s = 'toolong').msg(), try(c.i = 6).msg(), try(c.f = 2.0).msg(), try(c.p = 'a1').msg(), try(c.q = 'y').msg());
    r.push([c.s, c.i, c.f, c.p, c.q]);
    c.q = 'xy'; c.p = 'ABC'; c.i = -5;
    r.push([c.q, c.p, c.i]);
    r;
$$);
-- invalid definitions with ThingsDB's messages
SELECT tdb_query($$
    ['int<1:x>', 'int<1:2:3:4>', 'float<2.0:1.0>', 'str<-1:2>', 'str<1:3:toolong>', '/[a/<x>',
     '/^a$/<b>', '[{P2}]', '[int]?<1:2>', '?', '', 'str??', '{P2?}', 'thing<1:2>', '[P2<1:2>]']
    .map(|d| try(set_type('Bad', {a: d})).msg());
$$);
-- a rejected set_type leaves no type behind, and an existing type as it was
SELECT tdb_query($$ has_type('Bad'); $$);
SELECT tdb_query($$ new_type('Half'); try(set_type('Half', {a: 'int', b: 'nope'})); set_type('Half2', {x: 'int'}); [type_info('Half').fields, type_info('Half2').type_id - type_info('Half').type_id]; $$);
-- mod_type: every action and its errors
SELECT tdb_query($$
    set_type('M1', {a: 'int', b: 'str'});
    .m1 = [M1{a: 1, b: 'x'}, M1{a: 2, b: 'y'}];
    mod_type('M1', 'mod', 'b', 'int', |m| m.b.len() * 10);
    mod_type('M1', 'hid', true);
    r = [.m1.map(|m| m.b), type_info('M1').hide_id];
    mod_type('M1', 'hid', false);
    mod_type('M1', 'add', 'dbl', |this| this.a * 2);
    r.push(.m1[1].dbl());
    mod_type('M1', 'mod', 'dbl', |this| this.a * 3);
    r.push(.m1[1].dbl());
    mod_type('M1', 'del', 'dbl');
    r.push(type_info('M1').methods.keys());
    r;
$$);
SELECT tdb_query($$ mod_type('M1', 'hid', true); .m1[0].wrap(); $$);
SELECT tdb_query($$ mod_type('M1', 'hid', false); .m1[0].wrap().id() == .m1[0].id(); $$);
SELECT tdb_query($$ mod_type('M1', 'add', 'a', 'int'); $$);
SELECT tdb_query($$ mod_type('M1', 'del', 'nope'); $$);
SELECT tdb_query($$ mod_type('M1', 'ren', 'a', 'b'); $$);
SELECT tdb_query($$ mod_type('M1', 'ren', 'nope', 'c'); $$);
SELECT tdb_query($$ mod_type('M1', 'mod', 'nope', 'int'); $$);
SELECT tdb_query($$ mod_type('M1', 'mod', 'a', 'str'); $$);
SELECT tdb_query($$ mod_type('M1', 'add', 'c', 'str<1:5>'); $$);
SELECT tdb_query($$ mod_type('M1', 'add', 'c', 'int', 'x'); $$);
SELECT tdb_query($$ mod_type('M1', 'hid', 1); $$);
SELECT tdb_query($$ mod_type('M1', 'wpo', 1); $$);
SELECT tdb_query($$ mod_type('M1', 'wpo', true); $$);
SELECT tdb_query($$ mod_type('M1', 'all', 1); $$);
SELECT tdb_query($$ mod_type('M1', 'nope', 'a'); $$);
SELECT tdb_query($$ mod_type('Nope', 'del', 'a'); $$);
SELECT tdb_query($$ .m1.map(|m| [m.a, m.b]); $$);
-- mod_enum: every action and its errors
SELECT tdb_query($$
    set_enum('Lv', {LOW: 1, MID: 5, HIGH: 9});
    mod_enum('Lv', 'add', 'TOP', 10);
    mod_enum('Lv', 'def', 'MID');
    mod_enum('Lv', 'ren', 'TOP', 'MAX');
    mod_enum('Lv', 'mod', 'MAX', 11);
    mod_enum('Lv', 'add', 'up', |this| this.value() + 1);
    mod_enum('Lv', 'del', 'LOW');
    [enum_info('Lv').members, enum_info('Lv').default, Lv{MAX}.up()];
$$);
SELECT tdb_query($$ mod_enum('Lv', 'add', 'MID', 6); $$);
SELECT tdb_query($$ mod_enum('Lv', 'add', 'SAME', 5); $$);
SELECT tdb_query($$ mod_enum('Lv', 'add', 'S', 'x'); $$);
SELECT tdb_query($$ mod_enum('Lv', 'add', 'lower', 7); $$);
SELECT tdb_query($$ mod_enum('Lv', 'ren', 'MID', 'HIGH'); $$);
SELECT tdb_query($$ mod_enum('Lv', 'mod', 'MID', 9); $$);
SELECT tdb_query($$ mod_enum('Lv', 'mod', 'NOPE', 1); $$);
SELECT tdb_query($$ mod_enum('Lv', 'def', 'NOPE'); $$);
SELECT tdb_query($$ mod_enum('Lv', 'nope', 'MID'); $$);
SELECT tdb_query($$ set_enum('One', {A: 1}); mod_enum('One', 'del', 'A'); $$);
SELECT tdb_query($$ set_enum('Empty', {}); $$);
SELECT tdb_query($$ set_enum('Mixed', {A: 1, B: 'b'}); $$);
SELECT tdb_query($$ set_enum('Lst', {A: []}); $$);
SELECT tdb_query($$ [has_enum('Mixed'), has_enum('Lv'), enums_info().map(|e| e.name)]; $$);
-- new_type: its wrap-only and hide-id flags are bool; reserved names
SELECT tdb_query($$ new_type('Nw', true, true); [type_info('Nw').wrap_only, type_info('Nw').hide_id]; $$);
SELECT tdb_query($$ new_type('Nw2', 1); $$);
SELECT tdb_query($$ new_type('str'); $$);
SELECT tdb_query($$ set_type('int', {a: 'str'}); $$);
-- an enum as a field of an anonymous type
SELECT tdb_query($$ {c: Col{G}, x: 1}.wrap(&{c: 'Col'}); $$);
SELECT tdb_query($$ new_type('Nw3', false, false, 1); $$);
-- checked everywhere: a rejected value changes nothing
SELECT tdb_query($$
    set_type('Box', {ints: '[int]', notes: '{P2}', one: 'int'});
    .box = Box{ints: [1, 2], notes: set(P2{})};
    r = [];
    r.push(try(.box.ints.push(3, 'x')).msg());
    r.push(try(.box.ints.extend([4, nil])).msg());
    r.push(try(.box.ints.splice(0, 1, 'y')).msg());
    r.push(try(.box.ints[0] = 1.5).msg());
    r.push(try(.box.notes.add(P2{}, {})).msg());
    r.push(try(.box.one = 'x').msg());
    r.push(try(.box.ints = ['z']).msg());
    r.push(try(Box{ints: [1, 'a']}).msg());
    r.push([.box.ints, .box.notes.len(), .box.one]);
    r;
$$);
SELECT tdb_query($$ .box.ints; $$);
SELECT tdb_query($$ new_procedure('put_one', |v| .box.one = v); nil; $$);
SELECT tdb_query($$ wse(run('put_one', 'no')); $$);
SELECT tdb_query($$ wse(run('put_one', 3)); .box.one; $$);
-- a migration closure: values that do not fit the new definition
SELECT tdb_query($$ b2 = Box{one: 1}; .boxes = [b2]; mod_type('Box', 'mod', 'one', 'int<0:5>', |b| b.one * 2); [.box.one, .boxes[0].one]; $$);
SELECT tdb_query($$ [type_info('Box').fields, .box.one]; $$);
