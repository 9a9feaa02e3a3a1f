#!/usr/bin/env bash
# One command from a fresh clone to every test: set up, train, validate, test.
set -euo pipefail
source "$(dirname "$0")/common.sh"

# pytest exits 5 when it collected nothing: that is a failure here, never a pass.
run_pytest() {
  local rc=0
  "$@" || rc=$?
  if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests: failing on purpose" >&2
    exit 1
  fi
  return "$rc"
}

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  fi
}

step "환경 준비" setup "인터넷 연결과 Python 3.11·3.10 설치를 확인하고 다시 실행하세요. 환경을 처음부터 만들려면: rm -rf .venv .venv-rasa" \
  -- "$ROOT/scripts/setup.sh"
step "브라우저 준비" browser "apt-get 으로 chromium, fonts-nanum, fonts-noto-color-emoji 를 설치할 수 있는지 확인하세요" \
  -- "$ROOT/scripts/install_browser.sh"
ensure_postgres
export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
export REQUIRE_POSTGRES=1

step "모델 학습" train "nlu/·domain.yml·config.yml 의 오류를 고치고 다시 실행하세요 (.venv/bin/python scripts/validate_rasa.py)" \
  -- env RASA_TRAIN_PROGRESS=1 "$ROOT/scripts/train.sh"

log "rasa data validate"
"$APP_PY" scripts/validate_rasa.py

log "NLU component tests (Rasa environment)"
run_pytest "$RASA_PY" -m pytest -q -p no:cacheprovider -c tests/nlu/pytest.ini tests/nlu

log "dialogue test stories"
"$RASA" test core --model "$MODEL" --stories nlu/tests --fail-on-prediction-errors \
  --out build/reports/core >/dev/null
log "test stories passed (report: build/reports/core)"

log "app tests: unit, storage on SQLite and PostgreSQL, local Telegram, end to end"
if [ "$#" -gt 0 ] || [ "${PYTEST_GROUPS:-2}" = "1" ]; then
  run_pytest "$APP_PY" -m pytest -q -ra "$@"
else
  # Two pytest processes over disjoint directories, one per core: the end-to-end
  # tests mostly wait on Rasa and the bot, the others mostly compute.
  mkdir -p build/reports
  e2e_log=build/reports/pytest-e2e.log
  e2e_rc=0
  "$APP_PY" -m pytest -q -ra -p no:cacheprovider tests/e2e > "$e2e_log" 2>&1 &
  e2e_pid=$!
  rest_rc=0
  run_pytest "$APP_PY" -m pytest -q -ra --ignore=tests/e2e tests || rest_rc=$?
  wait "$e2e_pid" || e2e_rc=$?
  log "end-to-end tests (tests/e2e, run alongside; log: $e2e_log)"
  cat "$e2e_log"
  if [ "$e2e_rc" -eq 5 ]; then
    echo "pytest collected no end-to-end tests: failing on purpose" >&2
    exit 1
  fi
  if [ "$rest_rc" -ne 0 ] || [ "$e2e_rc" -ne 0 ]; then
    exit 1
  fi
fi
