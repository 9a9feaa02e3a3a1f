"""Resume after a crash: a sender subprocess is stopped halfway (SIGTERM) or killed (SIGKILL) and restarted."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from bot.broadcast import fan_out
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus
from storage.notify_rules import CLAIM_TICK_SECONDS
from storage.services import announcements
from storage.settings import PROJECT_ROOT
from tests.broadcast.conftest import TOKEN, delivered_per_chat, populate

RATE = 40
RECIPIENTS = 120


def _sender(db, telegram, *extra: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [sys.executable, "-m", "bot.broadcast", "--rate", str(RATE), "--quiet", *extra]


def _env(db, telegram) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "TELEGRAM_TOKEN": TOKEN,
            "DATABASE_URL": db.url.render_as_string(hide_password=False),
            "TELEGRAM_BASE_URL": f"{telegram.url}/bot", "TELEGRAM_BASE_FILE_URL": f"{telegram.url}/file/bot"}


def _count(db, status: OutboxStatus) -> int:  # type: ignore[no-untyped-def]
    with session_scope(db) as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == status))


def _chats(db, status: OutboxStatus) -> set[int]:  # type: ignore[no-untyped-def]
    with session_scope(db) as s:
        return set(s.scalars(select(OutboxMessage.chat_id).where(OutboxMessage.status == status)))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_stopped_sender_resumes_without_duplicates(engine, telegram, sig) -> None:  # type: ignore[no-untyped-def]
    people = populate(engine, telegram, RECIPIENTS)
    with session_scope(engine) as s:
        a_id = announcements.create(s, text="안전 안내", urgent=True).id
    fan_out(engine, a_id)
    env = _env(engine, telegram)
    first = subprocess.Popen(_sender(engine, telegram), cwd=PROJECT_ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while _count(engine, OutboxStatus.sent) < RECIPIENTS // 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(sig)
    assert first.wait(timeout=30) == (0 if sig == signal.SIGTERM else -signal.SIGKILL), first.stderr.read()
    in_flight = _count(engine, OutboxStatus.sending)
    assert RECIPIENTS // 3 <= _count(engine, OutboxStatus.sent) < RECIPIENTS     # really halfway
    if sig == signal.SIGTERM:
        assert in_flight == 0                  # graceful: drained and recorded
    else:
        # At most about one claim tick of rows (plus a record being written) were undecided.
        assert in_flight <= 2 * RATE * CLAIM_TICK_SECONDS + 4

    second = subprocess.run(_sender(engine, telegram, "--until-idle"), cwd=PROJECT_ROOT, env=env,
                            capture_output=True, timeout=120)
    assert second.returncode == 0, second.stderr.decode()[-2000:]
    delivered = delivered_per_chat(telegram)
    all_chats = {chat for _rid, chat in people}
    assert max(delivered.values()) == 1                                   # no duplicates
    unconfirmed = _chats(engine, OutboxStatus.unconfirmed)
    assert len(unconfirmed) == in_flight
    lost = all_chats - set(delivered)
    assert lost <= unconfirmed                                            # nothing lost silently
    assert _chats(engine, OutboxStatus.sent) == all_chats - unconfirmed
    if sig == signal.SIGTERM:
        assert set(delivered) == all_chats
