"""Surveys, contests, attendance and news end to end on the local Telegram server.

Staff load the shipped 15-question satisfaction survey as a document (a copy
open now), a resident answers all of it in the chat (with a correction, a
pause and a resume), staff get the results; then attendance twice, a contest
entry with a photo, and news posted by staff.
"""
from __future__ import annotations

import base64
import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from storage.db import session_scope
from storage.models import Role
from storage.notify_rules import next_allowed_send
from storage.services import points, residents
from storage.timeutil import KST, utcnow
from tests.actions.engagement_helpers import sample_text
from tests.e2e.driver import texts_of

pytestmark = pytest.mark.e2e
STAFF_ID, RESIDENT_ID = 730001, 730002


def _consent(telegram, user_id: int, name: str):  # type: ignore[no-untyped-def]
    chat = telegram.resident(user_id, name)
    _, consent = chat.send("/start", replies=2)
    chat.press(consent, "동의합니다", replies=2)
    return chat


@pytest.fixture(scope="module")
def people(telegram_module, e2e_engine):  # type: ignore[no-untyped-def]
    staff = _consent(telegram_module, STAFF_ID, "중구청 주무관")
    resident = _consent(telegram_module, RESIDENT_ID, "신당주민")
    with session_scope(e2e_engine) as s:
        residents.set_role(s, STAFF_ID, Role.staff)
    return staff, resident


@pytest.fixture(scope="module")
def survey_id(people):  # type: ignore[no-untyped-def]
    staff, resident = people
    broken = "title: 고장 난 설문\nopens_at: 어제\nquestions:\n  - id: Q 1\n    type: radio\n    text: 질문\n"
    (refused,) = staff.document("broken.yml", broken.encode(), "/survey_load")
    assert "고칠 곳이" in refused["text"] and "2행:" in refused["text"] and "4행:" in refused["text"]
    (not_staff,) = resident.document("survey.yml", sample_text().encode(), "/survey_load")
    assert "파일은 받을 수 없어요" in not_staff["text"]          # the staff gate: like any document
    (loaded,) = staff.document("satisfaction_2026.yml", sample_text().encode(), "/survey_load")
    assert "등록 완료" in loaded["text"] and "질문 15개 (조건부 2개)" in loaded["text"]
    return int(re.search(r"설문 #(\d+)", loaded["text"]).group(1))


def test_a_resident_completes_the_sample_survey(people, survey_id, e2e_engine):
    _, r = people
    (menu,) = r.send("설문")
    assert "2026 온통중구 이용 만족도 조사" in menu["text"]
    intro, q = r.press(menu, "만족도 조사", replies=2)
    assert "익명" in intro["text"] and "문항 15개" in intro["text"]
    assert q["text"].startswith("[1/15] 연령대")
    (q,) = r.press(q, "30대")
    (q,) = r.press(q, "중구에 살아요")
    (q,) = r.press(q, "주 1~2회")
    assert q["text"].startswith("[4/15]") and "최대 3개" in q["text"]
    (q,) = r.press(q, "설문·공모")
    (q,) = r.press(q, "중구소식")
    (q,) = r.press(q, "선택 완료")
    assert q["text"].startswith("[5/15]") and "1 = 매우 불만족" in q["text"]
    (q,) = r.press(q, "2")
    assert q["text"].startswith("[6/15] 어떤 점이 불만족")
    # A correction: back to 5/15, the answer is marked, the same press goes on.
    (q,) = r.press(q, "이전")
    assert q["text"].startswith("[5/15]")
    (q,) = r.press(q, "2")
    (q,) = r.send("2")  # typed number for a multiple choice: 절차가 복잡함
    assert q["text"].startswith("[7/15]")
    refused, q = r.send("7점", replies=2)  # out of the 1–5 scale: refused, asked again
    assert "1~5 사이로" in refused["text"] and q["text"].startswith("[7/15]")
    (q,) = r.press(q, "4")
    (q,) = r.press(q, "4")

    # Leave in the middle; the answers wait in the database.
    (paused,) = r.send("그만할래요")
    assert "잠시 멈췄어요" in paused["text"]
    (menu,) = r.send("설문")
    resumed, q = r.press(menu, "이어하기", replies=2)
    assert "이어서" in resumed["text"] and q["text"].startswith("[9/15]")
    (q,) = r.press(q, "3")
    (q,) = r.press(q, "알고 받아 봤어요")
    assert q["text"].startswith("[11/15] 포인트를 상품권으로")
    (q,) = r.press(q, "쉬웠어요")
    (q,) = r.send("2, 4")  # SNS, 지인 소개
    assert q["text"].startswith("[13/15]") and "0 = 전혀 아니다" in q["text"]
    (q,) = r.press(q, "8")
    assert q["text"].startswith("[14/15]") and "글로 적어" in q["text"]
    (q,) = r.send("주말 행사 알림을 받고 싶어요")
    assert q["text"].startswith("[15/15]")
    (summary,) = r.press(q, "건너뛰기")
    assert "답변 확인 (15문항)" in summary["text"]
    assert "30대" in summary["text"] and "주말 행사 알림을 받고 싶어요" in summary["text"]
    (done,) = r.press(summary, "제출하기")
    assert "참여해 주셔서 감사합니다" in done["text"] and "300 P" in done["text"]
    with session_scope(e2e_engine) as s:
        assert points.balance(s, residents.find(s, RESIDENT_ID).id).available == 300

    # One response per resident: the menu shows it done, without a button.
    (menu,) = r.send("설문")
    assert "✅ 2026 온통중구 이용 만족도 조사" in menu["text"]
    assert not any("만족도" in b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row)


