"""Privacy end to end (issue 13): 탈퇴 and 거부 delete the conversation from Rasa's tracker
store; the withdrawal needs a fresh confirmation; 내 정보 and the optional 동."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from storage.db import session_scope
from storage.services import residents
from tests.e2e.driver import texts_of

pytestmark = pytest.mark.e2e
WITHDRAWER, DECLINER, STALE = 736001, 736002, 736003  # apart from test_engagement_flow (730001–2)


def _tracker_rows(stack, sender: int) -> int:  # type: ignore[no-untyped-def]
    engine = create_engine(stack.config.tracker_store_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM events WHERE sender_id = :s"),
                                {"s": str(sender)}).scalar() or 0
    finally:
        engine.dispose()


def _settled_rows(stack, sender: int) -> int:  # type: ignore[no-untyped-def]
    """The bot deletes right after it delivered the reply: poll a little."""
    for _ in range(50):
        if _tracker_rows(stack, sender) == 0:
            break
        time.sleep(0.1)
    return _tracker_rows(stack, sender)


def _consent(telegram, user_id: int, name: str):  # type: ignore[no-untyped-def]
    chat = telegram.resident(user_id, name)
    _, consent = chat.send("/start", replies=2)
    thanks, dong = chat.press(consent, "동의합니다", replies=2)
    assert "가입이 완료" in thanks["text"] and "사시는 동" in dong["text"]
    return chat, dong


def test_withdrawal_deletes_the_account_and_the_conversation(stack, telegram, e2e_engine):
    chat, dong = _consent(telegram, WITHDRAWER, "신당주민")
    (saved,) = chat.press(dong, "신당동")
    assert "신당동" in saved["text"]
    (summary,) = chat.send("내 정보 보기")
    assert "신당주민" in summary["text"] and "신당동" in summary["text"]
    chat.send("저는 다산동 골목에 살아요, 안녕하세요", replies=1)
    assert _tracker_rows(stack, WITHDRAWER) > 5

    (question,) = chat.send("탈퇴할래요")
    assert "정말 탈퇴" in question["text"]
    (done,) = chat.press(question, "탈퇴 확인")
    assert "삭제했어요" in done["text"]
    with session_scope(e2e_engine) as s:
        assert residents.find(s, WITHDRAWER) is None
    assert _settled_rows(stack, WITHDRAWER) == 0


def test_decline_stores_nothing_anywhere(stack, telegram, e2e_engine):
    chat = telegram.resident(DECLINER, "거부주민")
    _, consent = chat.send("/start", replies=2)
    (declined,) = chat.press(consent, "동의하지 않아요")
    assert "저장하지 않았어요" in declined["text"]
    with session_scope(e2e_engine) as s:
        assert residents.find(s, DECLINER) is None
    assert _settled_rows(stack, DECLINER) == 0


def test_the_withdrawal_question_expires_and_can_be_cancelled(stack, telegram, e2e_engine):
    chat, _ = _consent(telegram, STALE, "을지로주민")
    (question,) = chat.send("탈퇴할래요")
    chat.send("내 포인트")
    replies = chat.press(question, "탈퇴 확인")     # an old button: asked again, nothing deleted
    assert "정말 탈퇴" in texts_of(replies)
    with session_scope(e2e_engine) as s:
        assert residents.find(s, STALE) is not None
    (cancelled,) = chat.send("아니요")
    assert "취소" in cancelled["text"]
    with session_scope(e2e_engine) as s:
        assert residents.find(s, STALE) is not None
