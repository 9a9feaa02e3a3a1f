"""Staff commands for surveys, contests, news and attendance: the real ptb app, local Telegram, real DB."""
from __future__ import annotations

import base64
from datetime import timedelta

from sqlalchemy import select

from bot import texts
from bot.handlers.engagement_staff import chunks
from storage.db import session_scope
from storage.models import Role
from storage.models.attendance import AttendanceEvent
from storage.models.contests import Contest
from storage.models.news import NewsItem
from storage.models.surveys import Survey
from storage.services import residents
from storage.timeutil import KST, utcnow
from tests.actions.engagement_helpers import sample_text
from tests.bot.conftest import read, say

STAFF, RESIDENT = 5101, 5102


def _staff(engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        residents.register(s, STAFF, "주무관")
        residents.set_role(s, STAFF, Role.staff)
        residents.register(s, RESIDENT, "주민")


async def _document(tg, user_id: int, name: str, text: str, caption: str = "/survey_load",
                    after: int = 0) -> list[dict]:  # type: ignore[no-untyped-def]
    await tg.post("/test/users", json={"user_id": user_id, "first_name": "주무관"})
    await tg.post("/test/document", json={"user_id": user_id, "filename": name, "caption": caption,
                                          "content_base64": base64.b64encode(text.encode()).decode(),
                                          "mime_type": "application/x-yaml"})
    return await read(tg, user_id, 1, after)


async def test_survey_load_answers_line_errors_then_registers(running_bot, tg, bot_db):
    _staff(bot_db)
    broken = sample_text().replace("type: scale", "type: stars", 1).replace("max_picks: 3", "max_picks: 9")
    (refused,) = await _document(tg, STAFF, "broken.yml", broken)
    assert "고칠 곳이 2군데" in refused["text"]
    lines = [line for line in refused["text"].splitlines() if line.startswith("• ")]
    assert len(lines) == 2 and all("행:" in line for line in lines)
    with session_scope(bot_db) as s:
        assert s.scalar(select(Survey.id)) is None

    (loaded,) = await _document(tg, STAFF, "ok.yml", sample_text(), after=refused["message_id"])
    assert "등록 완료" in loaded["text"] and "익명" in loaded["text"] and "300 P" in loaded["text"]
    (again,) = await _document(tg, STAFF, "ok.yml", sample_text(), after=loaded["message_id"])
    assert "이미 등록된 설문" in again["text"]

    (usage,) = await say(tg, STAFF, "/survey_load", after=again["message_id"])
    assert "캡션" in usage["text"]
    (refused,) = await _document(tg, RESIDENT, "ok.yml", sample_text())
    # The staff gate: a resident's document is answered like any document, never read.
    assert refused["text"] == texts.UNSUPPORTED_MESSAGE


async def test_results_of_a_survey_without_answers(running_bot, tg, bot_db):
    _staff(bot_db)
    (loaded,) = await _document(tg, STAFF, "ok.yml", sample_text())
    survey_id = loaded["text"].split("#")[1].split(" ")[0]
    summary, document, chart = await say(tg, STAFF, f"/survey_results {survey_id}", replies=3,
                                         after=loaded["message_id"])
    assert "응답 0명" in summary["text"]
    assert document["document"]["file_name"] == f"survey_{survey_id}_results.csv"
    assert chart.get("photo")
    (missing,) = await say(tg, STAFF, "/survey_results 999", after=chart["message_id"])
    assert "설문을 찾을 수 없어요" in missing["text"]


async def test_contest_news_and_attendance_commands(running_bot, tg, bot_db):
    _staff(bot_db)
    deadline = (utcnow() + timedelta(days=3)).astimezone(KST)
    (usage,) = await say(tg, STAFF, "/contest_new 제목만")
    assert "/contest_new 제목 | 안내" in usage["text"]
    (opened,) = await say(tg, STAFF, f"/contest_new 동네 이름 짓기 | 새 쉼터 이름을 지어 주세요 | "
                                     f"{deadline:%Y-%m-%d %H:%M} | 글", after=usage["message_id"])
    assert "형식 글" in opened["text"] and "응모 1,000 P" in opened["text"]
    (entries,) = await say(tg, STAFF, "/contest_entries 1", after=opened["message_id"])
    assert "아직 응모작이 없어요" in entries["text"]
    (early,) = await say(tg, STAFF, "/contest_winners 1 1", after=entries["message_id"])
    assert "마감 후에" in early["text"]

    (bad,) = await say(tg, STAFF, "/news_post 날씨 | 제목 | 요약", after=early["message_id"])
    assert "구정소식·언론에 비친 중구·행사" in bad["text"]
    (posted,) = await say(tg, STAFF, "/news_post 언론에 비친 중구 | 중구, 디지털 참여 우수 | 기사 요약 | "
                                     "https://news.example.kr/1", after=bad["message_id"])
    assert "[언론에 비친 중구]" in posted["text"]

    today = utcnow().astimezone(KST).date()
    (opened_att,) = await say(tg, STAFF, f"/attendance_new 12월 출석 | {today} | {today + timedelta(days=9)} | "
                                         f"100 | 7", after=posted["message_id"])
    assert "최대 7일 적립" in opened_att["text"]
    (overlap,) = await say(tg, STAFF, f"/attendance_new 또 출석 | {today} | {today}",
                           after=opened_att["message_id"])
    assert "겹치는" in overlap["text"]
    with session_scope(bot_db) as s:
        assert s.scalar(select(Contest.title)) == "동네 이름 짓기"
        assert s.scalar(select(NewsItem.link)) == "https://news.example.kr/1"
        assert s.scalar(select(AttendanceEvent.max_days)) == 7

    (refused,) = await say(tg, RESIDENT, "/news_post 행사 | 몰래 | 요약")
    assert refused["text"].startswith("받음: ")  # what an unknown command gets


def test_long_reports_are_split_at_line_breaks():
    text = "\n".join(f"{n}. " + "가" * 50 for n in range(200))
    parts = chunks(text, limit=1000)
    assert all(len(p) <= 1000 for p in parts) and "\n".join(parts) == text
    assert chunks("가" * 2500, limit=1000) == ["가" * 1000, "가" * 1000, "가" * 500]
