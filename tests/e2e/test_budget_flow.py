"""주민참여예산 end to end through the local Telegram server: staff create a cycle and
move its phases, two residents propose by the form, staff screen, three residents
vote with buttons (a second ballot is refused), staff publish, and every voter
receives the results notice with the chart."""
from __future__ import annotations

import base64
import csv
import io
import re
import time
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from storage.db import session_scope
from storage.models import Ballot, BallotStatus, BudgetProject, OutboxMessage, OutboxStatus, Role
from storage.services import residents
from storage.timeutil import KST, utcnow
from tests.e2e.driver import Chat, button_data

pytestmark = pytest.mark.e2e
STAFF, PROPOSER_A, PROPOSER_B, VOTER_C = 760001, 760002, 760003, 760004
STATE: dict[str, Any] = {}


def wait_for(chat: Chat, needle: str, timeout: float = 60) -> dict[str, Any]:
    """The next bot message whose text or caption contains ``needle``; others on the
    way (notices that arrive in between) are passed over."""
    deadline = time.monotonic() + timeout
    passed: list[str] = []
    while (remaining := deadline - time.monotonic()) > 0:
        for message in chat.driver.messages(chat.user_id, chat.seen, wait=remaining, minimum=1):
            chat.seen = max(chat.seen, message["message_id"])
            text = message.get("text") or message.get("caption") or ""
            if needle in text:
                return message
            passed.append(text[:80])
    raise AssertionError(f"no message with {needle!r} for {chat.user_id}; got {passed}")


def say(chat: Chat, text: str, needle: str) -> dict[str, Any]:
    chat.driver.post("/test/send", {"user_id": chat.user_id, "text": text})
    return wait_for(chat, needle)


def tap(chat: Chat, message: dict[str, Any], label: str, needle: str) -> dict[str, Any]:
    chat.driver.post("/test/press", {"user_id": chat.user_id, "message_id": message["message_id"],
                                     "callback_data": button_data(message, label)})
    return wait_for(chat, needle)


def _consent(telegram, user_id: int, name: str) -> Chat:  # type: ignore[no-untyped-def]
    chat = telegram.resident(user_id, name)
    consent = say(chat, "/start", "개인정보 수집·이용 동의")
    thanks = tap(chat, consent, "동의합니다", "가입이 완료")
    # Results are pushed only to residents who opted in (issue 13): "모두 받기".
    tap(chat, thanks, "모두 받기", "모든 알림을 켰어요")
    return chat


def _png() -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 140, 90)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture(scope="module")
def chats(telegram_module, e2e_engine) -> dict[int, Chat]:  # type: ignore[no-untyped-def]
    people = {STAFF: "참여예산 담당", PROPOSER_A: "신당주민", PROPOSER_B: "필동주민", VOTER_C: "명동주민"}
    made = {uid: _consent(telegram_module, uid, name) for uid, name in people.items()}
    with session_scope(e2e_engine) as s:
        residents.set_role(s, STAFF, Role.staff)
    return made


def test_staff_create_a_cycle_and_open_intake(chats):
    staff, resident = chats[STAFF], chats[PROPOSER_A]
    # The schedule lies in the future, so only /budget_phase moves the phases here.
    start = utcnow().astimezone(KST) + timedelta(days=1)
    times = " | ".join(f"{start + timedelta(days=d):%Y-%m-%d %H:%M}" for d in (0, 7, 14, 21, 60))
    # The staff gate: a resident gets what an unknown command gets, and nothing is created.
    replies = resident.send(f"/budget_cycle_new 몰래 | 1억 | budget | {times}")
    assert not any("회차(#" in (m.get("text") or "") or "사용할 수 없어요" in (m.get("text") or "")
                   for m in replies)
    resident.send("/cancel")
    created = say(staff, f"/budget_cycle_new 2027년 주민참여예산 | 1억 | budget | {times}", "회차(#")
    assert "현재 단계: 준비 중" in created["text"] and "총예산 1억원 · 예산 한도 내 선택" in created["text"]
    say(resident, "참여예산", "준비 중")

    say(staff, "/budget_phase 접수", "현재 단계: 사업 제안 접수")


