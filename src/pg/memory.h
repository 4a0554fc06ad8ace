// The memory limit of a backend's ThingsDB values (thingsdb.max_memory).
#pragma once

namespace tdb::pg {

// Defines the setting; called once from _PG_init.
void memory_init();

}  // namespace tdb::pg
