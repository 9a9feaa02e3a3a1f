"""Proposing a 주민참여예산 project: the form, its checks, preview, correction, submission.

Each answer is checked by the storage rules as it arrives (budget_rules), so a
bad value is refused with its own Korean reason and asked again; nothing is
saved until the resident confirms the preview.
"""
from __future__ import annotations

import abc
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction, utter_error
from actions.budget_common import (
    CANCEL_BUTTON, FIELD_LABELS, FIELD_SLOTS, NO_PHOTO, STATUS_LABELS, GateAction, entity,
    reset_form_slots,
)
from actions.conversation import ActionCancel
from storage.budget_rules import (
    Phase, check_project_cost, clean_description, clean_title, format_won, normalize_dong, parse_won,
)
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import ProjectStatus, Resident
from storage.rules import DONGS
from storage.services import budget
from storage.timeutil import kst_datetime

log = logging.getLogger(__name__)


def _intake_cycle(session: Session) -> budget.CycleView:
    cycle = budget.current_cycle(session)
    if cycle is None or cycle.phase is not Phase.intake:
        raise DomainError("phase_not_intake")
    return cycle


class ActionBudgetProposeStart(GateAction):
    def name(self) -> str:
        return "action_budget_propose_start"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        cycle = _intake_cycle(session)
        dispatcher.utter_message(response="utter_budget_propose_intro", cycle=cycle.name)
        # A fresh form every time: a half-finished earlier draft is not carried over.
        return [*reset_form_slots(), SlotSet("budget_cycle_id", str(cycle.id)),
                SlotSet("budget_intake_open", True)]


