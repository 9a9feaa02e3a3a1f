"""/start, privacy consent (동의 / 거부) and withdrawal (탈퇴)."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import FORGET_CONVERSATION, Speaker, StorageAction
from actions.account import utter_consent_notice, utter_dong_question
from actions.points import utter_checkin
from storage.models import Resident
from storage.rules import CONSENT_VERSION
from storage.services import privacy, residents


class ActionStart(StorageAction):
    needs_resident = False

    def name(self) -> str:
        return "action_start"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        if resident is None:
            dispatcher.utter_message(response="utter_welcome")
            utter_consent_notice(dispatcher)
        elif privacy.needs_reconsent(resident):
            dispatcher.utter_message(response="utter_reconsent_notice", version=CONSENT_VERSION)
            utter_consent_notice(dispatcher)
        else:
            dispatcher.utter_message(response="utter_welcome_back", name=resident.display_name)
            dispatcher.utter_message(response="utter_main_menu")
        return []


class ActionConsentAccept(StorageAction):
    needs_resident = False

    def name(self) -> str:
        return "action_consent_accept"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        resident, created = residents.register(
            session, who.telegram_user_id, who.first_name, who.last_name
        )
        if created:
            dispatcher.utter_message(response="utter_consent_thanks", name=resident.display_name)
        else:
            dispatcher.utter_message(response="utter_already_registered", name=resident.display_name)
        payload = tracker.get_slot("pending_checkin")
        if payload:
            # The QR scanned before consent is honoured now, in the same transaction.
            utter_checkin(dispatcher, session, resident, payload)
        elif created and resident.dong is None:
            # The one optional question of sign-up: the 동 (announcements for one 동).
            utter_dong_question(dispatcher)
        else:
            dispatcher.utter_message(response="utter_main_menu")
        return [SlotSet("pending_checkin", None)]


class ActionConsentDecline(StorageAction):
    needs_resident = False

    def name(self) -> str:
        return "action_consent_decline"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        if resident is not None:
            dispatcher.utter_message(response="utter_already_registered", name=resident.display_name)
            return []
        dispatcher.utter_message(response="utter_consent_declined")
        dispatcher.utter_message(json_message=FORGET_CONVERSATION)
        return [SlotSet("pending_checkin", None)]


# What answers the withdrawal question: its button or "탈퇴" again (withdraw_consent), or a typed 네.
CONFIRMING_INTENTS = frozenset({"affirm", "withdraw_consent"})


def asked_just_before(events: list[dict[str, Any]], action_name: str) -> bool:
    """Whether the bot's last action before the current message was ``action_name``.

    Walks back from the latest user message; another user message, a new
    session or any other action in between means the question has expired.
    """
    seen_current = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if seen_current:
                return False
            seen_current = True
            continue
        if not seen_current:
            continue
        if kind == "session_started":
            return False
        if kind == "action" and event.get("name") not in (None, "action_listen"):
            return event.get("name") == action_name
    return False


class ActionWithdrawConsent(StorageAction):
    """Asks first; deletes only on an explicit answer right after its own question."""

    needs_resident = False

    def name(self) -> str:
        return "action_withdraw_consent"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        if resident is None:
            dispatcher.utter_message(response="utter_not_registered_withdraw")
            dispatcher.utter_message(json_message=FORGET_CONVERSATION)
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in CONFIRMING_INTENTS and asked_just_before(tracker.events, self.name()):
            residents.withdraw(session, who.telegram_user_id)
            dispatcher.utter_message(response="utter_withdrawn")
            dispatcher.utter_message(json_message=FORGET_CONVERSATION)
            return []
        dispatcher.utter_message(response="utter_withdraw_confirm")
        return []
