-- Rooms: the room kind in queries (room, is_room, id, name, set_name, emit) with
-- ThingsDB's results and messages, its stored rows, and tdb_join / tdb_leave.
-- (pg_regress cannot show notifications; test/e2e/test_rooms.py listens for them.)
\set VERBOSITY terse
SELECT tdb_query('if (has_collection("rooms")) del_collection("rooms"); new_collection("rooms");',
                 '@thingsdb') IS NOT NULL AS made;
SET thingsdb.scope = '@:rooms';
CREATE TEMP VIEW room_rows AS
  SELECT r.name, r.refs FROM thingsdb.rooms r
  JOIN thingsdb.collections c ON r.collection = c.id WHERE c.name = 'rooms' ORDER BY r.id;

-- room(): a new room has no id until it is stored in a thing of the collection.
SELECT tdb_query('room()');
SELECT tdb_query('r = room(); [is_room(r), type(r), str(r), r.id(), r.name(), bool(r)]');
SELECT tdb_query('[is_room(nil), is_room({}), is_room("room")]');
SELECT tdb_query('.r = room(); is_int(.r.id())');
SELECT tdb_query('[room(.r.id()) == .r, room(.r) == .r, .r == room()]');
SELECT tdb_query('.r') = to_jsonb('<room:' || tdb_query('.r.id()')::text || '>') AS client_text;
SELECT * FROM room_rows;

-- Errors.
SELECT tdb_query('room(nil, nil)');
SELECT tdb_query('room(nil)');
SELECT tdb_query('room(0)');
SELECT tdb_query('room(-5)');
SELECT tdb_query('room("nope")');
SELECT tdb_query('room(1)', '@thingsdb');
SELECT tdb_query('is_room()');
SELECT tdb_query('new_type("room")');
SELECT tdb_query('.r.id(1)');
SELECT tdb_query('.r.foo()');

-- Names.
SELECT tdb_query('.a = room(); .b = room(); nil');
SELECT tdb_query('.a.set_name()');
SELECT tdb_query('.a.name(nil)');
SELECT tdb_query('.a.set_name(1)');
SELECT tdb_query('.a.set_name("")');
SELECT tdb_query('.a.set_name("with space")');
SELECT tdb_query('room().set_name("c")');
SELECT tdb_query('.a.set_name("a"); .b.set_name("b"); .a.set_name("a")');
SELECT tdb_query('.b.set_name("a")');
SELECT tdb_query('.b.set_name(nil); .b.name()');
SELECT tdb_query('room("b")');
SELECT tdb_query('.a.set_name("A"); [.a.name(), .b.name(), room("A").name(), room("A") == .a]');
SELECT * FROM room_rows;

-- Rooms in lists, sets of things, things and Types; the field definitions.
SELECT tdb_query('.list = range(3).map(|| room()); .list.map(|r| is_int(r.id()))');
SELECT tdb_query('.t = {inner: room()}; is_room(.t.inner)');
SELECT tdb_query('set_type("Chat", {room: "room", maybe: "room?", all: "[room]"}); nil');
SELECT tdb_query('.chat = Chat{}; [is_room(.chat.room), .chat.maybe, .chat.all]');
SELECT tdb_query('.chat.room = 1');
SELECT tdb_query('.chat.maybe = .a; .chat.all.push(.b); [.chat.maybe == .a, .chat.all[0] == .b]');
SELECT tdb_query('types_info().map(|t| t.fields)');
SELECT tdb_query('.lr = {}; .lr.restrict("room"); .lr.r = room(); .lr.len()');
SELECT tdb_query('.lr.n = 1');
SELECT count(*) AS stored_rooms FROM room_rows;

-- emit: checked like ThingsDB's (the events themselves: test_rooms.py).
SELECT tdb_query('.a.emit()');
SELECT tdb_query('.a.emit(1)');
SELECT tdb_query('.a.emit(128, "x")');
SELECT tdb_query('.a.emit(nil)');
SELECT tdb_query('.a.emit(1, 32)');
SELECT tdb_query('.a.emit("msg", 1, "two", [3])');
SELECT tdb_query('.a.emit(2, "deep", {x: {y: 1}})');
SELECT tdb_query('.a.emit(2, 32, "flags", .t)');
SELECT tdb_query('room().emit("nobody")', '@thingsdb');

-- The last reference: the row goes (and the joined sessions get a delete event).
SELECT tdb_query('.del("t"); .del("list"); .del("lr"); .del("chat"); nil');
SELECT count(*) AS stored_rooms FROM room_rows;
SELECT tdb_query('.x = {y: {z: room()}}; .del("x"); nil');
SELECT count(*) AS stored_rooms FROM room_rows;

