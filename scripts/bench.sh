#!/usr/bin/env bash
# Runs one benchmark under bench/ after making sure everything is set up.
set -euo pipefail
source "$(dirname "$0")/common.sh"
name="${1:?usage: scripts/bench.sh turn_latency|nlu_eval|broadcast}"; shift
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/train.sh"
case "$name" in
  nlu_eval) exec "$RASA_PY" "bench/nlu_eval.py" "$@" ;;
  *) exec "$APP_PY" "bench/$name.py" "$@" ;;
esac
