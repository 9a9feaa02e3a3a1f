"""Budget projects: residents propose during intake, staff screen before voting."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.budget_rules import (
    PROPOSALS_PER_RESIDENT_MAX, SCREENING_REASON_MAX, Phase, check_project_cost, clean_description,
    clean_title, effective_phase, format_won, normalize_dong,
)
from storage.errors import DomainError
from storage.models import BudgetProject, ProjectStatus, Resident
from storage.rules import require_file_id
from storage.services.budget_common import ProjectView, cycle_view, load_cycle, project_view, require_staff
from storage.services.outbox import notify_resident
from storage.timeutil import utcnow

# Staff may screen while proposals come in and during screening; once voting
# opens the ballot's project list is fixed.
SCREENING_PHASES = (Phase.intake, Phase.screening)


@dataclass(frozen=True)
class ProposalResult:
    project: ProjectView
    created: bool  # False: the same proposal was already saved (double 확인)


def propose_project(
    session: Session,
    *,
    cycle_id: int,
    proposer_id: int,
    title: str,
    description: str,
    dong: str,
    estimated_cost: int,
    photo_file_id: str | None = None,
    now: datetime | None = None,
) -> ProposalResult:
    """A resident proposes a project during intake; repeating the same title is a no-op."""
    now = now or utcnow()
    cycle = load_cycle(session, cycle_id, lock="share")
    if cycle_view(cycle, now).phase is not Phase.intake:
        raise DomainError("phase_not_intake")
    title = clean_title(title)
    description = clean_description(description)
    dong = normalize_dong(dong)
    check_project_cost(estimated_cost, cycle.total_budget)
    # The resident row lock serialises one resident's submissions, so the
    # per-cycle cap holds even when the form is confirmed twice at once.
    proposer = session.scalar(
        select(Resident).where(Resident.id == proposer_id).with_for_update(key_share=True)
    )
    if proposer is None:
        raise DomainError("not_registered")
    existing = _find(session, cycle_id, proposer_id, title)
    if existing is not None:
        return ProposalResult(project_view(existing), created=False)
    count = session.scalar(
        select(func.count()).select_from(BudgetProject)
        .where(BudgetProject.cycle_id == cycle_id, BudgetProject.proposer_id == proposer_id)
    )
    if count >= PROPOSALS_PER_RESIDENT_MAX:
        raise DomainError("too_many_proposals", maximum=PROPOSALS_PER_RESIDENT_MAX)
    project = BudgetProject(
        cycle_id=cycle_id, proposer_id=proposer_id, title=title, description=description, dong=dong,
        estimated_cost=estimated_cost, photo_file_id=require_file_id(photo_file_id), status=ProjectStatus.submitted,
        screening_round=0, created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(project)
    except IntegrityError:
        existing = _find(session, cycle_id, proposer_id, title)
        if existing is None:
            raise
        return ProposalResult(project_view(existing), created=False)
    return ProposalResult(project_view(project), created=True)


def _find(session: Session, cycle_id: int, proposer_id: int, title: str) -> BudgetProject | None:
    return session.scalar(
        select(BudgetProject).where(
            BudgetProject.cycle_id == cycle_id, BudgetProject.proposer_id == proposer_id,
            BudgetProject.title == title,
        )
    )


def screen_project(
    session: Session,
    *,
    project_id: int,
    staff_id: int,
    accept: bool,
    cost: int | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> ProjectView:
    """Staff accept (with their cost estimate) or reject (with a reason); the proposer is told.

    A decision may be corrected until voting opens; each decision is its own notice.
    """
    now = now or utcnow()
    require_staff(session, staff_id)
    project = session.scalar(
        select(BudgetProject).where(BudgetProject.id == project_id).with_for_update()
        .execution_options(populate_existing=True)
    )
    if project is None:
        raise DomainError("project_not_found")
    cycle = load_cycle(session, project.cycle_id, lock="share")
    if effective_phase(cycle.current_phase, cycle.times, now) not in SCREENING_PHASES:
        raise DomainError("screening_closed")
    reason = (reason or "").strip()
    if len(reason) > SCREENING_REASON_MAX:
        raise DomainError("screening_reason_too_long", maximum=SCREENING_REASON_MAX)
    if accept:
        screened_cost = project.estimated_cost if cost is None else cost
        check_project_cost(screened_cost, cycle.total_budget)
        project.status = ProjectStatus.accepted
        project.screened_cost = screened_cost
    else:
        if not reason:
            raise DomainError("screening_reason_required")
        project.status = ProjectStatus.rejected
        project.screened_cost = None
    project.screening_reason = reason or None
    project.screened_by = staff_id
    project.screened_at = now
    project.screening_round += 1
    if project.proposer is not None:
        template = "budget_screening_accepted" if accept else "budget_screening_rejected"
        notify_resident(
            session, project.proposer, f"budget:screen:{project.id}:{project.screening_round}", template,
            cycle=cycle.name, title=project.title, cost=format_won(project.cost),
            reason=reason or "-",
        )
    return project_view(project)


def list_projects(session: Session, cycle_id: int, *, status: ProjectStatus | str | None = None) -> list[ProjectView]:
    """Projects of a cycle in submission order, optionally of one status (staff screening list)."""
    load_cycle(session, cycle_id)
    stmt = select(BudgetProject).where(BudgetProject.cycle_id == cycle_id).order_by(BudgetProject.id)
    if status is not None:
        stmt = stmt.where(BudgetProject.status == ProjectStatus(status))
    return [project_view(p) for p in session.scalars(stmt)]


def eligible_projects(session: Session, cycle_id: int) -> list[ProjectView]:
    """The projects on the ballot: accepted ones, in submission order."""
    return list_projects(session, cycle_id, status=ProjectStatus.accepted)


def get_project(session: Session, project_id: int) -> ProjectView:
    """One project (for a detail view), or ``project_not_found``."""
    project = session.get(BudgetProject, project_id)
    if project is None:
        raise DomainError("project_not_found")
    return project_view(project)
