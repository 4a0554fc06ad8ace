// PgStorage: the core's Storage interface on the tables of schema thingsdb. Its methods are
// defined by topic: things.cpp (snapshot, things, collections), procedures.cpp, types.cpp,
// users.cpp; rows of things are read and written by heap_read.cpp and heap_write.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/api/storage.h"
#include "pg/storage/rerun.h"

namespace tdb::pg {

// Lives for one entry-point call, between its SPI_connect and SPI_finish
// (entry.h). The prepared plans are kept for the whole backend (plans.h).
//
// One snapshot for the call: taken at its first read (registered, so the
// rows it sees stay), used by every read of things and every statement of
// the call with the command id moved to the latest, so the call sees its own
// writes and, of other transactions, what had committed when it began: a
// list and the things in it are read as of one moment. A lock the call waits
// for (lock_collection, renew_snapshot) starts a new one: what the other
// holder committed is then seen.
class PgStorage final : public Storage {
public:
    PgStorage();
    ~PgStorage() override;  // no PostgreSQL call: an abort releases the snapshot
    PgStorage(const PgStorage&) = delete;
    PgStorage& operator=(const PgStorage&) = delete;
    // Releases the snapshot; call it on success, before SPI_finish.
    void finish();
    // The next read takes a new snapshot (after waiting for a lock).
    void renew_snapshot();
    // A call that runs again: the locks of its last attempts first (rerun.h).
    void take_locks_ahead();
    // A call that changes nothing: it does not wait for a mod_type (lock_collection).
    void set_reader(bool on = true) override {
        if (!on && unattempted_) throw WriterSignal();
        reader_ = on;
    }
    bool reader() const { return reader_; }
    // A reader without the subtransaction of an attempt (entry.h, Writes::PREDICTED): the
    // core turns every run that would change data into a writer first (set_reader(false)),
    // which throws WriterSignal here, before anything is written.
    void set_unattempted() {
        reader_ = true;
        unattempted_ = true;
    }
    // The running call's snapshot, taken on first use; nullptr outside a
    // call. Inside pg_call only (it may ereport).
    static void* current_snapshot();

    bool load_thing(uint64_t coll, uint64_t id, StoredThing& out) override;
    void load_things(uint64_t coll, const std::vector<uint64_t>& ids,
                     std::vector<StoredThing>& out) override;
    uint64_t new_thing_id() override;
    std::vector<uint64_t> write_things(uint64_t coll, const std::vector<ThingWrite>& w) override;
    PropsEncoder* props_encoder() override;  // Props written as jsonb, no JSON text
    DroppedThings write_and_drop(uint64_t coll, const std::vector<ThingWrite>& w,
                                 const std::vector<RefChange>& refs,
                                 const HeldThings* keep = nullptr) override;
    void lock_collection(uint64_t coll, bool exclusive) override;
    std::vector<StoredThing> delete_things(uint64_t coll,
                                           const std::vector<uint64_t>& ids) override;
    int64_t count_things(uint64_t coll) override;

    std::vector<CollectionRow> collections() override;
    bool find_collection(std::string_view name, CollectionRow& out) override;
    bool find_collection_by_id(uint64_t id, CollectionRow& out) override;
    CollectionRow create_collection(std::string_view name) override;
    void delete_collection(uint64_t id) override;
    void rename_collection(uint64_t id, std::string_view name) override;
    void set_collection_time_zone(uint64_t id, std::string_view tz) override;

    // ---- procedures: procedures.cpp ----
    bool find_procedure(uint64_t scope_id, std::string_view name, ProcedureRow& out) override;
    std::vector<ProcedureRow> procedures(uint64_t scope_id) override;
    void insert_procedure(const ProcedureRow& row) override;
    void update_procedure(const ProcedureRow& row) override;
    void rename_procedure(uint64_t scope_id, std::string_view name,
                          std::string_view new_name) override;
    void delete_procedure(uint64_t scope_id, std::string_view name) override;
    uint64_t procedures_epoch() override;

    // ---- tasks: tasks.cpp ----
    std::vector<TaskRow> tasks(uint64_t scope_id) override;
    bool find_task(uint64_t scope_id, uint64_t id, TaskRow& out) override;
    void save_task(const TaskRow& row) override;
    void delete_task(uint64_t scope_id, uint64_t id) override;
    // Locks the row of one task due at `now` that no other transaction has locked (FOR
    // UPDATE SKIP LOCKED); false when there is none.
    bool lock_due_task(int64_t now, uint64_t& scope_id, uint64_t& id);

