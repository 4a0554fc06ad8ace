#!/bin/bash
# CI's short fuzzing run: the libFuzzer target over the parser and
# evaluator for TDB_FUZZ_SECONDS (default 20) when clang can build it; the
# long runs by hand are recorded in test/fuzz/RESULTS.md. Counted as skipped
# when clang or libclang-rt-14-dev is missing.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! command -v clang++ >/dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "ok installed"; then
    echo "skipped: no clang/libclang-rt-14-dev (scripts/setup.sh --fuzz installs them)"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
out=$(mktemp)
if "$ROOT/test/fuzz/run.sh" "${TDB_FUZZ_SECONDS:-20}" >"$out" 2>&1; then
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs" "$out"
    echo "1 passed, 0 failed"
    rm -f "$out"
    exit 0
fi
tail -60 "$out"
rm -f "$out"
echo "0 passed, 1 failed"
exit 1
