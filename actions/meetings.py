"""영상회의 (issue 16): list upcoming meetings as cards, register and cancel, my registrations, attend with the code."""
from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction, utter_error
from storage import meeting_rules as rules
from storage.errors import DomainError
from storage.models import Resident
from storage.models.meetings import Meeting, MeetingStatus
from storage.notify_rules import DONG_CODES
from storage.services import meetings
from storage.timeutil import kst_datetime, to_kst

# Button labels (words, not sentences).
DETAIL, REGISTER, UNREGISTER, JOIN, MY = "자세히", "신청", "신청 취소", "입장하기", "내 신청"
ALL_DONGS = "중구 전체"


def payload(intent: str, meeting_id: int) -> str:
    """``/meeting_detail{"meeting_id":"3"}`` (packed by the bot into ≤ 64 bytes of callback data)."""
    return f"/{intent}" + json.dumps({"meeting_id": str(meeting_id)}, separators=(",", ":"))


def when(meeting: Meeting) -> str:
    return f"{kst_datetime(meeting.starts_at)}~{to_kst(meeting.ends_at):%H:%M}"


def meeting_id_of(tracker: Tracker) -> int | None:
    value = next(tracker.get_latest_entity_values("meeting_id"), None)
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def card_buttons(session: Session, meeting: Meeting, resident: Resident | None) -> list[dict[str, str]]:
    buttons = [{"title": DETAIL, "payload": payload("meeting_detail", meeting.id)}]
    mine = meetings.registration_of(session, meeting.id, resident.id) if resident else None
    if mine is not None and mine.status.value != "cancelled":
        buttons.append({"title": UNREGISTER, "payload": payload("meeting_unregister", meeting.id)})
    else:
        buttons.append({"title": REGISTER, "payload": payload("meeting_register", meeting.id)})
    return buttons


def utter_card(dispatcher: CollectingDispatcher, session: Session, meeting: Meeting,
               resident: Resident | None) -> None:
    params = dict(title=meeting.title, when=when(meeting), category=meeting.category,
                  department=meeting.department, registered=meetings.registered_count(session, meeting.id),
                  points=f"{meeting.points:,}")
    if meeting.capacity is None:
        dispatcher.utter_message(response="utter_meeting_card_unlimited", buttons=card_buttons(
            session, meeting, resident), **params)
    else:
        dispatcher.utter_message(response="utter_meeting_card", capacity=meeting.capacity,
                                 buttons=card_buttons(session, meeting, resident), **params)


def utter_list(dispatcher: CollectingDispatcher, session: Session, resident: Resident | None) -> None:
    upcoming = meetings.list_upcoming(session, dong=resident.dong if resident else None)
    if not upcoming:
        dispatcher.utter_message(response="utter_meetings_list_empty")
        return
    dispatcher.utter_message(response="utter_meetings_list_head")
    for meeting in upcoming:
        utter_card(dispatcher, session, meeting, resident)


class ActionMeetingsList(StorageAction):
    needs_resident = False

    def name(self) -> str:
        return "action_meetings_list"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        utter_list(dispatcher, session, resident)
        return []


class ActionMeetingDetail(StorageAction):
    needs_resident = False

    def name(self) -> str:
        return "action_meeting_detail"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        meeting_id = meeting_id_of(tracker)
        if meeting_id is None:
            utter_list(dispatcher, session, resident)
            return []
        meeting = meetings.get_meeting(session, meeting_id)
        if meeting.status == MeetingStatus.cancelled:
            raise DomainError("meeting_cancelled", title=meeting.title)
        stats = meetings.stats(session, meeting)
        buttons = card_buttons(session, meeting, resident)[1:]
        mine = meetings.registration_of(session, meeting.id, resident.id) if resident else None
        if mine is not None and mine.status.value == "registered":
            buttons.insert(0, {"title": JOIN, "payload": meeting.url})
        params = dict(title=meeting.title, description=meeting.description or "-", when=when(meeting),
                      category=meeting.category, department=meeting.department,
                      dong=DONG_CODES.get(meeting.dong or "", ALL_DONGS), registered=stats.registered,
                      deadline=kst_datetime(meeting.registration_deadline), points=f"{meeting.points:,}")
        if meeting.capacity is None:
            dispatcher.utter_message(response="utter_meeting_detail_unlimited", buttons=buttons, **params)
        else:
            dispatcher.utter_message(response="utter_meeting_detail", capacity=meeting.capacity,
                                     waiting=stats.waiting, buttons=buttons, **params)
        return []


