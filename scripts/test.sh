#!/bin/bash
# Runs every test suite against the private cluster of scripts/setup.sh:
#   0. the shape of the source tree (scripts/check_layout.sh)
#   1. unit tests (GoogleTest, `make unittest`), also under ASan/UBSan
#   2. pg_regress (`make installcheck`), and pg_regress with the hostile e2e
#      tests against the extension built with ASan/UBSan (scripts/asan_regress.sh)
#   3. acceptance cases listed in test/acceptance/passing.txt
#   4. end-to-end tests test/e2e/test_*.py and test/e2e/test_*.sh
# The last line is "N passed, N failed, N skipped" over all suites (skipped:
# what could not run here, never counted as passed); the exit status is
# non-zero when anything failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PGHOST="$ROOT/.pgsock" PGPORT=5499 PGUSER=postgres
export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

count() {  # count SUITE PASSED FAILED [SKIPPED]
    local s=${4:-0}
    if [ "$s" = 0 ]; then
        echo "== $1: $2 passed, $3 failed"
    else
        echo "== $1: $2 passed, $3 failed, $s skipped"
    fi
    TOTAL_PASSED=$((TOTAL_PASSED + $2))
    TOTAL_FAILED=$((TOTAL_FAILED + $3))
    TOTAL_SKIPPED=$((TOTAL_SKIPPED + s))
}

# The counts of a runner's last line "N passed, N failed[, N skipped]" into
# p, f and s; returns 1 when the line has another form.
last_counts() {
    if [[ "$1" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
        p=${BASH_REMATCH[1]}
        f=${BASH_REMATCH[2]}
        s=${BASH_REMATCH[4]:-0}
        return 0
    fi
    return 1
}

if ! scripts/setup.sh --test >"$OUT/setup.log" 2>&1; then
    cat "$OUT/setup.log"
    echo "set-up failed"
    echo "0 passed, 1 failed"
    exit 1
fi

# --- 0. the shape of the tree ------------------------------------------------------
echo "== layout (scripts/check_layout.sh)"
scripts/check_layout.sh >"$OUT/layout.log" 2>&1
rc=$?
cat "$OUT/layout.log"
if last_counts "$(tail -1 "$OUT/layout.log")"; then
    [ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
else
    p=0 f=1 s=0
fi
count "layout" "$p" "$f" "$s"

# --- 1. unit tests ----------------------------------------------------------------
echo "== unit tests"
make -s -j"$(nproc)" unittest >"$OUT/unit.log" 2>&1
rc=$?
grep -E '^\[  (PASSED|FAILED) +\]|^\[==========\] [0-9]+ tests? from .* ran' "$OUT/unit.log"
p=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) tests?\..*/\1/p' "$OUT/unit.log" | tail -1)
f=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) tests?, listed below:.*/\1/p' "$OUT/unit.log" | tail -1)
p=${p:-0}
f=${f:-0}
if [ $rc -ne 0 ] && [ "$f" = 0 ]; then
    tail -30 "$OUT/unit.log"   # did not build or crashed
    f=1
fi
count "unit tests" "$p" "$f"

# The same unit tests under AddressSanitizer and UBSan: any report
# fails the run (a first build takes minutes; later ones only rebuild changes).
echo "== unit tests under ASan/UBSan (make asan-unittest)"
make -s -j"$(nproc)" asan-unittest >"$OUT/asan.log" 2>&1
rc=$?
grep -E '^\[  (PASSED|FAILED) +\]|SUMMARY: ' "$OUT/asan.log"
p=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) tests?\..*/\1/p' "$OUT/asan.log" | tail -1)
f=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) tests?, listed below:.*/\1/p' "$OUT/asan.log" | tail -1)
p=${p:-0}
f=${f:-0}
if [ $rc -ne 0 ] && [ "$f" = 0 ]; then
    tail -40 "$OUT/asan.log"   # did not build, or a sanitizer report
    f=1
fi
count "unit tests (ASan/UBSan)" "$p" "$f"

# --- 2. pg_regress --------------------------------------------------------------------
echo "== pg_regress"
make -s installcheck >"$OUT/regress.log" 2>&1
rc=$?
grep -E 'tests? (passed|failed)|^(ok|not ok) |^test |FAILED|failed \(ignored\)' "$OUT/regress.log"
if grep -qE 'All [0-9]+ tests passed' "$OUT/regress.log"; then
    p=$(sed -nE 's/.*All ([0-9]+) tests passed.*/\1/p' "$OUT/regress.log")
    f=0
