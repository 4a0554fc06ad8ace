// The room kind: room(), its methods, field definitions, the stored form and its references,
// and the room events a query records (with ThingsDB's messages).
#include <gtest/gtest.h>

#include "core/api/events.h"
#include "harness.h"

namespace {

// Runs code on the current node and returns the room events it recorded.
std::vector<std::pair<uint64_t, std::string>> room_events(const std::string& code) {
    std::vector<std::pair<uint64_t, std::string>> jobs, rooms;
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    req.jobs_out = &jobs;
    tdb::run_query(storage(), req);
    for (auto& j : jobs)
        if (j.first & tdb::kRoomJob) rooms.emplace_back(j.first & ~tdb::kRoomJob, j.second);
    return rooms;
}

TEST(Rooms, NewRoomHasNoIdUntilStored) {
    EXPECT_EQ(q("room().id()"), "null");
    EXPECT_EQ(q("r = room(); [is_room(r), type(r), str(r)]"), "[true,\"room\",\"room:nil\"]");
    EXPECT_EQ(q("room()"), "\"<room:nil>\"");
    q(".r = room();");
    EXPECT_EQ(qk("is_int(.r.id())"), "true");
    std::string id = qk(".r.id()");
    EXPECT_EQ(qk(".r"), "\"<room:" + id + ">\"");
    EXPECT_EQ(qk("room(" + id + ") == .r"), "true");
    EXPECT_EQ(qk("room(.r) == .r"), "true");
}

TEST(Rooms, Errors) {
    expect_err("room(nil, nil);", tdb::NUM_ARGUMENTS_ERR,
               "function `room` takes at most 1 argument but 2 were given");
    expect_err("room(nil);", tdb::TYPE_ERR, "cannot convert type `nil` to `room`");
    expect_err("room(1.5);", tdb::TYPE_ERR, "cannot convert type `float` to `room`");
    expect_err("room(0);", tdb::LOOKUP_ERR, "collection `stuff` has no `room` with id 0");
    expect_err("room(123456);", tdb::LOOKUP_ERR, "collection `stuff` has no `room` with id 123456");
    expect_err("room('x');", tdb::LOOKUP_ERR, "collection `stuff` has no `room` with name `x`");
    expect_err("is_room();", tdb::NUM_ARGUMENTS_ERR,
               "function `is_room` takes 1 argument but 0 were given");
    expect_err("room(1);", tdb::LOOKUP_ERR,
               "scope `@thingsdb` has no stored rooms; you might want to query a `@collection` "
               "scope?",
               "@thingsdb");
    expect_err("new_type('room');", tdb::VALUE_ERR, "name `room` is reserved");
    expect_err("room().set_name('c');", tdb::OPERATION_ERR,
               "names can only be assigned to stored rooms (a room with an Id)");
    expect_err("room().emit();", tdb::NUM_ARGUMENTS_ERR,
               "function `emit` requires at least 1 argument but 0 were given");
    expect_err("room().emit(1);", tdb::NUM_ARGUMENTS_ERR,
               "function `emit` requires at least 2 arguments when `deep` is used but 1 was "
               "given");
    expect_err("room().emit(200, 'x');", tdb::VALUE_ERR,
               "expecting a `deep` value between 0 and 127 but got 200 instead");
    expect_err("room().emit(nil);", tdb::TYPE_ERR,
               "function `emit` expects the `event` argument to be of type `str` but got type "
               "`nil` instead");
    expect_err("room().id(1);", tdb::NUM_ARGUMENTS_ERR,
               "function `id` takes 0 arguments but 1 was given");
}

TEST(Rooms, InThingsdbScope) {
    EXPECT_EQ(q("[is_room(room()), room().id(), room().name()]", "@thingsdb"), "[true,null,null]");
    EXPECT_EQ(q("room().emit('x', 1)", "@thingsdb"), "null");
}

TEST(Rooms, Names) {
    q(".a = room(); .b = room();");
    EXPECT_EQ(qerr(".a.set_name();", "@:stuff", true).msg(),
              "function `set_name` takes 1 argument but 0 were given; see "
              "https://docs.thingsdb.io/v1/data-types/room/set_name");
    EXPECT_EQ(qerr(".a.name(nil);", "@:stuff", true).msg(),
              "function `rooom` takes 0 arguments but 1 was given; see "
              "https://docs.thingsdb.io/v1/data-types/room/name");
    EXPECT_EQ(qerr(".a.set_name(1);", "@:stuff", true).msg(),
              "function `set_name` expects argument 1 to be of type `str` or `nil` but got type "
              "`int` instead; see https://docs.thingsdb.io/v1/data-types/room/set_name");
    EXPECT_EQ(qerr(".a.set_name('');", "@:stuff", true).msg(),
              "room name must follow the naming rules");
    qk(".a.set_name('a'); .b.set_name('b');");
    EXPECT_EQ(qk(".a.set_name('a')"), "null");
    tdb::Error e = qerr(".b.set_name('a');", "@:stuff", true);
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(), "room `a` already exists");
    qk(".b.set_name(nil);");
    EXPECT_EQ(qerr("room('b');", "@:stuff", true).msg(),
              "collection `stuff` has no `room` with name `b`");
    qk(".a.set_name('A');");
    EXPECT_EQ(qk("[.a.name(), .b.name(), room('A').name(), room('A') == .a]"),
              "[\"A\",null,\"A\",true]");
    // A name given to a new room in the query that stores it.
    EXPECT_EQ(qk(".c = room(); .c.set_name('c'); room('c').id() == .c.id()"), "true");
    EXPECT_EQ(qk("room('c').name()"), "\"c\"");
}