class ActionMeetingRegister(StorageAction):
    def name(self) -> str:
        return "action_meeting_register"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        meeting_id = meeting_id_of(tracker)
        if meeting_id is None:
            utter_list(dispatcher, session, resident)
            return []
        result = meetings.register(session, meeting_id=meeting_id, resident_id=resident.id)
        meeting = meetings.get_meeting(session, meeting_id)
        if result.status == "waiting" and result.created:
            dispatcher.utter_message(response="utter_meeting_waiting", title=result.title, position=result.position)
        elif result.status == "waiting":
            dispatcher.utter_message(response="utter_meeting_already_waiting", title=result.title,
                                     position=result.position)
        elif result.created:
            dispatcher.utter_message(
                response="utter_meeting_registered", title=result.title, when=when(meeting),
                day_before_time=rules.DAY_BEFORE_REMINDER_TIME.strftime("%H:%M"),
                soon_minutes=int(rules.SOON_REMINDER_BEFORE.total_seconds() // 60),
                buttons=[{"title": MY, "payload": "/meeting_my"}])
        else:
            dispatcher.utter_message(response="utter_meeting_already_registered", title=result.title)
        return []


class ActionMeetingUnregister(StorageAction):
    def name(self) -> str:
        return "action_meeting_unregister"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        meeting_id = meeting_id_of(tracker)
        if meeting_id is None:
            return _utter_mine(dispatcher, session, resident)
        meeting = meetings.get_meeting(session, meeting_id)
        cancelled = meetings.unregister(session, meeting_id=meeting_id, resident_id=resident.id)
        if cancelled:
            dispatcher.utter_message(response="utter_meeting_unregistered", title=meeting.title)
        else:
            dispatcher.utter_message(response="utter_meeting_nothing_to_cancel", title=meeting.title)
        return []


def _utter_mine(dispatcher: CollectingDispatcher, session: Session, resident: Resident) -> list[dict[str, Any]]:
    mine = meetings.my_registrations(session, resident.id)
    if not mine:
        dispatcher.utter_message(response="utter_meeting_my_empty")
        return []
    dispatcher.utter_message(response="utter_meeting_my_head")
    for meeting, registration in mine:
        buttons = [{"title": DETAIL, "payload": payload("meeting_detail", meeting.id)},
                   {"title": UNREGISTER, "payload": payload("meeting_unregister", meeting.id)}]
        if registration.status.value == "waiting":
            dispatcher.utter_message(response="utter_meeting_my_item_waiting", title=meeting.title,
                                     when=when(meeting), position=meetings.waiting_place(session, registration),
                                     buttons=buttons)
        else:
            dispatcher.utter_message(response="utter_meeting_my_item", title=meeting.title, when=when(meeting),
                                     buttons=buttons)
    return []


class ActionMeetingMy(StorageAction):
    def name(self) -> str:
        return "action_meeting_my"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        return _utter_mine(dispatcher, session, resident)


class ActionMeetingAttend(StorageAction):
    def name(self) -> str:
        return "action_meeting_attend"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        code = next(tracker.get_latest_entity_values("meeting_code"), None)
        code = rules.normalize_code(str(code)) if code else rules.find_code((tracker.latest_message or {}).get("text"))
        if code is None:
            dispatcher.utter_message(response="utter_meeting_attend_ask", length=rules.CODE_LENGTH)
            return []
        attend_and_reply(dispatcher, session, resident, code, meeting_id_of(tracker))
        return []


def attend_and_reply(dispatcher: CollectingDispatcher, session: Session, resident: Resident, code: str,
                     meeting_id: int | None) -> None:
    """Credit a meeting's attendance for this code and say so (a repeat is refused politely)."""
    result = meetings.attend(session, resident_id=resident.id, code=code, meeting_id=meeting_id)
    if not result.created:
        utter_error(dispatcher, DomainError("meeting_already_attended", title=result.title))
        return
    params = dict(title=result.title, points=f"{result.points:,}", balance=f"{result.balance_available:,}")
    if result.capped:
        dispatcher.utter_message(response="utter_meeting_attended_capped", **params)
    else:
        dispatcher.utter_message(response="utter_meeting_attended", **params)
