// The in-memory storage behind the unit tests.
#include "harness.h"

#include <gtest/gtest.h>

#include <memory>

// Every test runs after the core's start-up, as every query in a backend
// runs after _PG_init.
class CoreEnvironment : public ::testing::Environment {
public:
    void SetUp() override { tdb::init_core(); }
};
static ::testing::Environment* const g_core_env =
    ::testing::AddGlobalTestEnvironment(new CoreEnvironment);

MemStorage::MemStorage() {
    bump_procs_epoch();
    create_collection("stuff");
}

// ---- procedures ----
// The epoch is unique over all instances, so a closure cached from one
// MemStorage is never taken for another's.
void MemStorage::bump_procs_epoch() {
    static uint64_t last = 0;
    procs_epoch = ++last;
}

bool MemStorage::find_procedure(uint64_t scope_id, std::string_view name, tdb::ProcedureRow& out) {
    ++procedure_reads;
    auto it = procs.find({scope_id, std::string(name)});
    if (it == procs.end()) return false;
    out = it->second;
    return true;
}

std::vector<tdb::ProcedureRow> MemStorage::procedures(uint64_t scope_id) {
    std::vector<tdb::ProcedureRow> out;
    for (auto& [key, row] : procs)
        if (key.first == scope_id) out.push_back(row);
    return out;
}

void MemStorage::insert_procedure(const tdb::ProcedureRow& row) {
    procs[{row.scope_id, row.name}] = row;
    bump_procs_epoch();
}

void MemStorage::update_procedure(const tdb::ProcedureRow& row) {
    procs[{row.scope_id, row.name}] = row;
    bump_procs_epoch();
}

void MemStorage::rename_procedure(uint64_t scope_id, std::string_view name,
                                  std::string_view new_name) {
    auto it = procs.find({scope_id, std::string(name)});
    if (it == procs.end()) return;
    tdb::ProcedureRow row = it->second;
    procs.erase(it);
    row.name = std::string(new_name);
    procs[{scope_id, row.name}] = row;
    bump_procs_epoch();
}

void MemStorage::delete_procedure(uint64_t scope_id, std::string_view name) {
    procs.erase({scope_id, std::string(name)});
    bump_procs_epoch();
}

bool MemStorage::load_thing(uint64_t coll, uint64_t id, tdb::StoredThing& out) {
    auto it = things.find(id);
    if (it == things.end() || it->second.coll != coll) return false;
    out = it->second.thing;
    return true;
}

std::vector<uint64_t> MemStorage::write_things(uint64_t coll,
                                               const std::vector<tdb::ThingWrite>& ws) {
    std::vector<uint64_t> zero;
    for (const auto& w : ws) {
        if (w.is_new) {
            Row r{coll, {w.id, w.type_id, 1, std::string(w.props)}, w.refs_delta};
            things[w.id] = r;
            continue;
        }
        auto it = things.find(w.id);
        if (it == things.end()) continue;
        Row& r = it->second;
        if (w.props_changed) {
            if (r.thing.version != w.version) throw std::runtime_error("serialization failure");
            r.thing.props_json = std::string(w.props);
            r.thing.type_id = w.type_id;
            r.thing.version += 1;
        }
        r.refs += w.refs_delta;
        if (r.refs <= 0) zero.push_back(w.id);
    }
    return zero;
}

bool MemStorage::find_room(uint64_t coll, uint64_t id, tdb::RoomRow& out) {
    auto it = rooms.find(id);
    if (it == rooms.end() || it->second.coll != coll) return false;
    out = {id, it->second.name};
    return true;
}

bool MemStorage::find_room_by_name(uint64_t coll, std::string_view name, tdb::RoomRow& out) {
    for (auto& [id, r] : rooms)
        if (r.coll == coll && !r.name.empty() && r.name == name) {
            out = {id, r.name};
            return true;
        }
    return false;
}

void MemStorage::set_room_name(uint64_t coll, uint64_t id, std::string_view name) {
    auto it = rooms.find(id);
    if (it != rooms.end() && it->second.coll == coll) it->second.name = std::string(name);
}

std::vector<uint64_t> MemStorage::write_rooms(uint64_t coll,
                                              const std::vector<tdb::RoomWrite>& ws) {
    std::vector<uint64_t> gone;
    for (const auto& w : ws) {
        if (w.is_new) {
            if (w.refs_delta > 0) rooms[w.id] = {coll, w.name, w.refs_delta};
            continue;
        }
        auto it = rooms.find(w.id);
        if (it == rooms.end() || it->second.coll != coll) continue;
        it->second.refs += w.refs_delta;
        if (it->second.refs <= 0) {
            rooms.erase(it);
            gone.push_back(w.id);
        }
    }
    return gone;
}

