"""Account: see, download and correct my data, the privacy policy, my 동 (issue 13)."""
from __future__ import annotations

import json
import secrets
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction
from storage.errors import DomainError
from storage.models import Resident
from storage.rules import CONSENT_VERSION, DONGS, RETENTION_YEARS, clean_display_name
from storage.services import my_data, subscriptions
from storage.settings import StorageSettings
from storage.timeutil import kst_date, utcnow

# Where a download is written for the bot to send; the bot deletes it once sent.
EXPORT_DIR = "exports"
# Button entities: my_data_view, my_data_field, and the 동 buttons' "건너뛰기" value.
EXPORT, POLICY = "export", "policy"
FIELD_NAME, FIELD_DONG, FIELD_DONG_CLEAR = "name", "dong", "dong_clear"
SKIP = "skip"
# Words that make a typed my_data request a download or the policy (the intent covers all three).
_EXPORT_WORDS = ("내려받", "다운", "파일", "json", "JSON")
_POLICY_WORDS = ("처리방침", "방침", "정책 전문")
NONE = "-"


def dong_buttons() -> list[dict[str, str]]:
    """The 15 동 and 건너뛰기, as my_data_correct payloads (ASCII codes fit callback data)."""
    buttons = [{"title": name, "payload": f'/my_data_correct{{"dong":"{code}"}}'} for code, name in DONGS.items()]
    buttons.append({"title": "건너뛰기", "payload": f'/my_data_correct{{"dong":"{SKIP}"}}'})
    return buttons


def utter_consent_notice(dispatcher: CollectingDispatcher) -> None:
    """The privacy notice with its numbers (asked at /start, before a QR check-in, on re-consent)."""
    dispatcher.utter_message(response="utter_consent_notice", retention_years=RETENTION_YEARS)


def utter_dong_question(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(response="utter_dong_ask", buttons=dong_buttons())


def utter_policy(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(response="utter_privacy_policy", version=CONSENT_VERSION,
                             retention_years=RETENTION_YEARS)


def utter_summary(dispatcher: CollectingDispatcher, session: Session, resident: Resident) -> None:
    view = my_data.summary(session, resident)
    dispatcher.utter_message(
        response="utter_my_data", name=view.name, dong=view.dong or NONE,
        consented=kst_date(view.consented_at), version=view.consent_version,
        last_active=kst_date(view.last_active_at) if view.last_active_at else NONE,
        topics=", ".join(view.topics) or NONE, points=f"{view.points_available:,}", held=f"{view.points_held:,}",
        proposals=view.proposals, ballots=view.ballots, surveys=view.surveys, retention_years=RETENTION_YEARS,
    )


def utter_export(dispatcher: CollectingDispatcher, session: Session, resident: Resident) -> None:
    document = my_data.export(session, resident)
    document["_about"] = {"consent_version": CONSENT_VERSION, "exported_at": utcnow().isoformat()}
    relative = f"{EXPORT_DIR}/my_data_{secrets.token_hex(8)}.json"
    path = StorageSettings.from_env().media_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    dispatcher.utter_message(response="utter_my_data_export", json_message={"document": relative})


class ActionMyData(StorageAction):
    """내 정보 보기; the buttons (or typed words) ask for the download or the full policy."""

    needs_resident = False

    def name(self) -> str:
        return "action_my_data"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        view = next(tracker.get_latest_entity_values("my_data_view"), None)
        text = tracker.latest_message.get("text") or ""
        if view == POLICY or (view is None and any(word in text for word in _POLICY_WORDS)):
            utter_policy(dispatcher)
            return []
        if resident is None:
            raise DomainError("not_registered")
        if view == EXPORT or (view is None and any(word in text for word in _EXPORT_WORDS)):
            utter_export(dispatcher, session, resident)
        else:
            utter_summary(dispatcher, session, resident)
        return []


def _set_dong(dispatcher: CollectingDispatcher, session: Session, resident: Resident, value: str) -> None:
    if value == SKIP:
        dispatcher.utter_message(response="utter_dong_skipped")
        return
    try:
        subscriptions.set_dong(session, resident.id, value)
    except DomainError:
        dispatcher.utter_message(response="utter_err_unknown_dong")
        utter_dong_question(dispatcher)
        return
    dispatcher.utter_message(response="utter_dong_saved", dong=DONGS[resident.dong or ""])


class ActionMyDataCorrect(StorageAction):
    """정정: a 동 (typed or a button), the 동 buttons, clearing the 동, or the name from Telegram."""

    def name(self) -> str:
        return "action_my_data_correct"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        dong = next(tracker.get_latest_entity_values("dong"), None)
        field = next(tracker.get_latest_entity_values("my_data_field"), None)
        if dong:
            _set_dong(dispatcher, session, resident, dong)
        elif field == FIELD_DONG:
            utter_dong_question(dispatcher)
        elif field == FIELD_DONG_CLEAR:
            subscriptions.set_dong(session, resident.id, None)
            dispatcher.utter_message(response="utter_dong_cleared")
        elif field == FIELD_NAME:
            resident.display_name = clean_display_name(who.first_name, who.last_name)
            dispatcher.utter_message(response="utter_name_refreshed", name=resident.display_name)
        else:
            dispatcher.utter_message(response="utter_my_data_correct", name=resident.display_name,
                                     dong=DONGS.get(resident.dong or "", NONE))
        return []
