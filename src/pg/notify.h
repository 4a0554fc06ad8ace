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

}  // namespace tdb::pg
