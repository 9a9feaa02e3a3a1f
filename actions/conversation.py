"""Conversation plumbing shared by every feature."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset
from rasa_sdk.executor import CollectingDispatcher


class ActionCancel(Action):
    """Leave whatever was going on (a form, a pending confirmation) with nothing saved."""

    def name(self) -> str:
        return "action_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_cancelled")
        return [ActiveLoop(None), AllSlotsReset()]
