#!/bin/bash
# Benchmark (run by hand): pgbench throughput of SELECT tdb_run('multiply', 6, 7)
# beside a PL/pgSQL function computing a * b; prepared statements, 1 and 2
# clients, runs interleaved. Prints tps per run and the ratio of the medians.
#   test/bench/procedures.sh [seconds-per-run] [rounds]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PGHOST="${PGHOST:-$ROOT/.pgsock}" PGPORT="${PGPORT:-5499}" PGUSER="${PGUSER:-postgres}"
PGBIN="$(pg_config --bindir)"
SECS="${1:-10}"
ROUNDS="${2:-3}"
DB=tdb_bench
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" 2>/dev/null
psql -X -q -d $DB <<'SQL' >/dev/null
CREATE EXTENSION thingsdb;
SELECT tdb_new_procedure('multiply', '|a, b| a * b');
CREATE FUNCTION plpgsql_multiply(a int, b int) RETURNS int
LANGUAGE plpgsql AS $$ BEGIN RETURN a * b; END $$;
SQL
echo "SELECT tdb_run('multiply', 6, 7);" >"$TMP/tdb_run.sql"
echo "SELECT plpgsql_multiply(6, 7);" >"$TMP/plpgsql.sql"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

for clients in 1 2; do
    : >"$TMP/tdb_run.$clients"
    : >"$TMP/plpgsql.$clients"
    for round in $(seq "$ROUNDS"); do
        for f in tdb_run plpgsql; do
            tps=$("$PGBIN/pgbench" -n -M prepared -c "$clients" -j "$clients" -T "$SECS" -f "$TMP/$f.sql" $DB 2>/dev/null |
                  sed -nE 's/^tps = ([0-9.]+).*/\1/p')
            echo "clients=$clients round=$round $f tps=$tps"
            echo "$tps" >>"$TMP/$f.$clients"
        done
    done
    a=$(median <"$TMP/tdb_run.$clients")
    b=$(median <"$TMP/plpgsql.$clients")
    echo "clients=$clients median tdb_run=$a plpgsql=$b ratio=$(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", a / b}')"
done
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" 2>/dev/null
