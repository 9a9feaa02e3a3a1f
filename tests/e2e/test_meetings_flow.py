"""영상회의 end to end: a resident registers from the card, gets both reminders (fake clock: the
reminder service is called with a chosen now and the bot's outbox delivers), attends with the
code and sees the points; staff move the meeting and every registrant is told once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage import meeting_rules as rules
from storage.db import session_scope
from storage.models import OutboxMessage, Role
from storage.services import meetings, residents
from storage.timeutil import KST, utcnow
from tests.e2e.driver import texts_of

pytestmark = pytest.mark.e2e
STAFF_ID, RESIDENT_ID, NEIGHBOUR_ID = 771001, 771002, 771003


def _consent(telegram, user_id: int, name: str):  # type: ignore[no-untyped-def]
    chat = telegram.resident(user_id, name)
    _, consent = chat.send("/start", replies=2)
    chat.press(consent, "동의합니다", replies=2)
    return chat


@pytest.fixture(scope="module")
def people(telegram_module, e2e_engine):  # type: ignore[no-untyped-def]
    staff = _consent(telegram_module, STAFF_ID, "중구청 직원")
    resident = _consent(telegram_module, RESIDENT_ID, "신당주민")
    neighbour = _consent(telegram_module, NEIGHBOUR_ID, "명동주민")
    with session_scope(e2e_engine) as s:
        residents.set_role(s, STAFF_ID, Role.staff)
    return staff, resident, neighbour


def test_register_remind_attend_and_move(people, e2e_engine):
    staff, resident, neighbour = people
    # Starts in 5 minutes, so the code works now (the window opens 10 minutes before).
    starts = (utcnow() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    with session_scope(e2e_engine) as s:
        m = meetings.create_meeting(s, staff_resident_id=None, title="신당동 도시재생 온라인 설명회",
                                    category="도시재생", department="도시재생과", starts_at=starts,
                                    ends_at=starts + timedelta(hours=1), url="https://meet.jit.si/junggu-e2e",
                                    capacity=20, points=800)
        meeting_id, code = m.id, m.code

    head, *cards = resident.send("영상회의 있어요?", replies=2)
    assert "다가오는 영상회의" in head["text"]
    card = next(c for c in cards if "신당동 도시재생 온라인 설명회" in c["text"])
    (registered,) = resident.press(card, "신청")
    assert "신청이 완료되었어요" in registered["text"]
    # The neighbour opens the card from a deep link (알림톡/SNS) and registers too.
    (detail,) = neighbour.scan(link=f"https://t.me/ontong_junggu_bot?start=m{meeting_id}")
    assert "신당동 도시재생 온라인 설명회" in detail["text"]
    neighbour.press(detail, "신청")
    head, item = resident.send("내 신청", replies=2)
    assert "신청 완료" in item["text"]

    # Fake clock: the reminder job's service at the day-before 10:00 and at 10 minutes before.
    with session_scope(e2e_engine) as s:
        assert meetings.queue_reminders(s, rules.day_before_reminder_at(starts)) == 2
        assert meetings.queue_reminders(s, rules.soon_reminder_at(starts)) == 2
        assert meetings.queue_reminders(s, rules.soon_reminder_at(starts)) == 0
    day_before, soon = resident.read(2, timeout=30)
    assert "곧 열려요" in day_before["text"] and "곧 시작돼요" in soon["text"]
    assert soon["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://meet.jit.si/junggu-e2e"
    neighbour.read(2, timeout=30)

    (attended,) = resident.send(f"출석 코드 {code}")
    assert "출석이 확인되었어요" in attended["text"] and "800 P" in attended["text"]
    (again,) = resident.send(f"출석 코드 {code}")
    assert "이미 확인" in again["text"]
    (balance,) = resident.send("내 포인트")
    assert "800 P" in balance["text"]

    # Staff move the meeting: each registrant is told once.
    new_start = (starts + timedelta(days=1)).astimezone(KST)
    (moved,) = staff.send(f"/meeting_move {meeting_id} | {new_start:%Y-%m-%d %H:%M} | "
                          f"{new_start + timedelta(hours=1):%Y-%m-%d %H:%M}")
    assert "2명에게" in moved["text"]
    for chat in (resident, neighbour):
        notice = chat.read(1, timeout=30)
        assert "일정이 바뀌었어요" in texts_of(notice)
    with session_scope(e2e_engine) as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.template == "meeting_moved")).all()
        assert sorted(r.chat_id for r in rows) == [RESIDENT_ID, NEIGHBOUR_ID]
