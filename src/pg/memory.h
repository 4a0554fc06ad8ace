// The memory limit of a backend's ThingsDB values (thingsdb.max_memory).
#pragma once

#include <cstddef>

namespace tdb::pg {

// Defines the setting; called once from _PG_init.
void memory_init();

// Refuses (std::bad_alloc: "out of memory", as the limit does for the core's values) memory
// that PostgreSQL is about to take for the result of a call, when the values still held and
// those bytes together pass thingsdb.max_memory: the limit covers the whole call.
void memory_reserve(size_t bytes);

}  // namespace tdb::pg
