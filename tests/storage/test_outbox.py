from __future__ import annotations

from datetime import timedelta

import pytest

from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus
from storage.services import outbox, residents
from storage.timeutil import utcnow


def test_enqueue_is_once_per_key(engine):
    with session_scope(engine) as s:
        r, _ = residents.register(s, 11, "가")
        assert outbox.notify_resident(s, r, "k:1", "points_payout_paid", amount=5000)
        assert not outbox.notify_resident(s, r, "k:1", "points_payout_paid", amount=5000)
    with session_scope(engine) as s:
        (m,) = outbox.due(s)
        assert m.template == "points_payout_paid" and m.params == {"amount": 5000}


def test_enqueue_needs_exactly_one_of_template_or_text(session):
    with pytest.raises(ValueError):
        outbox.enqueue(session, dedup_key="x", chat_id=1)
    with pytest.raises(ValueError):
        outbox.enqueue(session, dedup_key="x", chat_id=1, template="a", text="b")


def test_due_respects_send_after_and_status(engine):
    now = utcnow()
    with session_scope(engine) as s:
        outbox.enqueue(s, dedup_key="later", chat_id=1, text="나중", send_after=now + timedelta(hours=1))
        outbox.enqueue(s, dedup_key="now", chat_id=1, text="지금")
    with session_scope(engine) as s:
        due = outbox.due(s, now=now + timedelta(seconds=1))
        assert [m.dedup_key for m in due] == ["now"]
        outbox.mark_sent(s, due[0].id)
    with session_scope(engine) as s:
        assert [m.dedup_key for m in outbox.due(s, now=now + timedelta(hours=2))] == ["later"]


def test_blocked_marks_resident_unreachable_and_retries_give_up(engine):
    with session_scope(engine) as s:
        r, _ = residents.register(s, 12, "나")
        outbox.notify_resident(s, r, "b", "points_payout_paid", amount=1)
        outbox.enqueue(s, dedup_key="r", chat_id=99, text="재시도")
    with session_scope(engine) as s:
        by_key = {m.dedup_key: m.id for m in outbox.due(s)}
        outbox.mark_blocked(s, by_key["b"])
        for _ in range(outbox.MAX_ATTEMPTS):
            outbox.mark_retry(s, by_key["r"], "boom", utcnow())
    with session_scope(engine) as s:
        assert residents.find(s, 12).reachable is False
        assert s.get(OutboxMessage, by_key["r"]).status == OutboxStatus.failed
        assert s.get(OutboxMessage, by_key["b"]).status == OutboxStatus.blocked
