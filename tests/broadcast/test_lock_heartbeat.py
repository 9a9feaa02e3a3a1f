"""The sender lock is heartbeat-checked, and recovery touches only rows of dead senders."""
from __future__ import annotations

import asyncio

from sqlalchemy import create_engine, select, text, update

from bot.broadcast import BroadcastEngine, fan_out, make_bot, recover_orphans
from bot.instance_lock import HolderMark, InstanceLock, holder_alive
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus
from storage.services import announcements
from tests.broadcast.conftest import populate


def _sending(db, count: int, holders: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Queue ``count`` rows and put them in 'sending' under the given holders in turn."""
    populate(db, None, count, start=7100)
    with session_scope(db) as s:
        a_id = announcements.create(s, text="하트비트", urgent=True).id
    fan_out(db, a_id)
    with session_scope(db) as s:
        ids = list(s.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))
        for n, row_id in enumerate(ids):
            s.execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                      .values(status=OutboxStatus.sending, claimed_by=holders[n % len(holders)]))


def _statuses(db) -> dict[str, set[OutboxStatus]]:  # type: ignore[no-untyped-def]
    with session_scope(db) as s:
        found: dict[str, set[OutboxStatus]] = {}
        for holder, status in s.execute(select(OutboxMessage.claimed_by, OutboxMessage.status)):
            found.setdefault(holder, set()).add(status)
        return found


def test_recovery_leaves_a_live_senders_rows_alone(engine) -> None:  # type: ignore[no-untyped-def]
    _sending(engine, 6, ["live-sender", "dead-sender"])
    mark = HolderMark(engine, "live-sender")
    mark.hold()
    try:
        assert holder_alive(engine, "live-sender") and not holder_alive(engine, "dead-sender")
        assert recover_orphans(engine) == 3
        assert _statuses(engine) == {"live-sender": {OutboxStatus.sending},
                                     "dead-sender": {OutboxStatus.unconfirmed}}
    finally:
        mark.release()
    assert not holder_alive(engine, "live-sender")
    assert recover_orphans(engine) == 3                       # now it is dead too
    assert _statuses(engine)["live-sender"] == {OutboxStatus.unconfirmed}


def test_a_terminated_lock_session_is_noticed_and_the_lock_moves_on(pg_engine) -> None:  # type: ignore[no-untyped-def]
    first = InstanceLock(pg_engine, "sender-heartbeat-test")
    assert first.try_acquire() and first.check()
    pid = first._conn.execute(text("SELECT pg_backend_pid()")).scalar()  # type: ignore[union-attr]
    first._conn.commit()  # type: ignore[union-attr]
    admin = create_engine(pg_engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()
    second = InstanceLock(pg_engine, "sender-heartbeat-test")
    assert second.try_acquire()                               # the server dropped the lock …
    assert first.check() is False and first.held is False    # … and the first holder knows it now
    second.release()
    first.release()


class _LostLock:
    """A lock whose session is gone."""

    def check(self) -> bool:
        return False


def test_an_engine_that_lost_its_lock_stops(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    populate(engine, telegram, 2, start=7200)

    async def go():  # type: ignore[no-untyped-def]
        bot = make_bot(telegram.settings())
        await bot.initialize()
        try:
            sender = BroadcastEngine(engine, bot, lock=_LostLock(), heartbeat_seconds=0)  # type: ignore[arg-type]
            return await asyncio.wait_for(sender.run(until_idle=False), timeout=10)
        finally:
            await bot.shutdown()

    stats = asyncio.run(go())
    assert stats.sent == 0