def test_staff_get_summary_csv_and_chart(people, survey_id, telegram_module):
    staff, _ = people
    summary, csv_doc, chart = staff.send(f"/survey_results {survey_id}", replies=3)
    assert "응답 1명 · 익명" in summary["text"] and "평균 2.00점" in summary["text"]
    csv = telegram_module.download(csv_doc["document"]["file_id"]).decode("utf-8-sig")
    assert "30대" in csv and "신당주민" not in csv and "주말 행사 알림을 받고 싶어요" in csv
    assert chart.get("photo")


def test_attendance_once_a_day(people):
    staff, r = people
    today = utcnow().astimezone(KST).date()
    (opened,) = staff.send(f"/attendance_new 겨울 출석체크 | {today} | {today + timedelta(days=6)} | 100 | 5")
    assert "열었어요" in opened["text"]
    (menu,) = r.send("설문")
    (checked,) = r.press(menu, "출석체크")
    assert "출석 완료" in checked["text"] and "연속 1일째" in checked["text"] and "100 P" in checked["text"]
    (again,) = r.send("출첵")
    assert "오늘은 이미 출석하셨어요" in again["text"]


def test_contest_entry_with_a_photo(people, telegram_module, e2e_engine):
    staff, r = people
    deadline = (utcnow() + timedelta(days=2)).astimezone(KST)
    (opened,) = staff.send(f"/contest_new 중구 야경 사진 공모전 | 중구의 밤 풍경을 찍어 보내 주세요 | "
                           f"{deadline:%Y-%m-%d %H:%M} | 사진+글 | 1000 | 5000")
    assert "공모 #" in opened["text"]
    contest_id = re.search(r"공모 #(\d+)", opened["text"]).group(1)
    (menu,) = r.send("설문")
    (contests,) = r.press(menu, "공모전")
    assert "중구 야경 사진 공모전" in contests["text"]
    (ask,) = r.press(contests, "응모")
    assert "사진과 설명" in ask["text"]
    png = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 30, 90)).save(png, format="PNG")
    telegram_module.post("/test/photo", {"user_id": RESIDENT_ID, "caption": "을지로 골목의 밤",
                                         "png_base64": base64.b64encode(png.getvalue()).decode()})
    (preview,) = r.read(1)
    assert "을지로 골목의 밤" in preview["text"] and "이대로 응모할까요" in preview["text"]
    (entered,) = r.press(preview, "응모하기")
    assert "응모하셨어요" in entered["text"] and "1,000 P" in entered["text"]
    (mine,) = r.send("내 응모 보여줘")
    assert "중구 야경 사진 공모전" in mine["text"]

    listing, photo = staff.send(f"/contest_entries {contest_id}", replies=2)
    assert "응모 #" in listing["text"] and "📷 사진" in listing["text"] and "을지로 골목의 밤" in listing["text"]
    assert photo.get("photo")


def test_news_posted_by_staff_reaches_residents(people):
    staff, r = people
    (bad,) = staff.send("/news_post 행사 | 정동야행 | 12월에 열려요 | junggu.seoul.kr")
    assert "http" in bad["text"]
    now = utcnow()
    # Outside quiet hours the notice goes out at once, to staff too (they are residents),
    # possibly before the command's own answer.
    notified = next_allowed_send(now, urgent=False) <= now
    replies = staff.send("/news_post 구정소식 | 신당동 골목 주차장 개장 | 주민 공유 주차면 40면을 새로 열었어요 | "
                         "https://www.junggu.seoul.kr/news/1", replies=2 if notified else 1)
    assert "올렸어요" in texts_of(replies)
    if notified:
        assert "📰 새 소식 · 구정소식\n신당동 골목 주차장 개장" in texts_of(replies)
        assert "신당동 골목 주차장 개장" in texts_of(r.read(1, timeout=30))
    (page,) = r.send("중구 소식")
    assert "신당동 골목 주차장 개장" in page["text"] and "[구정소식]" in page["text"]
    urls = [b.get("url") for row in page["reply_markup"]["inline_keyboard"] for b in row]
    assert "https://www.junggu.seoul.kr/news/1" in urls
