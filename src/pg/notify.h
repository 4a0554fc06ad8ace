// Watch events on PostgreSQL: a transaction's jobs become stored, notified events at commit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tdb::pg {

// From _PG_init: the setting thingsdb.event_retention and the transaction
// callbacks.
void events_init();

// After a successful tdb_query (or any run_query) in `scope`: keeps its jobs
// for the commit of the current (sub)transaction. Consumes `jobs`.
void events_record(std::string_view scope, std::vector<std::pair<uint64_t, std::string>>& jobs);

// For tdb_watch and tdb_prune_events (sql_events.cpp); inside an SPI connection.
// The commit lock: exclusive for a committer with events, shared for a watch.
void lock_commits(bool shared);
// The change id of the last transaction with events that committed (read under the lock,
// when no committer is between taking an id and its commit).
int64_t last_change_id();
// Deletes the events older than thingsdb.event_retention; call with the commit lock held.
// Returns how many.
int64_t prune_events();
// The notification channel of a thing: tdb_<id>.
std::string channel_of(uint64_t thing_id);

}  // namespace tdb::pg
