// Test helpers: run ThingsDB code against an in-memory storage.
#pragma once

#include <map>
#include <set>
#include <string>

#include "core/api/engine.h"
#include "core/api/error.h"
#include "core/api/storage.h"

// Storage kept in maps: what the PostgreSQL tables hold, without a server.
class MemStorage : public tdb::Storage {
public:
    MemStorage();
    struct Row {
        uint64_t coll;
        tdb::StoredThing thing;
        int64_t refs;
    };
    std::map<uint64_t, Row> things;
    std::map<uint64_t, tdb::CollectionRow> colls;
    uint64_t next_id = 1;
    int interrupts_after = -1;  // >= 0: throw a cancel after so many polls

    bool load_thing(uint64_t coll, uint64_t id, tdb::StoredThing& out) override;
    uint64_t new_thing_id() override { return next_id++; }
    std::vector<uint64_t> write_things(uint64_t coll,
                                       const std::vector<tdb::ThingWrite>& w) override;
    std::vector<tdb::StoredThing> delete_things(uint64_t coll,
                                                const std::vector<uint64_t>& ids) override;
    int64_t count_things(uint64_t coll) override;
    std::vector<tdb::CollectionRow> collections() override;
    bool find_collection(std::string_view name, tdb::CollectionRow& out) override;
    bool find_collection_by_id(uint64_t id, tdb::CollectionRow& out) override;
    tdb::CollectionRow create_collection(std::string_view name) override;
    void delete_collection(uint64_t id) override;
    void rename_collection(uint64_t id, std::string_view name) override;
    void check_interrupts() override;
    double clock = 1700000000.0;  // a fake clock (tasks' start times)
    double now() override { return clock; }
    // ---- function library ----
    void set_collection_default_deep(uint64_t id, int deep) override {
        colls[id].default_deep = deep;
    }
    uint64_t next_free_id() override { return next_id; }
    int64_t transaction_id() override { return 7770; }
    // ---- datetime ----
    void set_collection_time_zone(uint64_t id, std::string_view tz) override {
        colls[id].time_zone = std::string(tz);
    }

    // ---- types and enums: (collection, id) -> row ----
    std::map<std::pair<uint64_t, uint32_t>, tdb::CatalogRow> type_rows, enum_rows;
    std::vector<tdb::CatalogRow> load_types(uint64_t coll) override;
    void save_type(uint64_t coll, const tdb::CatalogRow& row) override {
        type_rows[{coll, row.id}] = row;
    }
    void delete_type(uint64_t coll, uint32_t id) override { type_rows.erase({coll, id}); }
    std::vector<tdb::CatalogRow> load_enums(uint64_t coll) override;
    void save_enum(uint64_t coll, const tdb::CatalogRow& row) override {
        enum_rows[{coll, row.id}] = row;
    }
    void delete_enum(uint64_t coll, uint32_t id) override { enum_rows.erase({coll, id}); }
    std::vector<uint64_t> things_of_type(uint64_t coll, uint32_t type_id) override;
    // ---- reliability: the collection locks taken ("S <coll>", "X <coll>"),
    // with "instances" for each read of a Type's instances, in order ----
    std::vector<std::string> lock_log;
    void lock_collection(uint64_t coll, bool exclusive) override {
        lock_log.push_back((exclusive ? "X " : "S ") + std::to_string(coll));
    }
    std::set<std::pair<uint64_t, uint32_t>> type_indexes;  // (collection, type_id) with an index
    void set_type_index(uint64_t coll, uint32_t type_id, bool on) override {
        if (on)
            type_indexes.insert({coll, type_id});
        else
            type_indexes.erase({coll, type_id});
    }
    bool enum_member_used(uint64_t coll, uint32_t enum_id, uint32_t mid) override;
    uint64_t catalog_epoch() override { return catalog_serial; }
    uint64_t catalog_serial = 0;

    // ---- procedures: keyed by (scope_id, name) ----
    std::map<std::pair<uint64_t, std::string>, tdb::ProcedureRow> procs;
    uint64_t procs_epoch;  // unique over all instances (see harness.cpp)
    bool find_procedure(uint64_t scope_id, std::string_view name, tdb::ProcedureRow& out) override;
    std::vector<tdb::ProcedureRow> procedures(uint64_t scope_id) override;
    void insert_procedure(const tdb::ProcedureRow& row) override;
    void update_procedure(const tdb::ProcedureRow& row) override;
    void rename_procedure(uint64_t scope_id, std::string_view name,
                          std::string_view new_name) override;
    void delete_procedure(uint64_t scope_id, std::string_view name) override;
    uint64_t procedures_epoch() override { return procs_epoch; }
    void bump_procs_epoch();
    int procedure_reads = 0;  // find_procedure calls (to test the cache)

