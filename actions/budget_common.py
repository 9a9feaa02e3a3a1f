"""What the 주민참여예산 actions share: the cycle in force, button payloads, list lines.

The sentences live in domain.yml; this module only lays out data (titles,
amounts, dongs) into the lines and buttons those responses carry.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import StorageAction
from storage.budget_rules import RECEIPT_ALPHABET, RECEIPT_LENGTH, normalize_receipt_code
from storage.models import ProjectStatus
from storage.notify_rules import BUTTON_TEXT_MAX_CHARS
from storage.rules import MESSAGE_MAX_CHARS
from storage.services import budget

PICKED, UNPICKED = "✅", "⬜"
# Room for the project list in a ballot message; the rest of the message (header,
# running total) takes well under the remaining 600 characters.
BALLOT_LIST_MAX_CHARS = MESSAGE_MAX_CHARS - 600
# Labels of buttons the actions build (the fixed ones are in domain.yml responses).
SUBMIT_BUTTON = "📨 투표지 제출하기"
STATUS_LABELS = {
    ProjectStatus.submitted: "심사 대기",
    ProjectStatus.accepted: "투표 대상",
    ProjectStatus.rejected: "제외",
}
FORM_SLOTS = ("budget_title", "budget_description", "budget_dong", "budget_cost", "budget_photo")
# budget_field entity value → the form slot it corrects.
FIELD_SLOTS = {"title": "budget_title", "description": "budget_description", "dong": "budget_dong",
               "cost": "budget_cost", "photo": "budget_photo"}
# The fields a resident may correct from the preview, as button labels.
FIELD_LABELS = {"title": "사업명", "description": "설명", "dong": "동", "cost": "사업비", "photo": "사진"}
CANCEL_BUTTON = {"title": "취소", "payload": "/cancel"}
NO_PHOTO = "none"  # budget_photo's value when the resident chose 사진 없이 진행
_HALF = RECEIPT_LENGTH // 2
_RECEIPT_IN_TEXT = re.compile(
    rf"(?<![0-9A-Za-z])([{RECEIPT_ALPHABET}]{{{_HALF}}})[-\s]?([{RECEIPT_ALPHABET}]{{{RECEIPT_LENGTH - _HALF}}})"
    r"(?![0-9A-Za-z])",
    re.IGNORECASE,
)


def entity(tracker: Tracker, name: str) -> str | None:
    """The latest message's first value of entity ``name``."""
    value = next(tracker.get_latest_entity_values(name), None)
    return None if value is None else str(value).strip()


def receipt_code_in(tracker: Tracker) -> str | None:
    """A receipt code found in the typed text ("접수번호 7k3m q9xa"), else the entity.

    The text comes first: the tokenizer may cut a code like "7k3m-q9xa" in the
    middle, and a half code would only ever be "not found".
    """
    match = _RECEIPT_IN_TEXT.search((tracker.latest_message or {}).get("text") or "")
    raw = match.group(1) + match.group(2) if match else entity(tracker, "receipt_code")
    return normalize_receipt_code(raw) if raw else None


def toggle_payload(project_id: int) -> str:
    return f'/budget_toggle{{"budget_project_id":"{project_id}"}}'


def button_label(text: str) -> str:
    """A button text cut to Telegram's limit."""
    return text if len(text) <= BUTTON_TEXT_MAX_CHARS else text[: BUTTON_TEXT_MAX_CHARS - 1] + "…"


def ballot_lines(projects: Sequence[budget.ProjectView], picked: set[int]) -> str:
    """One entry per project: mark, number, title, cost, 동, then the short description
    (left out when a long ballot would not fit in one Telegram message)."""
    heads = [f"{PICKED if p.id in picked else UNPICKED} {p.id}번 {p.title} · {p.cost_label} · {p.dong}"
             for p in projects]
    full = "\n".join(f"{head}\n      {p.short_description}" for head, p in zip(heads, projects))
    return full if len(full) <= BALLOT_LIST_MAX_CHARS else "\n".join(heads)


def toggle_buttons(projects: Iterable[budget.ProjectView], picked: set[int]) -> list[dict[str, str]]:
    return [{"title": button_label(f"{PICKED if p.id in picked else UNPICKED} {p.id}번 {p.title}"),
             "payload": toggle_payload(p.id)} for p in projects]


def latest_published(session: Session) -> budget.CycleView | None:
    """The newest cycle whose results are out (for "지난 결과 보기")."""
    return next((c for c in budget.recent_cycles(session) if c.results_published_at is not None), None)


def reset_form_slots() -> list[dict[str, Any]]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


class GateAction(StorageAction):
    """An action the rules branch on through ``budget_intake_open``: whatever happens
    (a refusal, an error) the slot is set, so a stale value never starts the form."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        if not any(e.get("event") == "slot" and e.get("name") == "budget_intake_open" for e in events):
            events.append(SlotSet("budget_intake_open", False))
        return events