TEST(Rooms, StoredInListsSetsAndTypes) {
    q(".rooms = range(3).map(|| room()); .t = {r: room()};");
    EXPECT_EQ(qk(".rooms.map(|r| is_int(r.id()))"), "[true,true,true]");
    EXPECT_EQ(qk("is_room(.t.r) && is_int(.t.r.id())"), "true");
    EXPECT_EQ(storage().rooms.size(), 4u);
    qk("set_type('T', {r: 'room', o: 'room?'}); .x = T{};");
    EXPECT_EQ(qk("[is_room(.x.r), .x.o, is_int(.x.r.id())]"), "[true,null,true]");
    EXPECT_EQ(qerr(".x.r = 1;", "@:stuff", true).code(), tdb::TYPE_ERR);
    EXPECT_EQ(storage().rooms.size(), 5u);
    EXPECT_EQ(qk("[.rooms[0], .rooms[0]].unique().len()"), "1");
}

TEST(Rooms, DeletedWhenTheLastReferenceGoes) {
    q(".r = room(); .l = [.r];");
    std::string id = qk(".r.id()");
    ASSERT_EQ(storage().rooms.size(), 1u);
    EXPECT_TRUE(room_events(".del('r');").empty());  // still referenced by .l
    EXPECT_EQ(storage().rooms.size(), 1u);
    auto ev = room_events(".l.pop();");
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(std::to_string(ev[0].first), id);
    EXPECT_EQ(ev[0].second, "{\"room\":\"delete\",\"scope\":\"@:stuff\",\"id\":" + id + "}");
    EXPECT_TRUE(storage().rooms.empty());
    EXPECT_EQ(qerr("room(" + id + ")", "@:stuff", true).code(), tdb::LOOKUP_ERR);
    // A thing deleted with its last reference takes its rooms along.
    qk(".x = {y: {r: room()}};");
    ASSERT_EQ(storage().rooms.size(), 1u);
    ev = room_events(".del('x');");
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_TRUE(storage().rooms.empty());
    // A room stored and dropped in one query never gets a row.
    qk(".tmp = room(); .del('tmp');");
    EXPECT_TRUE(storage().rooms.empty());
}

// A new thing that ends the query unreferenced is not written, nor are the new things and
// rooms that only it held (before, they were written with a count of 1 and never freed).
TEST(Rooms, NothingOnlyAnUnwrittenNewThingHeldIsWritten) {
    q("nil");
    size_t things = storage().things.size();
    qk(".x = {y: {z: {r: room()}}, l: [{}, room()]}; .del('x');");
    EXPECT_EQ(storage().things.size(), things);
    EXPECT_TRUE(storage().rooms.empty());
    // Held from elsewhere as well: written.
    qk(".x = {y: {r: room()}}; .keep = .x.y; .del('x');");
    EXPECT_EQ(storage().things.size(), things + 1);
    EXPECT_EQ(storage().rooms.size(), 1u);
    // A chain of new things, dropped at once.
    qk("c = {}; .x = c; range(2000).each(|| {c.n = {}; c = c.n;}); .del('x');");
    EXPECT_EQ(storage().things.size(), things + 1);
}

