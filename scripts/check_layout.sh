#!/bin/bash
# Checks of the source tree's shape that the compiler alone does not make
# (README "Layout"); run by scripts/test.sh. Ends with "N passed, N failed".
#   1. src/pg includes the core only through core/api/.
#   2. every header of src/core includes core/api/pure.h, and a core header
#      read after postgres.h does not compile.
#   3. no source file is longer than 800 lines.
#   4. the C++ sources are formatted as .clang-format says.
#   5. no lambda given to pg_call declares an object with a destructor
#      (test/tools/pg_call_lint.py; an ereport would skip it).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
passed=0
failed=0
check() {  # check NAME STATUS [DETAILS]
    if [ "$2" = 0 ]; then
        echo "ok   $1"
        passed=$((passed + 1))
    else
        echo "FAIL $1"
        [ -n "${3:-}" ] && echo "$3" | head -40 | sed 's/^/     /'
        failed=$((failed + 1))
    fi
}

# 1. src/pg sees the core only through its API headers.
bad=$(grep -rnE '#include "core/' src/pg | grep -v '#include "core/api/' || true)
check "src/pg includes only core/api/ headers" "$([ -z "$bad" ]; echo $?)" "$bad"

# 2. Every core header starts with the guard, and the guard works.
bad=""
while IFS= read -r h; do
    [ "$h" = src/core/api/pure.h ] && continue
    first=$(grep -m1 '#include' "$h")
    [ "$first" = '#include "core/api/pure.h"' ] || bad+="$h: first include is '$first'"$'\n'
done < <(find src/core -name '*.h' | sort)
check "every src/core header includes core/api/pure.h first" "$([ -z "$bad" ]; echo $?)" "$bad"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include "postgres.h"\n#include "core/api/engine.h"\n' >"$tmp/after.cpp"
printf '#include "core/api/engine.h"\n#include "postgres.h"\n' >"$tmp/before.cpp"
inc=(-std=c++20 -fsyntax-only -Isrc -isystem "$("$PG_CONFIG" --includedir-server)")
g++ "${inc[@]}" "$tmp/before.cpp" >"$tmp/before.log" 2>&1
before=$?
g++ "${inc[@]}" "$tmp/after.cpp" >"$tmp/after.log" 2>&1
after=$?
ok=1
if [ $before -eq 0 ] && [ $after -ne 0 ] && grep -q 'included after postgres.h' "$tmp/after.log"; then ok=0; fi
check "a core header after postgres.h does not compile (and before it does)" "$ok" \
    "$(cat "$tmp/before.log" "$tmp/after.log")"

# 3. File length.
long=$(find src test/unit test/fuzz -name '*.cpp' -o -name '*.h' -o -name '*.c' | sort |
    xargs wc -l | awk '$2 != "total" && $1 > 800 {print $2 ": " $1 " lines"}')
check "no source file is longer than 800 lines" "$([ -z "$long" ]; echo $?)" "$long"

# 5. What runs inside pg_call holds plain data only.
out=$(/usr/bin/python3 test/tools/pg_call_lint.py 2>&1)
check "no object with a destructor inside a pg_call lambda (test/tools/pg_call_lint.py)" \
    "$(echo "$out" | tail -1 | grep -q ' 0 failed$'; echo $?)" "$(echo "$out" | grep -v 'passed,')"

# 4. Formatting (clang-format of Debian 12, the version .clang-format is written for).
if command -v clang-format >/dev/null; then
    out=$(find src test/unit test/fuzz test/bench -name '*.cpp' -o -name '*.h' | sort |
        xargs clang-format --dry-run --Werror 2>&1 | grep -E '^[^ ].*(warning|error):' | head -20)
    check "sources formatted as .clang-format says (clang-format --dry-run)" \
        "$([ -z "$out" ]; echo $?)" "$out"
else
    echo "skip sources formatted (clang-format is not installed)"
    echo "$passed passed, $failed failed, 1 skipped"
    exit $([ "$failed" = 0 ]; echo $?)
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
