"""Points end to end: a poster made in the staff chat is scanned by a resident,
volunteer hours are imported, an exchange is requested, and a quarter is paid."""
from __future__ import annotations

import base64
import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from storage.db import session_scope
from storage.models import ExchangeRequest, Role
from storage.services import points, residents
from storage.timeutil import KST, utcnow
from tests.e2e.driver import texts_of

pytestmark = pytest.mark.e2e
STAFF_ID, RESIDENT_ID = 720001, 720002


def _consent(telegram, user_id: int, name: str):  # type: ignore[no-untyped-def]
    chat = telegram.resident(user_id, name)
    _, consent = chat.send("/start", replies=2)
    chat.press(consent, "동의합니다", replies=2)
    return chat


@pytest.fixture(scope="module")
def people(telegram_module, e2e_engine):  # type: ignore[no-untyped-def]
    staff = _consent(telegram_module, STAFF_ID, "중구청 직원")
    resident = _consent(telegram_module, RESIDENT_ID, "정동주민")
    with session_scope(e2e_engine) as s:
        residents.set_role(s, STAFF_ID, Role.staff)
    return staff, resident


def test_staff_command_refuses_residents(people):
    _, resident = people
    replies = resident.send("/event_new 몰래 | 어딘가 | 2026-12-01 10:00 | 2026-12-01 12:00 | 500")
    # The staff gate: a resident gets what an unknown command gets (Rasa's answer to the
    # words), never the usage text or a refusal that reveals the command.
    shown = " ".join(m.get("text") or "" for m in replies)
    assert "사용할 수 없어요" not in shown and "/event_new 이름" not in shown
    resident.send("/cancel")
    time.sleep(1)
    stragglers = resident.driver.messages(resident.user_id, resident.seen, wait=1, minimum=1)
    resident.seen = max([resident.seen] + [m["message_id"] for m in stragglers])


def test_poster_scan_credits_once(people, telegram_module, e2e_engine):
    staff, resident = people
    start = (utcnow() - timedelta(minutes=10)).astimezone(KST)
    end = start + timedelta(hours=3)
    photo, document = staff.send(
        f"/event_new 정동야행 홍보부스 | 정동길 | {start:%Y-%m-%d %H:%M} | {end:%Y-%m-%d %H:%M} | 700 | 100",
        replies=2)
    assert "정동야행 홍보부스" in photo["caption"] and "https://t.me/" in photo["caption"]
    assert document["document"]["file_name"].endswith(".png")
    png = telegram_module.download(document["document"]["file_id"])

    (reply,) = resident.scan(png=png)
    assert "700 P가 적립" in reply["text"]
    (again,) = resident.scan(png=png)
    assert "이미" in again["text"]
    with session_scope(e2e_engine) as s:
        rid = residents.find(s, RESIDENT_ID).id
        assert points.balance(s, rid).available == 700

    (forged,) = resident.scan(link="https://t.me/ontong_junggu_bot?start=eFORGEDforgedFORGEDforged")
    assert "확인할 수 없어요" in forged["text"]


def test_volunteer_csv_then_exchange_then_quarterly_payout(people, telegram_module, e2e_engine):
    staff, resident = people
    year = utcnow().astimezone(KST).year
    csv = f"telegram_user_id,hours,year\n{RESIDENT_ID},120,{year}\n999999,130,{year}\nabc,x,y\n"
    (report,) = staff.document("volunteer.csv", csv.encode(), "/volunteer")
    assert "적립 1명" in report["text"] and "미가입 1명" in report["text"] and "행:" in report["text"]
    (again,) = staff.document("volunteer.csv", csv.encode(), "/volunteer")
    assert "이미 적립 1명" in again["text"]

    (balance,) = resident.send("내 포인트")
    assert "10,700 P" in balance["text"]
    (choose,) = resident.send("상품권 교환")
    (confirm,) = resident.press(choose, "10,000 P")
    assert "10,000 P를 상품권으로 교환 신청할까요" in confirm["text"]
    (done,) = resident.press(confirm, "교환 신청")
    assert "교환 신청을 접수했어요" in done["text"] and "700 P" in done["text"]

    # Time travel: the request was made last quarter, so this quarter's close takes it.
    with session_scope(e2e_engine) as s:
        s.execute(update(ExchangeRequest).values(created_at=utcnow() - timedelta(days=100)))
    (closed,) = staff.send("/payout_close")
    assert "대상 1명" in closed["text"] and "10,000원" in closed["text"]
    (csv_doc,) = staff.press(closed, "CSV 받기")
    content = telegram_module.download(csv_doc["document"]["file_id"]).decode("utf-8-sig")
    assert "정동주민" in content and "10000" in content.replace(",", "")

    batch_id = closed["text"].split("#")[1].split(")")[0]
    (ask,) = staff.send(f"/payout_paid {batch_id}")
    telegram_module.post("/test/press", {"user_id": STAFF_ID, "message_id": ask["message_id"],
                                         "callback_data": ask["reply_markup"]["inline_keyboard"][0][0]["callback_data"]})
    notice = resident.read(1, timeout=30)
    assert "상품권 10,000원이 지급되었어요" in texts_of(notice)
    edited = next(m for m in staff.all_messages() if m["message_id"] == ask["message_id"])
    assert "지급 완료 처리했어요" in edited["text"]
