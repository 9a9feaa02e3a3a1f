#!/usr/bin/env bash
# Creates or refreshes both environments; re-installs only when a requirements file changed.
set -euo pipefail
source "$(dirname "$0")/common.sh"

ensure_venv() {  # ensure_venv DIR PYTHON_VERSION REQUIREMENTS [CONSTRAINTS]
  local dir="$1" version="$2" req="$3" constraints="${4:-}"
  local stamp="$dir/.requirements.sha256" want
  want=$(cat "$req" ${constraints:+"$constraints"} | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  local started=$SECONDS
  if [ ! -x "$dir/bin/python" ]; then
    log "creating $dir (Python $version)"
    "$(find_python "$version")" -m venv "$dir"
    "$dir/bin/python" -m pip install -q --upgrade pip
  fi
  log "installing $req into $dir"
  "$dir/bin/python" -m pip install -q -r "$req" ${constraints:+-c "$constraints"}
  echo "$want" > "$stamp"
  log "$dir ready in $((SECONDS - started)) s"
}

mkdir -p var models build
ensure_venv "$ROOT/.venv" 3.11 requirements.txt
ensure_venv "$ROOT/.venv-rasa" 3.10 requirements-rasa.txt constraints-rasa.txt
if [ "${SETUP_MIGRATE:-1}" = "1" ]; then
  log "migrating the database (${DATABASE_URL:-SQLite file var/ontong.db})"
  "$APP_PY" -m storage.cli migrate >/dev/null
fi
