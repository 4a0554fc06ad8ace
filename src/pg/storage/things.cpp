// PgStorage: the call's snapshot, things (their ids, writes, deletes, the collection lock) and
// collections in the tables of schema thingsdb. Rows of things are read and updated by
// heap_read.cpp and heap_write.cpp; every statement is a plan of plans.cpp.
//
// Every PostgreSQL call runs inside pg_call (bridge.h): its lambdas hold no C++ objects of
// their own, they only fill objects owned by the caller.
#include "core/api/codec.h"
#include "core/api/error.h"

#include "pg/storage/things.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "pg/bridge.h"
#include "pg/storage/catalog_cache.h"
#include "pg/storage/epochs.h"
#include "pg/storage/jsonb.h"
#include "pg/storage/plans.h"
#include "pg/storage/rerun.h"
#include "pg/storage/thing_rows.h"
#include "pg/watches.h"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
}

namespace tdb::pg {

// ---- the call's snapshot (things.h) ----------------------------------------

namespace {
PgStorage* current_storage = nullptr;
}  // namespace

PgStorage::PgStorage() : outer_(current_storage) { current_storage = this; }

PgStorage::~PgStorage() {
    // Without finish() an error is on its way: the abort of the
    // (sub)transaction releases what the resource owner holds.
    if (current_storage == this) current_storage = outer_;
    restore_caches();
}

void PgStorage::restore_caches() {
    if (!turned_caches_off_) return;
    turned_caches_off_ = false;
    set_caches_off(caches_were_off_);
}

void* PgStorage::current_snapshot() {
    PgStorage* st = current_storage;
    if (!st) return nullptr;
    if (!st->snapshot_) {
        CommandCounterIncrement();  // the snapshot sees this call's writes so far
        st->snapshot_ = RegisterSnapshot(GetTransactionSnapshot());
    }
    return st->snapshot_;
}

Snapshot query_snapshot() { return static_cast<Snapshot>(PgStorage::current_snapshot()); }

void PgStorage::renew_snapshot() {
    cache_take_in_again();  // what the lock's holder committed, also for the caches
    if (!snapshot_) return;
    Snapshot snap = static_cast<Snapshot>(snapshot_);
    snapshot_ = nullptr;
    pg_call([&] { UnregisterSnapshot(snap); });
}

void PgStorage::finish() {
    if (finished_) return;
    finished_ = true;
    renew_snapshot();
    restore_caches();
    if (current_storage == this) current_storage = outer_;
}

namespace {

void read_collection(uint64 row, CollectionRow& out) {
    out.id = static_cast<uint64_t>(get_int8(row, 1));
    assign_text(out.name, row, 2);
    out.created_at = get_int8(row, 3);
    assign_text(out.time_zone, row, 4);
    out.default_deep = get_int4(row, 5);
}

}  // namespace

bool PgStorage::load_thing(uint64_t coll, uint64_t id, StoredThing& out) {
    std::vector<uint64_t> ids{id};
    std::vector<StoredThing> rows;
    read_things(coll, ids, rows);
    if (rows.empty()) return false;
    out = std::move(rows[0]);
    return true;
}

// The read-ahead of Collection::load, many things in one go.
void PgStorage::load_things(uint64_t coll, const std::vector<uint64_t>& ids,
                            std::vector<StoredThing>& out) {
    if (ids.empty()) return;
    std::vector<uint64_t> sorted(ids);
    read_things(coll, sorted, out);
}

// Ids come from thingsdb.thing_id_seq in batches that double within one call
// (1, 2, 4, ... 1024), so a query that creates many things needs few round
// trips while a small query wastes no more than it uses. Ids left over at
// the end of the call are never used: gaps in the sequence, as with any
// PostgreSQL sequence. The pool is not kept across calls, because the
// sequence may be reset (DROP/CREATE EXTENSION) in between.
uint64_t PgStorage::new_thing_id() {
    if (id_pool_.empty()) {
        int n = id_batch_;
        id_batch_ = std::min(id_batch_ * 2, 1024);
        id_pool_.reserve(n);
        // nextval without a statement (nextval_internal checks the rights and the read-only
        // transaction as nextval() does); the pool has room, so the loop allocates nothing.
        // The rights are checked by the first call of the batch: the rest run for the same
        // user in the same moment, and the check was a quarter of each call.
        pg_call([&] {
            Oid seq = get_relname_relid("thing_id_seq", get_namespace_oid("thingsdb", false));
            if (!OidIsValid(seq))
                elog(ERROR, "thingsdb: sequence thingsdb.thing_id_seq is missing");
            for (int i = 0; i < n; i++)
                id_pool_.push_back(static_cast<uint64_t>(nextval_internal(seq, i == 0)));
        });
        // Hand out the smallest first: keep the pool sorted descending.
        std::sort(id_pool_.begin(), id_pool_.end(), std::greater<uint64_t>());
        if (id_pool_.empty()) throw std::runtime_error("thing_id_seq returned no ids");
    }
    uint64_t id = id_pool_.back();
    id_pool_.pop_back();
    return id;
}

// Before things are inserted into a collection its row is locked FOR KEY
// SHARE, as the check of a foreign key would for each row: a concurrent
// del_collection waits for this transaction, and one that committed before
// leaves no row (the insert is refused). Once per collection and
// subtransaction: a lock taken in a subtransaction that rolls back is gone.
// nowait: the row is not waited for (the wait would break the lock order);
// the call runs again, the row locked first (take_locks_ahead).
bool PgStorage::key_share_collection(uint64_t coll, bool nowait) {
    static uint64_t locked_coll = 0;
    static TransactionId locked_xid = InvalidTransactionId;
    static SubTransactionId locked_sub = InvalidSubTransactionId;
    bool found = true;
    try {
        pg_call([&] {
            TransactionId xid = GetTopTransactionIdIfAny();
            SubTransactionId sub = GetCurrentSubTransactionId();
            if (locked_coll == coll && TransactionIdIsValid(xid) && xid == locked_xid &&
                sub == locked_sub)
                return;
            Datum args[1] = {Int64GetDatum(static_cast<int64>(coll))};
            found =
                exec_plan(nowait ? Plan::KEY_SHARE_COLLECTION_NOWAIT : Plan::KEY_SHARE_COLLECTION,
                          args) == 1;
            SPI_freetuptable(SPI_tuptable);
            if (found) {
                locked_coll = coll;
                locked_xid = GetTopTransactionId();  // the row lock gave it one
                locked_sub = sub;
            }
        });
    } catch (const PgError& e) {
        if (nowait && e.edata() && e.edata()->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE) {
            rerun_key_shared(coll);  // the next attempt takes it first
            throw RerunSignal();
        }
        throw;
    }
    if (found) rerun_key_shared(coll);
    return found;
}

void PgStorage::key_share_owner_collection(uint64_t coll) {
    bool rows_held = rerun_active() && rerun_rows_taken();
    if (!key_share_collection(coll, rows_held))
        raisef(LOOKUP_ERR, "`collection:%llu` not found", static_cast<unsigned long long>(coll));
}

std::vector<uint64_t> PgStorage::write_things(uint64_t coll, const std::vector<ThingWrite>& w) {
    return write_rows(coll, w, nullptr, nullptr);
}

// The unreferenced rows are deleted by update_direct as it meets them. A table with triggers
// gets the statements instead: the updates, then one DELETE of the rows left unreferenced.
DroppedThings PgStorage::write_and_drop(uint64_t coll, const std::vector<ThingWrite>& w,
                                        const std::vector<RefChange>& refs,
                                        const HeldThings* keep) {
    DroppedThings dropped;
    dropped.keep = keep;
    bool by_statements = false;
    std::vector<uint64_t> zero = write_rows(coll, w, &refs, &dropped, &by_statements);
    if (!by_statements) return dropped;
    std::erase(zero, coll);
    for (const StoredThing& t : delete_things(coll, zero)) dropped.add(t);
    return dropped;
}

std::vector<uint64_t> PgStorage::write_rows(uint64_t coll, const std::vector<ThingWrite>& w,
                                            const std::vector<RefChange>* refs,
                                            DroppedThings* dropped, bool* by_statements) {
    // Every change became a writer before it wrote (set_reader): a reader without attempts
    // that gets here runs again in attempts, before it writes a row.
    if (unattempted_ && (!w.empty() || (refs && !refs->empty()))) throw WriterSignal();
    // The inserts for one statement, the updates for update_direct; built
    // here, outside pg_call, so the lambda only reads them.
    InsertRows ins;
    std::vector<UpdateRow> upd_rows;
    size_t n_new = 0;
    for (const ThingWrite& t : w) n_new += t.is_new;
    upd_rows.reserve(w.size() - n_new + (refs ? refs->size() : 0));
    ins.id.reserve(n_new);
    ins.type.reserve(n_new);
    ins.refs.reserve(n_new);
    ins.props.reserve(n_new);
    for (const ThingWrite& t : w) {
        if (t.is_new) {
            ins.id.push_back(static_cast<int64>(t.id));
            ins.type.push_back(t.type_id);
            ins.refs.push_back(t.refs_delta);
            ins.props.push_back(t.props);
        } else if (t.props_changed) {
            upd_rows.push_back(UpdateRow::make(static_cast<int64>(t.id), t.refs_delta, &t, true));
        } else if (t.refs_delta != 0) {
            upd_rows.push_back(
                UpdateRow::make(static_cast<int64>(t.id), t.refs_delta, nullptr, true));
        }
    }
    auto by_id = [](const UpdateRow& a, const UpdateRow& b) { return a.id < b.id; };
    std::sort(upd_rows.begin(), upd_rows.end(), by_id);
    size_t n_written = upd_rows.size();
    if (refs)
        for (const RefChange& r : *refs)
            if (r.delta != 0)
                upd_rows.push_back(
                    UpdateRow::make(static_cast<int64>(r.id), r.delta, nullptr, true));
    // The counts come sorted from the core (Collection::flush): merged, not sorted again.
    auto counts = upd_rows.begin() + static_cast<std::ptrdiff_t>(n_written);
    if (!std::is_sorted(counts, upd_rows.end(), by_id)) std::sort(counts, upd_rows.end(), by_id);
    std::inplace_merge(upd_rows.begin(), counts, upd_rows.end(), by_id);

    // Rows are locked in the order of their ids, the same in every
    // transaction: two writers changing overlapping things (a list and its
    // items) wait for each other instead of deadlocking. A call that can run
    // again waits only for rows above every row it locked before (rerun.h); a
    // later round (the things a deletion released) that meets a row below is
    // not waited for: the call runs again with all of them locked first.
    bool rerun = rerun_active();
    bool rows_held = rerun && rerun_rows_taken();
    if (rerun) {
        for (UpdateRow& u : upd_rows) u.set_may_wait(rerun_may_wait(coll, u.id));
        for (const UpdateRow& u : upd_rows) {
            rerun_took(coll, u.id);
            rerun_wrote(coll, u.id);
        }
    }

    // The collection's row comes before the rows of its things (the global order, rerun.h:
    // a del_collection locks it and then every thing): with rows locked already, no wait.
    if (!ins.id.empty() && !key_share_collection(coll, rows_held))
        raisef(LOOKUP_ERR, "`collection:%llu` not found", static_cast<unsigned long long>(coll));

    std::vector<uint64_t> unreferenced;
    if (dropped) {
        dropped->rows.reserve(dropped->rows.size() + upd_rows.size());
        dropped->bytes.reserve(dropped->bytes.size() + upd_rows.size() * 32);
    }
    MemoryContext tmp = nullptr;  // for the jsonb of one thing at a time
    DirectResult direct = DIRECT_DONE;
    pg_call([&] {
        tmp = AllocSetContextCreate(CurrentMemoryContext, "thingsdb props jsonb",
                                    ALLOCSET_DEFAULT_SIZES);
        if (!ins.id.empty() && !insert_direct(coll, ins, tmp)) {
            int n = static_cast<int>(ins.id.size());
            Datum args[5] = {Int64GetDatum(coll), int8_array(ins.id.data(), n),
                             type_array(ins.type.data(), n), int8_array(ins.refs.data(), n),
                             jsonb_array(ins.props.data(), n, tmp)};
            exec_plan(Plan::INSERT_THINGS, args);
            for (int i = 1; i < 5; i++) pfree(DatumGetPointer(args[i]));
        }
        if (!upd_rows.empty()) direct = update_direct(coll, upd_rows, unreferenced, tmp, dropped);
        if (direct != DIRECT_TRIGGERS) MemoryContextDelete(tmp);
    });
    if (direct == DIRECT_BLOCKED) throw RerunSignal();
    if (direct == DIRECT_TRIGGERS) {
        if (by_statements) *by_statements = true;
        // The table has triggers: the statements' arguments are built here, outside pg_call.
        StatementUpdates s;
        split_updates(upd_rows, s);
        pg_call([&] {
            update_by_statements(coll, s, unreferenced, tmp);
            MemoryContextDelete(tmp);
        });
    }
    return unreferenced;
}

PropsEncoder* PgStorage::props_encoder() { return jsonb_stream_encoder(); }

// The collection lock: a transaction-level lock of the user lock method
// (as pg_advisory_xact_lock), with its own tag (the fourth field 3; SQL's
// advisory locks use 1 and 2, so they never meet it). Shown in pg_locks as
// locktype 'advisory', objsubid 3, classid and objid the high and low 32 bits
// of the collection id. A lock wait obeys lock_timeout and statement_timeout
// and joins deadlock detection.
//
// Taking it exclusive while this call holds it shared (a query's open, then its
// mod_type) waits for the other holders, and two calls doing so wait for each
// other: a deadlock. A call that can run again (rerun.h) and took the shared
// lock itself does not wait then: it ends, and its next attempt takes the lock
// exclusive before anything else. A lock held since an earlier statement of
// the transaction cannot be given back: that wait stays.
//
// A call that changes nothing (set_reader) does not wait for a mod_type, whose
// transaction may go on long after its statement: when the shared lock is not
// free it goes on without it, reading the collection as of its own snapshot —
// the Type definitions too, from the tables and not from the caches, which may
// hold newer ones once the mod_type commits.
void PgStorage::lock_collection(uint64_t coll, bool exclusive) {
    bool rerun = rerun_active();
    bool try_only =
        (exclusive && rerun && rerun_shared_by_attempt(coll)) || (!exclusive && reader_);
    bool held_before = false;
    bool not_available = false;
    pg_call([&] {
        LOCKTAG tag;
        SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, static_cast<uint32>(coll >> 32),
                             static_cast<uint32>(coll), 3);
        held_before = LockHeldByMe(&tag, ShareLock) || LockHeldByMe(&tag, ExclusiveLock);
        LOCKMODE mode = exclusive ? ExclusiveLock : ShareLock;
        if (try_only && !LockHeldByMe(&tag, ExclusiveLock))
            not_available = LockAcquire(&tag, mode, false, true) == LOCKACQUIRE_NOT_AVAIL;
        else
            (void)LockAcquire(&tag, mode, false, false);
    });
    if (not_available && !exclusive) {
        if (!turned_caches_off_) {
            caches_were_off_ = caches_off();
            turned_caches_off_ = true;
            set_caches_off(true);
        }
        renew_snapshot();
        return;
    }
    if (rerun && exclusive) rerun_taken().exclusive.push_back(coll);
    if (not_available) throw RerunSignal();
    if (rerun && !exclusive && !held_before) rerun_shared_taken(coll);
    // The wait may have let the lock's holder commit (mod_type migrating
    // instances): reads from here on see it.
    renew_snapshot();
}

