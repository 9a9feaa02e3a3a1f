"""Reminder selection: who gets a quarterly claim reminder or a closing reminder, and who does not."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage.models import OutboxMessage
from storage.services import points, reminders, residents, subscriptions
from storage.timeutil import parse_kst
from tests.storage.points_helpers import fund
from tests.storage.survey_helpers import CLOSES, publish_sample, walk

# Q4 2026's payout cut-off is 2027-01-01 00:00 KST; reminders start 7 days before.
IN_WINDOW = parse_kst("2026-12-26 10:00")
WINDOW_OPENS = parse_kst("2026-12-25 00:00")
SECOND = timedelta(seconds=1)


def _resident(session, telegram_id: int, topics=None) -> int:  # type: ignore[no-untyped-def]
    r, _ = residents.register(session, telegram_id, f"주민{telegram_id}", now=IN_WINDOW - timedelta(days=60))
    session.flush()
    subscriptions.set_defaults(session, r.id, topics, now=IN_WINDOW - timedelta(days=60))
    return r.id


def _reminded(session, prefix: str) -> set[int]:  # type: ignore[no-untyped-def]
    return set(session.scalars(select(OutboxMessage.resident_id).where(OutboxMessage.dedup_key.startswith(prefix))))


def test_claim_reminder_goes_to_residents_who_can_claim(session) -> None:  # type: ignore[no-untyped-def]
    earned = IN_WINDOW - timedelta(days=20)
    can = _resident(session, 1)
    fund(session, can, 5_000, now=earned)
    short = _resident(session, 2)
    fund(session, short, 4_999, now=earned)
    pending = _resident(session, 3)
    fund(session, pending, 6_000, now=earned)
    points.request_exchange(session, resident_id=pending, amount=5_000, now=earned)
    muted = _resident(session, 4, topics=["surveys"])           # turned 행사·포인트 off
    fund(session, muted, 5_000, now=earned)
    blocked = _resident(session, 5)
    fund(session, blocked, 5_000, now=earned)
    subscriptions.mark_unreachable(session, blocked)

    assert reminders.claim_reminders(session, IN_WINDOW) == 1
    assert _reminded(session, "claim_reminder:") == {can}
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.resident_id == can))
    assert row.dedup_key == f"claim_reminder:2026-Q4:r:{can}" and row.promotional
    assert row.params == {"quarter": "2026년 4분기", "deadline": "2026. 12. 31. (목)", "minimum": 5000}
    # Once per quarter: the next day's run adds nothing.
    assert reminders.claim_reminders(session, IN_WINDOW + timedelta(days=1)) == 0


@pytest.mark.parametrize(
    ("now", "queued"),
    [
        (WINDOW_OPENS - SECOND, 0),                       # 8 days before the cut-off
        (WINDOW_OPENS, 1),                                # first second of the window
        (parse_kst("2026-12-31 23:59") + 59 * SECOND, 1), # last second of the quarter
        (parse_kst("2027-01-01 00:00"), 0),               # new quarter, its cut-off is far away
    ],
)
def test_claim_reminder_window_boundaries(session, now, queued) -> None:  # type: ignore[no-untyped-def]
    rid = _resident(session, 10)
    fund(session, rid, 5_000, now=WINDOW_OPENS - timedelta(days=30))
    assert reminders.claim_reminders(session, now) == queued


def test_closing_reminders_skip_participants_and_unsubscribed(session) -> None:  # type: ignore[no-untyped-def]
    survey_id = publish_sample(session)
    now = CLOSES - timedelta(hours=9)                  # closes in 9 hours
    fan = _resident(session, 20)
    done = _resident(session, 21)
    other_topic = _resident(session, 22, topics=["budget"])
    from storage.services import surveys
    walk(session, survey_id, done, now=now)
    surveys.submit(session, survey_id=survey_id, resident_id=done, now=now)

    assert reminders.closing_reminders(session, CLOSES - timedelta(hours=24) - SECOND) == 0  # not yet
    assert reminders.closing_reminders(session, now) == 1
    assert _reminded(session, f"closing:survey:{survey_id}:") == {fan}
    assert other_topic not in _reminded(session, "closing:")
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.resident_id == fan))
    assert row.template == "closing_survey" and row.params["closes"] == "2026. 12. 21. (월) 18:00"
    assert reminders.closing_reminders(session, now + timedelta(hours=1)) == 0   # once per item


def test_closing_reminder_for_contests(session) -> None:  # type: ignore[no-untyped-def]
    from storage.services import contests

    now = parse_kst("2026-12-10 10:00")
    contest = contests.open_contest(session, title="중구 사진 공모", rules="가을 풍경", deadline=now + timedelta(hours=20),
                                    entry_form="text", staff_id=None, now=now - timedelta(days=10))
    entered = _resident(session, 30)
    waiting = _resident(session, 31)
    contests.submit_entry(session, contest_id=contest.id, resident_id=entered, text="남산 단풍", now=now)
    assert reminders.closing_reminders(session, now) == 1
    assert _reminded(session, f"closing:contest:{contest.id}:") == {waiting}
