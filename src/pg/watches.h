// The registry of watches (table thingsdb.watches): which session's channel gets which
// thing's events. PostgreSQL has no rights on notification channels, so a channel is named
// by 128 random bits and known only to its session; the registry is how a committing
// transaction finds the channels (notify.cpp), and how a change of rights ends watches.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/api/access.h"

namespace tdb::pg {

// Who a watch was granted to, as CallContext resolved it.
struct WatchOwner {
    uint64_t user_id = 0;  // 0: an admin role that is no ThingsDB user
    bool admin = false;
    std::string role_name;   // the role the identity came from; empty with a token
    std::string token_hash;  // the session's token, or empty
};

// The owner of a watch or a room membership this session starts now: the call's identity and
// the session's token (auth.h), what the commit re-checks them against.
WatchOwner session_watch_owner(const Identity& who);

// Called by every write of rights, users, tokens or collections (PgStorage): the commit of
// this transaction re-checks the watches (notify.cpp), also when it has no events.
void watches_rights_changed();
// Whether this transaction called watches_rights_changed; `reset` at its end.
bool watches_rights_pending(bool reset = false);

// The rest runs inside an SPI connection, as the owner of schema thingsdb (CallContext).

// This session's channel: made at its first watch, and again when the extension was dropped
// and created since the last one (`retired` then gets the old channel, to stop listening
// to). Making one also deletes the rows of sessions that ended without deleting theirs.
std::string session_channel(std::string& retired);
// Adds (or renews) the watch of a thing on the session's channel.
void watch_add(const std::string& channel, uint64_t thing_id, uint64_t scope_id,
               const WatchOwner& who);
// Ends this session's watch of a thing (nothing when it has none).
void watch_remove(uint64_t thing_id);

// At the commit of events, with the commit lock held (notify.cpp), reading what has been
// committed by now (a new snapshot, whatever the isolation level):
// deletes the watches whose owner no longer has JOIN on the scope, whose user, token or
// collection is gone, or whose user was renamed away from the watching role.
void watches_revalidate();
// The (channel, thing id) of every watch of the given things.
std::vector<std::pair<std::string, uint64_t>> watch_recipients(const std::vector<int64_t>& things);

// Rooms (sql_rooms.cpp, notify.cpp): a joined room is a row of the same registry, marked as a
// room, with the room's id in place of the thing's: the same channel, the same identity
// re-checked by watches_revalidate, the same end with the session.
void join_add(const std::string& channel, uint64_t room_id, uint64_t scope_id,
              const WatchOwner& who);
// Ends this session's membership of a room; whether it had one.
bool join_remove(uint64_t room_id);
// At the commit of room events, under the commit lock: the (channel, room id) of the sessions
// that joined the rooms, and the end of every membership of rooms that were deleted.
std::vector<std::pair<std::string, uint64_t>> join_recipients(const std::vector<int64_t>& rooms);
void joins_remove_rooms(const std::vector<int64_t>& rooms);

}  // namespace tdb::pg
