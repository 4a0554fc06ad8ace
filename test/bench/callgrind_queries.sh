#!/bin/bash
# Instructions of each query of a session, to tell a slow run of the extension (a cache
# dropped, a growing allocation, invalidations taken in: more instructions) from one of the
# machine (a wake-up or a preemption: the same instructions, more time). A private cluster
# whose server runs under valgrind --tool=callgrind, dumping after every commit; one session
# runs STMT once to warm up, then K times; prints min, median and max instructions per run
# and the runs more than 10% above the median.
#   test/bench/callgrind_queries.sh "STMT" [K] [SETUP_SQL]   (as root or postgres)
# e.g. test/bench/callgrind_queries.sh "SELECT tdb_query('.arr[5000].n', '@:b')" 200 \
#        "SELECT tdb_query('new_collection(\"b\")', '@thingsdb');
#         SELECT tdb_query('.arr = range(10000).map(|i| {n: i}); nil', '@:b')"
# Needs valgrind and the extension installed (make install).
set -euo pipefail
STMT="$1"
K="${2:-200}"
SETUP="${3:-}"
CG_NAME=tdb_cg_queries
PORT="${TDB_CG_PORT:-5597}"
# shellcheck source=test/bench/cg_cluster.sh
source "$(dirname "$0")/cg_cluster.sh"
[ -z "$SETUP" ] || psql_q -d cg -c "SET thingsdb.max_things = 2000000" -c "$SETUP" >/dev/null
as_pg "$BIN/pg_ctl -D $DIR/data -w stop >/dev/null"

as_pg "valgrind --tool=callgrind --trace-children=yes --collect-atstart=no \
    --toggle-collect=PortalRun --toggle-collect=CommitTransactionCommand \
    --dump-after=CommitTransactionCommand \
    --callgrind-out-file=$DIR/cg.%p $BIN/postgres -D $DIR/data -p $PORT -k $DIR \
    -c autovacuum=off >$DIR/server.log 2>&1 &"
for _ in $(seq 300); do
    psql -X -q -h "$DIR" -p "$PORT" -U postgres -d cg -c "SELECT 1" >/dev/null 2>&1 && break
    sleep 1
done
sleep 2
before=$(ls "$DIR" | grep -c '^cg\.' || true)
{
    echo "SET thingsdb.max_things = 2000000;"
    for _ in $(seq 0 "$K"); do echo "$STMT;"; done
} >"$DIR/q.sql"
psql_q -d cg -f "$DIR/q.sql" >/dev/null
sleep 2
as_pg "$BIN/pg_ctl -D $DIR/data -m fast -w stop >/dev/null" || true
# The session's dumps: its pid's files with a part number, in order; the first two are the
# SET and the warm-up.
pid=$(for f in "$DIR"/cg.*.*; do b=${f##*/cg.}; echo "${b%%.*}"; done | sort | uniq -c | sort -n |
      tail -1 | awk '{print $2}')
# A statement may dump more than once (a small dump of a few thousand instructions, at the
# end of a command without a portal): dumps under 10,000 instructions are added to the next.
files=$(n=1; while [ -e "$DIR/cg.$pid.$n" ]; do echo "$DIR/cg.$pid.$n"; n=$((n + 1)); done)
[ -z "${TDB_CG_KEEP:-}" ] || { mkdir -p "$TDB_CG_KEEP"; cp $files "$TDB_CG_KEEP"/; }
for f in $files; do
    awk '/^(summary|totals):/ {print $2; exit}' "$f"
done | awk '{acc += $1} $1 >= 10000 {print acc; acc = 0}' | tail -n "$K" >"$DIR/counts"
sort -n "$DIR/counts" | awk -v k="$K" '{a[NR] = $1} END {
    med = a[int((NR + 1) / 2)]
    printf "%d runs: instructions min %d, median %d, max %d (max/median %.3f)\n", NR, a[1], med, a[NR], a[NR] / med
}'
med=$(sort -n "$DIR/counts" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
[ -z "${TDB_CG_ALL:-}" ] || cp "$DIR/counts" "$TDB_CG_ALL"
awk -v m="$med" '$1 > 1.1 * m {printf "  run %d: %d (%.2fx)\n", NR, $1, $1 / m}' "$DIR/counts"
