#!/usr/bin/env bash
# Trains models/current.tar.gz unless it was trained from exactly these files.
set -euo pipefail
source "$(dirname "$0")/common.sh"
mkdir -p models
# One training at a time: several shells (or helpers) may ask at once.
exec 9>models/.train.lock
flock 9

fingerprint=$(cat config.yml domain.yml requirements-rasa.txt \
  $(find nlu -type f \( -name '*.yml' -o -name '*.py' \) -not -path '*/__pycache__/*' | sort) | sha256sum | cut -d' ' -f1)
if [ -f "$MODEL" ] && [ "$(cat models/current.sha256 2>/dev/null)" = "$fingerprint" ]; then
  log "model is up to date"
  exit 0
fi
log "training the Rasa model (a few minutes on 2 cores)"
# --quiet also hides the epoch progress bars; the quiet run command keeps them
# (RASA_TRAIN_PROGRESS=1) in var/log/train.log to show a percentage.
quiet="--quiet"
[ "${RASA_TRAIN_PROGRESS:-0}" = "1" ] && quiet=""
"$RASA" train --config config.yml --domain domain.yml --data nlu/data \
  --out models --fixed-model-name current $quiet
echo "$fingerprint" > models/current.sha256
