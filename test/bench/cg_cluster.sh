# Sourced by the callgrind_*.sh scripts: a throw-away cluster in a temporary folder
# ($DIR, port $PORT, socket in $DIR) with a database cg holding the extension, removed
# with its folder on exit, and left running for the caller's own set-up (the caller stops
# it and starts the server under valgrind). Before sourcing, set CG_NAME (the folder's
# prefix) and PORT. Defines BIN, DIR, as_pg (a command as postgres) and psql_q.
BIN="$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)"
[ -x "$BIN/initdb" ] || BIN=/usr/lib/postgresql/15/bin
DIR="$(mktemp -d "/tmp/$CG_NAME.XXXXXX")"
as_pg() {
    if [ "$(id -un)" = postgres ]; then bash -c "$1"; else su postgres -c "$1"; fi
}
[ "$(id -un)" = postgres ] || chown postgres "$DIR"
cleanup() {
    as_pg "$BIN/pg_ctl -D $DIR/data -m immediate stop" >/dev/null 2>&1 || true
    sleep 1
    rm -rf "$DIR"
}
trap cleanup EXIT
psql_q() { psql -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres "$@"; }

as_pg "$BIN/initdb -D $DIR/data -A trust >/dev/null"
as_pg "$BIN/pg_ctl -D $DIR/data -o '-p $PORT -k $DIR' -l $DIR/log -w start >/dev/null"
psql_q -d postgres -c "CREATE DATABASE cg"
psql_q -d cg -c "CREATE EXTENSION thingsdb"
