"""주민참여예산 menu: only what the phase in force allows."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction
from actions.budget_common import latest_published
from storage.budget_rules import Phase
from storage.models import Resident
from storage.services import budget
from storage.timeutil import kst_datetime


class ActionBudgetMenu(StorageAction):
    # Anyone may look; taking part (proposing, voting) asks for consent first.
    needs_resident = False

    def name(self) -> str:
        return "action_budget_menu"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        cycle = budget.current_cycle(session, include_upcoming=True)
        if cycle is None:
            past = latest_published(session)
            if past is None:
                dispatcher.utter_message(response="utter_budget_no_cycle")
            else:
                dispatcher.utter_message(response="utter_budget_no_cycle_past_results", cycle=past.name)
            return []
        ends = kst_datetime(cycle.phase_ends_at) if cycle.phase_ends_at else "-"
        common = {"cycle": cycle.name, "budget": cycle.budget_label}
        if cycle.phase is Phase.upcoming:
            dispatcher.utter_message(
                response="utter_budget_menu_upcoming", **common,
                intake_starts=kst_datetime(cycle.times.intake_starts_at),
                voting_starts=kst_datetime(cycle.times.voting_starts_at),
            )
        elif cycle.phase is Phase.intake:
            dispatcher.utter_message(response="utter_budget_menu_intake", **common, ends=ends)
        elif cycle.phase is Phase.screening:
            dispatcher.utter_message(response="utter_budget_menu_screening", **common,
                                     voting_starts=kst_datetime(cycle.times.voting_starts_at))
        elif cycle.phase is Phase.voting:
            dispatcher.utter_message(
                response="utter_budget_menu_voting", **common, ends=ends, rule=cycle.ballot_rule.label,
                projects=len(budget.eligible_projects(session, cycle.id)),
            )
        elif cycle.results_published_at is None:
            dispatcher.utter_message(response="utter_budget_menu_counting", **common)
        else:
            results = budget.tally(session, cycle.id)
            dispatcher.utter_message(response="utter_budget_menu_results", **common, summary=results.summary)
        return []
