// The storage interface: what the core needs from wherever things are kept.
// src/pg implements it on PostgreSQL tables; the unit tests in memory.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tdb {

constexpr uint32_t kNoType = 0xffffffffu;

class PropsBuilder;  // codec.h
class PropsEncoder;  // codec.h

// A storage that reads properties in a binary form hands them over
// as bytes with a decoder, which walks them into a PropsBuilder (no JSON
// text in between).
class PropsDecoder {
public:
    virtual ~PropsDecoder() = default;
    virtual void decode(std::string_view bin, PropsBuilder& b) const = 0;
};

// One thing as stored: its properties encoded as JSON (see codec.h), or in
// a binary form when `decoder` is set.
struct StoredThing {
    uint64_t id = 0;
    uint32_t type_id = kNoType;
    int64_t version = 0;
    std::string props_json;
    std::string props_bin;  // for decoder
    // Instead of props_bin: bytes inside `view_owner` (the rows of one read
    // share one buffer). The view is valid as long as the row, or a copy of
    // it, lives: decoding a row may read other rows (an enum member's thing,
    // a catalog) and no later read reuses a buffer a live row points into.
    std::string_view props_view;
    std::shared_ptr<const std::string> view_owner;
    const PropsDecoder* decoder = nullptr;
    std::string_view bin() const {
        return props_view.data() ? props_view : std::string_view(props_bin);
    }
};

// A change of a stored thing's count of references, its properties unchanged.
struct RefChange {
    uint64_t id = 0;
    int64_t delta = 0;
};

// What the caller of write_and_drop still holds: things it may read after the drop (a
// value of the query, a stub of its identity map). Asked while the storage deletes rows
// (inside its own calls): must not throw nor call back into the storage.
class HeldThings {
public:
    virtual bool held(uint64_t id) const noexcept = 0;

protected:
    ~HeldThings() = default;
};

// The things a write_and_drop deleted, each with the properties it held last. The
// properties of all of them lie back to back in one buffer: a drop of many things makes no
// allocation per thing. With `keep` set, a storage may leave out a deleted thing that holds
// no references and that keep->held() does not name: nothing would read what it held (a
// drop of many leaf things then keeps nothing per thing).
struct DroppedThings {
    const HeldThings* keep = nullptr;
    struct Row {
        uint64_t id = 0;
        uint32_t type_id = kNoType;
        int64_t version = 0;
        size_t off = 0;  // its properties: bytes[off, off + len)
        size_t len = 0;
        const PropsDecoder* decoder = nullptr;  // as StoredThing::decoder (nullptr: JSON text)
    };
    std::vector<Row> rows;
    std::string bytes;
    bool empty() const { return rows.empty(); }
    size_t size() const { return rows.size(); }
    void add(uint64_t id, uint32_t type_id, int64_t version, std::string_view props,
             const PropsDecoder* decoder) {
        rows.push_back({id, type_id, version, bytes.size(), props.size(), decoder});
        bytes.append(props);
    }
    void add(const StoredThing& t) {
        add(t.id, t.type_id, t.version, t.decoder ? t.bin() : std::string_view(t.props_json),
            t.decoder);
    }
    std::string_view props(size_t i) const {
        return std::string_view(bytes).substr(rows[i].off, rows[i].len);
    }
    // Row i as a StoredThing of its own (a copy of its properties).
    StoredThing thing(size_t i) const {
        StoredThing t;
        t.id = rows[i].id;
        t.type_id = rows[i].type_id;
        t.version = rows[i].version;
        t.decoder = rows[i].decoder;
        (t.decoder ? t.props_bin : t.props_json) = std::string(props(i));
        return t;
    }
};

// A write of one thing at the end of a query.
struct ThingWrite {
    uint64_t id = 0;
    uint32_t type_id = kNoType;
    bool is_new = false;         // insert (else update)
    bool props_changed = false;  // props is valid
    // The properties: JSON text, or the stream of the storage's props_encoder() when it has
    // one. The writer owns the bytes (Collection::flush keeps every write's in a few large
    // buffers: no allocation per thing); valid during the storage's call that gets the write.
    std::string_view props;
    int64_t version = 0;     // the version read; an update must match it
    int64_t refs_delta = 0;  // change of the count of stored references
};

