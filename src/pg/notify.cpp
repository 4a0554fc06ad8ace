// Watch events: at commit one stored, notified event per changed thing (tdb_watch and the
// other SQL functions of events are in sql_events.cpp).
//
// A transaction's jobs are kept in backend memory, tagged with the
// subtransaction that recorded them, until it ends: a rolled-back
// (sub)transaction drops its jobs; at XACT_EVENT_PRE_COMMIT they become one
// update event per thing, all with the transaction's change id, stored in
// one row of thingsdb.changes (more for very large transactions) and sent
// with Async_Notify to the channel of every session that watches the thing:
// one lookup of the registry of watches (watches.h) per committing
// transaction. A transaction that wrote rights, users, tokens or collections
// first deletes the watches whose right is gone, under the commit lock, so no
// later event reaches them (also when it has no events of its own).
//
// Change ids follow commit order because they are taken while holding an
// exclusive advisory lock that the committing transaction keeps until its
// commit is complete: the next committer with events waits for it. A watch
// takes the same lock in share mode, so no event commits between reading the
// watched thing and the moment its LISTEN becomes active (at the watch's
// commit): the init event's change id separates what the state includes from
// what will arrive as notifications.
#include "core/api/engine.h"
#include "core/api/error.h"
#include "core/api/events.h"

#include "pg/notify.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <unordered_map>

#include "pg/auth.h"
#include "pg/bridge.h"
#include "pg/entry.h"
#include "pg/readonly.h"
#include "pg/storage/direct.h"
#include "pg/storage/plans.h"
#include "pg/storage/things.h"
#include "pg/watches.h"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/sequence.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/reltrigger.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

namespace tdb::pg {

namespace {

struct PendingJob {
    uint64_t thing_id;
    SubTransactionId subxact;  // recorded in; dropped when it aborts
    uint64_t scope_id;         // 0 for the @thingsdb scope, else the collection's id
    std::string collection;    // empty for the @thingsdb scope (thing 0)
    std::string json;
};

std::vector<PendingJob> pending;  // this transaction's jobs, in the order applied

// A room event (core/api/events.h, kRoomJob), kept as a job is.
struct PendingRoom {
    uint64_t room_id;
    SubTransactionId subxact;
    uint64_t scope_id;
    std::string scope;  // "@:name"
    std::string json;   // the whole notification
};
std::vector<PendingRoom> pending_rooms;  // in the order emitted

int event_retention = 86400;  // seconds (thingsdb.event_retention); 0: keep all
TimestampTz last_prune = 0;   // when this backend last pruned
constexpr long kPruneEveryMs = 60 * 1000;

// NOTIFY refuses payloads of 8000 bytes or more.
constexpr size_t kMaxNotifyPayload = 8000;
// PostgreSQL sends a transaction's notifications of the same channel and payload once; the
// room events are events, not states, so an emit repeated in one transaction gets as many
// spaces after its JSON as copies came before it (up to this many; more collapse).
constexpr size_t kMaxRoomPadding = 1023;
// A row of thingsdb.changes holds at most this much payload text (one event
// larger than that gets a row of its own).
constexpr size_t kMaxPartBytes = 64u << 20;

// Runs a plan of the events (plans.h) in its own pg_call; the caller owns values/nulls.
void run_plan(Plan plan, Datum* values, const char* nulls = nullptr) {
    pg_call([&] { exec_plan(plan, values, nulls); });
}

// The row of thingsdb.changes by direct insert (C code, inside pg_call): values are change_id,
// part and the four arrays, created_at is the time now, as the column's default. A statement
// cost a third of a small commit (its executor, and the table's CHECK made anew for each
// execution); the CHECK holds here by construction: the four arrays are made with one length.
// false, having done nothing, when the table is not as the install script made it (another
// column, constraint or a trigger): the statement then.
bool insert_change_direct(Datum* values) {
    static const char* const kColumns[7] = {"change_id",   "part",     "created_at", "thing_ids",
                                            "collections", "payloads", "scope_ids"};
    Oid nsp = get_namespace_oid("thingsdb", false);
    Oid relid = get_relname_relid("changes", nsp);
    if (!OidIsValid(relid)) return false;
    Relation rel = table_open(relid, RowExclusiveLock);
    TupleDesc desc = RelationGetDescr(rel);
    TriggerDesc* td = rel->trigdesc;
    bool plain = desc->natts == 7 && desc->constr && desc->constr->num_check == 1 &&
                 !(td && (td->trig_insert_before_row || td->trig_insert_after_row ||
                          td->trig_insert_instead_row || td->trig_insert_before_statement ||
                          td->trig_insert_after_statement || td->trig_insert_new_table));
    for (int i = 0; plain && i < 7; ++i) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        plain = !att->attisdropped && strcmp(NameStr(att->attname), kColumns[i]) == 0;
    }
    if (!plain) {
        table_close(rel, NoLock);
        return false;
    }
    DirectWrite dw = direct_write_begin(rel);
    EState* estate = dw.estate;
    ResultRelInfo* rri = dw.rri;
    TupleTableSlot* slot = table_slot_create(rel, &estate->es_tupleTable);
    ExecClearTuple(slot);
    Datum row[7] = {values[0], values[1], TimestampTzGetDatum(GetCurrentTimestamp()),
                    values[2], values[3], values[4],
                    values[5]};
    for (int i = 0; i < 7; ++i) {
        slot->tts_values[i] = row[i];
        slot->tts_isnull[i] = false;
    }
    ExecStoreVirtualTuple(slot);
    table_tuple_insert(rel, slot, estate->es_output_cid, 0, nullptr);
    if (rri->ri_NumIndices > 0)
        list_free(ExecInsertIndexTuples(rri, slot, estate, false, false, nullptr, NIL));
    direct_write_end(dw);
    table_close(rel, NoLock);
    return true;
}

// The int8 in column `col` of the first result row; `fallback` for NULL.
int64 result_int8(int col, int64 fallback) {
    int64 v = fallback;
    pg_call([&] {
        if (SPI_processed == 0) return;
        bool isnull = false;
        Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, col, &isnull);
        if (!isnull) v = DatumGetInt64(d);
    });
    return v;
}

