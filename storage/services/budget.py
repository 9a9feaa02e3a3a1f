"""Participatory budget (주민참여예산) use cases: one import for the edges.

``from storage.services import budget`` then ``budget.ballot_toggle(session, ...)``.
The use cases live in small modules by concern (cycles and phases, projects,
ballots, results); every one takes the session first, raises DomainError and
never commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.budget_rules import Phase
from storage.models import BudgetCycle
from storage.services.budget_ballots import (
    BallotView, PickLine, Receipt, ReceiptCheck, ballot_toggle, ballot_view, draft_ballots_needing_reminder,
    submit_ballot, verify_receipt,
)
from storage.services.budget_common import CycleView, ProjectView
from storage.services.budget_cycles import (
    advance_phases, create_cycle, current_cycle, get_cycle, recent_cycles, set_phase,
)
from storage.services.budget_projects import (
    ProposalResult, eligible_projects, get_project, list_projects, propose_project, screen_project,
)
from storage.services.budget_results import (
    ResultLine, Results, export_ballots_csv, export_results_csv, publish_results, results_chart_path, tally,
    write_results_chart,
)
from storage.timeutil import utcnow

__all__ = [
    "BallotView", "CycleView", "PickLine", "ProjectView", "ProposalResult", "Receipt", "ReceiptCheck",
    "ResultLine", "Results", "ScheduleReport", "advance_phases", "ballot_toggle", "ballot_view",
    "create_cycle", "current_cycle", "draft_ballots_needing_reminder", "eligible_projects",
    "export_ballots_csv", "export_results_csv", "get_cycle", "get_project", "list_projects",
    "propose_project", "publish_results", "recent_cycles", "results_chart_path", "run_schedule",
    "screen_project", "set_phase", "submit_ballot", "tally", "verify_receipt", "write_results_chart",
]


@dataclass(frozen=True)
class ScheduleReport:
    phase_changes: list[tuple[int, Phase]]
    reminded: dict[int, list[int]]  # cycle id -> resident ids reminded


def run_schedule(session: Session, now: datetime | None = None) -> ScheduleReport:
    """The scheduler's one call per tick: move phases, then remind unfinished ballots."""
    now = now or utcnow()
    changes = advance_phases(session, now)
    voting = session.scalars(select(BudgetCycle.id).where(BudgetCycle.current_phase == Phase.voting)).all()
    reminded = {cycle_id: ids for cycle_id in voting if (ids := draft_ballots_needing_reminder(session, cycle_id, now))}
    return ScheduleReport(changes, reminded)
