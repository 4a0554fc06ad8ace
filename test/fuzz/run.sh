#!/bin/bash
# Runs a libFuzzer target.
#   test/fuzz/run.sh [SECONDS] [TARGET] [extra libFuzzer options]
# SECONDS: default 60. TARGET: `query` (default; fuzz_query.cpp, the parser
# and evaluator) or `storage` (fuzz_storage.cpp, several queries per input
# over stored state and catalog changes). Builds them first (`make fuzz`;
# clang from `scripts/setup.sh --fuzz`). New inputs go to build/fuzz/corpus
# (query) or build/fuzz/corpus_storage (the checked-in seeds in
# test/fuzz/corpus and test/fuzz/corpus_storage stay as they are); a crash is
# written as build/fuzz/crash-*. Prints libFuzzer's final statistics
# (stat::number_of_executed_units and friends).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SECONDS_TO_RUN="${1:-60}"
TARGET="${2:-query}"
shift 2 || shift $#
case "$TARGET" in
    query) CORPUS=corpus ;;
    storage) CORPUS=corpus_storage ;;
    *) echo "unknown target $TARGET (query or storage)"; exit 2 ;;
esac
make -s -j"$(nproc)" fuzz
mkdir -p "build/fuzz/$CORPUS"
ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
"./build/fuzz/fuzz_$TARGET" "build/fuzz/$CORPUS" "test/fuzz/$CORPUS" \
    -dict=test/fuzz/thingsdb.dict -max_total_time="$SECONDS_TO_RUN" -timeout=10 \
    -rss_limit_mb=2048 -max_len=4096 -artifact_prefix=build/fuzz/ -print_final_stats=1 "$@"
