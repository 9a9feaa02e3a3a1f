"""Ballots: build a draft with buttons, submit it once, check the receipt, remind drafts.

One ballot per resident per cycle is the database's UNIQUE(cycle_id,
resident_id); every write locks the ballot row (SELECT … FOR UPDATE on
PostgreSQL, BEGIN IMMEDIATE on SQLite), so simultaneous presses serialise and
the second submission sees the first.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.budget_rules import (
    RECEIPT_ALPHABET, RECEIPT_LENGTH, BallotPolicy, BallotRule, Phase, ballot_errors, check_add_pick,
    format_won, normalize_receipt_code, receipt_code_format, reminder_due,
)
from storage.errors import DomainError
from storage.models import Ballot, BallotPick, BallotStatus, BudgetCycle, BudgetProject, ProjectStatus, Resident
from storage.notify_rules import PushKind, closing_reminder_dedup_key
from storage.services import points, privacy, push
from storage.services.budget_common import cycle_view, load_cycle
from storage.timeutil import as_utc, kst_datetime, utcnow

POINTS_ACTIVITY = "budget_vote_cast"


@dataclass(frozen=True)
class PickLine:
    project_id: int
    title: str
    cost: int

    @property
    def cost_label(self) -> str:
        return format_won(self.cost)


@dataclass(frozen=True)
class BallotView:
    """A resident's ballot as the chat shows it, with what still blocks submission."""

    cycle_id: int
    status: BallotStatus | None  # None: nothing picked yet
    picks: list[PickLine]
    total_cost: int
    budget: int
    remaining: int
    rule: BallotRule
    max_picks: int | None
    min_total: int
    errors: list[str]  # ballot rule codes that block submission now, e.g. ["below_min_share"]
    receipt_code: str | None = None
    changed: str | None = None  # "added" / "removed" after a toggle
    reopened: bool = False  # a submitted ballot went back to draft (changes allowed)

    @property
    def picked_ids(self) -> set[int]:
        return {p.project_id for p in self.picks}

    @property
    def picks_left(self) -> int | None:
        return None if self.max_picks is None else self.max_picks - len(self.picks)

    @property
    def can_submit(self) -> bool:
        return self.status is BallotStatus.draft and not self.errors


@dataclass(frozen=True)
class Receipt:
    """What a resident keeps after voting: the proof that the ballot was counted."""

    cycle_id: int
    cycle_name: str
    receipt_code: str
    picks: list[PickLine]
    total_cost: int
    submitted_at: datetime
    points: int  # points this submission earned (0 when already earned)


@dataclass(frozen=True)
class ReceiptCheck:
    cycle_id: int
    cycle_name: str
    counted: bool  # False if the ballot was reopened to be changed and not resubmitted
    submitted_at: datetime | None
    pick_count: int


def _policy(cycle: BudgetCycle) -> BallotPolicy:
    return BallotPolicy(cycle.ballot_rule, cycle.total_budget, cycle.max_picks, cycle.min_share_percent)


def _require_voting(cycle: BudgetCycle, now: datetime) -> None:
    if cycle_view(cycle, now).phase is not Phase.voting:
        raise DomainError("phase_not_voting")


def _lock_ballot(
    session: Session, cycle_id: int, resident_id: int, *, create: bool, now: datetime | None = None
) -> Ballot | None:
    """The resident's ballot row, locked; created as an empty draft if asked.

    INSERT … ON CONFLICT DO NOTHING makes two first presses create one row;
    the following FOR UPDATE makes the second wait for the first to commit.
    """
    if create:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        now = now or utcnow()
        session.execute(
            insert(Ballot)
            .values(cycle_id=cycle_id, resident_id=resident_id, status=BallotStatus.draft,
                    created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["cycle_id", "resident_id"])
        )
    return session.scalar(
        select(Ballot).where(Ballot.cycle_id == cycle_id, Ballot.resident_id == resident_id)
        .with_for_update().execution_options(populate_existing=True)
    )


def _pick_lines(session: Session, ballot: Ballot | None) -> list[PickLine]:
    if ballot is None or not ballot.picks:
        return []
    ids = [p.project_id for p in ballot.picks]
    projects = {p.id: p for p in session.scalars(select(BudgetProject).where(BudgetProject.id.in_(ids)))}
    return [PickLine(pid, projects[pid].title, projects[pid].cost) for pid in ids]


def _view(session: Session, cycle: BudgetCycle, ballot: Ballot | None, **extra: object) -> BallotView:
    policy = _policy(cycle)
    picks = _pick_lines(session, ballot)
    total = sum(p.cost for p in picks)
    return BallotView(
        cycle_id=cycle.id, status=ballot.status if ballot is not None else None, picks=picks,
        total_cost=total, budget=cycle.total_budget, remaining=cycle.total_budget - total,
        rule=cycle.ballot_rule, max_picks=cycle.max_picks, min_total=policy.min_total,
        errors=ballot_errors(policy, [(p.project_id, p.cost) for p in picks]),
        receipt_code=ballot.receipt_code if ballot is not None else None, **extra,  # type: ignore[arg-type]
    )


