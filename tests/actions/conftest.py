"""Action tests run the real actions against the real migrated databases."""
from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

USER_ID = 424242


@pytest.fixture
def app_db(engine, monkeypatch):
    """Point the edges' default engine (DATABASE_URL) at the test database."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def make_tracker(intent: str = "start", entities: list[dict] | None = None,
                 slots: dict[str, Any] | None = None, user_id: int = USER_ID,
                 first_name: str = "중구", text: str | None = None) -> Tracker:
    latest = {
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entities or [],
        "text": text or f"/{intent}",
        "metadata": {"telegram_user_id": user_id, "chat_id": user_id, "first_name": first_name,
                     "last_name": None},
    }
    return Tracker.from_dict({
        "sender_id": str(user_id),
        "slots": slots or {},
        "latest_message": latest,
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


async def run_action(action, tracker: Tracker) -> tuple[list[dict], list[dict]]:  # type: ignore[no-untyped-def]
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def responses(messages: list[dict]) -> list[str | None]:
    return [m.get("response") for m in messages]
