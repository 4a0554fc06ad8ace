// libFuzzer target over the parser and the evaluator: any bytes as ThingsDB
// code, run in the collection `stuff` of an in-memory node (MemStorage of the
// unit tests). A ThingsDB error is a fine outcome; a crash, a sanitizer report
// or an exception of another kind is a finding. Build and run: see
// test/fuzz/RESULTS.md (`make fuzz`, scripts in test/fuzz/).
#include <cstddef>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string_view>

#include "../unit/harness.h"
#include "core/lang/query.h"

namespace {

// Small limits: an input may build big values, and libFuzzer runs millions.
void set_fuzz_limits() {
    tdb::Limits& l = tdb::configured_limits();
    l.max_str = 1 << 20;
    l.max_list = 10000;
    l.max_things = 20000;
    l.max_range = 10000;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static bool init = (tdb::init_core(), set_fuzz_limits(), true);
    (void)init;
    MemStorage& st = fresh_storage();
    st.interrupts_after = 2000;  // a cancel after 2,000 polls: loops end
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = std::string_view(reinterpret_cast<const char*>(data), size);
    try {
        tdb::run_query(st, req);
    } catch (const tdb::Error&) {
    } catch (const std::runtime_error& e) {
        // The harness's cancel (statement timeout) is the only other exception.
        if (std::string_view(e.what()).find("canceling statement") == std::string_view::npos) throw;
    }
    return 0;
}
