# Sourced by the callgrind_*.sh scripts: a throw-away cluster in a temporary folder
# ($DIR, port $PORT, socket in $DIR) with a database cg holding the extension, removed
# with its folder on exit, and left running for the caller's own set-up (the caller stops
# it and starts the server under valgrind: cg_server). Before sourcing, set CG_NAME (the
# folder's prefix) and PORT. Defines BIN, DIR, as_pg (a command as postgres), psql_q and
# cg_server.
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

# Stops the set-up server and starts it again under valgrind --tool=callgrind, each process
# counted apart ($DIR/cg.<pid>[.<part>]), only from the portal run to the end of each commit;
# returns once it answers. Extra callgrind options as arguments (--dump-after=...).
cg_server() {
    as_pg "$BIN/pg_ctl -D $DIR/data -w stop >/dev/null"
    as_pg "valgrind --tool=callgrind --trace-children=yes --collect-atstart=no \
        --toggle-collect=PortalRun --toggle-collect=CommitTransactionCommand $* \
        --callgrind-out-file=$DIR/cg.%p $BIN/postgres -D $DIR/data -p $PORT -k $DIR \
        -c autovacuum=off >$DIR/server.log 2>&1 &"
    for _ in $(seq 300); do
        psql -X -q -h "$DIR" -p "$PORT" -U postgres -d cg -c "SELECT 1" >/dev/null 2>&1 && return
        sleep 1
    done
    echo "the server under valgrind did not start (see $DIR/server.log)" >&2
    return 1
}