-- tdb_join / tdb_leave: each id, or null for a room that does not exist. Rolled back:
-- psql would print the join and leave notifications, with their random channel.
SELECT tdb_query('.a.id()') AS a, tdb_query('.b.id()') AS b \gset
CREATE TEMP VIEW my_rooms AS
  SELECT array_agg(thing_id ORDER BY thing_id) AS rooms FROM thingsdb.watches
  WHERE room AND pid = pg_backend_pid();
BEGIN;
SELECT tdb_join(ARRAY[:a, 0, -1, 999999999]::bigint[]) = jsonb_build_array(:a, null, null, null) AS joined;
SELECT rooms = ARRAY[:a]::bigint[] AS joined_rooms FROM my_rooms;
SELECT count(*) AS watching FROM thingsdb.watches WHERE NOT room AND pid = pg_backend_pid();
SELECT tdb_join(ARRAY[:b, :a]::bigint[], '@:rooms') = jsonb_build_array(:b, :a) AS joined;
SELECT rooms = ARRAY[:a, :b]::bigint[] AS joined_rooms FROM my_rooms;
SELECT tdb_leave(ARRAY[:a, 12345]::bigint[]) = jsonb_build_array(:a, null) AS left;
SELECT rooms = ARRAY[:b]::bigint[] AS joined_rooms FROM my_rooms;
SELECT tdb_leave(ARRAY[:b]::bigint[]) = jsonb_build_array(:b) AS left;
SELECT rooms FROM my_rooms;
-- By name as well as by id: an element of a text array is a room id (digits) or a name; an
-- unknown name is null as an unknown id is.
SELECT tdb_join(ARRAY['A', 'nope', :'b', NULL]) = jsonb_build_array(:a, null, :b, null) AS joined;
SELECT rooms = ARRAY[:a, :b]::bigint[] AS joined_rooms FROM my_rooms;
SELECT tdb_leave('{A,nope}') = jsonb_build_array(:a, null) AS left;
SELECT tdb_leave(ARRAY['a', 'B']::varchar[]) AS unknown_names;
SELECT tdb_leave(ARRAY[:b]::int[]) = jsonb_build_array(:b) AS left;
SELECT tdb_join(ARRAY['-1', '', '0', '007x']) AS no_rooms;
SELECT rooms FROM my_rooms;
-- A thing id is no room.
SELECT tdb_join(ARRAY[tdb_query('.id()')::bigint]) AS not_a_room;
ROLLBACK;
SELECT tdb_join('{}'::bigint[]);
SELECT tdb_join(NULL);
SELECT tdb_join('{}');
SELECT tdb_join(1);
SELECT tdb_join(ARRAY[1.5]);
SELECT tdb_join(ARRAY[[1], [2]]);
SELECT tdb_join(ARRAY[1]::bigint[], '@thingsdb');
SELECT tdb_join(ARRAY[1]::bigint[], '@:no_such');
SELECT tdb_join(ARRAY[1]::bigint[], 'bad');
SELECT count(*) AS joined FROM tdb_joined();
SELECT tdb_query('.a.emit("nobody joined")') AS emitted;

-- emit is no change (ThingsDB binds it so): tdb_query_ro may emit; a read-only transaction
-- cannot send the event (no change id, no NOTIFY on a standby) and says so.
SELECT tdb_query_ro('.a.emit("from a reader"); "sent"');
BEGIN READ ONLY;
SELECT tdb_query('.a.emit("lost")');
ROLLBACK;

-- The garbage collector counts the rooms again: rooms held only by a cycle cut off from
-- the root go with it (in a property or a list), a room also held by a kept thing stays.
SELECT tdb_query('.gc = {r: room(), l: [room()], k: room()}; .gc.me = .gc; .gc.r.set_name("gc_r");
                  .gc.k.set_name("gc_k"); .gc_keep = [.gc.k]; .del("gc"); nil');
SELECT name, refs FROM room_rows WHERE name LIKE 'gc_%' ORDER BY name;
SET client_min_messages = warning;
SELECT tdb_collect_garbage('rooms') AS swept;
RESET client_min_messages;
SELECT name, refs FROM room_rows WHERE name LIKE 'gc_%' ORDER BY name;
SELECT tdb_query('room("gc_r")');
SELECT tdb_query('.gc_keep = []; nil');
SELECT count(*) AS gc_rooms_left FROM room_rows WHERE name LIKE 'gc_%';

-- The collection takes its rooms along.
SELECT tdb_query('del_collection("rooms")', '@thingsdb');
SELECT count(*) AS stored_rooms FROM room_rows;
RESET thingsdb.scope;
