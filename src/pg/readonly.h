// Read-only runs: tdb_query_ro / tdb_call_ro, read-only transactions and hot
// standbys. The core refuses a change with an operation_err that
// gives the reason (Query::read_only).
#pragma once

#include <string>

namespace tdb::pg {

// The reason a change is refused in the current transaction, or "" when
// changes are allowed: on a hot standby, or in a READ ONLY transaction.
std::string read_only_reason();

// The reason for a read-only function (name: "tdb_query_ro", writable
// variant: "tdb_query"), or the transaction's when it has one.
std::string read_only_reason(const char* name, const char* writable);

}  // namespace tdb::pg
