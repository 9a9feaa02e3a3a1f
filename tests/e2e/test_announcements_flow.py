"""알림설정 and a staff announcement through the real stack: residents choose what
they hear; staff compose in the chat; only subscribers of the topic receive it."""
from __future__ import annotations

import time

import pytest

from storage.db import session_scope
from storage.models import Role
from storage.services import residents
from tests.e2e.driver import Chat, button_data

pytestmark = pytest.mark.e2e
STAFF, WANTS_ALL, WANTS_NONE, PICKS_NEWS = 740001, 740002, 740003, 740004


def _wait_for(chat: Chat, needle: str, timeout: float = 45) -> dict:
    """The newest message containing ``needle`` (edits included), waiting for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(chat.all_messages()):
            if needle in (message.get("text") or message.get("caption") or ""):
                return message
        time.sleep(0.3)
    raise AssertionError(f"no message with {needle!r}")


def _press(chat: Chat, message: dict, label: str) -> None:
    chat.driver.post("/test/press", {"user_id": chat.user_id, "message_id": message["message_id"],
                                     "callback_data": button_data(message, label)})


def _consent(telegram, user_id: int, name: str) -> tuple[Chat, dict]:  # type: ignore[no-untyped-def]
    chat = telegram.resident(user_id, name)
    _, consent = chat.send("/start", replies=2)
    thanks, _menu = chat.press(consent, "동의합니다", replies=2)
    return chat, thanks


def test_residents_choose_topics_and_staff_announcement_reaches_only_subscribers(telegram, e2e_engine):
    wants_all, thanks = _consent(telegram, WANTS_ALL, "모두받기")
    assert "알림으로 받으시겠어요" in thanks["text"]
    (on,) = wants_all.press(thanks, "모두 받기")
    assert "모든 알림을 켰어요" in on["text"]

    wants_none, thanks = _consent(telegram, WANTS_NONE, "안받기")
    (off,) = wants_none.press(thanks, "받지 않기")
    assert "모든 알림을 껐어요" in off["text"]

    picks_news, thanks = _consent(telegram, PICKS_NEWS, "소식만")
    (settings,) = picks_news.press(thanks, "골라서 받기")
    assert "⬜ 중구소식" in settings["text"]
    toggled, settings = picks_news.press(settings, "중구소식", replies=2)
    assert "중구소식 알림을 켰어요" in toggled["text"] and "✅ 중구소식" in settings["text"]
    (off_text,) = picks_news.send("행사 알림은 필요 없고 알림 설정 보여줘")
    assert "알림설정" in off_text["text"]

    staff, _ = _consent(telegram, STAFF, "중구청 직원")
    with session_scope(e2e_engine) as s:
        residents.set_role(s, STAFF, Role.staff)

    (ask,) = staff.send("/announce")
    assert "공지 내용" in ask["text"]
    (photo_prompt,) = staff.send("🌙 정동야행 안전 안내: 오늘 밤 정동길 일부 구간이 통제됩니다.")
    _press(staff, photo_prompt, "건너뛰기")
    link_prompt = _wait_for(staff, "링크 버튼")
    _press(staff, link_prompt, "건너뛰기")
    target = _wait_for(staff, "누구에게 보낼까요")
    _press(staff, target, "행사·포인트")
    controls = _wait_for(staff, "미리보기")
    assert "(1명)" in controls["text"]  # only the resident who wants everything
    # An urgent public-safety notice goes out even in quiet hours (21:00–08:00 KST).
    _press(staff, controls, "긴급 공지로 표시")
    controls = _wait_for(staff, "긴급 공지: 예")
    _press(staff, controls, "지금 보내기")

    received = _wait_for(wants_all, "정동길 일부 구간이 통제")
    assert received
    _wait_for(staff, "발송을 마쳤어요")
    for chat in (wants_none, picks_news):
        assert not any("정동길 일부 구간" in (m.get("text") or "") for m in chat.all_messages())
