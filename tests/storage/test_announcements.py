"""Announcements: validation, urgent choice recorded, schedule/cancel, idempotent fan-out."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from storage.db import session_scope
from storage.errors import DomainError
from storage.models import Announcement, AnnouncementStatus, OutboxMessage, OutboxStatus
from storage.notify_rules import OPT_OUT_FOOTER, body_limit, resident_text
from storage.services import announcements, residents, subscriptions
from storage.timeutil import KST

NOON = datetime(2026, 11, 24, 12, 0, tzinfo=KST).astimezone(timezone.utc)
TEN_PM = datetime(2026, 11, 24, 22, 0, tzinfo=KST).astimezone(timezone.utc)
NEXT_EIGHT = datetime(2026, 11, 25, 8, 0, tzinfo=KST).astimezone(timezone.utc)


def _residents(session, count: int, start: int = 100, topics=None) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    for n in range(count):
        resident, _ = residents.register(session, start + n, f"주민{n}")
        session.flush()
        subscriptions.set_defaults(session, resident.id, topics)
        ids.append(resident.id)
    return ids


def _rows(session, announcement_id: int) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.announcement_id == announcement_id)
                                .order_by(OutboxMessage.resident_id)))


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"text": "   "}, "announcement_empty"),
        ({"text": "가" * (body_limit(False) + 1)}, "announcement_too_long"),
        ({"text": "가" * (body_limit(True) + 1), "photo_file_id": "AgAD"}, "announcement_too_long"),
        ({"text": "안내", "button_text": "보기"}, "announcement_bad_button"),
        ({"text": "안내", "button_text": "보기", "button_url": "javascript:alert(1)"}, "announcement_bad_button"),
        ({"text": "안내", "target_kind": "topic", "target_value": "날씨"}, "unknown_topic"),
        ({"text": "안내", "target_kind": "dong", "target_value": "역삼동"}, "unknown_dong"),
        ({"text": "안내", "target_kind": "everyone"}, "unknown_target"),
    ],
)
def test_create_refuses_what_residents_could_not_receive(session, kwargs, code) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        announcements.create(session, **kwargs)
    assert err.value.code == code


def test_create_accepts_the_limits_exactly(session) -> None:  # type: ignore[no-untyped-def]
    # With the opt-out line a resident's message is exactly Telegram's limit.
    assert len(resident_text("가" * body_limit(False), urgent=False)) == 4096
    assert len(resident_text("가" * body_limit(True), urgent=False)) == 1024
    assert announcements.create(session, text="가" * body_limit(False)).id
    assert announcements.create(session, text="가" * body_limit(True), photo_file_id="AgAD").id
    a = announcements.create(session, text="안내", target_kind="topic", target_value="all")
    assert a.target_kind.value == "all" and a.target_value is None
    b = announcements.create(session, text="안내", target_kind="topic", target_value="정책제안")
    assert b.target_value == "proposals"


def test_urgent_choice_is_recorded_with_who_and_when(session) -> None:  # type: ignore[no-untyped-def]
    (staff,) = _residents(session, 1)
    a = announcements.create(session, text="폭설 안전 안내", created_by_resident_id=staff, urgent=True, now=NOON)
    assert (a.urgent, a.urgent_by_resident_id, a.urgent_marked_at) == (True, staff, NOON)
    later = NOON + timedelta(minutes=5)
    announcements.set_urgent(session, a.id, False, by_resident_id=staff, now=later)
    assert (a.urgent, a.urgent_marked_at) == (False, later)


def test_schedule_list_and_cancel(session) -> None:  # type: ignore[no-untyped-def]
    late = announcements.create(session, text="둘째")
    soon = announcements.create(session, text="첫째")
    with pytest.raises(DomainError) as err:
        announcements.schedule(session, soon.id, NOON, now=NOON)
    assert err.value.code == "schedule_in_past"
    announcements.schedule(session, late.id, NOON + timedelta(days=2), now=NOON)
    announcements.schedule(session, soon.id, NOON + timedelta(days=1), now=NOON)
    assert [a.id for a in announcements.list_scheduled(session)] == [soon.id, late.id]
    assert announcements.due_scheduled(session, NOON + timedelta(days=1)) == [soon.id]
    assert announcements.cancel(session, soon.id, by_resident_id=None, now=NOON) == 0
    assert [a.id for a in announcements.list_scheduled(session)] == [late.id]
    with pytest.raises(DomainError) as err:
        announcements.start_sending(session, soon.id)
    assert err.value.code == "announcement_cancelled"


def test_fan_out_one_row_per_recipient_in_batches(session) -> None:  # type: ignore[no-untyped-def]
    ids = _residents(session, 5)
    _residents(session, 1, start=900, topics=[])          # opted out: not a recipient
    a = announcements.create(session, text="설문 안내", button_text="참여하기",
                             button_url="https://example.org/s/1", now=NOON)
    assert announcements.start_sending(session, a.id, now=NOON) is True
    steps = [announcements.fan_out_batch(session, a.id, now=NOON, batch=2) for _ in range(3)]
    assert [(s.created, s.done) for s in steps] == [(2, False), (2, False), (1, True)]
    rows = _rows(session, a.id)
    assert [r.dedup_key for r in rows] == [f"ann:{a.id}:r:{rid}" for rid in ids]
    assert {(r.status, r.promotional, r.send_after) for r in rows} == {(OutboxStatus.pending, True, NOON)}
    assert rows[0].buttons == [[{"text": "참여하기", "url": "https://example.org/s/1"}]]
    assert rows[0].text == f"설문 안내\n\n{OPT_OUT_FOOTER}"
    assert a.total_recipients == 5 and announcements.count_recipients(session, "all") == 5


def test_fan_out_in_quiet_hours_waits_unless_urgent(session) -> None:  # type: ignore[no-untyped-def]
    _residents(session, 2)
    promo = announcements.create(session, text="행사 홍보", now=TEN_PM)
    urgent = announcements.create(session, text="한파 대피 안내", urgent=True, now=TEN_PM)
    for a in (promo, urgent):
        announcements.start_sending(session, a.id, now=TEN_PM)
        announcements.fan_out_batch(session, a.id, now=TEN_PM)
    assert {(r.send_after, r.promotional) for r in _rows(session, promo.id)} == {(NEXT_EIGHT, True)}
    assert {(r.send_after, r.promotional, r.text) for r in _rows(session, urgent.id)} == {
        (TEN_PM, False, "한파 대피 안내")}


def test_fan_out_rerun_after_a_crash_creates_no_duplicates(engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        _residents(s, 7)
        a_id = announcements.create(s, text="안내", now=NOON).id
        announcements.start_sending(s, a_id, now=NOON)
    with session_scope(engine) as s:
        announcements.fan_out_batch(s, a_id, now=NOON, batch=3)
    with pytest.raises(RuntimeError):  # the process dies inside the second batch
        with session_scope(engine) as s:
            announcements.fan_out_batch(s, a_id, now=NOON, batch=3)
            raise RuntimeError("killed")
    with session_scope(engine) as s:
        # Worst case: the cursor is lost too and everything is walked again.
        s.execute(update(Announcement).where(Announcement.id == a_id).values(fanout_cursor=0))
    with session_scope(engine) as s:
        while not announcements.fan_out_batch(s, a_id, now=NOON, batch=3).done:
            pass
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 7
        assert announcements.get(s, a_id).total_recipients == 7
        assert announcements.start_sending(s, a_id, now=NOON) is False   # a rerun does not restart


def test_concurrent_fan_outs_create_each_row_once(pg_engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(pg_engine) as s:
        _residents(s, 12)
        a_id = announcements.create(s, text="안내").id
        announcements.start_sending(s, a_id)
    barrier = threading.Barrier(3)

    def run() -> None:
        barrier.wait()
        while True:
            with session_scope(pg_engine) as s:
                if announcements.fan_out_batch(s, a_id, batch=4).done:
                    return

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with session_scope(pg_engine) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 12


def test_cancel_while_sending_stops_the_rest_and_progress_completes(session) -> None:  # type: ignore[no-untyped-def]
    _residents(session, 3)
    a = announcements.create(session, text="안내", now=NOON)
    announcements.start_sending(session, a.id, now=NOON)
    announcements.fan_out_batch(session, a.id, now=NOON)
    first = _rows(session, a.id)[0]
    first.status = OutboxStatus.sent
    session.flush()
    p = announcements.progress(session, a.id)
    assert (p.total, p.sent, p.waiting, p.finished) == (3, 1, 2, False)
    assert announcements.complete_if_finished(session, a.id) is False
    assert announcements.cancel(session, a.id, by_resident_id=None, now=NOON) == 2
    p = announcements.progress(session, a.id)
    assert (p.sent, p.cancelled, p.waiting, p.finished) == (1, 2, 0, True)
    assert a.status == AnnouncementStatus.cancelled


def test_done_when_every_row_is_final(session) -> None:  # type: ignore[no-untyped-def]
    _residents(session, 2)
    a = announcements.create(session, text="안내", now=NOON)
    announcements.start_sending(session, a.id, now=NOON)
    announcements.fan_out_batch(session, a.id, now=NOON)
    sent, blocked = _rows(session, a.id)
    sent.status, blocked.status = OutboxStatus.sent, OutboxStatus.blocked
    session.flush()
    assert announcements.complete_if_finished(session, a.id, now=NOON) is True
    assert announcements.complete_if_finished(session, a.id, now=NOON) is False
    assert a.status == AnnouncementStatus.done and a.completed_at == NOON
    with pytest.raises(DomainError) as err:
        announcements.cancel(session, a.id, by_resident_id=None)
    assert err.value.code == "announcement_already_sent"