// One update event per changed thing, in the order the things first changed.
struct ThingEvent {
    uint64_t thing_id;
    uint64_t scope_id;
    std::string collection;
    std::string jobs;  // the job objects, comma-separated
};

std::vector<ThingEvent> group_pending() {
    std::vector<ThingEvent> events;
    std::unordered_map<uint64_t, size_t> index;
    for (PendingJob& j : pending) {
        auto [it, fresh] = index.emplace(j.thing_id, events.size());
        if (fresh) events.push_back({j.thing_id, j.scope_id, std::move(j.collection), {}});
        std::string& jobs = events[it->second].jobs;
        if (!jobs.empty()) jobs.push_back(',');
        jobs += j.json;
    }
    return events;
}

// Adds the room events of kMaxNotifyPayload bytes or more to the stored events (an entry per
// room: the array of its large events) and returns, per room event, the notification that
// stands for it (empty: the event itself).
std::vector<std::string> store_large_room_events(const std::vector<PendingRoom>& rooms,
                                                 std::vector<ThingEvent>& events,
                                                 std::vector<std::string>& payloads,
                                                 int64 change_id) {
    std::vector<std::string> refs(rooms.size());
    std::unordered_map<uint64_t, size_t> entry;  // room id -> index in events
    std::unordered_map<uint64_t, int> count;
    for (size_t i = 0; i < rooms.size(); ++i) {
        const PendingRoom& r = rooms[i];
        if (r.json.size() + kMaxRoomPadding < kMaxNotifyPayload) continue;
        auto [it, fresh] = entry.emplace(r.room_id, events.size());
        if (fresh) {
            events.push_back({r.room_id, r.scope_id, r.scope.substr(2), {}});
            payloads.emplace_back("[");
        }
        std::string& p = payloads[it->second];
        if (p.size() > 1) p.push_back(',');
        p += r.json;
        int n = count[r.room_id]++;
        refs[i] = "{\"room\":\"emit\",\"scope\":\"" + r.scope +
                  "\",\"id\":" + std::to_string(r.room_id) +
                  ",\"change\":" + std::to_string(change_id) + ",\"n\":" + std::to_string(n) +
                  ",\"ref\":true}";
    }
    for (auto& e : entry) payloads[e.second].push_back(']');
    return refs;
}

// The (channel, room id) of the sessions that joined the rooms of the events.
std::vector<std::pair<std::string, uint64_t>> room_recipients(
    const std::vector<PendingRoom>& rooms) {
    std::vector<int64_t> ids;
    ids.reserve(rooms.size());
    for (const PendingRoom& r : rooms) ids.push_back(static_cast<int64_t>(r.room_id));
    std::vector<std::pair<std::string, uint64_t>> out = join_recipients(ids);
    // A deleted room has nobody joined any more once this transaction commits.
    std::vector<int64_t> deleted;
    for (const PendingRoom& r : rooms)
        if (std::string_view(r.json).starts_with("{\"room\":\"delete\""))
            deleted.push_back(static_cast<int64_t>(r.room_id));
    if (!deleted.empty()) joins_remove_rooms(deleted);
    return out;
}

