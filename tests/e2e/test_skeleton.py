"""A resident chats in Korean through the real stack (issue: walking skeleton)."""
from __future__ import annotations

import pytest

from storage.db import session_scope
from storage.services import residents
from tests.e2e.driver import button_data, texts_of

pytestmark = pytest.mark.e2e


def test_newcomer_consents_greets_and_uses_the_menu(telegram, e2e_engine):
    chat = telegram.resident(710001, "김중구")
    welcome, consent = chat.send("/start", replies=2)
    assert "온통중구" in welcome["text"]
    assert "개인정보 수집·이용 동의" in consent["text"] and "보유 기간" in consent["text"]

    replies = chat.press(consent, "동의합니다", replies=2)
    assert "가입이 완료" in texts_of(replies)
    with session_scope(e2e_engine) as s:
        resident = residents.find(s, 710001)
        assert resident is not None and resident.display_name == "김중구"
    # The pressed message is edited in place: the choice shows, the buttons go.
    edited = next(m for m in chat.all_messages() if m["message_id"] == consent["message_id"])
    assert "👉 동의합니다" in edited["text"] and not edited.get("reply_markup")

    greeting, menu = chat.send("안녕하세요", replies=2)
    assert "안녕하세요" in greeting["text"]
    labels = [b["text"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    for label in ("포인트", "정책제안", "참여예산", "설문·공모", "중구소식", "알림설정", "도움말"):
        assert any(label in text for text in labels), label

    (menu,) = chat.send("메뉴")
    assert button_data(menu, "포인트")
    (balance,) = chat.press(menu, "포인트")
    assert "사용 가능: 0 P" in balance["text"]


def test_declining_consent_stores_nothing(telegram, e2e_engine):
    chat = telegram.resident(710002, "이을지")
    _, consent = chat.send("/start", replies=2)
    (reply,) = chat.press(consent, "동의하지 않아요")
    assert "저장하지 않았어요" in reply["text"]
    with session_scope(e2e_engine) as s:
        assert residents.find(s, 710002) is None
    # What still works without consent: the capabilities and the help.
    replies = chat.send("뭘 할 수 있어?", replies=2)
    assert "정책제안" in texts_of(replies)


def test_out_of_scope_gets_a_polite_fallback(telegram):
    chat = telegram.resident(710003, "박명동")
    (reply,) = chat.send("오늘 주식 뭐 사야 돼?")
    assert "120 다산콜" in reply["text"]


def test_commands_work_everywhere_and_are_registered(telegram):
    chat = telegram.resident(710004, "최필동")
    (help_reply,) = chat.send("/help")
    assert "/menu" in help_reply["text"]
    (menu,) = chat.send("/menu")
    assert menu["reply_markup"]["inline_keyboard"]
    (cancelled,) = chat.send("/cancel")
    assert "취소" in cancelled["text"]
    commands = telegram.http.get(f"/bot{telegram.token}/getMyCommands").json()["result"]
    assert {"start", "menu", "help", "cancel"} <= {c["command"] for c in commands}


def test_conversations_are_kept_in_the_sql_tracker_store(stack, telegram):
    """Rasa keeps conversation state in the SQL tracker store, so a restart loses nothing."""
    from sqlalchemy import create_engine, text

    chat = telegram.resident(710005, "장충동")
    chat.send("안녕하세요", replies=2)
    tracker = create_engine(stack.config.tracker_store_url)
    with tracker.connect() as conn:
        count = conn.execute(text("SELECT COUNT(*) FROM events WHERE sender_id = '710005'")).scalar()
    tracker.dispose()
    assert count and count >= 3
