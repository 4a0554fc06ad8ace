#!/bin/bash
# ThingsDB's own test expectations (cases of ThingsDB 1.9.3's integration tests), run
# against this build: every id listed in test/conformance/passing.txt must pass. The
# cases themselves are not part of this project (they are ThingsDB's, under its
# licence): TDB_CONFORMANCE_CASES names the file, else ../shared/conformance/ next to
# the project is used; without it the suite counts as skipped.
#
# Counts: one passed per listed id that passes, one failed per listed id that fails
# (a regression) or when the runner or the server fails; ids that pass but are not
# listed are printed so that the list can grow (they count as neither).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LIST="$ROOT/test/conformance/passing.txt"
CASES="${TDB_CONFORMANCE_CASES:-$ROOT/../shared/conformance/thingsdb_cases.jsonl}"
if [ ! -f "$CASES" ]; then
    echo "skipped: no conformance cases (set TDB_CONFORMANCE_CASES)"
    echo "0 passed, 0 failed, $(grep -c . "$LIST") skipped"
    exit 0
fi
export PGHOST PGPORT PGUSER
DB=tdb_conformance
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" \
    -c "CREATE DATABASE $DB" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
psql -X -q -d $DB -c "CREATE EXTENSION thingsdb" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
/usr/bin/python3 "$ROOT/test/acceptance/run_acceptance.py" \
    --dsn "host=$PGHOST port=$PGPORT user=${PGUSER:-postgres} dbname=$DB" \
    --report "$OUT/report.json" "$CASES" >"$OUT/run.log" 2>&1
rc=$?
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
# The per-suite table of the runner.
grep -E '^[a-z_]+ +[0-9]+ / +[0-9]+$|passed, [0-9]+ failed|crashed' "$OUT/run.log"
/usr/bin/python3 - "$LIST" "$CASES" "$OUT/report.json" "$rc" <<'PY'
import json
import sys

listed_path, cases_path, report_path, rc = sys.argv[1:5]
listed = [l.strip() for l in open(listed_path) if l.strip()]
ids = [json.loads(l)["id"] for l in open(cases_path) if l.strip()]
try:
    report = json.load(open(report_path))
except (OSError, ValueError):
    print("the runner wrote no report (exit status %s)" % rc)
    print("0 passed, 1 failed")
    sys.exit(1)
failed = {f[0]: f[1] for f in report["failures"]}
crashed = [c if isinstance(c, str) else c[0] for c in report.get("crashes", [])]
known = set(ids)
missing = [i for i in listed if i not in known]
regressed = [i for i in listed if i in known and i in failed]
passed = [i for i in listed if i in known and i not in failed]
new = sorted(i for i in ids if i not in failed and i not in set(listed))
for i in regressed:
    print("REGRESSED %s: %s" % (i, failed[i][:300]))
for i in missing:
    print("listed id not among the cases: %s" % i)
if crashed:
    print("the server crashed during: %s" % ", ".join(crashed))
if new:
    print("%d passing case(s) not yet listed in test/conformance/passing.txt:" % len(new))
    for i in new[:40]:
        print("  " + i)
total = len(ids)
print("conformance: %d of %d cases pass (%.1f%%); %d listed, %d regressed"
      % (total - len(failed), total, 100.0 * (total - len(failed)) / total, len(listed),
         len(regressed)))
bad = len(regressed) + (1 if crashed else 0)
print("%d passed, %d failed" % (len(passed), bad))
sys.exit(1 if bad else 0)
PY
