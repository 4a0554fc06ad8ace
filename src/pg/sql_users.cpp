// Users and access from SQL: tdb_authenticate (a session's token) and thingsdb.can_query (the
// row-level security of the catalog views). Users, tokens and grants themselves are managed
// by ThingsDB code (new_user, new_token, grant, ...) through tdb_query.
#include "core/api/access.h"
#include "core/api/error.h"

#include <string>

#include "pg/entry.h"

using namespace tdb::pg;

// tdb_authenticate(token text, local boolean DEFAULT false) -> text: the user's name.
TDB_PG_FUNCTION(tdb_authenticate) {
    if (PG_ARGISNULL(0)) {  // back to the session's role
        clear_session_token();
        PG_RETURN_NULL();
    }
    std::string key(text_arg(fcinfo, 0));
    bool local = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
    std::string hash = token_hash(key);
    std::string name;
    run_in_call([&](EntryCall& call) {
        uint64_t user_id = 0;
        int64_t expiration = 0;
        if (key.size() != 22 || !find_token_by_hash(hash, user_id, expiration))
            tdb::raise(tdb::AUTH_ERR, "invalid token");
        if (expiration && expiration <= static_cast<int64_t>(call.storage.now()))
            tdb::raise(tdb::AUTH_ERR, "token is expired");
        tdb::UserRow u;
        if (!call.storage.find_user_by_id(user_id, u)) tdb::raise(tdb::AUTH_ERR, "invalid token");
        name = u.name;
    });
    Datum out = text_result(name);
    set_session_token(hash, local);
    PG_RETURN_DATUM(out);
}

// thingsdb.can_query(collection bigint) -> boolean: whether the caller (its role, or the user
// of its token, see tdb_authenticate) has QUERY on the collection. The row-level security
// policies of thingsdb.types and thingsdb.enums use it, so a role reads the catalogs of the
// collections it may query. An unknown role or a bad token: false (no error).
TDB_PG_FUNCTION(tdb_can_query) {
    if (PG_ARGISNULL(0)) PG_RETURN_BOOL(false);
    uint64_t coll = static_cast<uint64_t>(PG_GETARG_INT64(0));
    bool ok = false;
    run_in_call([&](EntryCall& call) {
        try {
            const tdb::Identity& who = call.identity();
            ok = who.admin ||
                 (who.user_id && (call.storage.access_mask(coll, who.user_id) & tdb::AUTH_QUERY));
        } catch (const tdb::Error&) {
            ok = false;
        }
    });
    PG_RETURN_BOOL(ok);
}
