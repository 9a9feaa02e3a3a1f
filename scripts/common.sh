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

# --- quiet steps -----------------------------------------------------------------
# step LABEL LOGNAME HINT -- command…  runs the command with every line of its output in
# var/log/LOGNAME.log, shows a spinner (with Rasa's epoch percentage while training)
# when the terminal is interactive, then prints one line with the elapsed time.
# On failure: the last 20 lines of that log and HINT (what to do), then exit.
# STEP_VERBOSE=1 shows the output as before.
STEP_LOG_DIR="$ROOT/var/log"

_now() { date +%s.%N; }
_elapsed() { awk -v a="$1" -v b="$(_now)" 'BEGIN { printf "%.1f", b - a }'; }

_progress() {  # the latest "Epochs:  37%" (or similar) in a log that tqdm wrote with \r
  tail -c 4000 "$1" 2>/dev/null | tr '\r' '\n' | grep -aoE '(Epochs|Processed [A-Za-z]+|Processed trackers)[^|]*[0-9]+%' \
    | tail -n 1 | sed -E 's/ +/ /g'
}

step() {
  local label="$1" name="$2" hint="$3"; shift 3
  [ "${1:-}" = "--" ] && shift
  mkdir -p "$STEP_LOG_DIR"
  local logfile="$STEP_LOG_DIR/$name.log" start rc=0
  start=$(_now)
  if [ "${STEP_VERBOSE:-0}" = "1" ]; then
    printf '\033[1;34m==>\033[0m %s\n' "$label" >&2
    "$@" || rc=$?
  else
    printf '\n== %s: %s\n' "$(date '+%F %T')" "$*" >> "$logfile"
    "$@" >> "$logfile" 2>&1 &
    local pid=$! frames='|/-\' i=0 extra
    if [ -t 2 ]; then
      while kill -0 "$pid" 2>/dev/null; do
        extra=$(_progress "$logfile")
        printf '\r\033[K  %s %s … %ss%s' "${frames:i++%4:1}" "$label" "$(_elapsed "$start" | cut -d. -f1)" \
          "${extra:+  ($extra)}" >&2
        sleep 0.5
      done
      printf '\r\033[K' >&2
    fi
    wait "$pid" || rc=$?
  fi
  if [ "$rc" -ne 0 ]; then
    printf '  \033[1;31m✗\033[0m %s  %ss  실패 (exit %s)\n' "$label" "$(_elapsed "$start")" "$rc" >&2
    if [ "${STEP_VERBOSE:-0}" != "1" ]; then
      printf '\n--- %s (마지막 20줄) ---\n' "$logfile" >&2
      tail -n 20 "$logfile" >&2
      printf -- '---\n' >&2
    fi
    printf '할 일: %s\n' "$hint" >&2
    exit "$rc"
  fi
  printf '  \033[1;32m✓\033[0m %s  %ss\n' "$label" "$(_elapsed "$start")" >&2
}
