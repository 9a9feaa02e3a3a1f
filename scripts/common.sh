# Shared by the scripts: paths, interpreters and default environment.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

export RASA_TELEMETRY_ENABLED=false
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export LOCAL_TELEGRAM_PORT="${LOCAL_TELEGRAM_PORT:-8081}"
export RASA_PORT="${RASA_PORT:-5005}"
export ACTIONS_PORT="${ACTIONS_PORT:-5055}"
export RASA_URL="${RASA_URL:-http://127.0.0.1:$RASA_PORT}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTIONS_PORT/webhook}"
export TRACKER_STORE_URL="${TRACKER_STORE_URL:-sqlite:///$ROOT/var/rasa_tracker.db}"
export RASA_ENDPOINTS="${RASA_ENDPOINTS:-endpoints.yml}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1

APP_PY="$ROOT/.venv/bin/python"
RASA_PY="$ROOT/.venv-rasa/bin/python"
RASA="$ROOT/.venv-rasa/bin/rasa"
MODEL="$ROOT/models/current.tar.gz"

# find_python 3.11 → the path of a working interpreter of that version.
find_python() {
  local version="$1" candidate
  for candidate in "python$version" "/usr/bin/python$version" /root/.pyenv/versions/"$version".*/bin/python \
                   "$HOME"/.pyenv/versions/"$version".*/bin/python /usr/local/bin/"python$version"; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$version'.split('.')))" 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "Python $version is required but was not found" >&2
  return 1
}

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
