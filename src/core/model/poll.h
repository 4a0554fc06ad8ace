// The interrupt poll of loops over user data (cancel, statement_timeout,
// pg_terminate_backend): one counter for the whole core, so a loop pays an
// increment per step and the storage's check only every 1024 steps, whether
// it holds a Query (Query::poll) or not (equality, hashing, the writers).
#pragma once

#include "core/api/pure.h"

namespace tdb {

// Hidden: the shared library reaches it directly, not through the GOT.
extern unsigned g_poll_ticks __attribute__((visibility("hidden")));
// The check of the running query (storage interrupts, the things quota);
// nothing outside a query (query.cpp).
void poll_now();
inline void poll_tick() {
    if ((++g_poll_ticks & 1023) == 0) poll_now();
}

}  // namespace tdb
