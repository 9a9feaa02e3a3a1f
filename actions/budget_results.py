"""주민참여예산 results: the published ranking with funded marks, and the chart as a photo."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction
from actions.budget_common import PICKED, latest_published
from storage.errors import DomainError
from storage.models import Resident
from storage.services import budget
from storage.timeutil import kst_datetime

NOT_FUNDED = "▫️"


class ActionBudgetResults(StorageAction):
    # Published results are public: no consent needed to read them.
    needs_resident = False

    def name(self) -> str:
        return "action_budget_results"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        current = budget.current_cycle(session)
        cycle = current if current is not None and current.results_published_at else latest_published(session)
        if cycle is None:
            if current is not None:
                # Live tallies stay hidden while the cycle runs.
                raise DomainError("results_not_published")
            dispatcher.utter_message(response="utter_budget_no_cycle")
            return []
        results = budget.tally(session, cycle.id)
        lines = "\n".join(
            f"{PICKED if line.funded else NOT_FUNDED} {line.rank}위 {line.title} ({line.dong}) · "
            f"{line.votes:,}표 · {line.cost_label} · {line.reason.label}"
            for line in results.lines
        )
        dispatcher.utter_message(
            response="utter_budget_results", cycle=results.cycle_name, summary=results.summary, lines=lines,
            published_at=kst_datetime(results.published_at) if results.published_at else "-",
        )
        dispatcher.utter_message(json_message={"photo": budget.results_chart_path(session, cycle.id)})
        return []
