// Counts the C++ heap of the backend (every value of the core lives there,
// not in PostgreSQL's memory contexts) and refuses to grow it past
// thingsdb.max_memory while a query runs: `range(1e5).map(|| range(1e5))`
// ends in "out of memory" (53200) instead of the kernel's OOM killer taking
// the backend, and with it every session of the server.
#include "core/api/engine.h"

#include "pg/memory.h"

#include <malloc.h>

#include <cstdint>
#include <cstdlib>
#include <new>

#include <climits>

extern "C" {
#include "postgres.h"
#include "utils/guc.h"
}

namespace {

int64_t live_bytes = 0;  // malloc_usable_size of what operator new handed out
int max_memory_kb = 0;   // thingsdb.max_memory; 0: no limit

void* allocate(size_t n, bool nothrow) {
    // Only inside a query: start-up and clean-up must never fail here (a
    // throw from a destructor would terminate the backend).
    if (max_memory_kb > 0 && tdb::query_running() &&
        live_bytes + static_cast<int64_t>(n) > static_cast<int64_t>(max_memory_kb) * 1024) {
        if (nothrow) return nullptr;
        throw std::bad_alloc();
    }
    void* p = std::malloc(n ? n : 1);
    if (!p) {
        if (nothrow) return nullptr;
        throw std::bad_alloc();
    }
    live_bytes += static_cast<int64_t>(malloc_usable_size(p));
    return p;
}

void release(void* p) noexcept {
    if (!p) return;
    live_bytes -= static_cast<int64_t>(malloc_usable_size(p));
    if (live_bytes < 0) live_bytes = 0;  // allocated before this file's operator new was bound
    std::free(p);
}

}  // namespace

void* operator new(size_t n) { return allocate(n, false); }
void* operator new[](size_t n) { return allocate(n, false); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return allocate(n, true); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return allocate(n, true); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, size_t) noexcept { release(p); }
void operator delete[](void* p, size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }

namespace tdb::pg {

void memory_reserve(size_t bytes) {
    if (max_memory_kb > 0 &&
        live_bytes + static_cast<int64_t>(bytes) > static_cast<int64_t>(max_memory_kb) * 1024)
        throw std::bad_alloc();
}

void memory_init() {
    DefineCustomIntVariable(
        "thingsdb.max_memory",
        "The most memory the ThingsDB values of a backend may take while a query runs.",
        "0 means no limit.", &max_memory_kb, 1024 * 1024, 0, INT_MAX, PGC_SUSET, GUC_UNIT_KB,
        nullptr, nullptr, nullptr);
}

}  // namespace tdb::pg