std::vector<tdb::StoredThing> MemStorage::delete_things(uint64_t coll,
                                                        const std::vector<uint64_t>& ids) {
    std::vector<tdb::StoredThing> out;
    for (uint64_t id : ids) {
        auto it = things.find(id);
        if (it == things.end() || it->second.coll != coll) continue;
        out.push_back(it->second.thing);
        things.erase(it);
    }
    return out;
}

int64_t MemStorage::count_things(uint64_t coll) {
    int64_t n = 0;
    for (auto& [id, r] : things) n += r.coll == coll;
    return n;
}

std::vector<tdb::CollectionRow> MemStorage::collections() {
    std::vector<tdb::CollectionRow> out;
    for (auto& [id, c] : colls) out.push_back(c);
    return out;
}

bool MemStorage::find_collection(std::string_view name, tdb::CollectionRow& out) {
    for (auto& [id, c] : colls) {
        if (c.name == name) {
            out = c;
            return true;
        }
    }
    return false;
}

bool MemStorage::find_collection_by_id(uint64_t id, tdb::CollectionRow& out) {
    auto it = colls.find(id);
    if (it == colls.end()) return false;
    out = it->second;
    return true;
}

tdb::CollectionRow MemStorage::create_collection(std::string_view name) {
    tdb::CollectionRow c;
    c.id = next_id++;
    c.name = std::string(name);
    c.created_at = 1700000000;
    colls[c.id] = c;
    things[c.id] = Row{c.id, {c.id, tdb::kNoType, 1, "{}"}, 1};
    return c;
}

void MemStorage::delete_collection(uint64_t id) {
    colls.erase(id);
    for (auto* m : {&type_rows, &enum_rows})  // ON DELETE CASCADE in SQL
        for (auto it = m->begin(); it != m->end();)
            it = it->first.first == id ? m->erase(it) : std::next(it);
    for (auto it = things.begin(); it != things.end();) {
        if (it->second.coll == id)
            it = things.erase(it);
        else
            ++it;
    }
    for (auto it = procs.begin(); it != procs.end();) {  // as the trigger in SQL
        if (it->first.first == id)
            it = procs.erase(it);
        else
            ++it;
    }
}

void MemStorage::rename_collection(uint64_t id, std::string_view name) {
    colls[id].name = std::string(name);
}

void MemStorage::check_interrupts() {
    if (interrupts_after < 0) return;
    if (interrupts_after-- == 0)
        throw std::runtime_error("canceling statement due to statement timeout");
}

static std::unique_ptr<MemStorage> g_storage;

MemStorage& fresh_storage() {
    g_storage = std::make_unique<MemStorage>();
    return *g_storage;
}

MemStorage& storage() {
    if (!g_storage) fresh_storage();
    return *g_storage;
}

std::string q(const std::string& code, const std::string& scope, bool keep) {
    MemStorage& st = keep ? storage() : fresh_storage();
    tdb::QueryRequest req;
    req.scope = scope;
    req.code = code;
    try {
        return tdb::run_query(st, req);
    } catch (const tdb::Error& e) {
        ADD_FAILURE() << "query failed: " << code << "\n  " << tdb::error_name(e.code()) << ": "
                      << e.msg();
        return "<error>";
    }
}

std::string qk(const std::string& code, const std::string& scope) { return q(code, scope, true); }

tdb::Error qerr(const std::string& code, const std::string& scope, bool keep) {
    MemStorage& st = keep ? storage() : fresh_storage();
    tdb::QueryRequest req;
    req.scope = scope;
    req.code = code;
    try {
        std::string r = tdb::run_query(st, req);
        ADD_FAILURE() << "expected an error from: " << code << "\n  got: " << r;
    } catch (const tdb::Error& e) {
        return e;
    }
    return tdb::Error(0, "");
}

// ---- users, tokens and access ----
std::vector<tdb::UserRow> MemStorage::users() {
    std::vector<tdb::UserRow> out;
    for (auto& [id, u] : users_) out.push_back(u);
    return out;
}

bool MemStorage::find_user(std::string_view name, tdb::UserRow& out) {
    for (auto& [id, u] : users_)
        if (u.name == name) {
            out = u;
            return true;
        }
    return false;
}

bool MemStorage::find_user_by_id(uint64_t id, tdb::UserRow& out) {
    auto it = users_.find(id);
    if (it == users_.end()) return false;
    out = it->second;
    return true;
}

tdb::UserRow MemStorage::create_user(std::string_view name) {
    tdb::UserRow u{next_id++, std::string(name), static_cast<int64_t>(now())};
    users_[u.id] = u;
    return u;
}

void MemStorage::delete_user(uint64_t id) {
    users_.erase(id);
    for (auto it = tokens_.begin(); it != tokens_.end();)
        it = it->second.user_id == id ? tokens_.erase(it) : std::next(it);
    for (auto it = access_.begin(); it != access_.end();)
        it = it->first.second == id ? access_.erase(it) : std::next(it);
}