// The first step of a call's next attempt (rerun.h), or of its first when its key is hot: the
// locks the last attempts took or wanted, in the global order (collections, the collection's
// row when things were inserted, then rows by collection and id), before any read, so the
// attempt reads the newest committed rows and no other writer changes them until the
// transaction ends.
void PgStorage::take_locks_ahead() {
    RerunLocks& ahead = rerun_ahead();
    if (ahead.exclusive.empty() && ahead.rows.empty() && ahead.key_share.empty()) return;
    std::vector<uint64_t> colls(ahead.exclusive);
    for (const auto& row : ahead.rows) colls.push_back(row.first);
    for (uint64_t c : ahead.key_share) colls.push_back(c);
    std::sort(colls.begin(), colls.end());
    colls.erase(std::unique(colls.begin(), colls.end()), colls.end());
    for (uint64_t c : colls) {
        bool exclusive =
            std::find(ahead.exclusive.begin(), ahead.exclusive.end(), c) != ahead.exclusive.end();
        lock_collection(c, exclusive);
    }
    size_t at = 0;
    for (uint64_t coll : colls) {
        // Before its things, as write_things: only when an attempt inserted things (a
        // collection row that many calls key-share becomes a MultiXact, which costs).
        if (std::binary_search(ahead.key_share.begin(), ahead.key_share.end(), coll))
            (void)key_share_collection(coll);
        std::vector<int64> ids;
        for (; at < ahead.rows.size() && ahead.rows[at].first == coll; ++at) {
            ids.push_back(ahead.rows[at].second);
            rerun_took(coll, ahead.rows[at].second);
        }
        if (ids.empty()) continue;
        bool waited = false;
        pg_call([&] { waited = lock_direct(coll, ids); });
        if (waited) rerun_lock_waited();
    }
    renew_snapshot();
}

