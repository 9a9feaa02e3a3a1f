"""Contest, news and attendance actions against the real database."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from actions.attendance import ActionAttendanceCheck
from actions.contests import (
    ActionAskContestReply,
    ActionContestList,
    ActionContestMy,
    ActionContestWithdraw,
    ActionContestWithdrawConfirm,
    ValidateContestForm,
)
from actions.news import ActionNewsLatest
from actions.survey_views import payload
from storage import engagement_rules as er
from storage.db import session_scope
from storage.models import Role
from storage.models.contests import ContestEntry
from storage.services import attendance, contests, news, points
from storage.timeutil import utcnow
from tests.actions.conftest import make_tracker, responses, run_action
from tests.actions.engagement_helpers import FormDriver, button, parse_payload, register

pytestmark = pytest.mark.usefixtures("app_db")
STAFF = 777001


def _contest(engine, form: str = "both", title: str = "중구 야경 사진 공모전", hours: float = 48) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        c = contests.open_contest(s, title=title, rules="중구의 밤 풍경을 찍어 보내 주세요.",
                                  deadline=utcnow() + timedelta(hours=hours), entry_form=form, staff_id=None)
        return c.id


def _driver() -> FormDriver:
    return FormDriver(ValidateContestForm(), ActionAskContestReply(), "contest_reply")


async def _enter(d: FormDriver, contest_id: int) -> list[dict]:
    messages, _ = await d.send(payload("contest_enter", contest_id=contest_id), intent="contest_enter",
                               confidence=1.0, entities=[{"entity": "contest_id", "value": str(contest_id)}])
    return messages


def _photo(file_id: str = "AgADPHOTO1-file", size: int = 120_000, caption: str = "") -> dict:
    entities = [{"entity": "photo_file_id", "value": file_id}, {"entity": "photo_size", "value": str(size)},
                {"entity": "photo_caption", "value": caption}]
    return {"text": f'/photo_sent{{"photo_file_id":"{file_id}"}}', "intent": "photo_sent", "confidence": 1.0,
            "entities": entities}


async def test_list_then_enter_with_photo_and_caption(app_db):
    rid = register(app_db)
    cid = _contest(app_db)
    messages, _ = await run_action(ActionContestList(), make_tracker("contest_list"))
    assert responses(messages) == ["utter_contest_list"] and "사진+설명" in messages[0]["lines"]
    intent, entities = parse_payload(button(messages[0], "응모"))
    assert intent == "contest_enter" and entities == [{"entity": "contest_id", "value": str(cid)}]

    d = _driver()
    (ask,) = await _enter(d, cid)
    assert ask["response"] == "utter_contest_ask_photo_and_text"
    (preview,), _ = await d.send(**_photo(caption="을지로 골목의 밤"))
    assert preview["response"] == "utter_contest_preview_both" and preview["entry_text"] == "을지로 골목의 밤" and preview.get("text") is None
    with session_scope(app_db) as s:
        assert s.scalar(select(ContestEntry.id)) is None  # nothing stored before 응모하기
    (done,), events = await d.press(preview, "응모하기")
    assert done["response"] == "utter_contest_entered" and done["points"] == "1,000"
    with session_scope(app_db) as s:
        entry = s.scalars(select(ContestEntry)).one()
        assert entry.photo_file_id == "AgADPHOTO1-file" and entry.text == "을지로 골목의 밤"
        assert points.balance(s, rid).available == 1000
    # Entered contests show no second [응모] button.
    messages, _ = await run_action(ActionContestList(), make_tracker("contest_list"))
    assert [b["title"] for b in messages[0]["buttons"]] == ["🗂️ 내 응모"]


async def test_photo_then_caption_as_text_and_retry(app_db):
    register(app_db)
    cid = _contest(app_db)
    d = _driver()
    await _enter(d, cid)
    (ask,), _ = await d.send(**_photo())
    assert ask["response"] == "utter_contest_ask_caption"
    (preview,), _ = await d.send("남산타워가 보이는 신당동 야경")
    assert preview["response"] == "utter_contest_preview_both"
    (ask,), _ = await d.press(preview, "다시 보내기")
    assert ask["response"] == "utter_contest_ask_photo_and_text"


async def test_bad_entries_are_refused_with_nothing_stored(app_db):
    register(app_db)
    text_only = _contest(app_db, form="text", title="중구 정책 아이디어 공모")
    d = _driver()
    (ask,) = await _enter(d, text_only)
    assert ask["response"] == "utter_contest_ask_text"
    messages, _ = await d.send(**{**_photo(), "entities": _photo()["entities"][:2]})
    assert responses(messages) == ["utter_err_photo_not_accepted", "utter_contest_ask_text"]

    photo = _contest(app_db, form="photo", title="중구 풍경 사진 공모")
    d = _driver()
    await _enter(d, photo)
    messages, _ = await d.send(**_photo(size=er.CONTEST_PHOTO_MAX_BYTES + 1))
    assert responses(messages) == ["utter_err_photo_too_large", "utter_contest_ask_photo"]
    with session_scope(app_db) as s:
        assert s.scalar(select(ContestEntry.id)) is None


async def test_cancel_and_other_buttons_leave_nothing(app_db):
    register(app_db)
    cid = _contest(app_db, form="text")
    d = _driver()
    await _enter(d, cid)
    messages, events = await d.send("/surveys_menu", intent="surveys_menu", confidence=1.0)
    assert responses(messages) == ["utter_cancelled"]
    assert any(e["event"] == "action_execution_rejected" for e in events)
    assert {"event": "slot", "timestamp": None, "name": "contest_text", "value": None} in events


async def test_closed_and_second_entries_end_the_form(app_db):
    rid = register(app_db)
    cid = _contest(app_db, form="text")
    with session_scope(app_db) as s:
        contests.submit_entry(s, contest_id=cid, resident_id=rid, text="첫 응모")
    d = _driver()
    assert responses(await _enter(d, cid)) == ["utter_err_already_entered"] and not d.active
    with session_scope(app_db) as s:
        s.get(contests.Contest, cid).deadline = utcnow() - timedelta(minutes=1)
    assert responses(await _enter(_driver(), cid)) == ["utter_err_contest_closed"]


async def test_my_entries_and_withdraw_before_the_deadline(app_db):
    rid = register(app_db)
    cid = _contest(app_db, form="text")
    messages, _ = await run_action(ActionContestMy(), make_tracker("contest_my"))
    assert responses(messages) == ["utter_contest_my_empty"]
    with session_scope(app_db) as s:
        contests.submit_entry(s, contest_id=cid, resident_id=rid, text="광희문 야간 개방 아이디어")
    messages, _ = await run_action(ActionContestMy(), make_tracker("contest_my"))
    assert "광희문 야간 개방" in messages[0]["lines"]
    intent, entities = parse_payload(button(messages[0], "응모 취소"))
    messages, _ = await run_action(ActionContestWithdraw(), make_tracker(intent, entities=entities))
    assert responses(messages) == ["utter_contest_withdraw_confirm"]
    intent, entities = parse_payload(button(messages[0], "응모 취소하기"))
    messages, _ = await run_action(ActionContestWithdrawConfirm(), make_tracker(intent, entities=entities))
    assert responses(messages) == ["utter_contest_withdrawn"]
    with session_scope(app_db) as s:
        assert s.scalar(select(ContestEntry.id)) is None
    messages, _ = await run_action(ActionContestWithdrawConfirm(), make_tracker(intent, entities=entities))
    assert responses(messages) == ["utter_err_contest_entry_not_found"]


async def test_news_pages_categories_and_link_buttons(app_db):
    staff = register(app_db, STAFF, Role.staff)
    with session_scope(app_db) as s:
        for n in range(7):
            news.post_news(s, category="gov_news" if n % 2 else "press", title=f"소식 {n}", summary=f"요약 {n}",
                           link=f"https://www.junggu.seoul.kr/news/{n}" if n == 6 else None, staff_id=staff,
                           now=utcnow() - timedelta(minutes=10 - n))
    messages, _ = await run_action(ActionNewsLatest(), make_tracker("news_menu"))
    (page,) = messages
    assert page["response"] == "utter_news_page" and page["page"] == 1 and page["pages"] == 2
    assert page["lines"].startswith("1. [언론에 비친 중구] 소식 6")
    titles = [b["title"] for b in page["buttons"]]
    assert titles[0] == "🔗 1번 원문" and page["buttons"][0]["payload"] == "https://www.junggu.seoul.kr/news/6"
    assert "다음 ▶" in titles and "◀ 이전" not in titles and "구정소식" in titles
    intent, entities = parse_payload(button(page, "다음"))
    (page2,), _ = await run_action(ActionNewsLatest(), make_tracker(intent, entities=entities))
    assert page2["page"] == 2 and page2["lines"].startswith("6.")
    intent, entities = parse_payload(button(page, "구정소식"))
    (gov,), _ = await run_action(ActionNewsLatest(), make_tracker(intent, entities=entities))
    assert gov["response"] == "utter_news_page_category" and gov["category"] == "구정소식" and gov["total"] == 3
    (typed,), _ = await run_action(ActionNewsLatest(), make_tracker(
        "news_more", entities=[{"entity": "news_cat", "value": "행사"}]))
    assert typed["response"] == "utter_news_empty_category"


async def test_attendance_once_per_kst_day(app_db):
    register(app_db)
    today = er.kst_day(utcnow())
    with session_scope(app_db) as s:
        attendance.open_attendance(s, title="12월 출석체크", starts_on=today - timedelta(days=1),
                                   ends_on=today + timedelta(days=5), staff_id=None)
    (checked,), _ = await run_action(ActionAttendanceCheck(), make_tracker("attendance_check"))
    assert checked["response"] == "utter_attendance_checked"
    assert checked["streak"] == 1 and checked["days"] == 1 and checked["points"] == "100"
    (again,), _ = await run_action(ActionAttendanceCheck(), make_tracker("attendance_check"))
    assert again["response"] == "utter_err_already_checked_today" and again["streak"] == "1"


async def test_attendance_outside_a_period(app_db):
    register(app_db)
    (reply,), _ = await run_action(ActionAttendanceCheck(), make_tracker("attendance_check"))
    assert reply["response"] == "utter_err_attendance_not_running"
