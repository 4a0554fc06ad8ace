// Watch events on PostgreSQL: a transaction's jobs become stored, notified events at commit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tdb {
class Storage;
}

namespace tdb::pg {

// From _PG_init: the setting thingsdb.event_retention and the transaction
// callbacks.
void events_init();

// After a successful tdb_query (or any run_query) in `scope` (scope_id: 0 for @thingsdb,
// else the collection's id): keeps its jobs for the commit of the current
// (sub)transaction. Consumes `jobs`.
void events_record(std::string_view scope, uint64_t scope_id,
                   std::vector<std::pair<uint64_t, std::string>>& jobs);
// The scope id of "@thingsdb" (0) or "@:name" / "@:id" (the collection's id; 0 when it
// does not exist).
uint64_t scope_id_of(Storage& st, std::string_view scope);

// For tdb_watch and tdb_prune_events (sql_events.cpp); inside an SPI connection.
// The commit lock: exclusive for a committer with events, shared for a watch.
void lock_commits(bool shared);
// The change id of the last transaction with events that committed (read under the lock,
// when no committer is between taking an id and its commit).
int64_t last_change_id();
// Deletes the events older than thingsdb.event_retention; call with the commit lock held.
// Returns how many.
int64_t prune_events();

}  // namespace tdb::pg
