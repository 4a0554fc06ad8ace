#!/bin/bash
# Instruction counts of one call (section (a) of run.sh), independent of the
# machine's load: a private cluster in a temporary folder whose server runs
# under valgrind --tool=callgrind, N calls of each contender from pgbench
# (prepared, one session), counting from the portal run to the end of each
# commit; the count of a session of N calls minus that of a session of 1 call,
# divided by N-1, so the extension's loading and first-call caches are left out. Prints instructions per call and
# the ratio to PL/pgSQL.
#   test/bench/callgrind_calls.sh [N]   (default 2000; as root or postgres)
# With TDB_CG_KEEP=DIR the callgrind output of each contender's N-call run is
# kept there (DIR/<name>.out, for callgrind_annotate), and that of its 1-call run
# (DIR/<name>.1.out: the difference of the two is what the warm calls cost).
# TDB_CG_ONLY="tdb_run pl_mul" counts those contenders only.
# Needs valgrind and the extension installed (make install).
set -euo pipefail
N="${1:-2000}"
CG_NAME=tdb_cg_calls
PORT="${TDB_CG_PORT:-5598}"
# shellcheck source=test/bench/cg_cluster.sh
source "$(dirname "$0")/cg_cluster.sh"
psql_q -d cg <<'SQL' >/dev/null
SELECT tdb_new_procedure('multiply', '|a, b| a * b');
CREATE FUNCTION pl_mul(a int, b int) RETURNS int LANGUAGE plpgsql AS 'BEGIN RETURN a * b; END';
CREATE FUNCTION sql_mul(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a * b';
SQL
# A client is pgbench with prepared statements, as in run.sh's section (a), so the backend's
# caches act as in any running server.
cg_server

# n calls of a statement in one new session; prints the instructions its
# backend counted (a backend writes its file when it exits).
run_cg() {
    local n="$1" stmt="$2" f g
    echo "$stmt" >"$DIR/q.sql"
    # the files of sessions that already ended are not this one's
    for g in "$DIR"/cg.*; do
        case "$g" in *.seen) ;; *) grep -q "^summary:" "$g" && touch "$g.seen" ;; esac
    done
    pgbench -n -M prepared -t "$n" -c 1 -f "$DIR/q.sql" -h "$DIR" -p "$PORT" -U postgres cg \
        >"$DIR/pgbench.out" 2>&1 || { cat "$DIR/pgbench.out" >&2; exit 1; }
    # pgbench's own first session checks the server and ends; the client's
    # session is the new file that counted the most
    sleep 1
    f=$(for g in "$DIR"/cg.*; do
            case "$g" in *.seen) ;; *) [ -e "$g.seen" ] || ! grep -q "^summary:" "$g" ||
                echo "$(awk '/^summary:/ {print $2}' "$g") $g" ;; esac
        done | sort -n | tail -1 | cut -d' ' -f2)
    [ -n "$f" ] || { echo "no callgrind output for: $stmt" >&2; exit 1; }
    for g in "$DIR"/cg.*; do
        case "$g" in *.seen) ;; *) grep -q "^summary:" "$g" && touch "$g.seen" ;; esac
    done
    if [ -n "${TDB_CG_KEEP:-}" ] && [ -n "${KEEP_AS:-}" ]; then
        mkdir -p "$TDB_CG_KEEP" && cp "$f" "$TDB_CG_KEEP/$KEEP_AS.out"
    fi
    awk '/^summary:/ {print $2}' "$f"
}

declare -A stmt per
names="${TDB_CG_ONLY:-tdb_run pl_mul sql_mul tdb_query}"
stmt[tdb_run]="SELECT tdb_run('multiply', 6, 7);"
stmt[pl_mul]="SELECT pl_mul(6, 7);"
stmt[sql_mul]="SELECT sql_mul(6, 7);"
stmt[tdb_query]="SELECT tdb_query('6 * 7');"
for c in $names; do
    one=$(KEEP_AS="$c.1" run_cg 1 "${stmt[$c]}")
    many=$(KEEP_AS="$c" run_cg "$N" "${stmt[$c]}")
    per[$c]=$(( (many - one) / (N - 1) ))
done
printf "call overhead, instructions per warm call (%d calls, portal run to end of commit)\n" "$N"
printf "  %-10s %12s %8s\n" statement instructions "to PL/pgSQL"
for c in $names; do
    if [ -n "${per[pl_mul]:-}" ]; then
        printf "  %-10s %12s %7.2fx\n" "$c" "${per[$c]}" "$(awk -v a="${per[$c]}" -v b="${per[pl_mul]}" 'BEGIN {print a / b}')"
    else
        printf "  %-10s %12s\n" "$c" "${per[$c]}"
    fi
done