std::vector<StoredThing> PgStorage::delete_things(uint64_t coll, const std::vector<uint64_t>& ids) {
    std::vector<StoredThing> deleted;
    if (ids.empty()) return deleted;
    pg_call([&] {
        int n = static_cast<int>(ids.size());
        Datum args[2] = {Int64GetDatum(coll),
                         int8_array(reinterpret_cast<const int64*>(ids.data()), n)};
        uint64 got = exec_plan(Plan::DELETE_THINGS, args);
        pfree(DatumGetPointer(args[1]));
        deleted.resize(got);
        for (uint64 i = 0; i < got; i++) {
            bool isnull;
            StoredThing& t = deleted[i];
            t.id = static_cast<uint64_t>(get_int8(i, 1));
            int32 type_id = get_int4(i, 2, &isnull);
            t.type_id = isnull ? kNoType : static_cast<uint32_t>(type_id);
            t.version = get_int8(i, 3);
            assign_text(t.props_json, i, 4);
        }
        SPI_freetuptable(SPI_tuptable);
    });
    return deleted;
}

int64_t PgStorage::count_things(uint64_t coll) {
    int64_t count = 0;
    pg_call([&] {
        Datum args[1] = {Int64GetDatum(coll)};
        if (exec_plan(Plan::COUNT_THINGS, args) == 1) count = get_int8(0, 1);
        SPI_freetuptable(SPI_tuptable);
    });
    return count;
}

