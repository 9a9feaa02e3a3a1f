"""Meeting reminders with a fake clock: queued by the scheduler job's service, delivered by the one sender.

The 10-minute reminder carries the meeting link as a URL button and goes out in
quiet hours (a service message the resident asked for); a moved meeting is told
to every registrant once and gets fresh reminders.
"""
from __future__ import annotations

from datetime import timedelta

from bot import scheduler as sched_mod
from storage import meeting_rules as rules
from storage.db import session_scope
from storage.services import meetings
from storage.timeutil import parse_kst
from tests.broadcast.conftest import populate, run_engine
from tests.storage.meeting_helpers import NOW, person

STARTS = parse_kst("2026-12-03 06:30")      # an early meeting: its 10-minute reminder falls in quiet hours
ENDS = STARTS + timedelta(hours=1)


def _meeting(session, staff):  # type: ignore[no-untyped-def]
    return meetings.create_meeting(session, staff_resident_id=staff, title="새벽 시장 상인 간담회", category="경제",
                                   department="일자리경제과", starts_at=STARTS, ends_at=ENDS,
                                   url="https://meet.jit.si/junggu-market", capacity=5, now=NOW)


def test_both_reminders_and_the_move_notice_reach_the_resident_once(engine, telegram) -> None:  # type: ignore[no-untyped-def]
    (rid, chat), (other, other_chat) = populate(engine, telegram, 2, start=16_100)
    with session_scope(engine) as s:
        staff = person(s, 16_199, staff=True)
        m = _meeting(s, staff)
        meeting_id, url = m.id, m.url
        meetings.register(s, meeting_id=meeting_id, resident_id=rid, now=NOW)

    def at(now):  # type: ignore[no-untyped-def]
        with session_scope(engine) as s:
            queued = meetings.queue_reminders(s, now)
        run_engine(engine, telegram, clock=lambda: now)
        return queued

    assert at(rules.day_before_reminder_at(STARTS) - timedelta(minutes=1)) == 0
    assert at(rules.day_before_reminder_at(STARTS)) == 1
    assert at(rules.day_before_reminder_at(STARTS) + timedelta(hours=3)) == 0       # once
    soon = rules.soon_reminder_at(STARTS)                                          # 06:20 KST: quiet hours
    assert at(soon) == 1
    assert at(soon + timedelta(minutes=1)) == 0
    sent = telegram.messages(chat)
    assert len(sent) == 2 and "새벽 시장 상인 간담회" in sent[0]["text"] and "곧 시작" in sent[1]["text"]
    button = sent[1]["reply_markup"]["inline_keyboard"][0][0]
    assert button == {"text": rules.JOIN_BUTTON, "url": url}
    assert telegram.messages(other_chat) == []

    with session_scope(engine) as s:
        assert meetings.move_meeting(s, meeting_id=meeting_id, staff_resident_id=staff,
                                     starts_at=STARTS + timedelta(days=1), ends_at=ENDS + timedelta(days=1),
                                     now=soon + timedelta(minutes=2)) == 1
    run_engine(engine, telegram, clock=lambda: soon + timedelta(minutes=2))
    run_engine(engine, telegram, clock=lambda: soon + timedelta(minutes=3))
    sent = telegram.messages(chat)
    assert len(sent) == 3 and "일정이 바뀌었어요" in sent[2]["text"]
    # The new time gets its own reminders.
    assert at(rules.soon_reminder_at(STARTS + timedelta(days=1))) == 1


def test_the_scheduler_installs_the_meeting_job() -> None:
    assert sched_mod.feature_present("storage.services.meetings:queue_reminders")
    assert any(job.job_id == "meeting_reminders" and job.func is sched_mod.remind_meetings
               for job in sched_mod.RECURRING)
