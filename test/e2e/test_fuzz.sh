#!/bin/bash
# CI's short fuzzing run when clang can build the targets: TDB_FUZZ_SECONDS
# (default 20) split between the target over the parser and evaluator and the
# one over the storage path; the long runs by hand are recorded in
# test/fuzz/RESULTS.md. Counted as skipped when clang or libclang-rt-14-dev
# is missing. One check per target.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! command -v clang++ >/dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "ok installed"; then
    echo "skipped: no clang/libclang-rt-14-dev (scripts/setup.sh --fuzz installs them)"
    echo "0 passed, 0 failed, 2 skipped"
    exit 0
fi
TOTAL=${TDB_FUZZ_SECONDS:-20}
HALF=$(( TOTAL / 2 > 0 ? TOTAL / 2 : 1 ))
passed=0
failed=0
out=$(mktemp)
for target in query storage; do
    echo "== fuzz_$target, $HALF s"
    if "$ROOT/test/fuzz/run.sh" "$HALF" "$target" >"$out" 2>&1; then
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs" "$out"
        passed=$((passed + 1))
    else
        tail -60 "$out"
        failed=$((failed + 1))
    fi
done
rm -f "$out"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