std::vector<CollectionRow> PgStorage::collections() {
    std::vector<CollectionRow> rows;
    pg_call([&] {
        uint64 got = exec_plan(Plan::LIST_COLLECTIONS, nullptr);
        rows.resize(got);
        for (uint64 i = 0; i < got; i++) read_collection(i, rows[i]);
        SPI_freetuptable(SPI_tuptable);
    });
    return rows;
}

// Every call looks its collection up by name: the rows are kept in the
// per-backend cache (catalog_cache.h), so a warm call runs no SQL
// for it. Only rows that exist are cached.
bool PgStorage::find_collection(std::string_view name, CollectionRow& out) {
    CatalogCache* c = catalog_cache();
    std::string key(name);
    if (c) {
        auto it = c->coll_by_name.find(key);
        if (it != c->coll_by_name.end()) {
            out = it->second;
            return true;
        }
    }
    uint64_t stamp = catalog_cache_stamp();
    if (!find_collection_uncached(true, name, 0, out)) return false;
    if (c && catalog_cache_still(stamp)) {
        c->coll_by_name[key] = out;
        c->coll_by_id[out.id] = out;
    }
    return true;
}

bool PgStorage::find_collection_by_id(uint64_t id, CollectionRow& out) {
    CatalogCache* c = catalog_cache();
    if (c) {
        auto it = c->coll_by_id.find(id);
        if (it != c->coll_by_id.end()) {
            out = it->second;
            return true;
        }
    }
    uint64_t stamp = catalog_cache_stamp();
    if (!find_collection_uncached(false, {}, id, out)) return false;
    if (c && catalog_cache_still(stamp)) {
        c->coll_by_name[out.name] = out;
        c->coll_by_id[id] = out;
    }
    return true;
}

