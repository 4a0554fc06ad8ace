#!/bin/bash
# Instruction counts of the data benchmark (section (c) of run.sh) with the
# server in the loop, independent of the machine's load: a private cluster in
# a temporary folder, each statement run by `postgres --single` under
# valgrind --tool=callgrind, counting from the portal run to the end of the
# commit (deferred triggers and watch events included). Prints the count of
# create, read and update of N things beside the same on plain jsonb rows.
#   test/bench/callgrind_data.sh [N]   (default 10000; as root or postgres)
# TDB_CG_STEPS="read update" counts only those steps (default: create read
# update; the others, in this order, run on the things create makes, created
# then uncounted when create is not asked for: replace makes N new things over
# them, or DELETE and INSERT in one transaction; drop empties the list, or
# DELETE).
# With TDB_CG_KEEP=DIR the callgrind output of each counted statement is kept
# there (DIR/<thingsdb|sql>_<step>.out, for callgrind_annotate).
# Needs valgrind and the extension installed (make install).
set -euo pipefail
N="${1:-10000}"
CG_NAME=tdb_cg_data
PORT="${TDB_CG_PORT:-5597}"
# shellcheck source=test/bench/cg_cluster.sh
source "$(dirname "$0")/cg_cluster.sh"
psql_q -d cg -c "SELECT tdb_query(\$\$new_collection('bench_data')\$\$, '@thingsdb')" \
    -c "CREATE TABLE bench_rows (id bigint NOT NULL, collection bigint NOT NULL, props jsonb NOT NULL,
        PRIMARY KEY (collection, id))" >/dev/null
as_pg "$BIN/pg_ctl -D $DIR/data -w stop >/dev/null"

# Statements (one per line) under callgrind; prints their instruction count.
run_cg() {
    local out="$DIR/cg.out"
    printf '%s\n' "$@" > "$DIR/in.sql"
    [ "$(id -un)" = postgres ] || chown postgres "$DIR/in.sql"
    as_pg "valgrind --tool=callgrind --callgrind-out-file=$out --collect-atstart=no \
        --toggle-collect=PortalRun --toggle-collect=CommitTransactionCommand \
        $BIN/postgres --single -D $DIR/data cg < $DIR/in.sql > $DIR/single.out 2>$DIR/valgrind.err"
    if grep -q "ERROR" "$DIR/single.out"; then
        echo "statement failed: $*" >&2
        cat "$DIR/single.out" >&2
        exit 1
    fi
    awk '/^summary:/ {print $2}' "$out"
    if [ -n "${TDB_CG_KEEP:-}" ] && [ -n "${KEEP_AS:-}" ]; then
        mkdir -p "$TDB_CG_KEEP" && cp "$out" "$TDB_CG_KEEP/$KEEP_AS.out"
    fi
}

# One statement, after a warm-up statement in the same fresh backend (the
# caches and the extension's loading); the warm-up's own count, taken alone,
# is subtracted.
count() {
    local warm="$1" stmt="$2"
    local both alone
    both=$(KEEP_AS="${3:-}" run_cg "$warm" "$stmt")
    alone=$(run_cg "$warm")
    echo $((both - alone))
}
tq() { echo "SELECT tdb_query(\$tdb\$$1\$tdb\$, '@:bench_data');"; }

declare -A tdb sql
TW="$(tq "nil")"
SW="SELECT count(*) FROM bench_rows WHERE collection = 1;"
STEPS="${TDB_CG_STEPS:-create read update}"
want() { [[ " $STEPS " == *" $1 "* ]]; }
if want create; then
    tdb[create]=$(count "$TW" "$(tq ".items = range($N).map(|i| {n: i}); nil")" thingsdb_create)
    sql[create]=$(count "$SW" "INSERT INTO bench_rows (id, collection, props) SELECT i, 1, jsonb_build_object('n', i) FROM generate_series(1, $N) AS i;" sql_create)
else
    run_cg "$(tq ".items = range($N).map(|i| {n: i}); nil")" \
        "INSERT INTO bench_rows (id, collection, props) SELECT i, 1, jsonb_build_object('n', i) FROM generate_series(1, $N) AS i;" >/dev/null
fi
if want read; then
    tdb[read]=$(count "$TW" "$(tq ".items.map(|t| t.n).reduce(|a, b| a + b)")" thingsdb_read)
    sql[read]=$(count "$SW" "SELECT sum((props->>'n')::bigint) FROM bench_rows WHERE collection = 1;" sql_read)
fi
if want update; then
    tdb[update]=$(count "$TW" "$(tq ".items.each(|t| t.n += 1); nil")" thingsdb_update)
    sql[update]=$(count "$SW" "UPDATE bench_rows SET props = jsonb_set(props, '{n}', to_jsonb((props->>'n')::bigint + 1)) WHERE collection = 1;" sql_update)
fi

if want replace; then
    tdb[replace]=$(count "$TW" "$(tq ".items = range($N).map(|i| {n: i}); nil")" thingsdb_replace)
    sql[replace]=$(count "$SW" "BEGIN; DELETE FROM bench_rows WHERE collection = 1; INSERT INTO bench_rows (id, collection, props) SELECT i, 1, jsonb_build_object('n', i - $N) FROM generate_series($N + 1, 2 * $N) AS i; COMMIT;" sql_replace)
fi
if want drop; then
    tdb[drop]=$(count "$TW" "$(tq ".items = []; nil")" thingsdb_drop)
    sql[drop]=$(count "$SW" "DELETE FROM bench_rows WHERE collection = 1;" sql_drop)
fi

printf "data benchmark, %d things, instructions from the portal run to the end of the commit\n" "$N"
printf "  %-8s %16s %16s %8s\n" step thingsdb "plain SQL" ratio
for s in $STEPS; do
    printf "  %-8s %16s %16s %7.2fx\n" "$s" "${tdb[$s]}" "${sql[$s]}" "$(awk -v a="${tdb[$s]}" -v b="${sql[$s]}" 'BEGIN {print a / b}')"
done
