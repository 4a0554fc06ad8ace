// Rooms: ThingsDB's channels of events. A room is a value like any other; it gets an id (from
// the thing ids) when it is first stored in a thing of a collection, and from then on sessions
// can join it by that id (tdb_join) and receive what `.emit()` sends to it once the
// transaction commits. Stored properties refer to a room as {"!o": id}; the storage counts
// those references, and a room whose count drops to zero is deleted (its joined sessions get
// a delete event).
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/value.h"

namespace tdb {

class Query;

struct RoomObj : Obj {
    uint64_t id = 0;      // 0 until stored
    bool is_new = false;  // got its id in this query: its row is written at the flush
    bool loaded = false;  // `name` is known (a stored reference reads it on first use)
    std::string name;     // empty: no name
};

// The ids in a thing's list of references (Thing::old_refs, encode_props) are thing ids,
// except those with this bit set: room ids, counted in the rooms' rows.
constexpr uint64_t kRoomRef = 1ull << 63;

Value make_room(RoomObj* r);
Value new_room();

// How ThingsDB shows a room to a client: "<room:17>", "<room:nil>" before it is stored.
std::string room_client_text(const RoomObj& r);

// The name of a room as stored (its row is read when the room came from a reference).
const std::string& room_name(Query& q, RoomObj* r);

// The room events a query records go with its watch-event jobs (Query::jobs), tagged with
// kRoomJob (core/api/events.h).
void add_room_event(Query& q, uint64_t room_id, std::string json);

}  // namespace tdb