void MemStorage::rename_user(uint64_t id, std::string_view name) {
    users_[id].name = std::string(name);
}

std::vector<tdb::TokenRow> MemStorage::tokens(uint64_t user_id) {
    std::vector<tdb::TokenRow> out;
    for (auto& [key, t] : tokens_)
        if (t.user_id == user_id) out.push_back(t.row);
    return out;
}

// Keys are predictable here (tests can name them): "tok" + a serial, padded to 22.
std::string MemStorage::create_token(uint64_t user_id, int64_t expiration,
                                     std::string_view description) {
    std::string key = "tok" + std::to_string(++token_serial);
    key.append(22 - key.size(), 'x');
    tokens_[key] = MemToken{
        user_id,
        {key.substr(0, 4), static_cast<int64_t>(now()), expiration, std::string(description)}};
    return key;
}

bool MemStorage::find_token(std::string_view key, uint64_t& user_id, int64_t& expiration) {
    auto it = tokens_.find(std::string(key));
    if (it == tokens_.end()) return false;
    user_id = it->second.user_id;
    expiration = it->second.row.expiration;
    return true;
}

void MemStorage::delete_token(std::string_view key) { tokens_.erase(std::string(key)); }

void MemStorage::delete_expired_tokens(int64_t t) {
    for (auto it = tokens_.begin(); it != tokens_.end();) {
        int64_t e = it->second.row.expiration;
        it = e && e <= t ? tokens_.erase(it) : std::next(it);
    }
}

uint32_t MemStorage::access_mask(uint64_t scope_id, uint64_t user_id) {
    auto it = access_.find({scope_id, user_id});
    return it == access_.end() ? 0 : it->second;
}

void MemStorage::set_access(uint64_t scope_id, uint64_t user_id, uint32_t mask) {
    if (mask)
        access_[{scope_id, user_id}] = mask;
    else
        access_.erase({scope_id, user_id});
}

std::vector<tdb::AccessRow> MemStorage::user_access(uint64_t user_id) {
    std::vector<tdb::AccessRow> out;
    for (auto& [key, mask] : access_)
        if (key.second == user_id) out.push_back({key.first, mask});
    return out;
}

// ---- types and enums ----

static std::vector<tdb::CatalogRow> rows_of(
    const std::map<std::pair<uint64_t, uint32_t>, tdb::CatalogRow>& m, uint64_t coll) {
    std::vector<tdb::CatalogRow> out;
    for (auto& [k, r] : m)
        if (k.first == coll) out.push_back(r);
    return out;
}

std::vector<tdb::CatalogRow> MemStorage::load_types(uint64_t coll) {
    return rows_of(type_rows, coll);
}
std::vector<tdb::CatalogRow> MemStorage::load_enums(uint64_t coll) {
    return rows_of(enum_rows, coll);
}

std::vector<uint64_t> MemStorage::things_of_type(uint64_t coll, uint32_t type_id) {
    lock_log.push_back("instances");
    std::vector<uint64_t> out;
    for (auto& [id, r] : things)
        if (r.coll == coll && r.thing.type_id == type_id) out.push_back(id);
    return out;
}

bool MemStorage::enum_member_used(uint64_t coll, uint32_t enum_id, uint32_t mid) {
    std::string needle = "{\"!m\":[" + std::to_string(enum_id) + "," + std::to_string(mid) + "]}";
    for (auto& [id, row] : things)
        if (row.coll == coll && row.thing.props_json.find(needle) != std::string::npos) return true;
    return false;
}

void expect_err(const std::string& code, int errcode, const std::string& msg,
                const std::string& scope) {
    tdb::Error e = qerr(code, scope);
    EXPECT_EQ(e.code(), errcode) << code;
    EXPECT_EQ(without_doc_link(e.msg(), msg), msg) << code;
}

std::string without_doc_link(const std::string& got, const std::string& expected) {
    size_t at = got.rfind("; see https://docs.thingsdb.io/");
    if (expected.find("; see https://") != std::string::npos || at == std::string::npos) return got;
    return got.substr(0, at);
}

int interrupt_checks(const std::string& code) {
    constexpr int kMany = 1 << 30;
    MemStorage& st = fresh_storage();
    st.interrupts_after = kMany;
    qk(code);
    return kMany - st.interrupts_after;
}

bool cancelled_inside(const std::string& setup, const std::string& code) {
    int before = interrupt_checks(setup + " nil;");
    MemStorage& st = fresh_storage();
    st.interrupts_after = before;
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    std::string text = setup + code;
    req.code = text;
    try {
        tdb::run_query(st, req);
    } catch (const std::runtime_error& e) {
        return std::string(e.what()).find("statement timeout") != std::string::npos;
    }
    return false;
}
