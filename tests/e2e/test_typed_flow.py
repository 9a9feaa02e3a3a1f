"""Typing alone: a resident reaches every feature in plain Korean, pressing no button (issue 12)."""
from __future__ import annotations

import time

import pytest

from tests.e2e.driver import texts_of

pytestmark = pytest.mark.e2e
RESIDENT_ID = 790001
NOT_UNDERSTOOD = ("무슨 말씀인지 잘 모르겠어요", "혹시 이걸 찾으셨어요", "답해 드리기 어려워요")

# (typed message, a word the answer must contain: the feature was reached)
REQUESTS = [
    ("뭐 할 수 있어요?", "도움말"),
    ("내 포인트 얼마 있어요?", "P"),
    ("포인트 적립 내역 보여줘", ""),
    ("상품권으로 교환하고 싶어요", ""),
    ("교환 신청한 거 어떻게 됐어요?", ""),
    ("정책제안 메뉴 열어줘", ""),
    ("인기 제안 목록 보여줘", ""),
    ("내가 쓴 제안 보여줘", ""),
    ("주민참여예산 메뉴", ""),
    ("참여예산 결과 알려줘", ""),
    ("설문조사 참여할래요", ""),
    ("공모전 뭐 있어요?", ""),
    ("중구 소식 보여줘", ""),
    ("오늘 출석체크 할게요", ""),
    ("알림 설정 바꾸고 싶어요", ""),
    ("포인트 유효기간 있어요?", "근거"),
    ("오늘 날씨 어때?", "120"),
]


def drain(chat) -> list:  # type: ignore[no-untyped-def]
    """Bot messages that arrived after the last read (a reply may come in several messages)."""
    extra = chat.driver.messages(chat.user_id, chat.seen)
    if extra:
        chat.seen = max(m["message_id"] for m in extra)
    return extra


def ask(chat, text: str, replies: int = 1) -> str:  # type: ignore[no-untyped-def]
    """Send typed text; the whole answer (waits a moment for its later messages)."""
    time.sleep(1.5)
    drain(chat)
    messages = chat.send(text, replies=replies)
    time.sleep(1.5)
    return texts_of(messages + drain(chat))


@pytest.fixture(scope="module")
def resident(telegram_module):  # type: ignore[no-untyped-def]
    chat = telegram_module.resident(RESIDENT_ID, "타자주민")
    chat.send("/start", replies=2)
    answer = ask(chat, "네 동의합니다")
    assert "동의" in answer or "감사" in answer
    return chat


@pytest.mark.parametrize("text, expected", REQUESTS)
def test_typed_request_reaches_its_feature(resident, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    answer = ask(resident, text)
    if "오늘 날씨" in text:
        assert expected in answer  # out of scope keeps the polite 120 다산콜 answer
        return
    assert not any(phrase in answer for phrase in NOT_UNDERSTOOD), (text, answer)
    assert expected in answer, (text, answer)


def test_typed_proposal_keeps_its_content_and_typed_cancel_stops_it(resident) -> None:  # type: ignore[no-untyped-def]
    answer = ask(resident, "우리 동네 골목에 가로등을 더 설치해 주세요 라고 정책 제안하고 싶어요", replies=2)
    assert "가로등을 더 설치해 주세요" in answer
    answer = ask(resident, "아 아니에요 취소")
    assert "취소" in answer
