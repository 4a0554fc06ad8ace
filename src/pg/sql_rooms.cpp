// Rooms from SQL: tdb_join and tdb_leave. A joined room is a row of the registry of watches
// (watches.h) on the session's private channel; notify.cpp sends the room's events to it.
#include "core/api/access.h"
#include "core/api/engine.h"
#include "core/api/error.h"

#include <string>
#include <vector>

#include "pg/auth.h"
#include "pg/entry.h"
#include "pg/notify.h"
#include "pg/watches.h"

extern "C" {
#include "access/xlog.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "utils/array.h"
}

using namespace tdb::pg;

namespace {

// The room ids of argument 0 (a NULL element: -1, which names no room).
std::vector<int64> room_ids(FunctionCallInfo fcinfo) {
    std::vector<int64> ids;
    if (PG_ARGISNULL(0)) return ids;
    Datum* elems = nullptr;
    bool* nulls = nullptr;
    int n = 0;
    pg_call([&] {
        ArrayType* arr = PG_GETARG_ARRAYTYPE_P(0);
        if (ARR_NDIM(arr) > 1)
            ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                            errmsg("expecting a one-dimensional array of room ids")));
        deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &nulls, &n);
    });
    ids.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) ids.push_back(nulls[i] ? -1 : DatumGetInt64(elems[i]));
    return ids;
}

// The collection of the scope: its id and "@:name" (what the room notifications carry).
// Rooms with ids exist in collections only, as in ThingsDB.
uint64_t room_scope(tdb::Storage& st, const std::string& scope, std::string& label) {
    tdb::Scope sc = tdb::parse_scope(scope);
    if (sc.kind != tdb::Scope::COLLECTION)
        tdb::raisef(tdb::LOOKUP_ERR,
                    "scope `%s` has no stored rooms; you might want to query a `@collection` "
                    "scope?",
                    sc.kind == tdb::Scope::THINGSDB ? "@thingsdb" : "@node");
    uint64_t id = scope_id_of(st, scope);
    tdb::CollectionRow row;
    if (!id || !st.find_collection_by_id(id, row))
        tdb::raisef(tdb::LOOKUP_ERR, "collection `%s` not found", sc.name.c_str());
    label = "@:" + row.name;
    return id;
}

enum class Op { JOIN, LEAVE };

// Joins or leaves the rooms; the array of ids (null for a room that does not exist).
Datum join_or_leave(FunctionCallInfo fcinfo, Op op) {
    pg_call([] {
        if (RecoveryInProgress())
            ereport(ERROR, (errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
                            errmsg("cannot join rooms on a hot standby: events are notified on the "
                                   "primary only"),
                            errhint("Join on the primary; standbys serve reads.")));
    });
    std::vector<int64> ids = room_ids(fcinfo);
    std::string scope = scope_arg(fcinfo, 1);
    std::string result = "[";
    std::string channel, retired;
    std::vector<std::string> events;  // to this session, at commit
    run_in_call([&](EntryCall& call) {
        const tdb::Identity& who = call.identity();
        tdb::check_scope_access(call.storage, &who, scope, tdb::AUTH_JOIN);
        std::string label;
        uint64_t coll = room_scope(call.storage, scope, label);
        // As tdb_watch: no room event commits between this and the moment the LISTEN is
        // active (this transaction's commit).
        if (op == Op::JOIN) lock_commits(true);
        WatchOwner owner;
        owner.user_id = who.user_id;
        owner.admin = who.admin;
        owner.token_hash = session_token_hash();
        if (owner.token_hash.empty()) owner.role_name = who.name;
        channel = session_channel(retired);
        for (size_t i = 0; i < ids.size(); ++i) {
            call.storage.check_interrupts();
            if (i) result.push_back(',');
            tdb::RoomRow row;
            if (ids[i] <= 0 || !call.storage.find_room(coll, static_cast<uint64_t>(ids[i]), row)) {
                result += "null";
                continue;
            }
            result += std::to_string(ids[i]);
            bool sent = true;
            if (op == Op::JOIN)
                join_add(channel, row.id, coll, owner);
            else
                sent = join_remove(row.id);
            if (sent)
                events.push_back(std::string("{\"room\":\"") + (op == Op::JOIN ? "join" : "leave") +
                                 "\",\"scope\":\"" + label + "\",\"id\":" + std::to_string(row.id) +
                                 "}");
        }
    });
    result.push_back(']');
    // The LISTEN and the notifications take effect at commit, with the rows.
    pg_call([&] {
        if (!retired.empty()) Async_Unlisten(retired.c_str());
        if (op == Op::JOIN) Async_Listen(channel.c_str());
    });
    for (const std::string& e : events) {
        const char* payload = e.c_str();
        const char* ch = channel.c_str();
        pg_call([&] { Async_Notify(ch, payload); });
    }
    return jsonb_result(result);
}

}  // namespace

// tdb_join(rooms bigint[], scope text DEFAULT NULL) -> jsonb
TDB_PG_FUNCTION(tdb_join) { return join_or_leave(fcinfo, Op::JOIN); }

// tdb_leave(rooms bigint[], scope text DEFAULT NULL) -> jsonb
TDB_PG_FUNCTION(tdb_leave) { return join_or_leave(fcinfo, Op::LEAVE); }
