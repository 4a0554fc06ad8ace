#!/bin/bash
# Runs the libFuzzer target over the parser and evaluator.
#   test/fuzz/run.sh [SECONDS] [extra libFuzzer options]   (default 60 s)
# Builds it first (`make fuzz`; clang from `scripts/setup.sh --fuzz`). New
# inputs go to build/fuzz/corpus (the checked-in seeds in test/fuzz/corpus
# stay as they are); a crash is written as build/fuzz/crash-*. Prints
# libFuzzer's final statistics (stat::number_of_executed_units and friends).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SECONDS_TO_RUN="${1:-60}"
shift || true
make -s -j"$(nproc)" fuzz
mkdir -p build/fuzz/corpus
ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
./build/fuzz/fuzz_query build/fuzz/corpus test/fuzz/corpus \
    -dict=test/fuzz/thingsdb.dict -max_total_time="$SECONDS_TO_RUN" -timeout=10 \
    -rss_limit_mb=2048 -max_len=4096 -artifact_prefix=build/fuzz/ -print_final_stats=1 "$@"
