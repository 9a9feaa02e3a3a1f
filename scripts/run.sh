#!/usr/bin/env bash
# One command from a fresh clone to a working chat page: set up, train, run.
set -euo pipefail
source "$(dirname "$0")/common.sh"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/train.sh"
exec "$APP_PY" "$ROOT/scripts/stack.py"