class ValidateBudgetProjectForm(FormValidationAction):
    """Checks each answer with budget_rules; a refused answer is asked again."""

    def name(self) -> str:
        return "validate_budget_project_form"

    @staticmethod
    def _check(dispatcher: CollectingDispatcher, slot: str, value: Any,
               clean: Callable[[str], str]) -> dict[str, Any]:
        if value is None:
            # Emptied by the form's start or a correction: nothing was answered yet.
            return {slot: None}
        text = str(value).strip()
        if text.startswith("/"):
            # A button from another message (a menu, an old ballot) while the form waits for text.
            dispatcher.utter_message(response="utter_budget_form_answer_please")
            return {slot: None}
        try:
            return {slot: clean(text)}
        except DomainError as err:
            utter_error(dispatcher, err)
        except Exception:
            log.exception("validating %s failed", slot)
            dispatcher.utter_message(response="utter_err_internal")
        return {slot: None}

    def validate_budget_title(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        return self._check(dispatcher, "budget_title", value, clean_title)

    def validate_budget_description(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> dict[str, Any]:
        return self._check(dispatcher, "budget_description", value, clean_description)

    def validate_budget_dong(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        # Buttons carry the ascii code (callback data is ids only); typed answers the name.
        return self._check(dispatcher, "budget_dong", value, lambda text: DONGS.get(text) or normalize_dong(text))

    def validate_budget_cost(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        cycle_id = tracker.get_slot("budget_cycle_id")

        def clean(text: str) -> str:
            cost = parse_won(text)
            if cycle_id:
                with session_scope() as session:
                    check_project_cost(cost, budget.get_cycle(session, int(cycle_id)).total_budget)
            return str(cost)

        return self._check(dispatcher, "budget_cost", value, clean)

    def validate_budget_photo(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        return {"budget_photo": str(value) if value else None}


class _AskAction(Action, abc.ABC):
    """Asks the form's question for one slot (Rasa runs action_ask_<slot> when it exists)."""

    reply: dict[str, str] = {}

    @property
    @abc.abstractmethod
    def slot(self) -> str:
        """The form slot this action asks for."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(**self.reply)
        return []


class ActionAskBudgetTitle(_AskAction):
    slot, reply = "budget_title", dict(response="utter_ask_budget_title")


class ActionAskBudgetDescription(_AskAction):
    slot, reply = "budget_description", dict(response="utter_ask_budget_description")


class ActionAskBudgetCost(_AskAction):
    slot, reply = "budget_cost", dict(response="utter_ask_budget_cost")


class ActionAskBudgetPhoto(_AskAction):
    slot, reply = "budget_photo", dict(response="utter_ask_budget_photo")


class ActionAskBudgetDong(Action):
    """Asks for the 동 with one button per 행정동 (from the one list in storage.rules)."""

    def name(self) -> str:
        return "action_ask_budget_dong"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        buttons = [{"title": name, "payload": f'/budget_choose_dong{{"budget_dong":"{code}"}}'}
                   for code, name in DONGS.items()]
        dispatcher.utter_message(response="utter_budget_ask_dong", buttons=buttons)
        return []


class ActionBudgetProjectPreview(Action):
    def name(self) -> str:
        return "action_budget_project_preview"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        cost = tracker.get_slot("budget_cost")
        photo = tracker.get_slot("budget_photo")
        dispatcher.utter_message(
            response="utter_budget_project_preview", title=tracker.get_slot("budget_title"),
            dong=tracker.get_slot("budget_dong"), description=tracker.get_slot("budget_description"),
            cost=format_won(int(cost)) if cost and str(cost).isdigit() else "-",
            photos=0 if not photo or photo == NO_PHOTO else 1,
        )
        return []


class ActionBudgetProjectSubmit(StorageAction):
    def name(self) -> str:
        return "action_budget_project_submit"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        slots = {slot: tracker.get_slot(slot) for slot in
                 ("budget_cycle_id", "budget_title", "budget_description", "budget_dong", "budget_cost")}
        if not all(slots.values()) or not str(slots["budget_cost"]).isdigit():
            # An old 제출 button after the draft was submitted or cancelled.
            dispatcher.utter_message(response="utter_budget_project_nothing")
            return []
        photo = tracker.get_slot("budget_photo")
        result = budget.propose_project(
            session, cycle_id=int(slots["budget_cycle_id"]), proposer_id=resident.id,
            title=slots["budget_title"], description=slots["budget_description"], dong=slots["budget_dong"],
            estimated_cost=int(slots["budget_cost"]), photo_file_id=None if photo in (None, NO_PHOTO) else photo,
        )
        if result.created:
            cycle = budget.get_cycle(session, result.project.cycle_id)
            dispatcher.utter_message(response="utter_budget_project_submitted", title=result.project.title,
                                     voting_starts=kst_datetime(cycle.times.voting_starts_at))
        else:
            dispatcher.utter_message(response="utter_budget_project_already_submitted", title=result.project.title)
        return [*reset_form_slots(), SlotSet("budget_cycle_id", None), SlotSet("budget_intake_open", None)]


class ActionBudgetCancel(ActionCancel):
    """취소 inside the proposal form: the shared cancel, under a name of the form's own."""

    def name(self) -> str:
        return "action_budget_cancel"


class ActionBudgetProjectEdit(GateAction):
    """Empties the chosen field so that the form asks only for it again."""

    def name(self) -> str:
        return "action_budget_project_edit"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        slot = FIELD_SLOTS.get(entity(tracker, "budget_field") or "")
        if slot is None:
            # Payloads with {…} cannot live in domain.yml (Rasa reads braces as slots).
            buttons = [{"title": label, "payload": f'/budget_project_edit_field{{"budget_field":"{field}"}}'}
                       for field, label in FIELD_LABELS.items()]
            dispatcher.utter_message(response="utter_budget_project_edit_choose", buttons=[*buttons, CANCEL_BUTTON])
            return [SlotSet("budget_intake_open", False)]
        if not tracker.get_slot("budget_title") or not tracker.get_slot("budget_cycle_id"):
            dispatcher.utter_message(response="utter_budget_project_nothing")
            return [SlotSet("budget_intake_open", False)]
        _intake_cycle(session)
        return [SlotSet(slot, None), SlotSet("budget_intake_open", True)]


class ActionBudgetMyProjects(StorageAction):
    def name(self) -> str:
        return "action_budget_my_projects"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        cycle = budget.current_cycle(session)
        if cycle is None:
            dispatcher.utter_message(response="utter_budget_no_cycle")
            return []
        mine = [p for p in budget.list_projects(session, cycle.id) if p.proposer_id == resident.id]
        if not mine:
            dispatcher.utter_message(response="utter_budget_my_projects_empty", cycle=cycle.name)
            return []
        lines = []
        for p in mine:
            lines.append(f"• {p.id}번 {p.title} · {p.dong} · {p.cost_label} · {STATUS_LABELS[p.status]}")
            if p.status is ProjectStatus.rejected and p.screening_reason:
                lines.append(f"   ({p.screening_reason})")
        dispatcher.utter_message(response="utter_budget_my_projects", cycle=cycle.name, lines="\n".join(lines))
        return []
