// Access rights: masks, their names, and the checks of the entry points.
#include "core/api/access.h"

#include <cinttypes>

#include "core/api/error.h"
#include "core/lang/query.h"
#include "core/api/storage.h"

namespace tdb {

namespace {

// The names in ThingsDB's order of ti_auth_mask_to_str: a combined mask
// first, so FULL and USER are named as such.
struct MaskName {
    const char* name;
    uint32_t mask;
};
constexpr MaskName kMaskNames[] = {
    {"FULL", AUTH_FULL},   {"USER", AUTH_USER}, {"QUERY", AUTH_QUERY}, {"CHANGE", AUTH_CHANGE},
    {"GRANT", AUTH_GRANT}, {"JOIN", AUTH_JOIN}, {"RUN", AUTH_RUN},
};

[[noreturn]] void no_users() {
    raise(OPERATION_ERR, "users and access are not available in this storage");
}

}  // namespace

std::string mask_to_str(uint32_t mask) {
    std::string out;
    for (const MaskName& m : kMaskNames) {
        if (!mask) break;
        if ((mask & m.mask) == m.mask) {
            mask &= ~m.mask;
            if (!out.empty()) out += '|';
            out += m.name;
        }
    }
    return out.empty() ? "NO_ACCESS" : out;
}

bool access_constant(std::string_view name, Value& out) {
    for (const MaskName& m : kMaskNames) {
        if (name == m.name) {
            out = Value::integer(m.mask);
            return true;
        }
    }
    return false;
}

uint32_t rights(Storage& st, const Identity* who, uint64_t scope_id) {
    if (!who || who->admin) return AUTH_FULL;
    if (!who->user_id) return AUTH_NO_ACCESS;
    for (const auto& [id, mask] : who->cache)
        if (id == scope_id) return mask;
    uint32_t mask = st.access_mask(scope_id, who->user_id);
    who->cache.emplace_back(scope_id, mask);
    return mask;
}

void check_access(Storage& st, const Identity* who, uint64_t scope_id,
                  const std::string& scope_label, uint32_t mask) {
    if ((rights(st, who, scope_id) & mask) == mask) return;
    raisef(FORBIDDEN_ERR, "user `%s` is missing the required privileges (`%s`) on scope `%s`",
           who->name.c_str(), mask_to_str(mask).c_str(), scope_label.c_str());
}

void check_access(Query& q, uint32_t mask) {
    if (!q.identity) return;
    // The scope's label is written only for the error: building it is a part of a short call.
    if ((rights(q.storage(), q.identity, q.scope_id()) & mask) == mask) return;
    check_access(q.storage(), q.identity, q.scope_id(), q.scope_label(), mask);
}

void check_scope_access(Storage& st, const Identity* who, std::string_view scope, uint32_t mask) {
    Scope sc = parse_scope(scope);
    if (sc.kind == Scope::THINGSDB)
        return check_access(st, who, kThingsdbScopeId, "@thingsdb", mask);
    if (sc.kind == Scope::NODE) return check_access(st, who, kNodeScopeId, "@node", mask);
    CollectionRow row;
    if (sc.name.empty()) {  // "@:123"
        if (!st.find_collection_by_id(sc.id, row))
            raisef(LOOKUP_ERR, "`collection:%llu` not found",
                   static_cast<unsigned long long>(sc.id));
    } else if (!st.find_collection(sc.name, row)) {
        raisef(LOOKUP_ERR, "collection `%s` not found", sc.name.c_str());
    }
    check_access(st, who, row.id, "@:" + row.name, mask);
}

void check_run_access(Query& q, bool side_effects) {
    check_access(q, AUTH_RUN);
    if (side_effects) check_access(q, AUTH_CHANGE);
}

void check_change_access(Query& q) { check_access(q, AUTH_CHANGE); }

void grant_new_collection(Query& q, uint64_t collection_id) {
    const Identity* who = q.identity;
    if (!who || !who->user_id) return;
    q.storage().set_access(collection_id, who->user_id, AUTH_FULL);
    who->cache.clear();
}

// ---- the Storage defaults (storage.h): no users in this storage ----------

std::vector<UserRow> Storage::users() { no_users(); }
bool Storage::find_user(std::string_view, UserRow&) { no_users(); }
bool Storage::find_user_by_id(uint64_t, UserRow&) { no_users(); }
UserRow Storage::create_user(std::string_view) { no_users(); }
void Storage::delete_user(uint64_t) { no_users(); }
void Storage::rename_user(uint64_t, std::string_view) { no_users(); }
std::vector<TokenRow> Storage::tokens(uint64_t) { no_users(); }
std::string Storage::create_token(uint64_t, int64_t, std::string_view) { no_users(); }
bool Storage::find_token(std::string_view, uint64_t&, int64_t&) { no_users(); }
void Storage::delete_token(std::string_view) { no_users(); }
void Storage::delete_expired_tokens(int64_t) { no_users(); }
uint32_t Storage::access_mask(uint64_t, uint64_t) { return AUTH_NO_ACCESS; }
void Storage::set_access(uint64_t, uint64_t, uint32_t) { no_users(); }
std::vector<AccessRow> Storage::user_access(uint64_t) { return {}; }

}  // namespace tdb