bool PgStorage::find_collection_uncached(bool by_name, std::string_view name, uint64_t id,
                                         CollectionRow& out) {
    bool found = false;
    pg_call([&] {
        Datum args[1] = {by_name ? text_datum(name) : Int64GetDatum(id)};
        if (exec_plan(by_name ? Plan::COLLECTION_BY_NAME : Plan::COLLECTION_BY_ID, args) == 1) {
            read_collection(0, out);
            found = true;
        }
        if (by_name) pfree(DatumGetPointer(args[0]));
        SPI_freetuptable(SPI_tuptable);
    });
    return found;
}

CollectionRow PgStorage::create_collection(std::string_view name) {
    catalog_cache_flush();  // at once; the trigger tells the other backends
    uint64_t id = new_thing_id();
    int64_t created_at = static_cast<int64_t>(now());
    CollectionRow row;
    write_unique_name([&] {
        Datum args[3] = {Int64GetDatum(id), text_datum(name), Int64GetDatum(created_at)};
        if (exec_plan(Plan::INSERT_COLLECTION, args) != 1)
            elog(ERROR, "thingsdb: could not create collection");
        read_collection(0, row);
        SPI_freetuptable(SPI_tuptable);
        pfree(DatumGetPointer(args[1]));
        Datum root[1] = {Int64GetDatum(id)};
        exec_plan(Plan::INSERT_ROOT, root);
    });
    return row;
}