TEST(Rooms, EmitRecordsEventsWithArgsAtDeep) {
    q(".r = room(); .x = {y: {z: 1}};");
    std::string id = qk(".r.id()");
    std::string x = qk(".x.id()");
    auto ev = room_events(".r.emit('msg', 'hi', 2); .r.emit(2, 'deep', .x); room().emit('no');");
    ASSERT_EQ(ev.size(), 2u);
    std::string head = "{\"room\":\"emit\",\"scope\":\"@:stuff\",\"id\":" + id;
    EXPECT_EQ(ev[0].second, head + ",\"event\":\"msg\",\"args\":[\"hi\",2]}");
    EXPECT_EQ(ev[1].second.substr(0, head.size()), head);
    EXPECT_NE(ev[1].second.find("\"z\":1"), std::string::npos);
    ev = room_events(".r.emit(0, 32, 'flags', .x);");
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].second, head + ",\"event\":\"flags\",\"args\":[{\"#\":" + x + "}]}");
    // A failed query records nothing.
    EXPECT_THROW(room_events(".r.emit('lost'); raise('x');"), tdb::Error);
}

TEST(Rooms, CopyMakesNewRoomsDeepZeroKeepsThem) {
    q(".t = {r: room()};");
    // thing.copy() copies the properties with deep 0: the same room (ThingsDB's ti_val_copy).
    EXPECT_EQ(qk(".c = .t.copy(); .c.r == .t.r"), "true");
    EXPECT_EQ(qk(".d = .t.copy(2); [.d.r == .t.r, is_int(.d.r.id())]"), "[false,true]");
    EXPECT_EQ(qk(".e = .t.dup(2); .e.r == .t.r"), "false");
    EXPECT_EQ(qk("[.t.r].copy()[0] == .t.r"), "true");  // deep 0: the same items
    EXPECT_EQ(qk("[.t.r].copy(1)[0] == .t.r"), "false");
    EXPECT_EQ(storage().rooms.size(), 3u);
}

TEST(Rooms, RestrictionAcceptsRooms) {
    q(".t = {}; .t.restrict('room');");
    EXPECT_EQ(qk(".t.r = room(); is_int(.t.r.id())"), "true");
    EXPECT_EQ(qerr(".t.n = 1;", "@:stuff", true).code(), tdb::TYPE_ERR);
}

}  // namespace

// ThingsDB v1 binds a room's emit as no change: a read-only run (tdb_query_ro, tdb_call_ro)
// may emit, and a procedure that only emits has no side effects. A thing's emit (watch
// events) is still a change, found when it runs.
TEST(Rooms, EmitIsNoChange) {
    q(".ro = room(); .other = {};");
    auto ro = [](const std::string& code) {
        std::vector<std::pair<uint64_t, std::string>> jobs;
        tdb::QueryRequest req;
        req.scope = "@:stuff";
        req.code = code;
        req.read_only = "tdb_query_ro() is read-only; use tdb_query()";
        req.jobs_out = &jobs;
        try {
            tdb::run_query(storage(), req);
        } catch (const tdb::Error& e) {
            return std::string("error: ") + e.msg();
        }
        size_t n = 0;
        for (auto& j : jobs) n += (j.first & tdb::kRoomJob) ? 1 : 0;
        return std::to_string(n);
    };
    EXPECT_EQ(ro(".ro.emit('a'); .ro.emit(2, 'b', .other); 1"), "2");
    EXPECT_EQ(ro("r = .ro; r.emit('c')"), "1");
    EXPECT_EQ(ro("[.ro].map(|r| r.emit('d'))"), "1");
    EXPECT_EQ(ro(".emit('on a thing')"),
              "error: the query changes data but tdb_query_ro() is read-only; use tdb_query()");
    EXPECT_EQ(ro(".ro.emit('e'); .x = 1"),
              "error: the query changes data but tdb_query_ro() is read-only; use tdb_query()");
    EXPECT_EQ(qk("new_procedure('shout', |m| .ro.emit('m', m)); "
                 "procedure_info('shout').load().with_side_effects"),
              "false");
}
