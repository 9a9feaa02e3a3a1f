"""Unsafe settings stop the processes before they listen or call Telegram, with a clear English reason."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import check_webhook_secret
from storage.settings import ConfigError

ROOT = Path(__file__).resolve().parents[2]
STRONG = "A" * 16 + "b_c-" + "9" * 12
REAL_TOKEN = "7000000001:AAEexampleexampleexampleexample12345"


def _run(module: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "WEBHOOK_", "QR_")) and k != "ACTION_SERVER_SECRET"}
    base.update(PYTHONPATH=str(ROOT), DATABASE_URL="sqlite:///:memory:", **env)
    return subprocess.run([sys.executable, "-m", module], cwd=ROOT, env=base, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("secret,reason", [
    (None, "WEBHOOK_SECRET is not"),
    ("short-secret", "WEBHOOK_SECRET is too weak"),
    ("!" * 40, "WEBHOOK_SECRET is too weak"),
    (STRONG[:-1] + " ", "WEBHOOK_SECRET is too weak"),
])
def test_webhook_mode_refuses_a_missing_or_weak_secret(secret, reason) -> None:
    env = {"WEBHOOK_URL": "https://bot.example.org/telegram", "WEBHOOK_PORT": "1"}
    if secret is not None:
        env["WEBHOOK_SECRET"] = secret
    result = _run("bot", **env)
    assert result.returncode == 2, result.stderr[-2000:]
    assert reason in result.stderr and "refusing to start" in result.stderr


def test_strong_webhook_secret_is_accepted() -> None:
    assert check_webhook_secret(STRONG) == STRONG
    with pytest.raises(ConfigError):
        check_webhook_secret(STRONG[:31])


@pytest.mark.parametrize("qr_secret", [None, "", "dev-only-qr-secret-change-me", "x" * 31])
def test_bot_refuses_real_telegram_with_a_weak_qr_key(qr_secret) -> None:
    env = {"TELEGRAM_TOKEN": REAL_TOKEN}
    if qr_secret is not None:
        env["QR_SECRET"] = qr_secret
    result = _run("bot", **env)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "QR_SECRET" in result.stderr
    assert REAL_TOKEN not in result.stderr


def test_action_server_refuses_real_telegram_with_the_default_qr_key() -> None:
    result = _run("actions.server", TELEGRAM_TOKEN=REAL_TOKEN, ACTION_SERVER_SECRET="s" * 40)
    assert result.returncode == 2
    assert "QR_SECRET" in result.stderr
