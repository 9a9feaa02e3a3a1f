"""Budget cycles: creation by staff, the phase schedule, manual phase moves."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.budget_rules import (
    CYCLE_NAME_MAX, BallotPolicy, BallotRule, Phase, PhaseTimes, can_set_phase, check_ballot_policy,
    check_phase_times, phase_at, phases_between,
)
from storage.errors import DomainError
from storage.models import BudgetCycle, BudgetProject, PhaseChange, PhaseChangeSource, ProjectStatus
from storage.services.budget_common import CycleView, cycle_view, load_cycle, require_staff, staff_members
from storage.services.outbox import notify_resident
from storage.timeutil import as_utc, kst_datetime, utcnow

# Phases in which a cycle is "going on" for residents.
ACTIVE_PHASES = (Phase.intake, Phase.screening, Phase.voting, Phase.results)


def create_cycle(
    session: Session,
    *,
    staff_id: int,
    name: str,
    total_budget: int,
    ballot_rule: BallotRule | str,
    phase_times: PhaseTimes,
    max_picks: int | None = None,
    min_share_percent: int | None = None,
    allow_ballot_change: bool = False,
    now: datetime | None = None,
) -> CycleView:
    """Staff create a cycle; it enters every phase whose start has already passed."""
    now = now or utcnow()
    require_staff(session, staff_id)
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= CYCLE_NAME_MAX:
        raise DomainError("cycle_name_invalid", maximum=CYCLE_NAME_MAX)
    rule = BallotRule(ballot_rule)
    check_ballot_policy(BallotPolicy(rule, total_budget, max_picks, min_share_percent))
    check_phase_times(phase_times)
    _refuse_overlap(session, phase_times)
    cycle = BudgetCycle(
        name=name, total_budget=total_budget, ballot_rule=rule, max_picks=max_picks,
        min_share_percent=min_share_percent, allow_ballot_change=allow_ballot_change,
        intake_starts_at=as_utc(phase_times.intake_starts_at),
        screening_starts_at=as_utc(phase_times.screening_starts_at),
        voting_starts_at=as_utc(phase_times.voting_starts_at),
        results_at=as_utc(phase_times.results_at), closes_at=as_utc(phase_times.closes_at),
        current_phase=Phase.upcoming, phase_changed_at=now, created_by=staff_id, created_at=now,
    )
    session.add(cycle)
    session.flush()
    enter_scheduled_phases(session, cycle, now)
    return cycle_view(cycle, now)


def _refuse_overlap(session: Session, times: PhaseTimes) -> None:
    """One cycle at a time, so "the current cycle" is never ambiguous in the chat."""
    clash = session.scalar(
        select(BudgetCycle.id).where(
            BudgetCycle.current_phase != Phase.closed,
            BudgetCycle.intake_starts_at < as_utc(times.closes_at),
            BudgetCycle.closes_at > as_utc(times.intake_starts_at),
        ).limit(1)
    )
    if clash is not None:
        raise DomainError("cycle_overlaps", cycle_id=clash)


def get_cycle(session: Session, cycle_id: int, now: datetime | None = None) -> CycleView:
    """One cycle with its phase in force, or ``cycle_not_found``."""
    return cycle_view(load_cycle(session, cycle_id), now or utcnow())


def current_cycle(session: Session, now: datetime | None = None, *, include_upcoming: bool = False) -> CycleView | None:
    """The cycle residents can take part in now (intake to results), or None.

    With ``include_upcoming``, a cycle that has not opened yet is returned when
    nothing is going on, so the chat can say when the next one starts.
    """
    now = now or utcnow()
    cycles = session.scalars(
        select(BudgetCycle).where(BudgetCycle.current_phase != Phase.closed)
        .order_by(BudgetCycle.intake_starts_at.desc(), BudgetCycle.id.desc())
    )
    views = [cycle_view(c, now) for c in cycles]
    active = [v for v in views if v.phase in ACTIVE_PHASES]
    if active:
        return active[0]
    upcoming = [v for v in views if v.phase is Phase.upcoming]
    return upcoming[-1] if include_upcoming and upcoming else None


def recent_cycles(session: Session, now: datetime | None = None, limit: int = 5) -> list[CycleView]:
    """The latest cycles, newest first (for "지난 결과 보기")."""
    now = now or utcnow()
    cycles = session.scalars(select(BudgetCycle).order_by(BudgetCycle.intake_starts_at.desc()).limit(limit))
    return [cycle_view(c, now) for c in cycles]


def advance_phases(session: Session, now: datetime | None = None) -> list[tuple[int, Phase]]:
    """Move every cycle through each phase whose start has passed; returns what changed.

    Idempotent and safe to run from several schedulers: each cycle row is
    locked and compared with its stored phase, so a catch-up after downtime
    records every skipped phase exactly once.
    """
    now = now or utcnow()
    ids = session.scalars(
        select(BudgetCycle.id).where(BudgetCycle.current_phase != Phase.closed).order_by(BudgetCycle.id)
    ).all()
    changes: list[tuple[int, Phase]] = []
    for cycle_id in ids:
        cycle = load_cycle(session, cycle_id, lock="update")
        changes += [(cycle.id, phase) for phase in enter_scheduled_phases(session, cycle, now)]
    return changes


def enter_scheduled_phases(
    session: Session, cycle: BudgetCycle, now: datetime, *, announce: bool = True
) -> list[Phase]:
    """Enter each phase the schedule reached; the caller holds the cycle's row lock."""
    target = phase_at(cycle.times, now)
    entered = phases_between(cycle.current_phase, target)
    change = None
    for phase in entered:
        change = _record(session, cycle, phase, PhaseChangeSource.schedule, None, cycle.times.start_of(phase), now)
    if change is not None and announce:
        _announce(session, cycle, change)
    return entered


