#!/bin/bash
# pg_regress and the e2e tests of hostile input (test_hostile.py,
# test_hostile_storage.py, the generator test_generated.py with a short budget:
# TDB_ASAN_GEN_STATEMENTS, default 300) under AddressSanitizer and UBSan.
#
#   make asan-regress   or   scripts/asan_regress.sh [--keep] [REGRESS test names...]
#
# PostgreSQL itself is not instrumented: the extension is built with
# -fsanitize=address,undefined (build/asan-pg/thingsdb.so) and the ASan
# runtime is preloaded into the postmaster only (a wrapper handed to
# `pg_ctl -p`; initdb, pg_ctl, psql and pg_regress run without it), so every
# backend runs the sanitized extension. test/asan/asan_first.c is preloaded
# with it: it starts the runtime before the initialisers of postgres's
# libraries call into glibc's locale code (without it the server hangs at
# start). The server runs on a copy of the
# PostgreSQL installation in a directory of its own under /tmp (PostgreSQL
# finds its lib and share directories relative to its own binary), so the
# sanitized thingsdb.so is installed there and nowhere else; its cluster has
# its own socket directory and port. Reports go to report files
# (ASAN_OPTIONS log_path); any such file fails the run. The last line is
# "N passed, N failed" (pg_regress tests, the e2e tests' cases, and
# one check for "no sanitizer report"); the exit status is non-zero on failure.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
KEEP=0
if [ "${1:-}" = "--keep" ]; then KEEP=1; shift; fi
TESTS=("$@")
if [ ${#TESTS[@]} -eq 0 ]; then
    read -r -a TESTS <<<"$(make -s --no-print-directory print-regress)"
fi
SO="$ROOT/build/asan-pg/thingsdb.so"
if ! make -s -j2 build/asan-pg/thingsdb.so; then
    echo "the sanitized build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

BINDIR="$("$PG_CONFIG" --bindir)"
PKGLIBDIR="$("$PG_CONFIG" --pkglibdir)"
SHAREDIR="$("$PG_CONFIG" --sharedir)"
PGXS_DIR="$(dirname "$("$PG_CONFIG" --pgxs)")"
LIBASAN="$(g++ -print-file-name=libasan.so)"
PORT=5497   # alone in its own socket directory (no TCP), so never in use

W="$(mktemp -d /tmp/tdb_asan.XXXXXX)"
REPORTS="$W/reports"
INST="$W/inst"
mkdir -p "$REPORTS" "$INST$BINDIR" "$INST$PKGLIBDIR" "$INST$SHAREDIR"
cp -a "$BINDIR/." "$INST$BINDIR/"
cp -a "$PKGLIBDIR/." "$INST$PKGLIBDIR/"
cp -a "$SHAREDIR/." "$INST$SHAREDIR/"
install -m 755 "$SO" "$INST$PKGLIBDIR/thingsdb.so"
install -m 644 thingsdb.control sql/thingsdb--*.sql "$INST$SHAREDIR/extension/"

# The postmaster (and so every backend) with the ASan runtime. PostgreSQL
# never frees some memory on purpose (detect_leaks=0); a failing allocation
# returns NULL (the extension's operator new turns it into bad_alloc, as
# without ASan) instead of a report of a too large allocation. The
# extension's operator new and delete (src/pg/memory.cpp) are malloc and
# free; a string that libstdc++'s own code grew (std::getline) was allocated
# by the global operator new and is freed by the extension's delete: malloc
# and free underneath, no error, but ASan reports a mismatch of kinds
# (alloc_dealloc_mismatch=0).
cat >"$W/postgres-asan" <<EOF
#!/bin/sh
export LD_PRELOAD="$LIBASAN:$W/asan_first.so"
export ASAN_OPTIONS="log_path=$REPORTS/asan:detect_leaks=0:detect_stack_use_after_return=0:alloc_dealloc_mismatch=0:allocator_may_return_null=1:abort_on_error=0:print_summary=1"
export UBSAN_OPTIONS="log_path=$REPORTS/ubsan:print_stacktrace=1:halt_on_error=0"
exec "$INST$BINDIR/postgres" "\$@"
EOF
chmod 755 "$W/postgres-asan"
gcc -shared -fPIC -O1 -o "$W/asan_first.so" test/asan/asan_first.c
chmod 777 "$REPORTS"
chown -R postgres "$W" 2>/dev/null || true

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

TOTAL_PASSED=0
TOTAL_FAILED=0
count() {  # count SUITE PASSED FAILED
    echo "== $1: $2 passed, $3 failed"
    TOTAL_PASSED=$((TOTAL_PASSED + $2))
    TOTAL_FAILED=$((TOTAL_FAILED + $3))
}

DATA="$W/data"
cleanup() {
    as_pg "$INST$BINDIR/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1
    if [ $KEEP = 1 ]; then
        echo "kept: $W"
    else
        rm -rf "$W"
    fi
}
trap cleanup EXIT

START=$(date +%s)
as_pg "$INST$BINDIR/initdb" -D "$DATA" -U postgres -A trust --no-sync >"$W/initdb.log" 2>&1 || {
    cat "$W/initdb.log"; echo "0 passed, 1 failed"; exit 1; }
cat >>"$DATA/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$W'
port = $PORT
fsync = off
shared_buffers = 64MB
max_connections = 30
log_min_error_statement = panic
EOF
if ! as_pg "$INST$BINDIR/pg_ctl" -D "$DATA" -l "$W/server.log" -p "$W/postgres-asan" -w -t 120 start >/dev/null; then
    cat "$W/server.log"
    echo "0 passed, 1 failed"
    exit 1
fi
export PGHOST="$W" PGPORT="$PORT" PGUSER=postgres

# The backends run the sanitized thingsdb.so of the copy, with the ASan runtime.
/usr/bin/python3 - <<'PY'
import os, psycopg
with psycopg.connect(dbname="postgres", autocommit=True) as c:
    c.execute("CREATE DATABASE tdb_asan_check")
with psycopg.connect(dbname="tdb_asan_check", autocommit=True) as c:
    c.execute("CREATE EXTENSION thingsdb")
    assert c.execute("SELECT tdb_query('1 + 1')").fetchone()[0] == 2
    pid = c.execute("SELECT pg_backend_pid()").fetchone()[0]
    maps = open("/proc/%d/maps" % pid).read()
    so = os.environ["PGHOST"] + "/inst"
    assert "libasan" in maps, "no ASan runtime in the backend"
    assert so in maps and "thingsdb.so" in maps, "the backend did not load the sanitized thingsdb.so"
    print("backend %d: libasan and %s...thingsdb.so loaded" % (pid, so))
with psycopg.connect(dbname="postgres", autocommit=True) as c:
    c.execute("DROP DATABASE tdb_asan_check")
PY
[ $? -eq 0 ] && count "sanitized server" 1 0 || count "sanitized server" 0 1

# --- pg_regress (the REGRESS list of the Makefile) ------------------------------------
echo "== pg_regress under ASan/UBSan: ${TESTS[*]}"
mkdir -p "$W/regress"
"$PGXS_DIR/../test/regress/pg_regress" --inputdir="$ROOT/test/regress" --outputdir="$W/regress" \
    --bindir="$BINDIR" --host="$W" --port="$PORT" --user=postgres \
    --load-extension=thingsdb --dbname=tdb_asan_regress "${TESTS[@]}" >"$W/regress.log" 2>&1
rc=$?
grep -E '^(ok|not ok) |^test |tests? (passed|failed)' "$W/regress.log"
n=${#TESTS[@]}
f=$(grep -cE '^not ok |^test .* \.\.\. FAILED|FAILED \(' "$W/regress.log")
if [ $rc -ne 0 ] && [ "$f" = 0 ]; then tail -20 "$W/regress.log"; f=1; fi
[ "$f" != 0 ] && [ -f "$W/regress/regression.diffs" ] && head -200 "$W/regress/regression.diffs"
count "pg_regress (ASan/UBSan)" $((n - f > 0 ? n - f : 0)) "$f"

# --- the e2e tests of hostile input, each on a cluster of its own started the same way:
# test_hostile.py (deep, huge and invalid input to every SQL function),
# test_hostile_storage.py (decode of stored rows that read other rows while
# decoded, render of containers changed by methods, regexes), and the
# generator of adversarial statements (test_generated.py) with a short budget.
e2e() {  # e2e NAME [VAR=VALUE...]
    local name=$1
    shift
    echo "== test/e2e/$name under ASan/UBSan"
    env "$@" TDB_PG_BINDIR="$INST$BINDIR" TDB_PG_POSTGRES="$W/postgres-asan" \
        /usr/bin/python3 "test/e2e/$name" >"$W/$name.log" 2>&1
    local rc=$? p f last
    last=$(tail -1 "$W/$name.log")
    if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        p=${BASH_REMATCH[1]}
        f=${BASH_REMATCH[2]}
        [ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
    else
        p=0
        f=1
    fi
    [ "$f" != 0 ] && tail -40 "$W/$name.log"
    grep -E 'tried|statements|calls|seed|FINDING' "$W/$name.log" | tail -4
    count "$name (ASan/UBSan)" "$p" "$f"
}
e2e test_hostile.py
e2e test_hostile_storage.py
e2e test_generated.py TDB_GEN_STATEMENTS="${TDB_ASAN_GEN_STATEMENTS:-300}"

# --- the verdict: no report file -------------------------------------------------------
as_pg "$INST$BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1
shopt -s nullglob
files=("$REPORTS"/*)
if [ ${#files[@]} -eq 0 ]; then
    echo "no sanitizer report"
    count "sanitizer reports" 1 0
else
    mkdir -p "$ROOT/build/asan-pg/reports"
    cp "${files[@]}" "$ROOT/build/asan-pg/reports/"
    for r in "${files[@]}"; do echo "--- $r"; head -60 "$r"; done
    echo "${#files[@]} sanitizer report files (copied to build/asan-pg/reports)"
    count "sanitizer reports" 0 1
fi
echo "took $(( $(date +%s) - START )) s"
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" = 0 ]
