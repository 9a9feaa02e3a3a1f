"""Free text carries content: a typed proposal becomes the draft, a typed 동 and number are used."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions.proposal_cards import proposal_number
from actions.proposal_form import draft_from_text, draft_title, means_cancel


@pytest.mark.parametrize("text, draft", [
    ("우리 동네 골목에 가로등을 더 설치해 주세요 라고 정책 제안하고 싶어요", "우리 동네 골목에 가로등을 더 설치해 주세요"),
    ("공원에 운동기구 늘려 달라고 건의할래요", "공원에 운동기구 늘려 주세요"),
    ("경로당 에어컨 바꿔달라고 제안할게요", "경로당 에어컨 바꿔 주세요"),
    ("버스 정류장에 온열의자 놓아 주세요라고 제안합니다", "버스 정류장에 온열의자 놓아 주세요"),
])
def test_request_phrase_is_stripped(text: str, draft: str) -> None:
    assert draft_from_text(text) == draft


@pytest.mark.parametrize("text", ["정책 제안할래요", "제안하고 싶어요", "새 제안 쓰기", "/proposal_new", ""])
def test_only_the_request_gives_no_draft(text: str) -> None:
    assert draft_from_text(text) is None


def test_long_content_gets_a_short_title() -> None:
    content = "골목길 " * 30
    title = draft_title(content.strip())
    assert len(title) <= 60 and title.endswith("…")


def tracker(text: str, intent: str, entities: list | None = None, requested: str | None = None,
            confidence: float = 0.95) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}
    return Tracker("u1", {"requested_slot": requested}, message, [], False, None, {}, "action_listen")


def test_typed_number_entity_picks_the_proposal() -> None:
    assert proposal_number(tracker("12번 제안 공감", "proposal_endorse",
                                   [{"entity": "number", "value": "12"}])) == 12


def test_typed_deny_cancels_the_title_step_but_skips_the_dong_step() -> None:
    assert means_cancel(tracker("아니요 취소", "deny", requested="proposal_draft_title"))
    assert not means_cancel(tracker("없어요", "deny", requested="proposal_draft_dong"))
    assert means_cancel(tracker("그만할래요", "deny", requested="proposal_draft_dong"))
