#!/bin/bash
# Sets everything up (scripts/setup.sh) and opens psql on the thingsdb database.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
exec psql -h "$ROOT/.pgsock" -p 5499 -U postgres thingsdb