elif grep -qE '[0-9]+ of [0-9]+ tests failed' "$OUT/regress.log"; then
    f=$(sed -nE 's/.* ([0-9]+) of ([0-9]+) tests failed.*/\1/p' "$OUT/regress.log")
    n=$(sed -nE 's/.* ([0-9]+) of ([0-9]+) tests failed.*/\2/p' "$OUT/regress.log")
    p=$((n - f))
else
    tail -30 "$OUT/regress.log"
    p=0
    f=1
fi
if [ "$f" != 0 ] && [ -f regression.diffs ]; then cat regression.diffs; fi
[ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
count "pg_regress" "$p" "$f"

# --- 2b. the sanitized extension in a server ---------------------------------------
# pg_regress and the hostile e2e tests (test_hostile.py, test_hostile_storage.py,
# the generator with a short budget) against a server whose backends run the
# extension built with ASan/UBSan (scripts/asan_regress.sh, on a copy of the
# PostgreSQL installation and a cluster of its own); any sanitizer report fails it.
echo "== pg_regress and hostile e2e under ASan/UBSan (scripts/asan_regress.sh)"
scripts/asan_regress.sh >"$OUT/asan_regress.log" 2>&1
rc=$?
grep -E '^== |^took |sanitizer report' "$OUT/asan_regress.log"
if last_counts "$(tail -1 "$OUT/asan_regress.log")"; then
    [ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
else
    p=0 f=1 s=0
fi
[ "$f" != 0 ] && tail -60 "$OUT/asan_regress.log"
count "asan_regress (ASan/UBSan server)" "$p" "$f"

# --- 3. acceptance cases ------------------------------------------------------------
echo "== acceptance cases (test/acceptance/passing.txt)"
CASES="$OUT/cases.jsonl"
/usr/bin/python3 - test/acceptance/passing.txt test/acceptance/seed_examples.jsonl "$CASES" <<'PY'
import json, sys
ids = {l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith("#")}
with open(sys.argv[3], "w") as out:
    for line in open(sys.argv[2]):
        if line.strip() and json.loads(line)["id"] in ids:
            out.write(line)
PY
if [ -s "$CASES" ]; then
    psql -X -q -d postgres -c "SET client_min_messages = warning" \
        -c "DROP DATABASE IF EXISTS tdb_acceptance WITH (FORCE)" \
        -c "CREATE DATABASE tdb_acceptance" >/dev/null
    psql -X -q -d tdb_acceptance -c "CREATE EXTENSION thingsdb" >/dev/null
    /usr/bin/python3 test/acceptance/run_acceptance.py \
        --dsn "host=$PGHOST port=$PGPORT user=postgres dbname=tdb_acceptance" -v "$CASES" \
        >"$OUT/acceptance.log" 2>&1
    rc=$?
    cat "$OUT/acceptance.log"
    if ! last_counts "$(tail -1 "$OUT/acceptance.log")"; then
        p=0
        f=1
    fi
    [ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
else
    p=0
    f=0
fi
count "acceptance" "$p" "$f"

# --- 4. end-to-end tests -------------------------------------------------------------
# A test passes when it exits 0; one that prints "N passed, N failed" as its
# last line is counted by that line. Only test_* files run: other files in
# test/e2e are helpers (modules) that the tests import.
shopt -s nullglob
for t in test/e2e/test_*.py test/e2e/test_*.sh; do
    echo "== e2e $t"
    case "$t" in
        *.py) /usr/bin/python3 "$t" >"$OUT/e2e.log" 2>&1 ;;
        *.sh) bash "$t" >"$OUT/e2e.log" 2>&1 ;;
    esac
    rc=$?
    s=0
    if last_counts "$(tail -1 "$OUT/e2e.log")"; then
        [ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
    elif [ $rc -eq 0 ]; then
        p=1
        f=0
    else
        p=0
        f=1
    fi
    [ "$f" != 0 ] && tail -40 "$OUT/e2e.log"
    [ "$s" != 0 ] && grep -i '^skip' "$OUT/e2e.log"
    count "$t" "$p" "$f" "$s"
done

# What the change repeats (informational: a row is a place to look, not a
# failure), since TDB_REVIEW_BASE (.ci/run sets it from .ci/review-base) or
# the last commit; the `duplicates` tool exists on the development machines
# only.
if command -v duplicates >/dev/null; then
    base="${TDB_REVIEW_BASE:-HEAD~1}"
    echo "== duplicates added since $base (for review)"
    duplicates --change --base "$base" --most 20 || true
fi

echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed, $TOTAL_SKIPPED skipped"
[ "$TOTAL_FAILED" = 0 ]
