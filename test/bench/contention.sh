#!/bin/bash
# Benchmark (run by hand): writers on one hot row. 8 pgbench clients with --max-tries=1
# (no client retry) run SELECT tdb_run('inc') (new_procedure('inc', || .counter += 1)) and
# UPDATE ctr SET v = v + 1, interleaved, a fixed number of calls each; prints per run the
# calls that committed and failed and the tps, then the medians and their ratio, and checks
# that the counter equals the committed calls. Then one more run of the same size counts the
# runs per call: a procedure that also makes one thing (tdb_run('inc_new')) uses one thing id
# per run, and a run rolled back does not give its id back, so ids used / calls is the average
# number of runs of a call. pgbench is pinned to CPU $TDB_BENCH_CPUS (default 1) with taskset,
# as in test/bench/RESULTS.md.
#   test/bench/contention.sh [calls-per-client] [rounds]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PGHOST="${PGHOST:-$ROOT/.pgsock}" PGPORT="${PGPORT:-5499}" PGUSER="${PGUSER:-postgres}"
PGBIN="$(pg_config --bindir)"
PER_CLIENT="${1:-500}"
ROUNDS="${2:-5}"
CLIENTS=8
CPUS="${TDB_BENCH_CPUS:-1}"
DB=tdb_bench_contention
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" 2>/dev/null
psql -X -q -d $DB <<'SQL' >/dev/null
CREATE EXTENSION thingsdb;
SELECT tdb_query($$ .counter = 0; new_procedure('inc', || .counter += 1);
    new_procedure('inc_new', || {.counter2 += 1; .last = {}; nil}); .counter2 = 0; nil $$);
CREATE TABLE ctr (v int);
INSERT INTO ctr VALUES (0);
SQL
echo "SELECT tdb_run('inc');" >"$TMP/tdb_run.sql"
echo "UPDATE ctr SET v = v + 1;" >"$TMP/update.sql"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

committed_tdb=0
committed_upd=0
: >"$TMP/tdb_run.tps"
: >"$TMP/update.tps"
for round in $(seq "$ROUNDS"); do
    for f in tdb_run update; do
        out=$(taskset -c "$CPUS" "$PGBIN/pgbench" -n -c $CLIENTS -j $CLIENTS -t "$PER_CLIENT" \
              --max-tries=1 -f "$TMP/$f.sql" $DB 2>/dev/null)
        tps=$(sed -nE 's/^tps = ([0-9.]+).*/\1/p' <<<"$out")
        done_=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' <<<"$out")
        failed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' <<<"$out")
        echo "round=$round $f committed=$done_/$((CLIENTS * PER_CLIENT)) failed=${failed:-0} tps=$tps"
        echo "$tps" >>"$TMP/$f.tps"
        if [ "$f" = tdb_run ]; then committed_tdb=$((committed_tdb + done_)); else committed_upd=$((committed_upd + done_)); fi
    done
done
echo "SELECT tdb_run('inc_new');" >"$TMP/inc_new.sql"
ids_before=$(psql -X -Atq -d $DB -c "SELECT last_value FROM thingsdb.thing_id_seq")
out=$(taskset -c "$CPUS" "$PGBIN/pgbench" -n -c $CLIENTS -j $CLIENTS -t "$PER_CLIENT" \
      --max-tries=1 -f "$TMP/inc_new.sql" $DB 2>/dev/null)
ids_after=$(psql -X -Atq -d $DB -c "SELECT last_value FROM thingsdb.thing_id_seq")
done_=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' <<<"$out")
echo "runs per call (inc_new, $done_ committed): $(awk -v n="$((ids_after - ids_before))" -v c="$done_" 'BEGIN {printf "%.3f", n / c}')"
a=$(median <"$TMP/tdb_run.tps")
b=$(median <"$TMP/update.tps")
counter=$(psql -X -Atq -d $DB -c "SELECT tdb_query('.counter')")
v=$(psql -X -Atq -d $DB -c "SELECT v FROM ctr")
echo "median tps tdb_run=$a update=$b; update/tdb_run=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", b / a}')"
echo "counter=$counter (committed $committed_tdb), ctr.v=$v (committed $committed_upd)"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null
[ "$counter" = "$committed_tdb" ] && [ "$v" = "$committed_upd" ]