def set_phase(
    session: Session, *, cycle_id: int, phase: Phase | str, staff_id: int, now: datetime | None = None
) -> CycleView:
    """Staff move a cycle to ``phase`` (ahead of schedule, or back to undo an early move).

    Refused with ``phase_behind_schedule`` when the schedule has already passed
    ``phase``, and with ``results_already_published`` when going back before
    results that residents have already seen.
    """
    now = now or utcnow()
    require_staff(session, staff_id)
    try:
        target = Phase(phase)
    except ValueError:
        raise DomainError("unknown_phase") from None
    cycle = load_cycle(session, cycle_id, lock="update")
    if target is cycle.current_phase:
        return cycle_view(cycle, now)
    if not can_set_phase(target, cycle.times, now):
        raise DomainError("phase_behind_schedule", phase=phase_at(cycle.times, now).label)
    if cycle.results_published_at is not None and target.order < Phase.results.order:
        raise DomainError("results_already_published")
    change = _record(session, cycle, target, PhaseChangeSource.staff, staff_id, None, now)
    _announce(session, cycle, change)
    return cycle_view(cycle, now)


def _record(
    session: Session, cycle: BudgetCycle, phase: Phase, source: PhaseChangeSource,
    staff_id: int | None, scheduled_at: datetime | None, now: datetime,
) -> PhaseChange:
    change = PhaseChange(
        cycle_id=cycle.id, from_phase=cycle.current_phase, to_phase=phase, source=source,
        staff_id=staff_id, scheduled_at=scheduled_at, changed_at=now,
    )
    cycle.current_phase = phase
    cycle.phase_changed_at = now
    session.add(change)
    session.flush()
    return change


def _announce(session: Session, cycle: BudgetCycle, change: PhaseChange) -> None:
    """Notices for the phase a cycle ended up in (not for phases a catch-up passed through)."""
    counts = dict(
        session.execute(
            select(BudgetProject.status, func.count()).where(BudgetProject.cycle_id == cycle.id)
            .group_by(BudgetProject.status)
        ).all()
    )
    for staff in staff_members(session):
        if change.to_phase is Phase.results:
            notify_resident(session, staff, f"budget:phase:{change.id}:{staff.id}", "budget_results_ready_staff",
                            cycle=cycle.name, cycle_id=cycle.id)
            continue
        notify_resident(
            session, staff, f"budget:phase:{change.id}:{staff.id}", "budget_phase_changed_staff",
            cycle=cycle.name, from_phase=change.from_phase.label, phase=change.to_phase.label,
            submitted=counts.get(ProjectStatus.submitted, 0), accepted=counts.get(ProjectStatus.accepted, 0),
        )
    if change.to_phase is Phase.voting:
        _tell_proposers_voting_opened(session, cycle)


def _tell_proposers_voting_opened(session: Session, cycle: BudgetCycle) -> None:
    projects = session.scalars(
        select(BudgetProject).where(
            BudgetProject.cycle_id == cycle.id, BudgetProject.status == ProjectStatus.accepted,
            BudgetProject.proposer_id.is_not(None),
        )
    )
    for project in projects:
        proposer = project.proposer
        if proposer is None:
            continue
        # Keyed by project: a proposer hears it once even if staff reopen voting.
        notify_resident(
            session, proposer, f"budget:voting_open:{project.id}", "budget_voting_open_proposer",
            cycle=cycle.name, title=project.title, closes=kst_datetime(cycle.results_at),
        )

