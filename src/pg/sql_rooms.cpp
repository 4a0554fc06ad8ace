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
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

using namespace tdb::pg;

namespace {

// A room of argument 0: by id, or by name when name is set.
struct RoomKey {
    int64 id = -1;
    bool by_name = false;
    std::string name;
};

// Argument 0 ("any"): an array of integers (room ids) or of text, each element a room id
// (digits) or a room's name (a name starts with a letter or `_`, so it is never digits); an
// untyped literal ('{17,lobby}') is read as text[]. A NULL element names no room.
std::vector<RoomKey> room_keys(FunctionCallInfo fcinfo) {
    std::vector<RoomKey> keys;
    if (PG_ARGISNULL(0)) return keys;
    Datum* elems = nullptr;
    bool* nulls = nullptr;
    char** texts = nullptr;
    int n = 0;
    Oid elem = InvalidOid;
    pg_call([&] {
        Oid type = get_fn_expr_argtype(fcinfo->flinfo, 0);
        Datum arg = PG_GETARG_DATUM(0);
        if (type == UNKNOWNOID) {
            Oid in, ioparam;
            getTypeInputInfo(TEXTARRAYOID, &in, &ioparam);
            arg = OidInputFunctionCall(in, DatumGetCString(arg), ioparam, -1);
            type = TEXTARRAYOID;
        }
        elem = OidIsValid(type) ? get_element_type(type) : InvalidOid;
        if (elem != INT2OID && elem != INT4OID && elem != INT8OID && elem != TEXTOID &&
            elem != VARCHAROID)
            ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                            errmsg("expecting an array of room ids or names, got %s",
                                   format_type_be(type))));
        ArrayType* arr = DatumGetArrayTypeP(arg);
        if (ARR_NDIM(arr) > 1)
            ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                            errmsg("expecting a one-dimensional array of room ids or names")));
        int16 len;
        bool byval;
        char align;
        get_typlenbyvalalign(elem, &len, &byval, &align);
        deconstruct_array(arr, elem, len, byval, align, &elems, &nulls, &n);
        if (elem == TEXTOID || elem == VARCHAROID) {
            texts = static_cast<char**>(palloc0(sizeof(char*) * (n ? n : 1)));
            for (int i = 0; i < n; ++i)
                if (!nulls[i]) texts[i] = TextDatumGetCString(elems[i]);
        }
    });
    keys.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        RoomKey& k = keys[static_cast<size_t>(i)];
        if (nulls[i]) continue;
        if (elem == INT2OID)
            k.id = DatumGetInt16(elems[i]);
        else if (elem == INT4OID)
            k.id = DatumGetInt32(elems[i]);
        else if (elem == INT8OID)
            k.id = DatumGetInt64(elems[i]);
        else {
            std::string t(texts[i]);
            bool digits = !t.empty() && t.size() <= 18 &&
                          t.find_first_not_of("0123456789") == std::string::npos;
            if (digits)
                k.id = std::stoll(t);
            else {
                k.by_name = true;
                k.name = std::move(t);
            }
        }
    }
    return keys;
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
    std::vector<RoomKey> keys = room_keys(fcinfo);
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
        WatchOwner owner = session_watch_owner(who);
        channel = session_channel(retired);
        for (size_t i = 0; i < keys.size(); ++i) {
            call.storage.check_interrupts();
            if (i) result.push_back(',');
            tdb::RoomRow row;
            const RoomKey& k = keys[i];
            bool found = k.by_name ? call.storage.find_room_by_name(coll, k.name, row)
                                   : k.id > 0 && call.storage.find_room(
                                                     coll, static_cast<uint64_t>(k.id), row);
            if (!found) {
                result += "null";
                continue;
            }
            result += std::to_string(row.id);
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

// tdb_join(rooms "any", scope text DEFAULT NULL) -> jsonb: room ids or names
TDB_PG_FUNCTION(tdb_join) { return join_or_leave(fcinfo, Op::JOIN); }

// tdb_leave(rooms "any", scope text DEFAULT NULL) -> jsonb
TDB_PG_FUNCTION(tdb_leave) { return join_or_leave(fcinfo, Op::LEAVE); }
