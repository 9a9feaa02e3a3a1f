"""What the budget use cases share: views handed to the edges, locks, staff checks.

Views are frozen dataclasses so the chat can use them after the session closed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.budget_rules import (
    BallotPolicy, BallotRule, Phase, PhaseTimes, effective_phase, format_won,
)
from storage.errors import DomainError
from storage.models import BudgetCycle, BudgetProject, ProjectStatus, Resident, Role

# How much of a description a ballot list shows per project.
SHORT_DESCRIPTION_CHARS = 80


@dataclass(frozen=True)
class CycleView:
    id: int
    name: str
    phase: Phase  # the phase in force now (schedule or staff, whichever is further)
    total_budget: int
    ballot_rule: BallotRule
    max_picks: int | None
    min_share_percent: int | None
    min_total: int
    allow_ballot_change: bool
    times: PhaseTimes
    results_published_at: datetime | None

    @property
    def phase_label(self) -> str:
        return self.phase.label

    @property
    def budget_label(self) -> str:
        return format_won(self.total_budget)

    @property
    def phase_ends_at(self) -> datetime | None:
        """When the current phase ends on the schedule (None once closed)."""
        later = [at for phase, at in self.times.starts() if phase.order > self.phase.order]
        return later[0] if later else None

    @property
    def policy(self) -> BallotPolicy:
        return BallotPolicy(self.ballot_rule, self.total_budget, self.max_picks, self.min_share_percent)


@dataclass(frozen=True)
class ProjectView:
    id: int
    cycle_id: int
    title: str
    description: str
    dong: str
    cost: int  # staff's screened cost once accepted, the proposer's estimate before
    estimated_cost: int
    status: ProjectStatus
    photo_file_id: str | None
    proposer_id: int | None
    screening_reason: str | None

    @property
    def cost_label(self) -> str:
        return format_won(self.cost)

    @property
    def short_description(self) -> str:
        text = " ".join(self.description.split())
        return text if len(text) <= SHORT_DESCRIPTION_CHARS else text[: SHORT_DESCRIPTION_CHARS - 1] + "…"


def cycle_view(cycle: BudgetCycle, now: datetime) -> CycleView:
    """The cycle as the edges see it, with the phase in force at ``now``."""
    policy = BallotPolicy(cycle.ballot_rule, cycle.total_budget, cycle.max_picks, cycle.min_share_percent)
    return CycleView(
        id=cycle.id, name=cycle.name,
        phase=effective_phase(cycle.current_phase, cycle.times, now),
        total_budget=cycle.total_budget, ballot_rule=cycle.ballot_rule, max_picks=cycle.max_picks,
        min_share_percent=cycle.min_share_percent, min_total=policy.min_total,
        allow_ballot_change=cycle.allow_ballot_change, times=cycle.times,
        results_published_at=cycle.results_published_at,
    )


def project_view(project: BudgetProject) -> ProjectView:
    return ProjectView(
        id=project.id, cycle_id=project.cycle_id, title=project.title,
        description=project.description, dong=project.dong, cost=project.cost,
        estimated_cost=project.estimated_cost, status=project.status,
        photo_file_id=project.photo_file_id, proposer_id=project.proposer_id,
        screening_reason=project.screening_reason,
    )


def load_cycle(session: Session, cycle_id: int, *, lock: str | None = None) -> BudgetCycle:
    """The cycle or ``cycle_not_found``; ``lock`` "update" or "share" takes a row lock.

    Phase changes and publishing take the update lock; ballot writes take the
    share lock, so a ballot is either in before voting closes or sees it closed.
    """
    stmt = select(BudgetCycle).where(BudgetCycle.id == cycle_id)
    if lock is not None:
        stmt = stmt.with_for_update(read=lock == "share").execution_options(populate_existing=True)
    cycle = session.scalar(stmt)
    if cycle is None:
        raise DomainError("cycle_not_found")
    return cycle


def require_staff(session: Session, staff_id: int) -> Resident:
    """A staff member by resident id, or ``not_allowed``."""
    staff = session.get(Resident, staff_id)
    if staff is None or not staff.is_staff:
        raise DomainError("not_allowed")
    return staff


def staff_members(session: Session) -> list[Resident]:
    """Everyone with the staff or admin role (they get the phase notices)."""
    stmt = select(Resident).where(Resident.role.in_([Role.staff, Role.admin])).order_by(Resident.id)
    return list(session.scalars(stmt))
