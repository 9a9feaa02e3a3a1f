#!/usr/bin/env bash
# One command from a fresh clone to a working chat page: set up, train, database (+ demo district), run.
# Quiet: one line per step with its time; the details are in var/log/ (STEP_VERBOSE=1 shows them).
set -euo pipefail
source "$(dirname "$0")/common.sh"
RUN_STARTED=$(_now)
export RUN_STARTED

echo "온통중구 챗봇을 준비합니다 (자세한 기록: var/log/)" >&2
step "환경 준비" setup "인터넷 연결과 Python 3.11·3.10 설치를 확인하고 다시 실행하세요. 환경을 처음부터 만들려면: rm -rf .venv .venv-rasa" \
  -- env SETUP_MIGRATE=0 "$ROOT/scripts/setup.sh"
step "모델 학습" train "nlu/·domain.yml·config.yml 의 오류를 고치고 다시 실행하세요 (rasa data validate: .venv/bin/python scripts/validate_rasa.py)" \
  -- env RASA_TRAIN_PROGRESS=1 "$ROOT/scripts/train.sh"
step "데이터베이스" database "DATABASE_URL 을 확인하세요. 예시 데이터를 다시 만들려면: make demo-reset" \
  -- bash -c '"$0" -m storage.cli migrate && "$0" -m storage.cli demo seed' "$APP_PY"
exec "$APP_PY" "$ROOT/scripts/stack.py"
