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
SELECT tdb_query($$ e = try(Person(.book.id())); [e.code(), e.msg().starts_with('thing `#')]; $$);
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
SELECT tdb_query($$ del_collection('types_t'); $$, '@thingsdb');
SELECT count(*) FROM thingsdb.types t WHERE NOT EXISTS (SELECT 1 FROM thingsdb.collections c WHERE c.id = t.collection);
RESET thingsdb.scope;
