"""The Bot API token never reaches a log: python -m bot.broadcast as a real process, and the
one logging setup (quiet httpx/httpcore, redaction of /bot<token>/)."""
from __future__ import annotations

import logging
import os
import subprocess
import sys

from bot.broadcast import fan_out
from bot.logging_setup import RedactingFilter, redact, setup_logging
from storage.db import session_scope
from storage.services import announcements
from storage.settings import PROJECT_ROOT
from tests.broadcast.conftest import TOKEN, delivered_per_chat, populate


def test_broadcast_process_logs_no_token(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    populate(engine, telegram, 3, start=9100)
    with session_scope(engine) as s:
        a_id = announcements.create(s, text="토큰 없는 로그", urgent=True).id
    fan_out(engine, a_id)
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TELEGRAM_TOKEN": TOKEN,
           "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "TELEGRAM_BASE_URL": f"{telegram.url}/bot", "TELEGRAM_BASE_FILE_URL": f"{telegram.url}/file/bot",
           "LOG_LEVEL": "INFO"}
    result = subprocess.run([sys.executable, "-m", "bot.broadcast", "--until-idle", "--quiet"],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert sum(delivered_per_chat(telegram).values()) >= 3     # it really called the Bot API
    output = result.stdout + result.stderr
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output


def test_setup_quiets_http_loggers_and_redacts(caplog) -> None:  # type: ignore[no-untyped-def]
    setup_logging("INFO")
    for name in ("httpx", "httpcore"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING
    root = logging.getLogger()
    assert all(any(isinstance(f, RedactingFilter) for f in h.filters) for h in root.handlers)
    record = logging.LogRecord("httpx", logging.WARNING, __file__, 1,
                               'HTTP Request: POST %s "HTTP/1.1 502"', (f"https://api.telegram.org/bot{TOKEN}/getMe",),
                               None)
    RedactingFilter().filter(record)
    assert TOKEN not in record.getMessage() and "/bot<token>/getMe" in record.getMessage()


def test_redact_file_urls_and_bare_tokens() -> None:
    real_looking = "1234567890:AAH-abcdefghijklmnopqrstuvwxyz_0123456"
    assert real_looking not in redact(f"GET https://api.telegram.org/file/bot{real_looking}/photos/1.jpg")
    assert real_looking not in redact(f"token={real_looking}")
    assert redact("plain 안녕하세요 text") == "plain 안녕하세요 text"
