"""Drive the survey and contest forms the way Rasa does: validation, then the ask action."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from rasa_sdk import Tracker

from storage.db import session_scope
from storage.models import Role
from storage.services import residents, surveys
from storage.services.survey_loader import load_survey_file
from storage.settings import PROJECT_ROOT
from storage.timeutil import KST, utcnow
from tests.actions.conftest import USER_ID, run_action

SAMPLE = PROJECT_ROOT / "storage" / "surveys" / "satisfaction_2026.yml"
_PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$")


def register(engine, user_id: int = USER_ID, role: Role = Role.resident) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        resident, _ = residents.register(s, user_id, "중구")
        resident.role = role
        s.flush()
        return resident.id


def sample_text(opens_days_ago: float = 1, closes_in_days: float = 10) -> str:
    """The shipped sample survey, open now (its own dates are in December 2026)."""
    now = utcnow().astimezone(KST)
    opens = (now - timedelta(days=opens_days_ago)).strftime("%Y-%m-%d %H:%M")
    closes = (now + timedelta(days=closes_in_days)).strftime("%Y-%m-%d %H:%M")
    text = SAMPLE.read_text(encoding="utf-8")
    text = re.sub(r'^opens_at: .*$', f'opens_at: "{opens}"', text, flags=re.M)
    return re.sub(r'^closes_at: .*$', f'closes_at: "{closes}"', text, flags=re.M)


def publish(engine, text: str | None = None) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        spec = load_survey_file(text or sample_text())
        survey = surveys.publish_survey(s, spec, staff_id=None, now=utcnow() - timedelta(days=2))
        s.flush()
        return survey.id


def parse_payload(payload: str) -> tuple[str, list[dict[str, str]]]:
    match = _PAYLOAD.match(payload)
    assert match, payload
    entities = json.loads(match["entities"]) if match["entities"] else {}
    return match["intent"], [{"entity": k, "value": v} for k, v in entities.items()]


def button(message: dict[str, Any], label: str) -> str:
    """The payload of the button whose title contains ``label``."""
    for b in message.get("buttons") or []:
        if label in b["title"]:
            return b["payload"]
    raise AssertionError(f"no button {label!r} in {[b['title'] for b in message.get('buttons') or []]}")


@dataclass
class FormDriver:
    """One resident in one form: each message runs validate_<form> and, if the form goes on, the ask action."""

    validate: Any
    ask: Any
    reply_slot: str
    slots: dict[str, Any] = field(default_factory=dict)
    active: bool = False
    user_id: int = USER_ID

    def _tracker(self, intent: str, text: str, entities: list[dict[str, str]], confidence: float,
                 candidate: bool) -> Tracker:
        events: list[dict[str, Any]] = [{"event": "action", "name": "action_listen"},
                                        {"event": "action", "name": "form"}]
        if candidate:
            events.append({"event": "slot", "name": self.reply_slot, "value": text})
        latest = {"intent": {"name": intent, "confidence": confidence}, "entities": entities, "text": text,
                  "metadata": {"telegram_user_id": self.user_id, "chat_id": self.user_id, "first_name": "중구"}}
        return Tracker.from_dict({
            "sender_id": str(self.user_id), "slots": {**self.slots, self.reply_slot: text if candidate else None},
            "latest_message": latest, "events": events, "paused": False, "followup_action": None,
            "active_loop": {"name": "form"} if self.active else {}, "latest_action_name": "action_listen",
        })

    def _apply(self, events: list[dict[str, Any]]) -> None:
        for e in events:
            if e.get("event") == "slot":
                self.slots[e["name"]] = e["value"]
            elif e.get("event") == "active_loop" and e.get("name") is None:
                self.active = False

    async def send(self, text: str, intent: str = "nlu_fallback", confidence: float = 0.3,
                   entities: list[dict[str, str]] | None = None) -> tuple[list[dict], list[dict]]:
        """One message: returns (all bot messages, validation events)."""
        entities = entities or []
        for e in entities:
            if e["entity"] in ("s", "contest_id"):
                self.slots["survey_id" if e["entity"] == "s" else "contest_id"] = e["value"]
        messages, events = await run_action(self.validate, self._tracker(intent, text, entities, confidence, True))
        self._apply(events)
        ended = any(e.get("event") == "slot" and e["name"] == "requested_slot" and e["value"] is None
                    for e in events) or any(e.get("event") == "action_execution_rejected" for e in events)
        if ended:
            self.active = False
            return messages, events
        asked, ask_events = await run_action(self.ask, self._tracker(intent, text, entities, confidence, False))
        self._apply(ask_events)
        self.active = not any(e.get("event") == "active_loop" and e.get("name") is None for e in ask_events)
        return messages + asked, events

    async def press(self, message: dict[str, Any], label: str) -> tuple[list[dict], list[dict]]:
        payload = button(message, label)
        intent, entities = parse_payload(payload)
        return await self.send(payload, intent=intent, confidence=1.0, entities=entities)
