// Read-only runs; see readonly.h.
#include "pg/readonly.h"

#include "pg/bridge.h"

extern "C" {
#include "access/xact.h"
#include "access/xlog.h"
}

namespace tdb::pg {

std::string read_only_reason() {
    // Reads of shared and backend state that cannot fail: no pg_call needed (its setjmp is a
    // part of every short call).
    bool recovery = RecoveryInProgress();
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