// ---- Types and enums ----------------------------------------------
// One Type or enum of a collection's catalog; `def_json` is its definition
// as types.cpp writes it (fields or members, methods, flags).
struct CatalogRow {
    uint32_t id = 0;  // type_id or enum_id
    std::string name;
    int64_t created_at = 0;   // seconds since the epoch
    int64_t modified_at = 0;  // 0: never modified
    std::string def_json;
};

struct CollectionRow {
    uint64_t id = 0;  // the collection id is the id of its root thing
    std::string name;
    int64_t created_at = 0;  // seconds since the epoch
    std::string time_zone = "UTC";
    int default_deep = 1;
};

// ---- procedures ----
// One procedure as stored: its closure's source text. scope_id is the
// collection's id, or 0 for the @thingsdb scope.
struct ProcedureRow {
    uint64_t scope_id = 0;
    std::string name;
    std::string definition;
    int64_t created_at = 0;  // seconds since the epoch
};

// ---- users, tokens and access ----
// A ThingsDB user; its name is the PostgreSQL role it stands for.
struct UserRow {
    uint64_t id = 0;
    std::string name;
    int64_t created_at = 0;  // seconds since the epoch
};

// A token as stored: never its key, only a hint of it (its first characters).
struct TokenRow {
    std::string key_hint;
    int64_t created_at = 0;
    int64_t expiration = 0;  // seconds since the epoch; 0: never
    std::string description;
};

// ---- tasks ----
// One task as stored (ThingsDB's vtask). scope_id is the collection's id, or
// 0 for the @thingsdb scope; ids come from the thing ids, as in ThingsDB.
struct TaskRow {
    uint64_t scope_id = 0;
    uint64_t id = 0;
    int64_t run_at = 0;     // seconds since the epoch; 0: not scheduled
    uint64_t owner_id = 0;  // 0: an admin role that is no ThingsDB user
    std::string owner;      // the owner's name when the task was made or given
    std::string closure;    // the closure's source text
    std::string args_json;  // the arguments in the stored form of a property
    bool has_err = false;   // false: never ran, or ran without error
    int err_code = 0;
    std::string err_msg;
    // save_task: insert (else update an existing row: one deleted meanwhile, by a run or a
    // del() of another transaction, stays deleted).
    bool is_new = false;
};

// One access row: a user's mask on a scope (0: @thingsdb, else a collection).
struct AccessRow {
    uint64_t scope_id = 0;
    uint32_t mask = 0;
};

// ---- rooms (core/model/room.h) ----
struct RoomRow {
    uint64_t id = 0;
    std::string name;  // empty: none
};

// The change of one room at the end of a query: a new room is inserted with refs_delta
// references (not at all when that is not above 0), an existing one counts them in.
struct RoomWrite {
    uint64_t id = 0;
    bool is_new = false;
    std::string name;  // of a new room
    int64_t refs_delta = 0;
};

class Storage {
public:
    virtual ~Storage() = default;

    // Things of one collection.
    virtual bool load_thing(uint64_t coll, uint64_t id, StoredThing& out) = 0;
    virtual uint64_t new_thing_id() = 0;
    // Applies the writes; an update whose version no longer matches is a
    // conflict (the implementation raises a serialization failure). Returns
    // the ids of existing things whose reference count dropped to zero.
    virtual std::vector<uint64_t> write_things(uint64_t coll, const std::vector<ThingWrite>& w) = 0;
    // A storage that writes properties in a binary form returns an
    // encoder: the writes then carry its stream in props (no JSON text).
    virtual PropsEncoder* props_encoder() { return nullptr; }
    // Deletes the things and returns what they held (to release their refs).
    virtual std::vector<StoredThing> delete_things(uint64_t coll,
                                                   const std::vector<uint64_t>& ids) = 0;
    // write_things of w and of the changes of counts only in `refs` (ids not in w), and
    // every existing thing whose reference count ends at zero or below is deleted instead
    // of kept; the root (id == coll) never is. Returns the things deleted with the
    // properties they held last (for a thing written here: the ones written), whose
    // references the caller releases in turn. A storage may do it in one pass over the
    // rows (no update of a row it then deletes); this default writes, then deletes.
    // With `keep`, deleted things may be left out as DroppedThings::keep says.
    virtual DroppedThings write_and_drop(uint64_t coll, const std::vector<ThingWrite>& w,
                                         const std::vector<RefChange>& refs,
                                         const HeldThings* keep = nullptr) {
        (void)keep;
        std::vector<ThingWrite> all(w);
        for (const RefChange& r : refs) {
            ThingWrite t;
            t.id = r.id;
            t.refs_delta = r.delta;
            all.push_back(std::move(t));
        }
        std::vector<uint64_t> zero = write_things(coll, all);
        std::erase(zero, coll);
        DroppedThings out;
        if (!zero.empty())
            for (const StoredThing& t : delete_things(coll, zero)) out.add(t);
        return out;
    }
    virtual int64_t count_things(uint64_t coll) = 0;

