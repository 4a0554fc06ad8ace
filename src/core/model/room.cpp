// Rooms (room.h): the values, and the rooms of a collection as one query sees them.
#include "core/model/room.h"

#include "core/api/events.h"
#include "core/api/storage.h"
#include "core/lang/query.h"
#include "core/model/poll.h"
#include "core/model/thing.h"

namespace tdb {

Value make_room(RoomObj* r) { return Value::obj(VT::Room, r); }

Value new_room() {
    auto* r = new RoomObj();
    r->loaded = true;
    return make_room(r);
}

std::string room_client_text(const RoomObj& r) {
    return r.id ? "<room:" + std::to_string(r.id) + ">" : std::string("<room:nil>");
}

const std::string& room_name(Query& q, RoomObj* r) {
    if (!r->loaded && q.collection()) q.collection()->load_room(r);
    return r->name;
}

void add_room_event(Query& q, uint64_t room_id, std::string json) {
    q.add_job(room_id | kRoomJob, std::move(json));
}

Value Collection::room_ref(uint64_t id) {
    auto it = rooms_.find(id);
    if (it != rooms_.end()) return make_room(it->second.get());
    auto* r = new RoomObj();
    r->id = id;
    rooms_.emplace(id, Ref<RoomObj>(r));
    return make_room(r);
}

void Collection::load_room(RoomObj* r) {
    if (r->loaded) return;
    RoomRow row;
    if (st_.find_room(row_.id, r->id, row)) r->name = row.name;
    r->loaded = true;
}

Value Collection::room_by_id(uint64_t id) {
    auto it = rooms_.find(id);
    if (it != rooms_.end()) {
        // A room of this query: stored, or new and referenced by a thing written at the flush.
        if (it->second->is_new) return make_room(it->second.get());
    }
    RoomRow row;
    if (!id || !st_.find_room(row_.id, id, row)) return Value::nil();
    Value v = room_ref(id);
    RoomObj* r = v.room();
    if (!r->loaded) {
        r->name = row.name;
        r->loaded = true;
    }
    return v;
}

Value Collection::room_by_name(std::string_view name) {
    // A name given in this query wins over the rows (a new room has no row yet, and a
    // stored one may have been renamed since it was read).
    for (auto& entry : rooms_) {
        poll_tick();
        RoomObj* r = entry.second.get();
        if (r->loaded && r->name == name) return make_room(r);
    }
    RoomRow row;
    if (!st_.find_room_by_name(row_.id, name, row)) return Value::nil();
    Value v = room_ref(row.id);
    RoomObj* r = v.room();
    if (!r->loaded) {
        r->name = row.name;
        r->loaded = true;
    }
    return r->name == name ? v : Value::nil();
}

void Collection::attach_room(RoomObj* r) {
    if (!r || r->id) return;
    r->id = st_.new_thing_id();
    r->is_new = true;
    r->loaded = true;
    rooms_.emplace(r->id, Ref<RoomObj>(r));
}

void Collection::write_rooms(std::unordered_map<uint64_t, int64_t>& delta) {
    std::vector<RoomWrite> writes;
    for (auto it = delta.begin(); it != delta.end();) {
        if (!(it->first & kRoomRef)) {
            ++it;
            continue;
        }
        RoomWrite w;
        w.id = it->first & ~kRoomRef;
        w.refs_delta = it->second;
        auto r = rooms_.find(w.id);
        if (r != rooms_.end() && r->second->is_new) {
            w.is_new = true;
            w.name = r->second->name;
            r->second->is_new = false;
        }
        if (w.refs_delta != 0 && (!w.is_new || w.refs_delta > 0)) writes.push_back(std::move(w));
        it = delta.erase(it);
    }
    if (writes.empty()) return;
    for (uint64_t id : st_.write_rooms(row_.id, writes)) deleted_rooms_.push_back(id);
}

}  // namespace tdb
