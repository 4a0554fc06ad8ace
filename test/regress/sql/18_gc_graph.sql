-- tdb_collect_garbage frees exactly what cannot be reached from the root or
-- from an enum member's value, through Type instances, sets, lists, tuples and
-- nested things; the reference counts it leaves free the rest at once.
-- The sweep's progress NOTICEs carry timings.
SET client_min_messages = warning;
SELECT tdb_query($$ if (has_collection('gc_g')) del_collection('gc_g'); new_collection('gc_g'); nil $$, '@thingsdb');
SET thingsdb.scope = '@:gc_g';
CREATE TEMP VIEW gc_names AS
    SELECT string_agg(t.props->>'n', ' ' ORDER BY t.props->>'n') AS names, count(*) AS things
    FROM thingsdb.things t JOIN thingsdb.collections c ON c.id = t.collection
    WHERE c.name = 'gc_g';

SELECT tdb_query($$
    set_type('T', {n: 'str', r: 'any'});
    .t = T{n: 'typed', r: {n: 'from_type'}};
    .s = set({n: 's1'}, {n: 's2'});
    .l = [[{n: 'in_tuple'}], {n: 'in_list'}];
    .d = {n: 'd', deep: {deeper: {n: 'deeper'}}};
    set_enum('E', {A: {n: 'enum_val', sub: {n: 'enum_sub'}}, B: {n: 'enum_b'}});
    // a cycle that only an enum member's value holds
    E{A}.value().sub.back = E{A}.value();
    // unreachable: a cycle through a Type instance, a list and a set
    a = T{n: 'u_typed', r: nil}; b = {n: 'u_b', s: set(a)}; a.r = [b]; .tmp = a; .del('tmp');
    // unreachable: a thing that refers to itself, and one only it holds
    x = {n: 'u_self', k: {n: 'u_kept_by_self'}}; x.me = x; .tmp = x; .del('tmp');
    // reachable only through an unreachable thing's tuple
    y = {n: 'u_y', l: [[{n: 'u_in_tuple'}]]}; y.me = [y]; .tmp = y; .del('tmp');
    // a property's key is no reference: the ids under the keys `#x` and `!s`
    // of a reachable thing do not keep those things
    z = {n: 'u_named_by_key'}; z.me = z; .tmp = z; zid = z.id(); .del('tmp');
    .keys = {}; .keys.set('!s', [zid]); .keys.set('#x', zid); k = {}; k.set('!s', [zid]); .keys.k = [k];
    nil
$$);
SELECT * FROM gc_names;
SELECT tdb_collect_garbage('gc_g') AS removed;
SELECT * FROM gc_names;
SELECT tdb_query($$ [.t.r.n, .s.map(|t| t.n).sort(), .l[0][0].n, .d.deep.deeper.n, E{A}.value().sub.back.n, .keys.keys()] $$);
-- a second sweep finds nothing
SELECT tdb_collect_garbage('gc_g') AS removed;
-- the counts are right: dropping the last references frees at once
SELECT tdb_query($$ .del('t'); .del('s'); .del('l'); .del('d'); .del('keys'); nil $$);
SELECT * FROM gc_names;
-- the enum's cycle goes with the member, to the sweep
SELECT tdb_query($$ mod_enum('E', 'del', 'A'); nil $$);
SELECT tdb_collect_garbage('gc_g') AS removed;
SELECT * FROM gc_names;

RESET thingsdb.scope;
SELECT tdb_query($$ del_collection('gc_g') $$, '@thingsdb');
