"""알림설정: which topics a resident hears about (announcements, reminders, news)."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction
from storage.models import Resident
from storage.notify_rules import ALL, TOPIC_LABELS
from storage.services import subscriptions


def utter_settings(dispatcher: CollectingDispatcher, session: Session, resident: Resident) -> None:
    """The toggles: one line and one button per topic, "전체" first."""
    view = subscriptions.settings_view(session, resident.id)
    lines = "\n".join(f"{'✅' if item.enabled else '⬜'} {item.label}"
                      for item in view.items if item.topic != ALL)
    buttons = [{"title": f"{'✅' if item.enabled else '⬜'} {item.label}",
                "payload": f'/notifications_toggle{{"topic":"{item.topic}"}}'} for item in view.items]
    buttons.append({"title": "🔕 모두 끄기", "payload": "/notifications_off"})
    dispatcher.utter_message(response="utter_notifications_settings", lines=lines, buttons=buttons)


class ActionNotificationSettings(StorageAction):
    def name(self) -> str:
        return "action_notifications_settings"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        utter_settings(dispatcher, session, resident)
        return []


class ActionNotificationToggle(StorageAction):
    def name(self) -> str:
        return "action_notifications_toggle"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        topic = next(tracker.get_latest_entity_values("topic"), None)
        if topic is not None:
            enabled = subscriptions.toggle(session, resident.id, topic)
            label = TOPIC_LABELS.get(topic, topic)
            dispatcher.utter_message(response="utter_notifications_toggled", label=label,
                                     state="켰어요" if enabled else "껐어요")
        utter_settings(dispatcher, session, resident)
        return []


class ActionNotificationsOn(StorageAction):
    def name(self) -> str:
        return "action_notifications_on"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        subscriptions.set_topic(session, resident.id, ALL, True)
        dispatcher.utter_message(response="utter_notifications_all_on")
        return []


class ActionNotificationsOff(StorageAction):
    def name(self) -> str:
        return "action_notifications_off"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        subscriptions.unsubscribe_all(session, resident.id)
        dispatcher.utter_message(response="utter_notifications_all_off")
        return []