    // Collections (the @thingsdb scope).
    virtual std::vector<CollectionRow> collections() = 0;
    virtual bool find_collection(std::string_view name, CollectionRow& out) = 0;
    virtual bool find_collection_by_id(uint64_t id, CollectionRow& out) = 0;
    // Creates the collection and its root thing (an empty thing, refs 1).
    virtual CollectionRow create_collection(std::string_view name) = 0;
    virtual void delete_collection(uint64_t id) = 0;
    virtual void rename_collection(uint64_t id, std::string_view name) = 0;

    // ---- procedures ----
    // Rows of thingsdb.procedures. The core checks for duplicates first.
    virtual bool find_procedure(uint64_t scope_id, std::string_view name, ProcedureRow& out) = 0;
    virtual std::vector<ProcedureRow> procedures(uint64_t scope_id) = 0;  // ordered by name
    virtual void insert_procedure(const ProcedureRow& row) = 0;
    virtual void update_procedure(const ProcedureRow& row) = 0;  // by scope and name
    virtual void rename_procedure(uint64_t scope_id, std::string_view name,
                                  std::string_view new_name) = 0;
    virtual void delete_procedure(uint64_t scope_id, std::string_view name) = 0;
    // A number that changes whenever a procedure row may have changed, in
    // this session or (once committed) in another one: the per-backend cache
    // of parsed closures stays valid while it stays the same. 0: no cache
    // (neither read nor filled), e.g. when reads see an older snapshot.
    virtual uint64_t procedures_epoch() = 0;

    // ---- Types and enums: the catalogs of a collection. Writes
    // go through at once (the transaction makes them atomic). The defaults
    // keep storages without catalogs compiling; MemStorage and PgStorage
    // implement them.
    virtual std::vector<CatalogRow> load_types(uint64_t /*coll*/) { return {}; }
    virtual void save_type(uint64_t /*coll*/, const CatalogRow& /*row*/) {}
    virtual void delete_type(uint64_t /*coll*/, uint32_t /*type_id*/) {}
    virtual std::vector<CatalogRow> load_enums(uint64_t /*coll*/) { return {}; }
    virtual void save_enum(uint64_t /*coll*/, const CatalogRow& /*row*/) {}
    virtual void delete_enum(uint64_t /*coll*/, uint32_t /*enum_id*/) {}
    // Ids of the stored things of a Type (for mod_type and type_count).
    virtual std::vector<uint64_t> things_of_type(uint64_t /*coll*/, uint32_t /*type_id*/) {
        return {};
    }
    // mod_type(.., 'idx', on): creates (if missing) or drops an index of the
    // stored instances of a type.
    virtual void set_type_index(uint64_t /*coll*/, uint32_t /*type_id*/, bool /*on*/) {}
    // Whether any stored thing of the collection holds enum member `mid` of
    // enum `enum_id` (mod_enum 'del').
    virtual bool enum_member_used(uint64_t /*coll*/, uint32_t /*enum_id*/, uint32_t /*mid*/) {
        return false;
    }
    // A number that changes whenever a type or enum row may have changed, in
    // this session or (once committed) another: the per-backend catalog cache
    // stays valid while it stays the same. 0: no cache (neither read nor
    // filled), e.g. when reads see an older snapshot.
    virtual uint64_t catalog_epoch() { return 0; }

