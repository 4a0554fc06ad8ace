#!/bin/bash
# Instruction counts of the interpreter benchmarks (callgrind counts do not
# depend on the machine's load): builds test/bench/driver.cpp against the
# core objects and the unit tests' in-memory storage, runs each case under
# valgrind --tool=callgrind and prints the total and the top functions.
#   test/bench/callgrind.sh [case ...]   (default: sum loop str sort data)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
CORE_OBJS=$(find src/core -name '*.cpp' | sort | sed 's/\.cpp$/.o/')
make -s $CORE_OBJS >/dev/null
mkdir -p build/bench
g++ -std=c++20 -O2 -g -fno-omit-frame-pointer -Isrc -Itest/unit -o build/bench/driver \
    test/bench/driver.cpp test/unit/harness.cpp $CORE_OBJS -lgtest -lpcre2-8 -pthread
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(sum loop str sort data)
for c in "${cases[@]}"; do
    out="build/bench/callgrind.$c"
    valgrind --tool=callgrind --callgrind-out-file="$out" build/bench/driver "$c" >/dev/null 2>&1
    total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {print $1}')
    echo "== $c: $total instructions"
    callgrind_annotate --inclusive=no "$out" 2>/dev/null | grep -E '^ *[0-9,]+ ' | sed -n 2,${TOP:-12}p
done
