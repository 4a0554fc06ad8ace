-- Types and enums: definitions, conditions, defaults, errors, mod_type and
-- mod_enum actions, and the catalog tables as SQL sees them.
SELECT tdb_query($$ if (has_collection('types_t')) del_collection('types_t'); new_collection('types_t'); nil; $$, '@thingsdb');
SET thingsdb.scope = '@:types_t';

-- every definition kind and its default
SELECT tdb_query($$
    set_type('D', {
        s: 'str', u: 'utf8', r: 'raw', b: 'bytes', o: 'bool', i: 'int', ui: 'uint', pi: 'pint',
        ni: 'nint', f: 'float', n: 'number', re: 'regex', c: 'closure', e: 'error', t: 'thing',
        l: '[]', st: '{}', a: 'any', os: 'str?', li: '[int]', ln: '[str?]?'
    });
    D{};
$$);
-- conditions and their defaults
SELECT tdb_query($$
    set_type('C', {
        a: 'int<10:20>', b: 'int<0:10:5>', c: 'float<-1:1>', d: 'float<0:1:0.5>',
        name: 'str<1:10>', email: 'str<3:50:info@thingsdb.net>',
        f: 'float<::3.14>', i: 'int<::42>', s: 'str<::ThingsDB>',
        p1: '/^(e|h|l|o)*$/', p2: '/thingsdb/i<ThingsDB>', p3: '/^[0-9]{4}[A-Z]{2}$/?',
        p4: '/^[0-9]{4}[A-Z]{2}$/<1234AB>?'
    });
    C{};
$$);
-- checks on values
SELECT tdb_query($$ C{a: 21}; $$);
SELECT tdb_query($$ C{name: ''}; $$);
SELECT tdb_query($$ C{p1: 'world'}; $$);
SELECT tdb_query($$ C{c: 1.5}; $$);
SELECT tdb_query($$ D{ui: -1}; $$);
SELECT tdb_query($$ D{pi: 0}; $$);
SELECT tdb_query($$ D{ni: 0}; $$);
SELECT tdb_query($$ D{i: 1.5}; $$);
SELECT tdb_query($$ D{li: ['a']}; $$);
SELECT tdb_query($$ D{nope: 1}; $$);
-- invalid definitions
SELECT tdb_query($$ set_type('X', {a: '[str<1:10>]'}); $$);
SELECT tdb_query($$ set_type('X', {a: '/abc/'}); $$);
SELECT tdb_query($$ set_type('X', {a: '{str}'}); $$);
SELECT tdb_query($$ set_type('X', {a: '{thing?}'}); $$);
SELECT tdb_query($$ set_type('X', {a: 'int<5:1>'}); $$);
SELECT tdb_query($$ set_type('X', {a: 'int<0:10:11>'}); $$);
SELECT tdb_query($$ set_type('X', {a: 'X'}); $$);
SELECT tdb_query($$ set_type('X', {a: 'nope'}); $$);
-- restricted lists and sets
SELECT tdb_query($$
    set_type('Note', {text: 'str'});
    set_type('Book', {title: 'str', notes: '[Note]', readers: '{Note}'});
    .book = Book{title: 'hhgttg'};
    .book.notes.push(Note{text: '42'});
    .book.readers.add(Note{text: 'r'});
    [is_err(try(.book.notes.push('x'))), is_err(try(.book.readers.add({}))), .book.notes.len()];
$$);
-- stored instances, lookups and methods
SELECT tdb_query($$
    set_type('Person', {name: 'str', age: 'int', whoami: |this| `{this.name} is {this.age}`});
    .iris = Person{name: 'Iris', age: 7};
    [.iris.whoami(), type(.iris), Person(.iris.id()).name];
$$);
SELECT tdb_query($$ e = try(Person(.book.id())); [e.code(), e.msg().starts_with('`#')]; $$);
SELECT tdb_query($$ Person(123456789); $$);
-- mod_type
SELECT tdb_query($$ mod_type('Person', 'add', 'email', 'str', 'none'); .iris.email; $$);
SELECT tdb_query($$ mod_type('Person', 'add', 'n', 'int', |p| p.name.len()); .iris.n; $$);
SELECT tdb_query($$ mod_type('Person', 'ren', 'n', 'letters'); .iris.letters; $$);
SELECT tdb_query($$ mod_type('Person', 'mod', 'age', 'number'); .iris.age = 7.5; .iris.age; $$);
SELECT tdb_query($$ mod_type('Person', 'mod', 'email', 'int'); $$);
SELECT tdb_query($$ mod_type('Person', 'del', 'letters'); .iris.has('letters'); $$);
SELECT tdb_query($$ mod_type('Person', 'wpo', true); $$);
SELECT tdb_query($$ type_info('Person'); $$) -> 'fields';
SELECT tdb_query($$ [type_count('Person'), has_type('Person'), types_info().len()]; $$);
SELECT tdb_query($$ rename_type('Note', 'Remark'); type_info('Book').fields; $$);
-- enums
SELECT tdb_query($$
    set_enum('Color', {RED: '#f00', GREEN: '#0f0', MOON: '#fff'});
    mod_enum('Color', 'ren', 'MOON', 'BLUE');
    mod_enum('Color', 'mod', 'BLUE', '#00f');
    mod_enum('Color', 'add', 'BLACK', '#000');
    mod_enum('Color', 'def', 'GREEN');
    set_type('Brush', {color: 'Color'});
    .brush = Brush{};
    [.brush.color.name(), Color{BLUE}.value(), Color{||'BLACK'}.name()];
$$);
SELECT tdb_query($$ .brush.color; $$);
SELECT tdb_query($$ Color{PINK}; $$);
SELECT tdb_query($$ mod_enum('Color', 'del', 'BLACK'); enum_info('Color'); $$) - 'created_at' - 'modified_at';
SELECT tdb_query($$ del_enum('Color'); $$);
-- the catalog tables
SELECT t.type_id, t.name, t.definition -> 'fields' AS fields
FROM thingsdb.types t JOIN thingsdb.collections c ON c.id = t.collection
WHERE c.name = 'types_t' ORDER BY t.type_id;
SELECT e.enum_id, e.name, e.definition -> 'members' AS members
FROM thingsdb.enums e JOIN thingsdb.collections c ON c.id = e.collection
WHERE c.name = 'types_t';
-- wrap, unwrap, anonymous types, to_type / to_thing
SELECT tdb_query($$
    set_type('Acc', {name: 'str', email: 'str', hash: 'str'});
    set_type('_Acc', {name: 'str', hello: |this| `hi {this.name}`}, true);
    a = Acc{name: 'Iris', email: 'i@x', hash: 'secret'};
    [a.wrap('_Acc'), type(a.wrap('_Acc')), type(a.wrap('_Acc').unwrap()), a.wrap(&{email: 'str'}), type(&{})];
$$);
SELECT tdb_query($$ {}.wrap(); $$);
SELECT tdb_query($$ {}.wrap('Nope'); $$);
SELECT tdb_query($$ _Acc{}; $$);
SELECT tdb_query($$ .acc = Acc{name: 'Cato'}; .acc.wrap(&{id: '#', name: 'str'}).unwrap() == .acc; $$);
SELECT tdb_query($$ t = {name: 'x'}; t.to_type('Acc'); [type(t), t]; $$);
SELECT tdb_query($$ {name: 'x', age: 1}.to_type('Acc'); $$);
SELECT tdb_query($$ a = Acc{}; a.to_thing(); type(a); $$);
-- datetime and timeval fields default to the current time
SELECT tdb_query($$ set_type('Ev', {at: 'datetime', tv: 'timeval'}); e = Ev{}; [type(e.at), type(e.tv), e.at <= datetime()]; $$);
-- mod_type all, idx and rel
SELECT tdb_query($$ set_type('Pl', {score: 'int'}); .pls = [Pl{score: 1}, Pl{score: 2}]; mod_type('Pl', 'all', |p| p.score *= 10); .pls.map(|p| p.score); $$);
SELECT tdb_query($$ mod_type('Pl', 'idx', true); [type_info('Pl').idx, type_all('Pl').len()]; $$);
SELECT count(*) FROM pg_indexes WHERE schemaname = 'thingsdb' AND indexname LIKE 'things\_c%\_t%\_idx';
SELECT tdb_query($$ mod_type('Pl', 'idx', false); type_info('Pl').idx; $$);
SELECT count(*) FROM pg_indexes WHERE schemaname = 'thingsdb' AND indexname LIKE 'things\_c%\_t%\_idx';
SELECT tdb_query($$
    new_type('Mem'); set_type('Team', {members: '{Mem}'}); set_type('Mem', {team: 'Team?'});
    mod_type('Team', 'rel', 'members', 'team');
    .t1 = Team{}; .t2 = Team{}; .m = Mem{};
    .t1.members.add(.m);
    r = [.m.team == .t1];
    .m.team = .t2;
    r.push(.t1.members.len(), .t2.members.len());
    .t2.members.remove(.m);
    r.push(is_nil(.m.team));
    r;
$$);
SELECT tdb_query($$ .m.team = .t1; nil; $$);
SELECT tdb_query($$ .t1.members.has(.m); $$);
SELECT tdb_query($$ return(type_info('Mem').relations, 2); $$);
SELECT tdb_query($$ mod_type('Team', 'rel', 'members', 'team'); $$);
SELECT tdb_query($$ mod_type('Mem', 'del', 'team'); $$);
SELECT tdb_query($$ mod_type('Acc', 'rel', 'name', 'x'); $$);
SELECT tdb_query($$ mod_type('Team', 'rel', 'members', nil); mod_type('Team', 'rel', 'members', nil); $$);
-- an enum member in use by a stored thing cannot be deleted
SELECT tdb_query($$ set_enum('Size', {S: 1, M: 2, L: 3}); set_type('Shirt', {size: 'Size'}); .shirt = Shirt{size: Size{L}}; nil; $$);
SELECT tdb_query($$ mod_enum('Size', 'del', 'L'); $$);
SELECT tdb_query($$ mod_enum('Size', 'del', 'M'); enum_map('Size').keys(); $$);
-- the catalogs for a role with QUERY on the collection (views tdb_types, tdb_enums)
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tdb_types_reader') THEN
        CREATE ROLE tdb_types_reader;
    END IF;
END $$;
SELECT tdb_query($$ if (!has_user('tdb_types_reader')) new_user('tdb_types_reader'); grant('@:types_t', 'tdb_types_reader', QUERY); nil; $$, '@thingsdb');
SET ROLE tdb_types_reader;
SELECT name FROM tdb_types WHERE collection_name = 'types_t' ORDER BY type_id LIMIT 3;
SELECT name, definition -> 'members' AS members FROM tdb_enums WHERE collection_name = 'types_t';
SELECT count(*) FROM thingsdb.things;
RESET ROLE;
SELECT tdb_query($$ revoke('@:types_t', 'tdb_types_reader', QUERY); nil; $$, '@thingsdb');
SET ROLE tdb_types_reader;
SELECT count(*) AS sees_types FROM tdb_types WHERE collection_name = 'types_t';
RESET ROLE;
SELECT tdb_query($$ del_user('tdb_types_reader'); $$, '@thingsdb');
DROP ROLE tdb_types_reader;
SELECT tdb_query($$ del_collection('types_t'); $$, '@thingsdb');
SELECT count(*) FROM thingsdb.types t WHERE NOT EXISTS (SELECT 1 FROM thingsdb.collections c WHERE c.id = t.collection);
RESET thingsdb.scope;