def ballot_view(session: Session, *, cycle_id: int, resident_id: int) -> BallotView:
    """The resident's ballot (empty if none yet); readable in any phase."""
    cycle = load_cycle(session, cycle_id)
    ballot = session.scalar(select(Ballot).where(Ballot.cycle_id == cycle_id, Ballot.resident_id == resident_id))
    return _view(session, cycle, ballot)


def ballot_toggle(
    session: Session, *, cycle_id: int, resident_id: int, project_id: int, now: datetime | None = None
) -> BallotView:
    """Add the project to the resident's draft ballot, or remove it if already picked.

    The draft is saved so the resident can come back later. Adding is refused
    with ``too_many_picks`` or ``over_budget`` (nothing changes); removing is
    always allowed. With ``allow_ballot_change``, touching a submitted ballot
    takes it back to draft: it counts again only once resubmitted.
    """
    now = now or utcnow()
    cycle = load_cycle(session, cycle_id, lock="share")
    _require_voting(cycle, now)
    project = session.get(BudgetProject, project_id)
    if project is None or project.cycle_id != cycle_id:
        raise DomainError("project_not_in_cycle")
    # Every check comes before the first write, so a refusal changes nothing
    # even if the caller catches the error and commits.
    ballot = _lock_ballot(session, cycle_id, resident_id, create=False)
    if ballot is None:
        if project.status is not ProjectStatus.accepted:
            raise DomainError("project_not_in_cycle")
        resident = session.get(Resident, resident_id)
        if resident is not None and privacy.is_marked(session, privacy.BALLOT, cycle_id, resident):
            raise DomainError("ballot_cast_before_withdrawal")
        ballot = _lock_ballot(session, cycle_id, resident_id, create=True, now=now)
        assert ballot is not None
    submitted = ballot.status is BallotStatus.submitted
    if submitted and not cycle.allow_ballot_change:
        raise DomainError("ballot_already_submitted", receipt_code=ballot.receipt_code)
    existing = next((p for p in ballot.picks if p.project_id == project_id), None)
    if existing is None:
        if project.status is not ProjectStatus.accepted:
            raise DomainError("project_not_in_cycle")
        current = [(line.project_id, line.cost) for line in _pick_lines(session, ballot)]
        _raise_add_problem(check_add_pick(_policy(cycle), current, project.cost), cycle, current, project)
        ballot.picks.append(BallotPick(project_id=project_id))
    else:
        ballot.picks.remove(existing)
    if submitted:
        ballot.status = BallotStatus.draft
    ballot.updated_at = now
    session.flush()
    return _view(session, cycle, ballot, changed="added" if existing is None else "removed", reopened=submitted)


def _raise_add_problem(
    problem: str | None, cycle: BudgetCycle, current: list[tuple[int, int]], project: BudgetProject
) -> None:
    total = sum(cost for _, cost in current)
    if problem == "too_many_picks":
        raise DomainError("too_many_picks", max_picks=cycle.max_picks)
    if problem == "over_budget":
        raise DomainError(
            "over_budget", title=project.title, cost=format_won(project.cost),
            remaining=format_won(cycle.total_budget - total), budget=format_won(cycle.total_budget),
        )


def submit_ballot(session: Session, *, cycle_id: int, resident_id: int, now: datetime | None = None) -> Receipt:
    """Submit the resident's draft: counted once, receipt code issued, points awarded once.

    A second submission is ``ballot_already_submitted`` (with the receipt code);
    where changes are allowed, resubmitting an unchanged ballot returns its receipt.
    """
    now = now or utcnow()
    cycle = load_cycle(session, cycle_id, lock="share")
    _require_voting(cycle, now)
    ballot = _lock_ballot(session, cycle_id, resident_id, create=False)
    if ballot is None or not ballot.picks:
        raise DomainError("empty_ballot")
    picks = _pick_lines(session, ballot)
    if ballot.status is BallotStatus.submitted:
        if not cycle.allow_ballot_change:
            raise DomainError("ballot_already_submitted", receipt_code=ballot.receipt_code)
        return _receipt(cycle, ballot, picks, points_earned=0)
    _check_submittable(session, cycle, ballot, picks)
    if ballot.receipt_code is None:
        # First submission: one per Telegram account and cycle, even across 탈퇴 and re-consent.
        resident = session.get(Resident, resident_id)
        if resident is not None and not privacy.mark_once(session, privacy.BALLOT, cycle.id, resident, now=now):
            raise DomainError("ballot_cast_before_withdrawal")
    ballot.status = BallotStatus.submitted
    ballot.submitted_at = now
    ballot.updated_at = now
    if ballot.receipt_code is None:
        ballot.receipt_code = _new_receipt_code(session)
    session.flush()
    award = points.award(session, resident_id=resident_id, activity=POINTS_ACTIVITY,
                         ref=f"budget_cycle:{cycle.id}", now=now, description=cycle.name)
    return _receipt(cycle, ballot, picks, points_earned=award.points if award.created else 0)


