"""`python -m telegram_local` as the run command and the e2e harness start it."""
from __future__ import annotations

import os
import subprocess
import sys

import httpx

from telegram_local.__main__ import parse_args
from telegram_local.config import DEFAULT_TOKEN
from telegram_local.spec import PROJECT_ROOT
from telegram_local.testing import free_port


def test_arguments_and_environment(monkeypatch):
    monkeypatch.setenv("LOCAL_TELEGRAM_TOKEN", "42:ENV")
    monkeypatch.setenv("LOCAL_TELEGRAM_PORT", "9999")
    config = parse_args(["--no-limits", "--chat-burst", "3", "--bot-username", "@other_bot"])
    assert (config.token, config.port, config.bot_username) == ("42:ENV", 9999, "other_bot")
    assert not config.limits.enabled and config.limits.chat_burst == 3
    monkeypatch.delenv("LOCAL_TELEGRAM_TOKEN")
    config = parse_args(["--global-rate", "10", "--chat-rate", "0.5"])
    assert config.token == DEFAULT_TOKEN and config.bot_id == 123456
    assert (config.limits.global_rate, config.limits.chat_rate, config.limits.enabled) == (10, 0.5, True)


def test_subprocess_prints_the_listening_line_and_serves():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "LOCAL_TELEGRAM_TOKEN": "7:SUB"}
    proc = subprocess.Popen([sys.executable, "-m", "telegram_local", "--port", str(port)], cwd=PROJECT_ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.strip() == f"telegram_local listening on http://127.0.0.1:{port}"
        me = httpx.get(f"http://127.0.0.1:{port}/bot7:SUB/getMe").json()["result"]
        assert me["id"] == 7
        page = httpx.get(f"http://127.0.0.1:{port}/")
        assert page.status_code == 200 and "로컬 텔레그램" in page.text
        assert httpx.get(f"http://127.0.0.1:{port}/static/app.js").status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)