    // ---- users, tokens and access. Token keys are generated and
    // hashed by the storage; only hashes are kept. The defaults raise, so a
    // storage without users still compiles; MemStorage and PgStorage
    // implement them.
    virtual std::vector<UserRow> users();  // ordered by id
    virtual bool find_user(std::string_view name, UserRow& out);
    virtual bool find_user_by_id(uint64_t id, UserRow& out);
    virtual UserRow create_user(std::string_view name);  // id from the thing ids
    virtual void delete_user(uint64_t id);               // with its tokens and rights
    virtual void rename_user(uint64_t id, std::string_view name);
    virtual std::vector<TokenRow> tokens(uint64_t user_id);  // ordered by creation
    // Stores a new token and returns its key (22 characters).
    virtual std::string create_token(uint64_t user_id, int64_t expiration,
                                     std::string_view description);
    // The user of a token key (false when there is none); expiration as stored.
    virtual bool find_token(std::string_view key, uint64_t& user_id, int64_t& expiration);
    virtual void delete_token(std::string_view key);
    virtual void delete_expired_tokens(int64_t now);
    virtual uint32_t access_mask(uint64_t scope_id, uint64_t user_id);
    virtual void set_access(uint64_t scope_id, uint64_t user_id, uint32_t mask);  // 0: no row
    virtual std::vector<AccessRow> user_access(uint64_t user_id);  // ordered by scope id

    // ---- tasks (thingsdb.tasks). The defaults raise, as for users.
    virtual std::vector<TaskRow> tasks(uint64_t scope_id);  // ordered by id
    virtual bool find_task(uint64_t scope_id, uint64_t id, TaskRow& out);
    virtual void save_task(const TaskRow& row);  // inserts or updates by scope and id (is_new)
    virtual void delete_task(uint64_t scope_id, uint64_t id);

    // ---- datetime: a collection's time zone (an IANA name).
    virtual void set_collection_time_zone(uint64_t id, std::string_view tz) = 0;

    // ---- function library: where log() writes (a NOTICE to the
    // client in PostgreSQL, as ThingsDB sends its log lines to the client).
    virtual void log(std::string_view msg) { (void)msg; }
    // set_default_deep(): a collection's default render depth (0..127).
    virtual void set_collection_default_deep(uint64_t id, int deep) = 0;
    // collection_info()'s next_free_id: the id the next new thing gets (one
    // sequence gives the ids of all collections).
    virtual uint64_t next_free_id() = 0;
    // change_id(): the number of the change a query is part of (PostgreSQL:
    // the transaction id).
    virtual int64_t transaction_id() = 0;

    // ---- performance: several things in one round trip (the
    // read-ahead of Collection::load). Fills `out` with the rows that exist,
    // in any order. The default reads them one by one.
    virtual void load_things(uint64_t coll, const std::vector<uint64_t>& ids,
                             std::vector<StoredThing>& out) {
        for (uint64_t id : ids) {
            StoredThing t;
            if (load_thing(coll, id, t)) out.push_back(std::move(t));
        }
    }

    // ---- reliability: a lock per collection, held to the end of the
    // transaction. Every query of a collection takes it shared at its first use
    // of the collection (Query::collection); mod_type takes it exclusive before it reads the
    // instances, so it waits for the queries running on the collection, new
    // ones wait for it, and it neither starves on serialization failures under
    // a flood of writes nor lets a writer store an instance of the old shape.
    virtual void lock_collection(uint64_t coll, bool exclusive) {
        (void)coll;
        (void)exclusive;
    }
    // Whether the call cannot change anything (its code has no side effects, or
    // it is read-only): such a call's shared lock does not wait for a mod_type
    // (lock_collection). Turned off again before the call's first change.
    virtual void set_reader(bool on) { (void)on; }

    // ---- rooms of a collection. The defaults keep storages without rooms compiling (they
    // store none); MemStorage and PgStorage implement them.
    virtual bool find_room(uint64_t /*coll*/, uint64_t /*id*/, RoomRow& /*out*/) { return false; }
    virtual bool find_room_by_name(uint64_t /*coll*/, std::string_view /*name*/, RoomRow& /*out*/) {
        return false;
    }
    // A stored room's name (empty: none); the core checks that no other room has it.
    virtual void set_room_name(uint64_t /*coll*/, uint64_t /*id*/, std::string_view /*name*/) {}
    // Applies the writes and deletes the rooms whose count of references dropped to zero;
    // returns their ids.
    virtual std::vector<uint64_t> write_rooms(uint64_t /*coll*/,
                                              const std::vector<RoomWrite>& /*w*/) {
        return {};
    }

    // Polls for cancel and statement_timeout; throws to abort the query.
    virtual void check_interrupts() = 0;
    // Seconds since the epoch (the transaction's time for PostgreSQL).
    virtual double now() = 0;
};

}  // namespace tdb