def test_two_residents_propose_with_the_form(chats, telegram_module, e2e_engine):
    a, b, c = chats[PROPOSER_A], chats[PROPOSER_B], chats[VOTER_C]
    menu = say(a, "참여예산", "사업 제안 접수 중")
    tap(a, menu, "사업 제안하기", "[1/5]")
    assert not any("자로 적어 주세요" in (m.get("text") or "") for m in a.all_messages()), "no refusal before answers"
    say(a, "신당동 어린이공원 그늘막 설치", "[2/5]")
    dongs = say(a, "여름 한낮에도 아이들이 놀 수 있도록 놀이터에 그늘막을 설치해 주세요.", "[3/5]")
    tap(a, dongs, "신당동", "[4/5]")
    say(a, "삼천만원쯤", "'쯤·정도·약' 없이")
    say(a, "3000만원", "[5/5]")
    telegram_module.post("/test/photo", {"user_id": a.user_id, "png_base64": _png(), "caption": "현장 사진"})
    preview = wait_for(a, "제안 내용을 확인해 주세요")
    assert "예상 사업비: 3,000만원" in preview["text"] and "사진: 1장" in preview["text"]
    # A correction: the cost again, refused once for exceeding the whole budget.
    choose = tap(a, preview, "수정", "어느 항목을 고칠까요")
    tap(a, choose, "사업비", "[4/5]")
    say(a, "1억 2천만원", "전체 예산(1억원)보다 커요")
    preview = say(a, "30,000,000", "제안 내용을 확인해 주세요")
    assert "예상 사업비: 3,000만원" in preview["text"] and "신당동 어린이공원 그늘막 설치" in preview["text"]
    tap(a, preview, "제출", "사업 제안이 접수되었어요")

    say(b, "사업 제안할래요", "[1/5]")
    say(b, "필동 골목길 LED 가로등 교체", "[2/5]")
    say(b, "골목이 너무 어두워서 밤에 귀가할 때 무서워요. 밝은 LED 가로등으로 바꿔 주세요.", "[3/5]")
    say(b, "필동", "[4/5]")
    photo = say(b, "8000만원", "[5/5]")
    preview = tap(b, photo, "사진 없이 진행", "제안 내용을 확인해 주세요")
    assert "사진: 0장" in preview["text"] and "동: 필동" in preview["text"]
    tap(b, preview, "제출", "사업 제안이 접수되었어요")

    # A cancellation leaves nothing behind.
    say(c, "사업 제안할래요", "[1/5]")
    say(c, "명동 벤치", "[2/5]")
    say(c, "취소", "취소했어요")
    with session_scope(e2e_engine) as s:
        projects = s.scalars(select(BudgetProject).order_by(BudgetProject.id)).all()
        assert [(p.title, p.estimated_cost, p.dong, p.photo_file_id is not None) for p in projects] == [
            ("신당동 어린이공원 그늘막 설치", 30_000_000, "신당동", True),
            ("필동 골목길 LED 가로등 교체", 80_000_000, "필동", False)]
        STATE["projects"] = [p.id for p in projects]


def test_staff_screen_and_open_voting(chats):
    staff, a, b = chats[STAFF], chats[PROPOSER_A], chats[PROPOSER_B]
    shade, light = STATE["projects"]
    say(staff, "/budget_phase 심사", "현재 단계: 심사")
    listing = say(staff, "/budget_projects", "사업 2건")
    assert f"#{shade} [심사 대기] 신당동 어린이공원 그늘막 설치" in listing["text"]
    say(staff, f"/budget_screen {shade} accept", "사업비 3,000만원")
    say(staff, f"/budget_screen {light} accept 7500만원", "사업비 7,500만원")
    wait_for(a, "심사를 통과")
    notice = wait_for(b, "심사를 통과")
    assert "7,500만원" in notice["text"]
    say(staff, "/budget_phase 투표", "현재 단계: 투표")
    wait_for(a, "투표가 시작됐어요")


