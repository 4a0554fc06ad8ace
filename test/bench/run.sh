#!/bin/bash
# The benchmarks in one command: sets up what they need and runs
# every comparison with interleaved repetitions, printing medians and ratios.
#   test/bench/run.sh [bench.py options, e.g. --only b --reps 3]
# Needs the cluster of scripts/setup.sh (run here when it is not up), the
# packages postgresql-15-pllua and postgresql-client-15 (pgbench; installed
# when missing), and makes the scratch database tdb_perf afresh (the scale
# collections of a million things are kept between runs: set
# TDB_BENCH_FRESH=1 to rebuild them too).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PGHOST="${PGHOST:-$ROOT/.pgsock}" PGPORT="${PGPORT:-5499}" PGUSER="${PGUSER:-postgres}"
DB="${TDB_BENCH_DB:-tdb_perf}"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in postgresql-15-pllua postgresql-client-15 python3-psycopg; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Build, install and start the cluster when needed (idempotent).
if [ "${TDB_BENCH_NO_SETUP:-}" != 1 ]; then "$ROOT/scripts/setup.sh" >/dev/null; fi

psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
exists=$(psql_q -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'")
if [ "${TDB_BENCH_FRESH:-}" = 1 ] || [ -z "$exists" ]; then
    psql_q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
    psql_q -d "$DB" -c "CREATE EXTENSION thingsdb" -c "CREATE EXTENSION pllua"
else
    # Keep the collections, renew the functions (and the extension's code).
    psql_q -d "$DB" -c "DROP FUNCTION IF EXISTS pl_mul, sql_mul, lua_mul, pl_sum, lua_sum,
        lua_sum_loop, pl_loop, lua_loop, pl_str, lua_str, pl_sort, lua_sort" \
        -c "DROP TABLE IF EXISTS bench_rows" -c "CREATE EXTENSION IF NOT EXISTS pllua"
fi
psql_q -d "$DB" -f "$ROOT/test/bench/setup.sql" >/dev/null
psql_q -d "$DB" -Atc "SELECT tdb_query(\$\$if (!has_procedure('multiply')) new_procedure('multiply', |a, b| a * b); nil\$\$, '@:stuff')" >/dev/null

exec /usr/bin/python3 "$ROOT/test/bench/bench.py" --db "$DB" "$@"
