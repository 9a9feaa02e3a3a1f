"""Voting in 주민참여예산: the ballot with toggle buttons, submission with a receipt, "내 투표 확인"."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction, utter_error
from actions.budget_common import (
    SUBMIT_BUTTON, ballot_lines, entity, receipt_code_in, toggle_buttons,
)
from storage.budget_rules import BallotRule, Phase, format_won
from storage.errors import DomainError
from storage.models import BallotStatus, Resident
from storage.services import budget
from storage.timeutil import kst_datetime

# Refusals after which the ballot is shown again, so its buttons are back at hand
# (pressing a button took them off the old message).
BALLOT_FIXABLE = ("too_many_picks", "over_budget", "below_min_share", "empty_ballot", "project_not_in_cycle")


def _voting_cycle(session: Session) -> budget.CycleView:
    cycle = budget.current_cycle(session)
    if cycle is None or cycle.phase is not Phase.voting:
        raise DomainError("phase_not_voting")
    return cycle


def utter_ballot(dispatcher: CollectingDispatcher, session: Session, cycle: budget.CycleView,
                 view: budget.BallotView) -> None:
    """The ballot message: every eligible project with its ✅ mark, the running total, the buttons."""
    projects = budget.eligible_projects(session, cycle.id)
    if not projects:
        dispatcher.utter_message(response="utter_budget_ballot_no_projects")
        return
    picked = view.picked_ids
    buttons = toggle_buttons(projects, picked)
    if view.picks:
        buttons.append({"title": SUBMIT_BUTTON, "payload": "/budget_submit"})
    shown: dict[str, Any] = {"cycle": cycle.name, "projects": ballot_lines(projects, picked),
                             "count": len(view.picks), "total": format_won(view.total_cost), "buttons": buttons}
    if view.rule is BallotRule.approval:
        dispatcher.utter_message(response="utter_budget_ballot_approval", max_picks=view.max_picks, **shown)
        return
    shown.update(budget=format_won(view.budget), remaining=format_won(view.remaining))
    if view.min_total:
        dispatcher.utter_message(response="utter_budget_ballot_min_share", percent=cycle.min_share_percent,
                                 min_total=format_won(view.min_total), **shown)
    else:
        dispatcher.utter_message(response="utter_budget_ballot", **shown)


class ActionBudgetBallot(StorageAction):
    def name(self) -> str:
        return "action_budget_ballot"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        cycle = _voting_cycle(session)
        view = budget.ballot_view(session, cycle_id=cycle.id, resident_id=resident.id)
        if view.status is BallotStatus.submitted and not cycle.allow_ballot_change:
            raise DomainError("ballot_already_submitted", receipt_code=view.receipt_code)
        utter_ballot(dispatcher, session, cycle, view)
        return []


class ActionBudgetToggle(StorageAction):
    def name(self) -> str:
        return "action_budget_toggle"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        cycle = _voting_cycle(session)
        raw = (entity(tracker, "budget_project_id") or "").removesuffix("번")
        try:
            if not raw.isdigit():
                raise DomainError("project_not_in_cycle")
            view = budget.ballot_toggle(session, cycle_id=cycle.id, resident_id=resident.id, project_id=int(raw))
        except DomainError as err:
            if err.code not in BALLOT_FIXABLE:
                raise
            # ballot_toggle checks before it writes: the draft is as it was.
            utter_error(dispatcher, err)
            view = budget.ballot_view(session, cycle_id=cycle.id, resident_id=resident.id)
        if view.reopened:
            dispatcher.utter_message(response="utter_budget_ballot_reopened")
        utter_ballot(dispatcher, session, cycle, view)
        return []


class ActionBudgetSubmit(StorageAction):
    def name(self) -> str:
        return "action_budget_submit"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        cycle = _voting_cycle(session)
        try:
            receipt = budget.submit_ballot(session, cycle_id=cycle.id, resident_id=resident.id)
        except DomainError as err:
            if err.code not in BALLOT_FIXABLE:
                raise
            utter_error(dispatcher, err)
            utter_ballot(dispatcher, session, cycle,
                         budget.ballot_view(session, cycle_id=cycle.id, resident_id=resident.id))
            return []
        dispatcher.utter_message(
            response="utter_budget_ballot_submitted", receipt_code=receipt.receipt_code, cycle=receipt.cycle_name,
            count=len(receipt.picks), total=format_won(receipt.total_cost),
            picks="\n".join(f"• {p.title} ({p.cost_label})" for p in receipt.picks),
        )
        if receipt.points:
            dispatcher.utter_message(response="utter_budget_points_earned", points=f"{receipt.points:,}")
        return []


class ActionBudgetReceipt(StorageAction):
    """With a receipt code: is that ballot counted? Without: the resident's own ballot."""

    def name(self) -> str:
        return "action_budget_receipt"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        code = receipt_code_in(tracker)
        if code:
            _utter_check(dispatcher, budget.verify_receipt(session, code), code)
            return []
        cycle = budget.current_cycle(session)
        if cycle is None:
            dispatcher.utter_message(response="utter_budget_no_cycle")
            return []
        view = budget.ballot_view(session, cycle_id=cycle.id, resident_id=resident.id)
        if view.receipt_code:
            # Submitted once; verify_receipt also tells a ballot reopened to be changed.
            _utter_check(dispatcher, budget.verify_receipt(session, view.receipt_code), view.receipt_code)
        elif view.picks:
            dispatcher.utter_message(response="utter_budget_ballot_draft", cycle=cycle.name, count=len(view.picks))
        else:
            dispatcher.utter_message(response="utter_budget_no_ballot", cycle=cycle.name)
        return []


def _utter_check(dispatcher: CollectingDispatcher, check: budget.ReceiptCheck, code: str) -> None:
    if check.counted and check.submitted_at is not None:
        dispatcher.utter_message(response="utter_budget_receipt_counted", receipt_code=code, cycle=check.cycle_name,
                                 submitted_at=kst_datetime(check.submitted_at), count=check.pick_count)
    else:
        dispatcher.utter_message(response="utter_budget_receipt_not_counted", receipt_code=code,
                                 cycle=check.cycle_name)
