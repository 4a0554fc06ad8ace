// The registry of watches (watches.h; the table and why it is one: the install script).
#include "pg/watches.h"

#include <cstring>
#include <stdexcept>
#include <unordered_set>

#include "pg/auth.h"
#include "pg/bridge.h"
#include "pg/storage/plans.h"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/procarray.h"
#include "utils/array.h"
#include "utils/backend_status.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
}

namespace tdb::pg {

WatchOwner session_watch_owner(const Identity& who) {
    WatchOwner owner;
    owner.user_id = who.user_id;
    owner.admin = who.admin;
    owner.token_hash = session_token_hash();
    if (owner.token_hash.empty()) owner.role_name = who.name;
    return owner;
}

namespace {

enum Stmt {
    ADD,
    REMOVE,
    REMOVE_CHANNEL,
    REVALIDATE,
    SESSIONS,
    DELETE_SESSIONS,
    JOIN,
    LEAVE,
    JOINS_OF_ROOMS,
    COUNT
};

struct StmtDef {
    const char* sql;
    int nargs;
    Oid types[9];
};

// Names are qualified; the calls run with only pg_catalog searched (CallContext).
// clang-format off
const StmtDef kStmts[COUNT] = {
    {"INSERT INTO thingsdb.watches"
     " (channel, thing_id, scope_id, pid, started, user_id, role_name, token_hash, admin)"
     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
     " ON CONFLICT (channel, thing_id) DO UPDATE SET scope_id = EXCLUDED.scope_id,"
     " user_id = EXCLUDED.user_id, role_name = EXCLUDED.role_name,"
     " token_hash = EXCLUDED.token_hash, admin = EXCLUDED.admin",
     9, {TEXTOID, INT8OID, INT8OID, INT4OID, TIMESTAMPTZOID, INT8OID, TEXTOID, BYTEAOID, BOOLOID}},
    {"DELETE FROM thingsdb.watches WHERE channel = $1 AND thing_id = $2 AND NOT room", 2,
     {TEXTOID, INT8OID}},
    {"DELETE FROM thingsdb.watches WHERE channel = $1", 1, {TEXTOID}},
    // JOIN is 8 (core/api/access.h). An admin keeps FULL everywhere; a watch made with a
    // token needs that token (unexpired, of the same user); one made as a role needs the
    // user of that role's name (rename_user and del_user end it).
    {"DELETE FROM thingsdb.watches w"
     " WHERE (w.scope_id <> 0 AND NOT EXISTS"
     "        (SELECT 1 FROM thingsdb.collections c WHERE c.id = w.scope_id))"
     " OR (w.token_hash IS NOT NULL AND NOT EXISTS"
     "     (SELECT 1 FROM thingsdb.tokens t WHERE t.key_hash = w.token_hash"
     "      AND t.user_id = w.user_id AND (t.expiration IS NULL"
     "      OR t.expiration > extract(epoch FROM clock_timestamp()))))"
     " OR (w.token_hash IS NULL AND NOT w.admin AND NOT EXISTS"
     "     (SELECT 1 FROM thingsdb.users u WHERE u.id = w.user_id AND u.name = w.role_name))"
     " OR (NOT w.admin AND NOT EXISTS"
     "     (SELECT 1 FROM thingsdb.access a WHERE a.user_id = w.user_id"
     "      AND a.scope_id = w.scope_id AND (a.mask & 8) <> 0))",
     0, {}},
    {"SELECT DISTINCT pid, started FROM thingsdb.watches", 0, {}},
    {"DELETE FROM thingsdb.watches w USING unnest($1::int4[], $2::timestamptz[]) AS d(pid, started)"
     " WHERE w.pid = d.pid AND w.started = d.started",
     2, {INT4ARRAYOID, TIMESTAMPTZARRAYOID}},
    // Rooms: a joined room is a row with room set and the room's id as thing_id.
    {"INSERT INTO thingsdb.watches"
     " (channel, thing_id, scope_id, pid, started, user_id, role_name, token_hash, admin, room)"
     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true)"
     " ON CONFLICT (channel, thing_id) DO UPDATE SET scope_id = EXCLUDED.scope_id,"
     " user_id = EXCLUDED.user_id, role_name = EXCLUDED.role_name,"
     " token_hash = EXCLUDED.token_hash, admin = EXCLUDED.admin, room = true",
     9, {TEXTOID, INT8OID, INT8OID, INT4OID, TIMESTAMPTZOID, INT8OID, TEXTOID, BYTEAOID, BOOLOID}},
    {"DELETE FROM thingsdb.watches WHERE channel = $1 AND thing_id = $2 AND room", 2,
     {TEXTOID, INT8OID}},
    {"DELETE FROM thingsdb.watches WHERE thing_id = ANY ($1) AND room", 1, {INT8ARRAYOID}},
};
// clang-format on

SPIPlanPtr kept[COUNT];

// Inside pg_call (or C code that may ereport). `latest`: with a new snapshot, also under
// REPEATABLE READ: a watch or a revoke committed after this transaction's snapshot counts.
void run(Stmt s, Datum* values, const char* nulls, bool latest) {
    enter_spi();
    if (!kept[s]) {
        SPIPlanPtr p =
            SPI_prepare(kStmts[s].sql, kStmts[s].nargs, const_cast<Oid*>(kStmts[s].types));
        if (!p) elog(ERROR, "thingsdb: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        if (SPI_keepplan(p) != 0) elog(ERROR, "thingsdb: SPI_keepplan failed");
        kept[s] = p;
    }
    int rc = latest ? SPI_execute_snapshot(kept[s], values, nulls, GetLatestSnapshot(),
                                           InvalidSnapshot, false, false, 0)
                    : SPI_execute_plan(kept[s], values, nulls, false, 0);
    if (rc < 0) elog(ERROR, "thingsdb: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

// The session's channel and the extension it was made under (DROP EXTENSION ends every
// watch: a new extension gets a new channel).
std::string channel;
Oid channel_extension = InvalidOid;
bool exit_hook = false;

// At a normal end of the session, its watches go (C code: it runs in proc_exit). Rows of
// sessions that ended otherwise are found by purge_ended_sessions.
void delete_at_exit(int code, Datum) {
    if (code != 0 || channel.empty() || !OidIsValid(MyDatabaseId)) return;
    AbortOutOfAnyTransaction();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    if (get_extension_oid("thingsdb", true) == channel_extension) {
        Oid nsp = get_namespace_oid("thingsdb", true);
        HeapTuple tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
        if (HeapTupleIsValid(tup)) {
            Oid owner = ((Form_pg_namespace)GETSTRUCT(tup))->nspowner;
            ReleaseSysCache(tup);
            SetUserIdAndSecContext(owner, SECURITY_LOCAL_USERID_CHANGE);
            OverrideSearchPath path{};
            path.addCatalog = true;
            PushOverrideSearchPath(&path);
            if (SPI_connect() == SPI_OK_CONNECT) {
                Datum ch = PointerGetDatum(cstring_to_text(channel.c_str()));
                run(REMOVE_CHANNEL, &ch, nullptr, false);
                SPI_finish();
            }
            PopOverrideSearchPath();
        }
    }
    PopActiveSnapshot();
    CommitTransactionCommand();
}

// Deletes the rows of sessions that have ended: no process has their pid any more, or the
// process with their pid started at another time (the pid was reused). A row of a live
// session is never deleted; one of an ended session may stay until the next purge, and
// costs only a notification nobody listens to.
void purge_ended_sessions() {
    pg_call([] {
        run(SESSIONS, nullptr, nullptr, true);
        uint64 n = SPI_processed;
        if (n == 0) return;
        SPITupleTable* rows = SPI_tuptable;
        pgstat_clear_backend_activity_snapshot();  // this transaction may hold an old one
        int backends = pgstat_fetch_stat_numbackends();
        Datum* pids = static_cast<Datum*>(palloc(sizeof(Datum) * n));
        Datum* starts = static_cast<Datum*>(palloc(sizeof(Datum) * n));
        int dead = 0;
        for (uint64 r = 0; r < n; ++r) {
            bool isnull = false;
            int pid = DatumGetInt32(SPI_getbinval(rows->vals[r], rows->tupdesc, 1, &isnull));
            TimestampTz started =
                DatumGetTimestampTz(SPI_getbinval(rows->vals[r], rows->tupdesc, 2, &isnull));
            bool alive = BackendPidGetProc(pid) != nullptr;
            for (int b = 1; alive && b <= backends; ++b) {
                PgBackendStatus* be = pgstat_fetch_stat_beentry(b);
                if (be && be->st_procpid == pid && be->st_proc_start_timestamp != started)
                    alive = false;
            }
            if (alive) continue;
            pids[dead] = Int32GetDatum(pid);
            starts[dead] = TimestampTzGetDatum(started);
            ++dead;
        }
        if (dead == 0) return;
        Datum values[2] = {
            PointerGetDatum(construct_array(pids, dead, INT4OID, 4, true, TYPALIGN_INT)),
            PointerGetDatum(construct_array(starts, dead, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL,
                                            TYPALIGN_DOUBLE))};
        run(DELETE_SESSIONS, values, nullptr, true);
    });
}

const char kHex[] = "0123456789abcdef";

}  // namespace

namespace {
bool rights_changed = false;
}

void watches_rights_changed() { rights_changed = true; }

bool watches_rights_pending(bool reset) {
    bool was = rights_changed;
    if (reset) rights_changed = false;
    return was;
}

std::string session_channel(std::string& retired) {
    Oid ext = InvalidOid;
    pg_call([&] { ext = get_extension_oid("thingsdb", false); });
    if (!channel.empty() && channel_extension == ext) return channel;
    unsigned char raw[16];
    if (!pg_strong_random(raw, sizeof raw))
        throw std::runtime_error("thingsdb: could not generate a random channel name");
    std::string name = "tdbw_";
    for (unsigned char c : raw) {
        name.push_back(kHex[c >> 4]);
        name.push_back(kHex[c & 15]);
    }
    purge_ended_sessions();
    if (!exit_hook) {
        pg_call([] { before_shmem_exit(delete_at_exit, 0); });
        exit_hook = true;
    }
    retired = channel;
    channel = name;
    channel_extension = ext;
    return channel;
}

namespace {

void add_row(Stmt s, const std::string& ch, uint64_t thing_id, uint64_t scope_id,
             const WatchOwner& who) {
    pg_call([&] {
        Datum v[9];
        char nulls[10] = "         ";
        v[0] = PointerGetDatum(cstring_to_text_with_len(ch.data(), static_cast<int>(ch.size())));
        v[1] = Int64GetDatum(static_cast<int64>(thing_id));
        v[2] = Int64GetDatum(static_cast<int64>(scope_id));
        v[3] = Int32GetDatum(MyProcPid);
        v[4] = TimestampTzGetDatum(MyStartTimestamp);
        v[5] = Int64GetDatum(static_cast<int64>(who.user_id));
        v[6] = v[7] = 0;
        if (who.role_name.empty())
            nulls[6] = 'n';
        else
            v[6] = PointerGetDatum(cstring_to_text_with_len(
                who.role_name.data(), static_cast<int>(who.role_name.size())));
        if (who.token_hash.empty())
            nulls[7] = 'n';
        else
            v[7] = PointerGetDatum(cstring_to_text_with_len(
                who.token_hash.data(), static_cast<int>(who.token_hash.size())));
        v[8] = BoolGetDatum(who.admin);
        run(s, v, nulls, false);
    });
}

// The rows of the session's channel and this id; whether there was one.
bool remove_row(Stmt s, uint64_t id) {
    if (channel.empty()) return false;
    bool removed = false;
    pg_call([&] {
        Datum v[2] = {PointerGetDatum(cstring_to_text(channel.c_str())),
                      Int64GetDatum(static_cast<int64>(id))};
        run(s, v, nullptr, false);
        removed = SPI_processed > 0;
    });
    return removed;
}

// (channel, id) of the watches (rooms: the joined rooms) of the ids, by one probe of
// watches_thing_idx per id under a new snapshot: this runs at every commit with events, where a
// statement cost more than the rest of a small commit (its executor, and a plan per execution:
// the plan cache keeps none for `= ANY ($1)`).
std::vector<std::pair<std::string, uint64_t>> recipients(bool rooms,
                                                         const std::vector<int64_t>& given) {
    std::vector<std::pair<std::string, uint64_t>> out;
    if (given.empty()) return out;
    std::vector<int64_t> ids;  // each id once (a room has an event per emit), in the given order
    ids.reserve(given.size());
    std::unordered_set<int64_t> seen;
    for (int64_t id : given)
        if (seen.insert(id).second) ids.push_back(id);
    char** chans = nullptr;
    int64* which = nullptr;
    int n = 0;
    pg_call([&] {
        Oid nsp = get_namespace_oid("thingsdb", false);
        Oid relid = get_relname_relid("watches", nsp);
        Oid idxid = get_relname_relid("watches_thing_idx", nsp);
        if (!OidIsValid(relid) || !OidIsValid(idxid))
            elog(ERROR, "thingsdb: thingsdb.watches or its index watches_thing_idx is missing");
        Relation rel = table_open(relid, AccessShareLock);
        Relation idx = index_open(idxid, AccessShareLock);
        TupleDesc desc = RelationGetDescr(rel);
        AttrNumber a_channel = 0, a_thing = 0, a_room = 0;
        for (int i = 0; i < desc->natts; ++i) {
            Form_pg_attribute att = TupleDescAttr(desc, i);
            if (att->attisdropped) continue;
            if (strcmp(NameStr(att->attname), "channel") == 0) a_channel = att->attnum;
            if (strcmp(NameStr(att->attname), "thing_id") == 0) a_thing = att->attnum;
            if (strcmp(NameStr(att->attname), "room") == 0) a_room = att->attnum;
        }
        if (!a_channel || !a_thing || !a_room || idx->rd_index->indnkeyatts < 1 ||
            idx->rd_index->indkey.values[0] != a_thing)
            elog(ERROR, "thingsdb: thingsdb.watches is not as the install script made it");
        Snapshot snap = RegisterSnapshot(GetLatestSnapshot());
        TupleTableSlot* slot = table_slot_create(rel, nullptr);
        IndexScanDesc scan = index_beginscan(rel, idx, snap, 1, 0);
        int cap = 8;
        chans = static_cast<char**>(palloc(sizeof(char*) * cap));
        which = static_cast<int64*>(palloc(sizeof(int64) * cap));
        for (int64_t id : ids) {
            CHECK_FOR_INTERRUPTS();
            ScanKeyData key;
            ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
            index_rescan(scan, &key, 1, nullptr, 0);
            while (index_getnext_slot(scan, ForwardScanDirection, slot)) {
                bool isnull = false;
                Datum room = slot_getattr(slot, a_room, &isnull);
                if ((!isnull && DatumGetBool(room)) != rooms) continue;
                Datum ch = slot_getattr(slot, a_channel, &isnull);
                if (isnull) continue;
                if (n == cap) {
                    cap *= 2;
                    chans = static_cast<char**>(repalloc(chans, sizeof(char*) * cap));
                    which = static_cast<int64*>(repalloc(which, sizeof(int64) * cap));
                }
                chans[n] = TextDatumGetCString(ch);
                which[n] = id;
                ++n;
            }
        }
        index_endscan(scan);
        ExecDropSingleTupleTableSlot(slot);
        UnregisterSnapshot(snap);
        index_close(idx, NoLock);
        table_close(rel, NoLock);
    });
    out.reserve(n);
    for (int i = 0; i < n; ++i) out.emplace_back(chans[i], static_cast<uint64_t>(which[i]));
    pg_call([&] {
        for (int i = 0; i < n; ++i) pfree(chans[i]);
        pfree(chans);
        pfree(which);
    });
    return out;
}

}  // namespace

void watch_add(const std::string& ch, uint64_t thing_id, uint64_t scope_id, const WatchOwner& who) {
    add_row(ADD, ch, thing_id, scope_id, who);
}

void watch_remove(uint64_t thing_id) { remove_row(REMOVE, thing_id); }

void join_add(const std::string& ch, uint64_t room_id, uint64_t scope_id, const WatchOwner& who) {
    add_row(JOIN, ch, room_id, scope_id, who);
}

bool join_remove(uint64_t room_id) { return remove_row(LEAVE, room_id); }

std::vector<std::pair<std::string, uint64_t>> join_recipients(const std::vector<int64_t>& rooms) {
    return recipients(true, rooms);
}

void joins_remove_rooms(const std::vector<int64_t>& rooms) {
    pg_call([&] {
        Datum* d = static_cast<Datum*>(palloc(sizeof(Datum) * rooms.size()));
        for (size_t i = 0; i < rooms.size(); ++i) d[i] = Int64GetDatum(rooms[i]);
        Datum arr = PointerGetDatum(construct_array(d, static_cast<int>(rooms.size()), INT8OID, 8,
                                                    FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
        run(JOINS_OF_ROOMS, &arr, nullptr, true);
    });
}

void watches_revalidate() {
    pg_call([] { run(REVALIDATE, nullptr, nullptr, true); });
}

std::vector<std::pair<std::string, uint64_t>> watch_recipients(const std::vector<int64_t>& things) {
    return recipients(false, things);
}

}  // namespace tdb::pg
