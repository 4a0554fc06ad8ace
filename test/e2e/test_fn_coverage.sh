#!/bin/bash
# Every function docs/functions.md marks supported has tests of its normal
# use and of its argument errors (test/tools/fn_coverage.py; no server needed).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if /usr/bin/python3 "$ROOT/test/tools/fn_coverage.py"; then
    echo "1 passed, 0 failed"
    exit 0
fi
echo "0 passed, 1 failed"
exit 1