void PgStorage::delete_collection(uint64_t id) {
    watches_rights_changed();
    catalog_cache_flush();  // at once; the trigger tells the other backends
    // The things go with it (ON DELETE CASCADE).
    pg_call([&] {
        Datum args[1] = {Int64GetDatum(id)};
        exec_plan(Plan::DELETE_COLLECTION, args);
    });
}

void PgStorage::rename_collection(uint64_t id, std::string_view name) {
    catalog_cache_flush();  // at once; the trigger tells the other backends
    write_unique_name([&] {
        Datum args[2] = {Int64GetDatum(id), text_datum(name)};
        exec_plan(Plan::RENAME_COLLECTION, args);
        pfree(DatumGetPointer(args[1]));
    });
}

// ---- datetime ----
void PgStorage::set_collection_time_zone(uint64_t id, std::string_view tz) {
    catalog_cache_flush();  // at once; the trigger tells the other backends
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(id), text_datum(tz)};
        exec_plan(Plan::SET_COLLECTION_TZ, args);
        pfree(DatumGetPointer(args[1]));
    });
}

// set_default_deep().
void PgStorage::set_collection_default_deep(uint64_t id, int deep) {
    catalog_cache_flush();  // at once; the trigger tells the other backends
    pg_call([&] {
        Datum args[2] = {Int64GetDatum(id), Int32GetDatum(deep)};
        exec_plan(Plan::SET_COLLECTION_DEEP, args);
    });
}

// collection_info()'s next_free_id: what
// nextval() of the thing id sequence would give now.
uint64_t PgStorage::next_free_id() {
    uint64_t id = 0;
    pg_call([&] {
        enter_spi();
        int rc = SPI_execute(
            "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END"
            " FROM thingsdb.thing_id_seq",
            true, 1);
        if (rc == SPI_OK_SELECT && SPI_processed == 1) id = static_cast<uint64_t>(get_int8(0, 1));
        SPI_freetuptable(SPI_tuptable);
    });
    return id;
}

// change_id(): the transaction's id, the same
// for every query of the transaction (one change).
int64_t PgStorage::transaction_id() {
    int64_t id = 0;
    pg_call([&] {
        enter_spi();
        int rc = SPI_execute("SELECT txid_current()", false, 1);
        if (rc == SPI_OK_SELECT && SPI_processed == 1) id = get_int8(0, 1);
        SPI_freetuptable(SPI_tuptable);
    });
    return id;
}

// log(): a NOTICE to the client.
void PgStorage::log(std::string_view msg) {
    pg_call([&] { ereport(NOTICE, (errmsg("%.*s", static_cast<int>(msg.size()), msg.data()))); });
}

void PgStorage::check_interrupts() {
    // Cheap test first: the guard costs a sigsetjmp.
    if (INTERRUPTS_PENDING_CONDITION()) pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

double PgStorage::now() {
    TimestampTz ts = GetCurrentTransactionStartTimestamp();
    return static_cast<double>(ts) / USECS_PER_SEC +
           static_cast<double>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
}

}  // namespace tdb::pg
