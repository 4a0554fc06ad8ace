// Who calls: the identity of a tdb_* call and the rights it runs with.
//
// Every entry point that touches the extension's tables creates one
// CallContext (run_in_call, entry.h). It remembers the calling role, then runs
// the rest of the call as the owner of schema thingsdb (the role that
// installed the extension, who owns the tables), and with only pg_catalog
// searched from the first statement on (owner_search_path): the tables stay
// revoked from PUBLIC, and a caller's search_path cannot slip its own
// functions or operators into our statements. The ThingsDB rights of the
// caller are then checked by the core (core/api/access.h) against the
// Identity resolved here.
#pragma once

#include <string>
#include <string_view>

#include "core/api/access.h"
#include "pg/bridge.h"

namespace tdb {
class Storage;
}

namespace tdb::pg {

class CallContext {
public:
    CallContext();
    ~CallContext();  // restores the caller's role (also on an exception)
    CallContext(const CallContext&) = delete;
    CallContext& operator=(const CallContext&) = delete;

    // The ThingsDB user of this call: the user of the session's token (see
    // tdb_authenticate) or the calling role. auth_err for an invalid or
    // expired token, a deleted user, or a role that is no ThingsDB user
    // (unless it is an admin: a superuser or the installing role).
    const Identity& identity(Storage& st);
    // Back to the caller's role and search_path; call before SPI_finish on
    // success (an error leaves it to the transaction abort).
    void finish();
    // Only pg_catalog searched until finish: what every SPI statement, and any PostgreSQL
    // function whose result depends on the search path, needs. Pushed at the first need, as
    // most warm calls run no statement: the push and pop are a good part of a short call.
    // Inside pg_call.
    void search_path();
    // The innermost CallContext alive, or nullptr.
    static CallContext* current();

private:
    CallContext* outer_ = nullptr;
    bool path_pushed_ = false;
    unsigned caller_ = 0;  // Oid
    int sec_context_ = 0;
    bool restored_ = false;
    bool resolved_ = false;
    Identity identity_;
};

// The search path of the innermost CallContext (CallContext::search_path); nothing outside
// one. Inside pg_call.
void owner_search_path();
// The identity a task runs with: its owner's (a ThingsDB user by id, else the admin role of
// that name), as a call of that user would have it. auth_err when the user is gone, or the
// role is neither a user nor an admin any more. Inside a CallContext.
Identity task_owner_identity(Storage& st, uint64_t user_id, const std::string& name);

// SHA-256 of a token key (32 raw bytes): what thingsdb.tokens keeps.
std::string token_hash(std::string_view key);
// A new token key: 16 random bytes as 22 characters of base64.
std::string new_token_key();

// The token of the session (tdb_authenticate), by the SHA-256 of its key (token_hash); local:
// only until the end of the current transaction. Calls resolve their identity from it.
void set_session_token(const std::string& hash, bool local);
// Back to the session's role.
void clear_session_token();
// The SHA-256 of the key of the session's token, empty when calls act as the session's
// role; read after CallContext::identity (which ends a token whose session user changed).
std::string session_token_hash();
// From _PG_init: a session's token ends with DISCARD ALL (a pooler handing the connection to
// another client) and with any change of the session user (SET SESSION AUTHORIZATION).
void auth_init();

}  // namespace tdb::pg
