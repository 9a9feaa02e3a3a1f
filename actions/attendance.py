"""출석체크: check in once per Korean day during the running event; streak and days so far."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction
from storage.models import Resident
from storage.services import attendance
from storage.timeutil import format_day


class ActionAttendanceCheck(StorageAction):
    def name(self) -> str:
        return "action_attendance_check"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        result = attendance.check(session, resident_id=resident.id)
        params = {"title": result.event_title, "day": format_day(result.day), "streak": result.streak,
                  "days": result.days_checked, "max_days": result.max_days, "ends": format_day(result.ends_on)}
        if result.points_awarded > 0:
            dispatcher.utter_message(response="utter_attendance_checked", points=f"{result.points_awarded:,}",
                                     **params)
        else:
            dispatcher.utter_message(response="utter_attendance_checked_no_points", **params)
        return []
