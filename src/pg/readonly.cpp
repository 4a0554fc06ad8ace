// Read-only runs; see readonly.h.
#include "pg/readonly.h"

#include "pg/bridge.h"

extern "C" {
#include "access/xact.h"
#include "access/xlog.h"
}

namespace tdb::pg {

std::string read_only_reason() {
    // Recovery, once over, does not come back for a backend: asked (in pg_call, as the first
    // answer of false may set up WAL access) until then. XactReadOnly is a variable. The
    // setjmp of a pg_call is a part of every short call.
    static bool recovery_over = false;
    bool recovery = false;
    if (!recovery_over) {
        pg_call([&] { recovery = RecoveryInProgress(); });
        recovery_over = !recovery;
    }
    bool read_only = XactReadOnly;
    if (recovery) return "the server is a hot standby (read-only); send changes to the primary";
    if (read_only) return "the transaction is read-only";
    return "";
}

std::string read_only_reason(const char* name, const char* writable) {
    std::string r = read_only_reason();
    if (!r.empty()) return r;
    return std::string(name) + "() is read-only; use " + writable + "()";
}

}  // namespace tdb::pg