def _check_submittable(session: Session, cycle: BudgetCycle, ballot: Ballot, picks: list[PickLine]) -> None:
    ids = [p.project_id for p in picks]
    accepted = set(session.scalars(
        select(BudgetProject.id).where(
            BudgetProject.id.in_(ids), BudgetProject.cycle_id == cycle.id,
            BudgetProject.status == ProjectStatus.accepted,
        )
    ))
    stale = [p for p in picks if p.project_id not in accepted]
    if stale:
        # Only possible if staff reopened screening and rejected a picked project.
        raise DomainError("project_not_in_cycle", title=stale[0].title)
    policy = _policy(cycle)
    errors = ballot_errors(policy, [(p.project_id, p.cost) for p in picks])
    total = sum(p.cost for p in picks)
    if "empty_ballot" in errors:
        raise DomainError("empty_ballot")
    if "duplicate_pick" in errors:
        raise DomainError("duplicate_pick")
    if "too_many_picks" in errors:
        raise DomainError("too_many_picks", max_picks=cycle.max_picks)
    if "over_budget" in errors:
        raise DomainError("over_budget", title="", cost=format_won(total),
                          remaining=format_won(cycle.total_budget - total), budget=format_won(cycle.total_budget))
    if "below_min_share" in errors:
        raise DomainError("below_min_share", min_total=format_won(policy.min_total), total=format_won(total),
                          percent=cycle.min_share_percent)


def _new_receipt_code(session: Session) -> str:
    """A random code no other ballot has (31^8 codes: a clash is practically never)."""
    for _ in range(10):
        code = receipt_code_format("".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH)))
        if session.scalar(select(Ballot.id).where(Ballot.receipt_code == code)) is None:
            return code
    raise RuntimeError("could not draw a free receipt code")


def _receipt(cycle: BudgetCycle, ballot: Ballot, picks: list[PickLine], *, points_earned: int) -> Receipt:
    assert ballot.receipt_code is not None and ballot.submitted_at is not None
    return Receipt(
        cycle_id=cycle.id, cycle_name=cycle.name, receipt_code=ballot.receipt_code, picks=picks,
        total_cost=sum(p.cost for p in picks), submitted_at=ballot.submitted_at, points=points_earned,
    )


def verify_receipt(session: Session, receipt_code: str) -> ReceiptCheck:
    """Whether the ballot with this receipt code is counted; never shows the choices,
    so a code shown to someone else reveals nothing about the vote."""
    code = normalize_receipt_code(receipt_code)
    ballot = session.scalar(select(Ballot).where(Ballot.receipt_code == code))
    if ballot is None:
        raise DomainError("receipt_not_found")
    cycle = load_cycle(session, ballot.cycle_id)
    counted = ballot.status is BallotStatus.submitted
    return ReceiptCheck(
        cycle_id=cycle.id, cycle_name=cycle.name, counted=counted,
        submitted_at=ballot.submitted_at if counted else None, pick_count=len(ballot.picks),
    )


def draft_ballots_needing_reminder(session: Session, cycle_id: int, now: datetime | None = None) -> list[int]:
    """Remind every started, unsubmitted, not yet reminded ballot once in voting's last day.

    Marks them reminded, queues "budget_ballot_reminder" and returns the
    residents' ids; an empty list outside that window.
    """
    now = now or utcnow()
    cycle = load_cycle(session, cycle_id)
    if cycle_view(cycle, now).phase is not Phase.voting or not reminder_due(cycle.times, now):
        return []
    stmt = (
        select(Ballot, Resident)
        .join(Resident, Resident.id == Ballot.resident_id)
        .where(Ballot.cycle_id == cycle_id, Ballot.status == BallotStatus.draft, Ballot.reminded_at.is_(None),
               Ballot.picks.any())
        .order_by(Ballot.id)
        .with_for_update(of=Ballot, skip_locked=True)
    )
    closes = as_utc(cycle.results_at)
    reminded = []
    for ballot, resident in session.execute(stmt).all():
        ballot.reminded_at = now
        # The one opt-in rule; quiet hours defer the reminder unless that would be too late.
        if push.push(
            session, resident, PushKind.ballot_reminder,
            dedup_key=closing_reminder_dedup_key("budget", cycle.id, resident.id), template="budget_ballot_reminder",
            params={"cycle": cycle.name, "closes": kst_datetime(closes), "picks": len(ballot.picks),
                    "cycle_id": cycle.id},
            now=now, not_after=closes,
        ):
            reminded.append(resident.id)
    return reminded
