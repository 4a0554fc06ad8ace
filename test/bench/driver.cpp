// A standalone driver of the core for profiling the interpreter without a
// server: runs ThingsDB code against the unit tests' in-memory storage.
//   build/bench_driver NAME [REPS]   (NAME: sum, loop, str, sort, data, or code)
// test/bench/callgrind.sh builds it and runs it under callgrind, whose
// instruction counts do not depend on the machine's load.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "harness.h"

namespace {

struct Case {
    const char* name;
    const char* code;
};

const Case kCases[] = {
    {"sum",
     "range(10).reduce(|s, j| s + range(j * 100000, j * 100000 + 100000).reduce(|a, b| a + b), 0)"},
    {"loop",
     "s = 0; for (j in range(10)) { for (i in range(100000)) { x = i * 3 % 7; s += x; }; }; s"},
    {"str", "range(100000).map(|i| str(i)).join(',').len()"},
    {"sort", "a = range(100000).map(|i| (i * 7919) % 100003); a.sort()[50000]"},
    {"data", ".items = range(100000).map(|i| {n: i}); .items.map(|t| t.n).reduce(|a, b| a + b)"},
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s sum|loop|str|sort|data|CODE [reps]\n", argv[0]);
        return 2;
    }
    tdb::init_core();
    std::string code = argv[1];
    for (const Case& c : kCases)
        if (code == c.name) code = c.code;
    int reps = argc > 2 ? std::atoi(argv[2]) : 1;
    for (int i = 0; i < reps; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        std::string out = q(code);
        auto t1 = std::chrono::steady_clock::now();
        std::printf("%s  %.2f ms\n", out.substr(0, 60).c_str(),
                    std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    return 0;
}
