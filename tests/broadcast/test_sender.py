"""The sending engine against the local Telegram server: pacing, 429, 403, quiet hours, retries."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from bot.broadcast import BroadcastEngine, SendStats, fan_out, make_bot, run_sender
from bot.instance_lock import InstanceLock
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus
from storage.services import announcements, outbox, residents, subscriptions
from storage.notify_rules import resident_text
from storage.timeutil import KST
from tests.broadcast.conftest import daytime_clock, delivered_per_chat, populate, run_engine

TEN_PM = datetime(2026, 11, 24, 22, 0, tzinfo=KST).astimezone(timezone.utc)
EIGHT_AM = datetime(2026, 11, 25, 8, 0, tzinfo=KST).astimezone(timezone.utc)


def _announce(db, text: str = "공지", **kwargs) -> int:  # type: ignore[no-untyped-def]
    with session_scope(db) as s:
        a_id = announcements.create(s, text=text, **kwargs).id
    fan_out(db, a_id, now=kwargs.get("now"))
    return a_id


def _statuses(db) -> dict[int, OutboxStatus]:  # type: ignore[no-untyped-def]
    with session_scope(db) as s:
        return {chat: status for chat, status in s.execute(select(OutboxMessage.chat_id, OutboxMessage.status))}


def test_announcement_reaches_every_subscriber_once_with_its_button(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    people = populate(engine, telegram, 12)
    clock = daytime_clock()
    a_id = _announce(engine, "구정 소식을 전해 드려요", button_text="자세히", button_url="https://junggu.seoul.kr",
                     now=clock())
    progress: list[SendStats] = []
    stats = run_engine(engine, telegram, on_progress=lambda s: progress.append(s), progress_every=0, clock=clock)
    assert stats.sent == 12 and progress[-1].sent == 12
    assert delivered_per_chat(telegram) == {chat: 1 for _rid, chat in people}
    (message,) = telegram.messages(people[0][1])
    assert message["text"] == resident_text("구정 소식을 전해 드려요", urgent=False)
    assert message["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://junggu.seoul.kr"
    with session_scope(engine) as s:
        assert announcements.progress(s, a_id).sent == 12
        assert announcements.complete_if_finished(s, a_id) is True


def test_one_message_per_second_per_chat(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    telegram.configure(chat_rate=1, chat_burst=1)
    ((rid, chat),) = populate(engine, telegram, 1)
    with session_scope(engine) as s:
        for n in range(3):
            outbox.enqueue(s, dedup_key=f"t:{n}", chat_id=chat, resident_id=rid, text=f"알림 {n}")
    stats = run_engine(engine, telegram)
    assert stats.sent == 3 and stats.rate_limited == 0
    assert telegram.counters()["rate_limited"] == 0
    assert [m["text"] for m in telegram.messages(chat)] == ["알림 0", "알림 1", "알림 2"]


def test_429_waits_retry_after_and_loses_nothing(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    # The server allows 4 per second; the engine believes 30 are fine.
    telegram.configure(global_rate=4)
    people = populate(engine, telegram, 10)
    _announce(engine, urgent=True)
    stats = run_engine(engine, telegram, rate=30)
    counters = telegram.counters()
    assert counters["rate_limited"] > 0 and stats.rate_limited == counters["rate_limited"]
    assert delivered_per_chat(telegram) == {chat: 1 for _rid, chat in people}
    assert set(_statuses(engine).values()) == {OutboxStatus.sent}
    with session_scope(engine) as s:
        # A 429 is not a failed attempt.
        assert set(s.scalars(select(OutboxMessage.attempts))) == {0}


def test_403_marks_resident_unreachable_and_unsubscribes(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    (blocker, blocker_chat), (_, fan_chat) = populate(engine, telegram, 2)
    telegram.block(blocker_chat)
    _announce(engine, urgent=True)
    stats = run_engine(engine, telegram)
    assert (stats.sent, stats.blocked) == (1, 1)
    assert _statuses(engine) == {blocker_chat: OutboxStatus.blocked, fan_chat: OutboxStatus.sent}
    with session_scope(engine) as s:
        assert residents.find(s, blocker_chat).reachable is False
        assert subscriptions.enabled_topics(s, blocker) == set()
        assert announcements.count_recipients(s, "all") == 1


def test_quiet_hours_hold_promotional_rows_even_when_due(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    (rid, chat), = populate(engine, telegram, 1)
    evening = TEN_PM - timedelta(hours=1, seconds=1)        # 20:59:59: due, promotional
    _announce(engine, "저녁 홍보", now=evening)
    with session_scope(engine) as s:
        outbox.enqueue(s, dedup_key="n:1", chat_id=chat, resident_id=rid, text="제안 답변 알림", send_after=evening)
    stats = run_engine(engine, telegram, clock=lambda: TEN_PM)
    assert stats.sent == 1 and [m["text"] for m in telegram.messages(chat)] == ["제안 답변 알림"]
    stats = run_engine(engine, telegram, clock=lambda: EIGHT_AM)
    assert stats.sent == 1 and [m["text"] for m in telegram.messages(chat)][-1].startswith("저녁 홍보")


def test_unreachable_server_is_retried_with_backoff_then_failed(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    ((rid, chat),) = populate(engine, None, 1)
    with session_scope(engine) as s:
        outbox.enqueue(s, dedup_key="x", chat_id=chat, resident_id=rid, text="안내", send_after=TEN_PM)
    dead = telegram.settings().__class__(**{**telegram.settings().__dict__,
                                            "base_url": "http://127.0.0.1:9/bot"})
    now = [EIGHT_AM]

    async def attempt() -> SendStats:
        bot = make_bot(dead)
        try:
            return await BroadcastEngine(engine, bot, clock=lambda: now[0]).run(until_idle=True)
        finally:
            await bot.shutdown()

    waits = []
    for _ in range(5):
        assert asyncio.run(attempt()).retried == 1
        with session_scope(engine) as s:
            row = s.scalar(select(OutboxMessage))
            waits.append(round((row.send_after - now[0]).total_seconds()))
            now[0] = max(now[0], row.send_after)
    assert waits[:4] == [5, 10, 20, 40]
    assert row.status == OutboxStatus.failed and row.attempts == 5 and "ConnectError" in row.last_error


def test_chat_not_found_fails_without_retrying(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    populate(engine, None, 1, start=77)       # never opened the bot on the server
    _announce(engine, urgent=True)
    stats = run_engine(engine, telegram)
    assert stats.failed == 1 and _statuses(engine) == {77: OutboxStatus.failed}


def test_rows_left_sending_by_a_dead_sender_are_never_resent(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    people = populate(engine, telegram, 6)
    _announce(engine, urgent=True)
    orphan_chats = [chat for _rid, chat in people[:2]]
    with session_scope(engine) as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.chat_id.in_(orphan_chats))
                  .values(status=OutboxStatus.sending, claimed_by="dead:1:x"))
    stats = asyncio.run(run_sender(engine, rate=30, until_idle=True, settings=telegram.settings()))
    assert stats is not None and stats.sent == 4
    statuses = _statuses(engine)
    assert {statuses[c] for c in orphan_chats} == {OutboxStatus.unconfirmed}
    assert set(delivered_per_chat(telegram)) == {chat for _rid, chat in people[2:]}


def test_only_one_sender_holds_the_lock(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    populate(engine, telegram, 1)
    _announce(engine, urgent=True)
    holder = InstanceLock(engine, "sender")
    assert holder.try_acquire()
    try:
        result = asyncio.run(run_sender(engine, rate=30, until_idle=True, settings=telegram.settings(),
                                        wait_for_lock=False))
        assert result is None and telegram.counters()["delivered"] == 0
    finally:
        holder.release()
    assert asyncio.run(run_sender(engine, rate=30, until_idle=True, settings=telegram.settings())).sent == 1