    // ---- users, tokens and access: users.cpp ----
    std::vector<UserRow> users() override;
    bool find_user(std::string_view name, UserRow& out) override;
    bool find_user_by_id(uint64_t id, UserRow& out) override;
    UserRow create_user(std::string_view name) override;
    void delete_user(uint64_t id) override;
    void rename_user(uint64_t id, std::string_view name) override;
    std::vector<TokenRow> tokens(uint64_t user_id) override;
    std::string create_token(uint64_t user_id, int64_t expiration,
                             std::string_view description) override;
    bool find_token(std::string_view key, uint64_t& user_id, int64_t& expiration) override;
    void delete_token(std::string_view key) override;
    void delete_expired_tokens(int64_t now) override;
    uint32_t access_mask(uint64_t scope_id, uint64_t user_id) override;
    void set_access(uint64_t scope_id, uint64_t user_id, uint32_t mask) override;
    std::vector<AccessRow> user_access(uint64_t user_id) override;

    // ---- types and enums: types.cpp ----
    std::vector<CatalogRow> load_types(uint64_t coll) override;
    void save_type(uint64_t coll, const CatalogRow& row) override;
    void delete_type(uint64_t coll, uint32_t type_id) override;
    std::vector<CatalogRow> load_enums(uint64_t coll) override;
    void save_enum(uint64_t coll, const CatalogRow& row) override;
    void delete_enum(uint64_t coll, uint32_t enum_id) override;
    std::vector<uint64_t> things_of_type(uint64_t coll, uint32_t type_id) override;
    void set_type_index(uint64_t coll, uint32_t type_id, bool on) override;
    bool enum_member_used(uint64_t coll, uint32_t enum_id, uint32_t mid) override;
    uint64_t catalog_epoch() override;

    bool find_room(uint64_t coll, uint64_t id, RoomRow& out) override;  // rooms.cpp
    bool find_room_by_name(uint64_t coll, std::string_view name, RoomRow& out) override;
    void set_room_name(uint64_t coll, uint64_t id, std::string_view name) override;
    std::vector<uint64_t> write_rooms(uint64_t coll, const std::vector<RoomWrite>& w) override;

    void log(std::string_view msg) override;  // function library
    void set_collection_default_deep(uint64_t id, int deep) override;
    uint64_t next_free_id() override;   // function library
    int64_t transaction_id() override;  // function library
    void check_interrupts() override;
    double now() override;

private:
    void* snapshot_ = nullptr;    // Snapshot, registered with the call's resource owner
    PgStorage* outer_ = nullptr;  // a call running inside another one (a trigger)
    bool finished_ = false;
    bool reader_ = false;
    bool unattempted_ = false;
    bool caches_were_off_ = false;  // set_caches_off (epochs.h) before this call turned it on
    bool turned_caches_off_ = false;
    void restore_caches();
    // write_things of w and of the changes of counts `refs`; with dropped, the rows left
    // unreferenced are deleted (update_direct) and returned there, unless the table has
    // triggers (*by_statements set, the ids returned).
    std::vector<uint64_t> write_rows(uint64_t coll, const std::vector<ThingWrite>& w,
                                     const std::vector<RefChange>* refs, DroppedThings* dropped,
                                     bool* by_statements = nullptr);
    bool key_share_collection(uint64_t coll, bool nowait = false);
    // Before a row that belongs to a collection (a Type, an enum, a room) is inserted: the
    // collection's row FOR KEY SHARE, in the lock order of write_things; lookup_err when the
    // collection is gone. The tables have no foreign keys (pg_restore -j, install script).
    void key_share_owner_collection(uint64_t coll);
    // The same for a row that belongs to a user (a token, a right).
    void key_share_owner_user(uint64_t user_id);
    uint32_t access_mask_uncached(uint64_t scope_id, uint64_t user_id);
    bool find_collection_uncached(bool by_name, std::string_view name, uint64_t id,
                                  CollectionRow& out);
    // Ids taken from the sequence but not handed out yet (ascending, used from
    // the back). Refilled in growing batches; unused ones become gaps.
    std::vector<uint64_t> id_pool_;
    int id_batch_ = 1;
};

// A token's user and expiration by the SHA-256 of its key (users.cpp; cached, see
// catalog_cache.h); false for no such token.
bool find_token_by_hash(const std::string& hash, uint64_t& user_id, int64_t& expiration);

}  // namespace tdb::pg
