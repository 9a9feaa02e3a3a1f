"""The bot process delivers the outbox through the one paced sender and drains it on stop."""
from __future__ import annotations

import asyncio
import dataclasses

from sqlalchemy import func, select

from bot.app import build_application, post_init, post_shutdown
from bot.broadcast import SENDER_LOCK, fan_out
from bot.instance_lock import InstanceLock
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus
from storage.services import announcements, outbox, residents
from tests.broadcast.conftest import TOKEN, delivered_per_chat, populate


def _count(engine, status: OutboxStatus) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == status))


async def test_bot_sends_notices_and_announcements_and_drains_on_stop(engine, telegram, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    people = populate(engine, telegram, 20)
    with session_scope(engine) as s:
        resident = residents.find(s, people[0][1])
        outbox.enqueue(s, dedup_key="notice:1", chat_id=resident.telegram_user_id, resident_id=resident.id,
                       text="제안에 답변이 달렸어요")
        a_id = announcements.create(s, text="긴급 단수 안내", urgent=True).id
    await asyncio.to_thread(fan_out, engine, a_id)

    settings = dataclasses.replace(telegram.settings(), outbox_interval=0.2, token=TOKEN)
    app = build_application(settings)
    await app.initialize()
    await post_init(app)
    await app.start()
    try:
        for _ in range(200):
            if _count(engine, OutboxStatus.sent) >= 21:
                break
            await asyncio.sleep(0.1)
        # While the bot sends, nobody else may: the sender lock is taken.
        assert not InstanceLock(engine, SENDER_LOCK).try_acquire()
    finally:
        await app.stop()
        await post_shutdown(app)
        await app.shutdown()
    assert _count(engine, OutboxStatus.sent) == 21 and _count(engine, OutboxStatus.sending) == 0
    delivered = delivered_per_chat(telegram)
    assert delivered[people[0][1]] == 2 and all(delivered[chat] == 1 for _rid, chat in people[1:])
    lock = InstanceLock(engine, SENDER_LOCK)
    assert lock.try_acquire()                      # released on stop
    lock.release()
