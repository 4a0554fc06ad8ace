// The background worker that runs due tasks (task_worker.cpp).
#pragma once

namespace tdb::pg {

// From _PG_init: the settings thingsdb.task_databases and thingsdb.task_naptime, and, when the
// library is preloaded, one worker per database of the list.
void task_worker_init();

}  // namespace tdb::pg
