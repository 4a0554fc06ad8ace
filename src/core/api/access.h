// Access rights: ThingsDB's privilege masks, who is asking, and the checks
// every entry point makes (forbidden_err with ThingsDB's message).
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model/value.h"

namespace tdb {

class Query;
class Storage;

// ThingsDB v1's masks (inc/ti/auth.h).
enum : uint32_t {
    AUTH_NO_ACCESS = 0,
    AUTH_QUERY = 1 << 0,   // queries without changes
    AUTH_CHANGE = 1 << 1,  // changes
    AUTH_GRANT = 1 << 2,   // manage users, tokens and rights
    AUTH_JOIN = 1 << 3,    // watch things, join rooms
    AUTH_RUN = 1 << 4,     // run procedures
    AUTH_USER = AUTH_QUERY | AUTH_CHANGE | AUTH_JOIN | AUTH_RUN,
    AUTH_FULL = AUTH_USER | AUTH_GRANT,
};

// The scope id of the access rows of @thingsdb (collections use their id)
// and of @node (not a scope here, but rights on it can be kept).
constexpr uint64_t kThingsdbScopeId = 0;
constexpr uint64_t kNodeScopeId = ~uint64_t{0};

// Who runs a query. src/pg resolves it: the PostgreSQL role (or the user of
// the token the session presented); admins are superusers and the role that
// installed the extension, with FULL everywhere.
struct Identity {
    std::string name;      // the ThingsDB user name (the role name)
    uint64_t user_id = 0;  // 0: not a registered ThingsDB user
    bool admin = false;

    // Rights read during this call, per scope (cleared by grant/revoke).
    mutable std::vector<std::pair<uint64_t, uint32_t>> cache;
};

// "QUERY|CHANGE", "FULL", "USER", "NO_ACCESS" (ti_auth_mask_to_str).
std::string mask_to_str(uint32_t mask);

// The value of the names QUERY, CHANGE, GRANT, JOIN, RUN, USER and FULL;
// false for any other name. Used by the evaluator for unknown variables.
bool access_constant(std::string_view name, Value& out);

// The rights of `who` on a scope; FULL for an admin and for no identity
// (internal queries and unit tests that do not test access).
uint32_t rights(Storage& st, const Identity* who, uint64_t scope_id);

// forbidden_err "user `x` is missing the required privileges (`CHANGE`) on
// scope `@:stuff`" unless `who` has every right of `mask` on the scope.
void check_access(Storage& st, const Identity* who, uint64_t scope_id,
                  const std::string& scope_label, uint32_t mask);
// The same on the query's own scope.
void check_access(Query& q, uint32_t mask);
// The same on a scope given as text ("@:stuff", "@thingsdb"): for entry
// points without a query, such as tdb_watch (JOIN). Raises lookup_err for a
// collection that does not exist.
void check_scope_access(Storage& st, const Identity* who, std::string_view scope, uint32_t mask);

// A procedure run from SQL (tdb_run, tdb_call): RUN on the query's scope,
// and CHANGE as well when its closure has side effects.
void check_run_access(Query& q, bool side_effects);

// Called when a query becomes a change (Query::set_change): CHANGE.
void check_change_access(Query& q);

// The rights a new collection gives the user that created it (FULL).
void grant_new_collection(Query& q, uint64_t collection_id);

}  // namespace tdb
