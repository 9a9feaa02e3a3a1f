"""Staff run meetings from the chat (real ptb app against the local Telegram server): form, list, code, move, cancel, after, export."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import texts
from storage.db import session_scope
from storage.models import OutboxMessage, Role
from storage.models.meetings import Meeting
from storage.services import meetings, residents
from storage.timeutil import to_kst, utcnow
from tests.bot.conftest import say

STAFF, RESIDENT = 5601, 5602


def _people(engine) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        member, _ = residents.register(s, STAFF, "직원")
        member.role = Role.staff
        r, _ = residents.register(s, RESIDENT, "주민")
        return r.id


async def _answer(tg, text: str, after: int) -> dict:  # type: ignore[no-untyped-def]
    (reply,) = await say(tg, STAFF, text, after=after)
    return reply


async def test_meeting_new_form_validates_each_answer_and_creates(running_bot, tg, bot_db):
    _people(bot_db)
    start = to_kst(utcnow() + timedelta(days=3)).strftime("%Y-%m-%d") + " 19:00"
    (first,) = await say(tg, STAFF, "/meeting_new")
    assert "제목" in first["text"]
    last = first["message_id"]
    steps = [
        ("도시재생 온라인 주민설명회", "설명"),
        ("-", "분야"),
        ("도시재생", "주관 부서"),
        ("도시재생과", "시작 일시"),
        ("내일 저녁", texts.MEETING_BAD_DATETIME),                   # asked again
        (start, "끝나는 일시"),
        ("18:00", "뒤여야"),                                          # before the start
        ("20:30", "회의 링크"),
        ("http://zoom.us/j/1", "https://"),                           # refused, asked again
        ("https://zoom.us/j/123456789", "정원"),
        ("삼십", texts.MEETING_BAD_NUMBER),
        ("30", "신청 마감"),
        ("-", "참석 포인트"),
        ("-", "대상 동"),
        ("강남동", "중구의 동"),
        ("신당동", "등록했어요"),
    ]
    for text, expected in steps:
        reply = await _answer(tg, text, last)
        assert expected in reply["text"], (text, reply["text"])
        last = reply["message_id"]
    with session_scope(bot_db) as s:
        (m,) = s.scalars(select(Meeting)).all()
        assert (m.title, m.capacity, m.dong, m.description) == ("도시재생 온라인 주민설명회", 30, "sindang", "")
        assert to_kst(m.ends_at).strftime("%H:%M") == "20:30" and m.code in reply["text"]
        assert f"start=m{m.id}" in reply["text"]


async def test_cancel_leaves_the_form_without_saving(running_bot, tg, bot_db):
    _people(bot_db)
    (first,) = await say(tg, STAFF, "/meeting_new")
    reply = await _answer(tg, "제목만 쓰고", first["message_id"])
    reply = await _answer(tg, "/cancel", reply["message_id"])
    assert reply["text"] == texts.MEETING_CANCELLED_FORM
    with session_scope(bot_db) as s:
        assert s.scalars(select(Meeting)).all() == []


async def test_list_code_move_after_export_cancel(running_bot, tg, bot_db):
    rid = _people(bot_db)
    starts = utcnow() + timedelta(days=2)
    with session_scope(bot_db) as s:
        m = meetings.create_meeting(s, staff_resident_id=None, title="청년 정책 간담회", category="청년",
                                    department="청년정책과", starts_at=starts, ends_at=starts + timedelta(hours=1),
                                    url="https://meet.jit.si/junggu-youth", capacity=10)
        meeting_id, code = m.id, m.code
        meetings.register(s, meeting_id=meeting_id, resident_id=rid)
    (listing,) = await say(tg, STAFF, "/meetings")
    assert f"#{meeting_id}" in listing["text"] and "신청 1/10" in listing["text"]
    (usage,) = await say(tg, STAFF, "/meeting_code", after=listing["message_id"])
    assert usage["text"] == texts.MEETING_USAGE["meeting_code"]
    (photo,) = await say(tg, STAFF, f"/meeting_code {meeting_id}", after=usage["message_id"])
    assert photo.get("photo") and code in photo["caption"]
    rotated, photo2 = await say(tg, STAFF, f"/meeting_code {meeting_id} 교체", replies=2, after=photo["message_id"])
    with session_scope(bot_db) as s:
        new_code = meetings.get_meeting(s, meeting_id).code
    assert new_code != code and new_code in rotated["text"] and new_code in photo2["caption"]
    new_day = to_kst(starts + timedelta(days=1)).strftime("%Y-%m-%d")
    (moved,) = await say(tg, STAFF, f"/meeting_move {meeting_id} | {new_day} 10:00 | 11:00", after=photo2["message_id"])
    assert "1명에게" in moved["text"]
    (after,) = await say(tg, STAFF, f"/meeting_after {meeting_id} | https://youtu.be/abc", after=moved["message_id"])
    assert "1명에게" in after["text"]
    (export,) = await say(tg, STAFF, f"/meeting_export {meeting_id}", after=after["message_id"])
    assert export["document"]["file_name"] == f"meeting_{meeting_id}.csv"
    (cancelled,) = await say(tg, STAFF, f"/meeting_cancel {meeting_id}", after=export["message_id"])
    assert "1명에게" in cancelled["text"]
    (again,) = await say(tg, STAFF, f"/meeting_cancel {meeting_id}", after=cancelled["message_id"])
    assert "취소되었어요" in again["text"]
    with session_scope(bot_db) as s:
        templates = [o.template for o in s.scalars(select(OutboxMessage).where(OutboxMessage.resident_id == rid)
                                                   .order_by(OutboxMessage.id))]
    assert templates == ["meeting_moved", "meeting_after_survey", "meeting_cancelled"]
