"""Shared set-up for the proposal action tests: residents, proposals, form trackers."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from storage.db import session_scope
from storage.models import Role
from storage.services import proposals, residents
from storage.settings import PROJECT_ROOT
from tests.actions.conftest import USER_ID

AUTHOR_ID = 515151
BODY = "밤이 되면 골목이 너무 어두워서 아이들과 어르신들이 다니기 무서워해요. 가로등을 더 달아 주세요."
DOMAIN: dict[str, Any] = yaml.safe_load(Path(PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def register(engine, user_id: int = USER_ID, name: str = "중구",  # type: ignore[no-untyped-def]
             role: Role = Role.resident) -> int:
    with session_scope(engine) as s:
        resident, _ = residents.register(s, user_id, name)
        resident.role = role
        return resident.id


def propose(engine, author_id: int, title: str = "신당동 골목길에 가로등을 늘려 주세요",  # type: ignore[no-untyped-def]
            body: str = BODY, category: str = "safety", dong: str | None = "sindang",
            photo: str | None = None, now: datetime | None = None) -> int:
    with session_scope(engine) as s:
        return proposals.submit(s, author_id=author_id, title=title, body=body, category=category,
                                dong=dong, photo_file_id=photo, now=now).proposal.id


def endorse_by_many(engine, proposal_id: int, count: int,  # type: ignore[no-untyped-def]
                    first_user: int = 900_000) -> None:
    """``count`` new residents endorse through the service (not the chat)."""
    for i in range(count):
        rid = register(engine, first_user + i, f"주민{i}")
        with session_scope(engine) as s:
            proposals.endorse(s, proposal_id=proposal_id, resident_id=rid)


def form_tracker(slot: str, value: Any, *, intent: str = "proposal_inform", entities: list[dict] | None = None,
                 slots: dict[str, Any] | None = None, text: str | None = None, user_id: int = USER_ID,
                 form: str = "proposal_form", confidence: float = 1.0) -> Tracker:
    """A tracker as the form hands it to its validation action: the candidate slot set last."""
    all_slots = {**(slots or {}), slot: value, "requested_slot": slot}
    return Tracker.from_dict({
        "sender_id": str(user_id),
        "slots": all_slots,
        "latest_message": {
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "text": text if text is not None else str(value),
            "metadata": {"telegram_user_id": user_id, "chat_id": user_id, "first_name": "중구"},
        },
        "events": [{"event": "slot", "name": "requested_slot", "value": slot},
                   {"event": "action", "name": form},
                   {"event": "slot", "name": slot, "value": value}],
        "paused": False,
        "followup_action": None,
        "active_loop": {"name": form},
        "latest_action_name": "action_listen",
    })


async def run_with_domain(action, tracker: Tracker) -> tuple[list[dict], list[dict]]:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, events


def slot_values(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