def test_three_residents_vote_once_each(chats, e2e_engine):
    a, b, c = chats[PROPOSER_A], chats[PROPOSER_B], chats[VOTER_C]
    shade, light = STATE["projects"]
    menu = say(a, "참여예산", "주민 투표 중")
    ballot = tap(a, menu, "투표하기", "투표지")
    assert "선택 0건 · 0원 / 예산 1억원 · 남은 예산 1억원" in ballot["text"]
    ballot = tap(a, ballot, f"{shade}번", "선택 1건")
    assert "선택 1건 · 3,000만원 / 예산 1억원 · 남은 예산 7,000만원" in ballot["text"]
    assert f"✅ {shade}번" in ballot["text"]
    tap(a, ballot, f"{light}번", "넣으면 예산을 넘어요")
    ballot = wait_for(a, "선택 1건")  # the unchanged ballot, with its buttons back
    receipt = tap(a, ballot, "제출하기", "투표가 집계되었어요")
    code = re.search(r"접수번호 (\w{4}-\w{4})", receipt["text"]).group(1)
    wait_for(a, "500 P가 적립")
    # Typed receipt codes are random letters the NLU may not recognise; the menu button is the sure way.
    menu = say(a, "참여예산", "주민 투표 중")
    check = tap(a, menu, "내 투표 확인", "집계되어 있어요")
    assert code in check["text"] or "선택 1건" in check["text"]

    ballot = say(b, "투표할게요", "투표지")
    ballot = tap(b, ballot, f"{light}번", "선택 1건")
    assert "선택 1건 · 7,500만원 / 예산 1억원 · 남은 예산 2,500만원" in ballot["text"]
    tap(b, ballot, "제출하기", "투표가 집계되었어요")

    menu = say(c, "참여예산", "주민 투표 중")
    ballot = tap(c, menu, "투표하기", "투표지")
    ballot = tap(c, ballot, f"{shade}번", "선택 1건")
    # Kept to press again after voting closes, as an old message's button would be.
    STATE["old_toggle"] = (ballot["message_id"], button_data(ballot, f"{light}번"))
    tap(c, ballot, "제출하기", "투표가 집계되었어요")
    # A second ballot is refused, whichever way it is asked for.
    say(c, "투표할게요", "이미 투표하셨어요")
    menu = say(c, "참여예산", "주민 투표 중")
    tap(c, menu, "투표하기", "이미 투표하셨어요")
    menu = say(c, "참여예산", "주민 투표 중")
    check = tap(c, menu, "내 투표 확인", "집계되어 있어요")
    assert "선택 1건" in check["text"]
    with session_scope(e2e_engine) as s:
        assert s.scalar(select(func.count()).select_from(Ballot).where(Ballot.status == BallotStatus.submitted)) == 3


def test_staff_publish_and_every_voter_gets_results_and_chart(chats, telegram_module, e2e_engine):
    staff = chats[STAFF]
    say(staff, "/budget_phase 결과", "현재 단계: 결과 발표")
    published = say(staff, "/budget_publish", "결과를 발표했어요")
    assert "✅ 1위 신당동 어린이공원 그늘막 설치 · 2표" in published["text"]
    assert "2위 필동 골목길 LED 가로등 교체 · 1표 · 7,500만원 · 예산 부족으로 미선정" in published["text"]
    assert wait_for(staff, "결과 그래프").get("photo")
    # Results are promotional (the one opt-in rule), held back during quiet hours (21:00–08:00)
    # by send_after and by the sender's quiet-hours filter: let them out now, as by day.
    with session_scope(e2e_engine) as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.dedup_key.like("budget:results:%"),
                                              OutboxMessage.status == OutboxStatus.pending)
                  .values(send_after=utcnow(), promotional=False))
    for uid in (PROPOSER_A, PROPOSER_B, VOTER_C):
        notice = wait_for(chats[uid], "결과가 발표됐어요")
        assert notice.get("photo"), "the notice carries the chart"
        assert "주민 3명이 투표했고, 1개 사업(3,000만원)이 선정됐어요" in notice["caption"]
        png = telegram_module.download(notice["photo"][-1]["file_id"])
        assert png[:8] == b"\x89PNG\r\n\x1a\n"

    c = chats[VOTER_C]
    # An old ballot button pressed after the phase changed gets the Korean refusal.
    message_id, data = STATE["old_toggle"]
    telegram_module.post("/test/press", {"user_id": c.user_id, "message_id": message_id,
                                         "callback_data": data, "force": True})
    wait_for(c, "지금은 투표 기간이 아니에요")
    results = say(c, "투표 결과 보여줘", "결과 (")
    assert "✅ 1위 신당동 어린이공원 그늘막 설치 (신당동) · 2표" in results["text"]
    (chart,) = c.read(1)
    assert chart.get("photo"), "the ranking is followed by the chart"

    exports = [say(staff, "/budget_export", "투표지 CSV"), wait_for(staff, "결과 CSV")]
    ballots = telegram_module.download(exports[0]["document"]["file_id"]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(ballots)))
    assert rows[0] == ["투표지 번호", "사업 번호", "사업명"] and len(rows) == 4