// Queues each room event for every joined session's channel, in the order emitted.
void notify_rooms(const std::vector<PendingRoom>& rooms, const std::vector<std::string>& refs,
                  const std::vector<std::pair<std::string, uint64_t>>& joined) {
    if (joined.empty()) return;
    std::unordered_map<uint64_t, std::vector<const std::string*>> channels;
    for (const auto& j : joined) channels[j.second].push_back(&j.first);
    std::unordered_map<std::string_view, size_t> copies;  // of each payload so far
    std::string padded;
    for (size_t i = 0; i < rooms.size(); ++i) {
        auto it = channels.find(rooms[i].room_id);
        if (it == channels.end()) continue;
        const std::string& text = refs[i].empty() ? rooms[i].json : refs[i];
        size_t& before = copies[text];
        const char* payload = text.c_str();
        if (before > 0 && before <= kMaxRoomPadding) {
            padded = text + std::string(before, ' ');
            payload = padded.c_str();
        }
        ++before;
        for (const std::string* ch : it->second) {
            const char* channel = ch->c_str();
            pg_call([&] { Async_Notify(channel, payload); });
        }
    }
}

// The pre-commit work: runs as an invoke_cpp body, so an error of any kind
// becomes an ereport that aborts the commit.
Datum flush_events(FunctionCallInfo) {
    ErrorCopyContextScope copy_scope(CurrentMemoryContext);
    std::vector<ThingEvent> events = group_pending();
    pending.clear();
    std::vector<PendingRoom> rooms;
    rooms.swap(pending_rooms);

    // Pre-commit runs outside any statement: SPI needs a snapshot.
    pg_call([] { PushActiveSnapshot(GetTransactionSnapshot()); });
    spi_connect();
    tdb::pg::CallContext call;  // the events are written as the extension owner (auth.h)
    lock_commits(false);
    // Under the lock: a writer that commits after this one no longer sees the watches whose
    // right this transaction ended.
    if (watches_rights_pending(true)) watches_revalidate();
    if (events.empty() && rooms.empty()) {
        call.finish();
        spi_finish();
        pg_call([] { PopActiveSnapshot(); });
        return 0;
    }
    // nextval without a statement (an executor and a plan check at every commit).
    int64 change_id = 0;
    pg_call([&] {
        Oid seq = get_relname_relid("change_id_seq", get_namespace_oid("thingsdb", false));
        if (!OidIsValid(seq)) elog(ERROR, "thingsdb: sequence thingsdb.change_id_seq is missing");
        change_id = nextval_internal(seq, false);
    });

    std::vector<std::string> payloads;
    payloads.reserve(events.size());
    for (const ThingEvent& e : events)
        payloads.push_back("{\"#\":" + std::to_string(e.thing_id) + ",\"event\":" +
                           std::to_string(change_id) + ",\"jobs\":[" + e.jobs + "]}");
    // Room events too large to notify are stored with the thing events: one entry per room,
    // its payload the array of the room's large events in the order emitted; each notification
    // then names the change and its index there ("n").
    std::vector<std::string> room_refs =
        store_large_room_events(rooms, events, payloads, change_id);

    // One row of thingsdb.changes per part of at most kMaxPartBytes of
    // payloads (an array must stay far below PostgreSQL's 1 GB per value).
    // The payloads go in as the json they are (json's stored form is its
    // text): written by the core, they need no parsing here.
    size_t begin = 0;
    int part = 0;
    while (begin < events.size()) {
        size_t end = begin, bytes = 0;
        do bytes += payloads[end++].size();
        while (end < events.size() && bytes + payloads[end].size() <= kMaxPartBytes);
        int n = static_cast<int>(end - begin);
        Datum values[6];
        pg_call([&] {
            Datum* ids = static_cast<Datum*>(palloc(sizeof(Datum) * n));
            Datum* colls = static_cast<Datum*>(palloc(sizeof(Datum) * n));
            bool* coll_nulls = static_cast<bool*>(palloc(sizeof(bool) * n));
            Datum* texts = static_cast<Datum*>(palloc(sizeof(Datum) * n));
            Datum* scopes = static_cast<Datum*>(palloc(sizeof(Datum) * n));
            for (int i = 0; i < n; ++i) {
                const ThingEvent& e = events[begin + i];
                const std::string& p = payloads[begin + i];
                ids[i] = Int64GetDatum(static_cast<int64>(e.thing_id));
                scopes[i] = Int64GetDatum(static_cast<int64>(e.scope_id));
                coll_nulls[i] = e.collection.empty();
                colls[i] = coll_nulls[i]
                               ? 0
                               : PointerGetDatum(cstring_to_text_with_len(
                                     e.collection.data(), static_cast<int>(e.collection.size())));
                texts[i] =
                    PointerGetDatum(cstring_to_text_with_len(p.data(), static_cast<int>(p.size())));
            }
            int dims[1] = {n};
            int lbs[1] = {1};
            values[0] = Int64GetDatum(change_id);
            values[1] = Int32GetDatum(part);
            values[2] = PointerGetDatum(
                construct_array(ids, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
            values[3] = PointerGetDatum(construct_md_array(colls, coll_nulls, 1, dims, lbs, TEXTOID,
                                                           -1, false, TYPALIGN_INT));
            values[4] =
                PointerGetDatum(construct_array(texts, n, JSONOID, -1, false, TYPALIGN_INT));
            values[5] = PointerGetDatum(
                construct_array(scopes, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
            // The arrays hold their own copies.
            for (int i = 0; i < n; ++i) {
                if (!coll_nulls[i]) pfree(DatumGetPointer(colls[i]));
                pfree(DatumGetPointer(texts[i]));
            }
            pfree(ids);
            pfree(colls);
            pfree(coll_nulls);
            pfree(texts);
            pfree(scopes);
        });
        bool direct = false;
        pg_call([&] { direct = insert_change_direct(values); });
        if (!direct) run_plan(Plan::EVENTS_INSERT, values);
        pg_call([&] {  // a large transaction's parts should not pile up
            for (int i = 2; i < 6; ++i) pfree(DatumGetPointer(values[i]));
        });
        begin = end;
        ++part;
    }

    bool prune_due = false;
    pg_call([&] {
        prune_due = event_retention > 0 &&
                    TimestampDifferenceExceeds(last_prune, GetCurrentTimestamp(), kPruneEveryMs);
    });
    if (prune_due) prune_events();

    // The sessions to notify: read under the lock, so a watch committed before this point
    // gets every event after its init event's change id, and a watch deleted before it
    // (unwatch, revoke, an ended session) gets nothing more.
    std::vector<int64_t> things;
    things.reserve(events.size());
    for (const ThingEvent& e : events) things.push_back(static_cast<int64_t>(e.thing_id));
    std::vector<std::pair<std::string, uint64_t>> recipients = watch_recipients(things);
    std::vector<std::pair<std::string, uint64_t>> joined = room_recipients(rooms);
    call.finish();
    spi_finish();
    pg_call([] { PopActiveSnapshot(); });

    // Queued now, inserted into the notification queue by PreCommit_Notify
    // later in this commit (still under the lock, so in change-id order).
    notify_rooms(rooms, room_refs, joined);
    if (recipients.empty()) return 0;
    std::unordered_map<uint64_t, size_t> event_of;
    for (size_t i = 0; i < events.size(); ++i) event_of.emplace(events[i].thing_id, i);
    for (const auto& r : recipients) {
        auto it = event_of.find(r.second);
        if (it == event_of.end()) continue;
        size_t i = it->second;
        std::string ref;
        const std::string* payload = &payloads[i];
        if (payload->size() >= kMaxNotifyPayload) {
            ref = "{\"#\":" + std::to_string(events[i].thing_id) +
                  ",\"event\":" + std::to_string(change_id) + ",\"ref\":true}";
            payload = &ref;
        }
        const char* channel = r.first.c_str();
        pg_call([&] { Async_Notify(channel, payload->c_str()); });
    }
    return 0;
}

void xact_callback(XactEvent event, void*) {
    switch (event) {
        case XACT_EVENT_PRE_COMMIT:
            if (!pending.empty() || !pending_rooms.empty() || watches_rights_pending())
                invoke_cpp(flush_events, nullptr);
            break;
        case XACT_EVENT_PRE_PREPARE:
            if (!pending.empty() || !pending_rooms.empty())
                ereport(ERROR,
                        (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                         errmsg("cannot PREPARE a transaction that changed watched things")));
            break;
        default:  // committed, aborted, prepared: nothing is pending any more
            pending.clear();
            pending_rooms.clear();
            watches_rights_pending(true);
            break;
    }
}

// Subtransaction ids grow: the jobs of an aborted subtransaction and of the
// subtransactions inside it are exactly those tagged with its id or later.
void subxact_callback(SubXactEvent event, SubTransactionId sub, SubTransactionId, void*) {
    if (event != SUBXACT_EVENT_ABORT_SUB) return;
    std::erase_if(pending, [sub](const PendingJob& j) { return j.subxact >= sub; });
    std::erase_if(pending_rooms, [sub](const PendingRoom& r) { return r.subxact >= sub; });
}

}  // namespace

// The commit lock is a lock of the table thingsdb.node (transaction-level:
// released at commit or abort), not an advisory lock: any role can take an
// advisory lock and so block every commit, while a role needs rights on
// schema thingsdb to lock its table, and PUBLIC has none. Share for a watch
// and Exclusive for a committer conflict as the advisory shared/exclusive
// pair did; neither conflicts with readers of the table (pg_dump), and the
// table is written only at install and restore.
void lock_commits(bool shared) {
    pg_call([&] {
        Oid nsp = get_namespace_oid("thingsdb", false);
        Oid rel = get_relname_relid("node", nsp);
        if (!OidIsValid(rel)) elog(ERROR, "thingsdb: table thingsdb.node does not exist");
        LockRelationOid(rel, shared ? ShareLock : ExclusiveLock);
    });
}

int64_t last_change_id() {
    run_plan(Plan::EVENTS_LAST_ID, nullptr);
    return result_int8(1, 0);
}

int64_t prune_events() {
    if (event_retention <= 0) return 0;
    Datum cutoff = 0;
    pg_call([&] {
        cutoff = TimestampTzGetDatum(TimestampTzPlusMilliseconds(
            GetCurrentTimestamp(), -static_cast<int64>(event_retention) * 1000));
    });
    run_plan(Plan::EVENTS_PRUNE, &cutoff);
    int64 deleted = result_int8(1, 0);
    int64 highest = result_int8(2, 0);
    if (highest > 0) {
        Datum h = Int64GetDatum(highest);
        run_plan(Plan::EVENTS_RAISE_HORIZON, &h);
    }
    pg_call([] { last_prune = GetCurrentTimestamp(); });
    return deleted;
}

void events_init() {
    DefineCustomIntVariable(
        "thingsdb.event_retention",
        "How long watch events are kept for catch-up (0 keeps them all).",
        "Events older than this are pruned on commit, at most once a minute per "
        "session, and by tdb_prune_events().",
        &event_retention, 86400, 0, INT_MAX, PGC_SUSET, GUC_UNIT_S, nullptr, nullptr, nullptr);
    RegisterXactCallback(xact_callback, nullptr);
    RegisterSubXactCallback(subxact_callback, nullptr);
}

uint64_t scope_id_of(Storage& st, std::string_view scope) {
    Scope sc = parse_scope(scope);
    if (sc.kind != Scope::COLLECTION) return 0;
    if (sc.name.empty()) return sc.id;
    CollectionRow row;
    return st.find_collection(sc.name, row) ? row.id : 0;
}

void events_record(std::string_view scope, uint64_t scope_id,
                   std::vector<std::pair<uint64_t, std::string>>& jobs) {
    if (jobs.empty()) return;
    // An emit is no change (ThingsDB: tdb_query_ro may emit), but it is sent at commit, which
    // takes a change id and notifies: neither is possible in a read-only transaction or on
    // a hot standby.
    for (const auto& job : jobs) {
        if (!(job.first & kRoomJob)) continue;
        std::string why = read_only_reason();
        if (!why.empty()) raise(OPERATION_ERR, "the query emits an event but " + why);
        break;
    }
    SubTransactionId sub = InvalidSubTransactionId;
    pg_call([&] { sub = GetCurrentSubTransactionId(); });
    Scope sc = parse_scope(scope);
    std::string coll = sc.kind == Scope::COLLECTION ? sc.name : std::string();
    pending.reserve(pending.size() + jobs.size());
    for (auto& job : jobs) {
        uint64_t id = job.first;
        if (id & kRoomJob)
            pending_rooms.push_back(
                {id & ~kRoomJob, sub, scope_id, std::string(scope), std::move(job.second)});
        else
            pending.push_back({id, sub, id == 0 ? 0 : scope_id, id == 0 ? std::string() : coll,
                               std::move(job.second)});
    }
    jobs.clear();
}

}  // namespace tdb::pg
