#!/bin/bash
# The "try it" set-up: installs what is missing, builds and installs the
# extension and runs a private PostgreSQL 15 cluster in the project folder:
#   data and logs  .pgdata/ (logs in .pgdata/log)
#   socket         .pgsock/  (Unix socket only, no TCP), port 5499
#   database       thingsdb, with CREATE EXTENSION thingsdb
# Safe to re-run: it rebuilds what changed and starts only what is not running.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGPORT_TDB=5499
PGDATA_TDB="$ROOT/.pgdata"
PGSOCK_TDB="$ROOT/.pgsock"
PGBIN="/usr/lib/postgresql/15/bin"

say() { echo "setup: $*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- packages ---------------------------------------------------------------
PACKAGES=(postgresql-15 postgresql-server-dev-15 libpcre2-dev libgtest-dev googletest
          python3-psycopg make g++ libpq-dev libreadline-dev)
# `scripts/setup.sh --fuzz` (or TDB_FUZZ=1): also clang and its runtime, for
# the libFuzzer target (make fuzz, test/fuzz/run.sh); `--test` (what
# scripts/test.sh uses): those, clang-format for scripts/check_layout.sh, Debian's pg_cron
# and Node.js with npm for the JavaScript client example of docs/events.md.
if [ "${1:-}" = --fuzz ] || [ "${TDB_FUZZ:-}" = 1 ]; then
    PACKAGES+=(clang libclang-rt-14-dev)
elif [ "${1:-}" = --test ]; then
    PACKAGES+=(clang libclang-rt-14-dev clang-format)
    # pg_cron, for the maintenance recipe of docs/sql.md (test/e2e/test_pg_cron.py).
    PACKAGES+=(postgresql-15-cron)
    # Debian's nodejs and npm, unless a Node.js with npm is installed already (another
    # build of nodejs bundles npm, and Debian's npm package conflicts with it).
    command -v node >/dev/null || PACKAGES+=(nodejs)
    command -v npm >/dev/null || PACKAGES+=(npm)
fi
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- build and install ------------------------------------------------------
export PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
if [ "${TDB_NO_BUILD:-}" != 1 ]; then   # TDB_NO_BUILD=1: only the cluster
    say "building"
    make -C "$ROOT" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
    as_root make -C "$ROOT" -s install PG_CONFIG="$PG_CONFIG" >/dev/null
    # make install puts the client beside PostgreSQL's programs, which are not on
    # PATH on Debian: link it where they are found, as Debian links psql.
    TDB_BIN="$("$PG_CONFIG" --bindir)/tdb"
    if [ "$(command -v tdb)" != /usr/local/bin/tdb ] || [ "$(readlink /usr/local/bin/tdb)" != "$TDB_BIN" ]; then
        as_root ln -sfn "$TDB_BIN" /usr/local/bin/tdb 2>/dev/null \
            || say "the client is $TDB_BIN (not linked into /usr/local/bin: add its folder to PATH)"
    fi
fi

# --- the cluster --------------------------------------------------------------
# PostgreSQL refuses to run as root: as root the cluster belongs to the
# postgres OS user, otherwise to the current user.
if [ "$(id -u)" = 0 ]; then
    PGOWNER=postgres
    as_pg() { runuser -u postgres -- "$@"; }
    # The postgres user must be able to reach the project folder (it may be
    # under /root): grant traversal (x, not read) on every directory above it.
    d="$ROOT"
    while [ "$d" != "/" ]; do
        [ "$(stat -c %A "$d" | cut -c10)" = "x" ] || [ "$(stat -c %A "$d" | cut -c10)" = "t" ] \
            || chmod o+x "$d"
        d="$(dirname "$d")"
    done
else
    PGOWNER="$(id -un)"
    as_pg() { "$@"; }
fi

mkdir -p "$PGDATA_TDB" "$PGSOCK_TDB"
chmod 700 "$PGDATA_TDB"
[ "$(stat -c %U "$PGDATA_TDB")" = "$PGOWNER" ] || chown "$PGOWNER" "$PGDATA_TDB" "$PGSOCK_TDB"
[ "$(stat -c %U "$PGSOCK_TDB")" = "$PGOWNER" ] || chown "$PGOWNER" "$PGSOCK_TDB"

if [ ! -f "$PGDATA_TDB/PG_VERSION" ]; then
    say "creating the cluster in $PGDATA_TDB"
    as_pg "$PGBIN/initdb" -D "$PGDATA_TDB" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    echo "include_if_exists = 'thingsdb.conf'" | as_pg tee -a "$PGDATA_TDB/postgresql.conf" >/dev/null
fi

conf="# written by scripts/setup.sh on every run
port = $PGPORT_TDB
listen_addresses = ''
unix_socket_directories = '$PGSOCK_TDB'
logging_collector = on
log_directory = 'log'
log_filename = 'postgresql-%a.log'
log_truncate_on_rotation = on
# The task worker (docs/tasks.md) runs the due tasks of database thingsdb.
shared_preload_libraries = 'thingsdb'
thingsdb.task_databases = 'thingsdb'
"
conf_changed=no
if [ "$(cat "$PGDATA_TDB/thingsdb.conf" 2>/dev/null)" != "$(printf '%s' "$conf")" ]; then
    printf '%s' "$conf" | as_pg tee "$PGDATA_TDB/thingsdb.conf" >/dev/null
    conf_changed=yes
fi

# The preloaded library stays in the server (and every session forks with it): a newly
# installed one takes a restart.
TDB_LIB="$("$PG_CONFIG" --pkglibdir)/thingsdb.so"
lib_sum="$(md5sum < "$TDB_LIB" 2>/dev/null || true)"
lib_changed=no
if [ "$(cat "$PGDATA_TDB/thingsdb.so.md5" 2>/dev/null)" != "$lib_sum" ]; then
    lib_changed=yes
fi

if as_pg "$PGBIN/pg_ctl" -D "$PGDATA_TDB" status >/dev/null 2>&1; then
    if [ $conf_changed = yes ] || [ $lib_changed = yes ]; then
        say "restarting the server (settings or library changed)"
        as_pg "$PGBIN/pg_ctl" -D "$PGDATA_TDB" -w -l "$PGDATA_TDB/startup.log" restart >/dev/null
    fi
else
    say "starting the server on port $PGPORT_TDB, socket $PGSOCK_TDB"
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_TDB" -w -l "$PGDATA_TDB/startup.log" start >/dev/null
fi
printf '%s' "$lib_sum" | as_pg tee "$PGDATA_TDB/thingsdb.so.md5" >/dev/null

psql_tdb() { psql -X -q -v ON_ERROR_STOP=1 -h "$PGSOCK_TDB" -p $PGPORT_TDB -U postgres "$@"; }
if [ "$(psql_tdb -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'thingsdb'")" != 1 ]; then
    psql_tdb -d postgres -c "CREATE DATABASE thingsdb"
fi
psql_tdb -d thingsdb -c "CREATE EXTENSION IF NOT EXISTS thingsdb"
psql_tdb -d thingsdb -c "ALTER EXTENSION thingsdb UPDATE"   # a database of an older version
say "ready: psql -h $PGSOCK_TDB -p $PGPORT_TDB -U postgres thingsdb"