    // ---- users, tokens and access; tokens keyed by their key ----
    struct MemToken {
        uint64_t user_id;
        tdb::TokenRow row;
    };
    std::map<uint64_t, tdb::UserRow> users_;
    std::map<std::string, MemToken> tokens_;
    std::map<std::pair<uint64_t, uint64_t>, uint32_t> access_;  // (scope, user) -> mask
    int token_serial = 0;
    std::vector<tdb::UserRow> users() override;
    bool find_user(std::string_view name, tdb::UserRow& out) override;
    bool find_user_by_id(uint64_t id, tdb::UserRow& out) override;
    tdb::UserRow create_user(std::string_view name) override;
    void delete_user(uint64_t id) override;
    void rename_user(uint64_t id, std::string_view name) override;
    std::vector<tdb::TokenRow> tokens(uint64_t user_id) override;
    std::string create_token(uint64_t user_id, int64_t expiration,
                             std::string_view description) override;
    bool find_token(std::string_view key, uint64_t& user_id, int64_t& expiration) override;
    void delete_token(std::string_view key) override;
    void delete_expired_tokens(int64_t now) override;
    uint32_t access_mask(uint64_t scope_id, uint64_t user_id) override;
    void set_access(uint64_t scope_id, uint64_t user_id, uint32_t mask) override;
    std::vector<tdb::AccessRow> user_access(uint64_t user_id) override;

    // ---- rooms: id -> row ----
    struct MemRoom {
        uint64_t coll;
        std::string name;
        int64_t refs;
    };
    std::map<uint64_t, MemRoom> rooms;
    bool find_room(uint64_t coll, uint64_t id, tdb::RoomRow& out) override;
    bool find_room_by_name(uint64_t coll, std::string_view name, tdb::RoomRow& out) override;
    void set_room_name(uint64_t coll, uint64_t id, std::string_view name) override;
    std::vector<uint64_t> write_rooms(uint64_t coll, const std::vector<tdb::RoomWrite>& w) override;
    // ---- tasks, keyed by (scope, id) ----
    std::map<std::pair<uint64_t, uint64_t>, tdb::TaskRow> tasks_;
    std::vector<tdb::TaskRow> tasks(uint64_t scope_id) override {
        std::vector<tdb::TaskRow> out;
        for (auto& [key, row] : tasks_)
            if (key.first == scope_id) out.push_back(row);
        return out;
    }
    bool find_task(uint64_t scope_id, uint64_t id, tdb::TaskRow& out) override {
        auto it = tasks_.find({scope_id, id});
        if (it == tasks_.end()) return false;
        out = it->second;
        return true;
    }
    void save_task(const tdb::TaskRow& row) override {
        auto key = std::make_pair(row.scope_id, row.id);
        if (row.is_new || tasks_.count(key)) tasks_[key] = row;
    }
    void delete_task(uint64_t scope_id, uint64_t id) override { tasks_.erase({scope_id, id}); }
};

// A fresh node with the collection `stuff` for each call of q()/qerr().
MemStorage& fresh_storage();
MemStorage& storage();  // the current one (for several queries in a row)

// s repeated n times (deep and long inputs).
inline std::string repeat(const std::string& s, int n) {
    std::string out;
    out.reserve(s.size() * n);
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

// Sets limits for one test and restores them afterwards.
struct LimitsScope {
    tdb::Limits saved = tdb::configured_limits();
    ~LimitsScope() { tdb::configured_limits() = saved; }
    tdb::Limits& operator*() { return tdb::configured_limits(); }
};

// Runs code (in a fresh node unless `keep`) and returns the JSON result.
std::string q(const std::string& code, const std::string& scope = "@:stuff", bool keep = false);
// Runs code on the current node without resetting it.
std::string qk(const std::string& code, const std::string& scope = "@:stuff");

// The number of interrupt checks `code` makes (on a fresh storage).
int interrupt_checks(const std::string& code);
// Runs `setup` and then `code`, with a cancel arriving at the first check after the ones
// `setup` makes alone: true when the cancel stopped the query.
bool cancelled_inside(const std::string& setup, const std::string& code);
// Expects a ThingsDB error and returns it (fails the test when none).
tdb::Error qerr(const std::string& code, const std::string& scope = "@:stuff", bool keep = false);

// The message without its documentation link ("; see https://docs...") when
// the expected text has none: the links are checked by test_doc_links.cpp.
std::string without_doc_link(const std::string& got, const std::string& expected);
// Expects a ThingsDB error of this kind and message from the code (see
// without_doc_link).
void expect_err(const std::string& code, int errcode, const std::string& msg,
                const std::string& scope = "@:stuff");
