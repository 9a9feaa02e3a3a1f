"""Policy proposals (정책제안) and endorsements (주민공감): the resident-facing use cases.

Life cycle: open → (threshold) under_review → answered; open → expired after the
window; any → hidden by staff. Endorsing closes when the threshold is reached,
as on Seoul's platform: the endorsers who sent a proposal to review are the
ones notified of its answer, and the count that triggered the review stays the
count shown.

Exactly once under concurrency: every write locks the proposal row first
(SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers with BEGIN
IMMEDIATE), the threshold transition is a conditional UPDATE, endorsements
are unique per (proposal, resident), notices carry dedup keys and awards go
through the ledger's idempotency keys.

The read side lives in ``proposal_views`` and staff use cases in
``proposal_staff``; both are re-exported here so callers import one module.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import proposal_rules as rules
from storage.errors import DomainError
from storage.models import Endorsement, Proposal, ProposalAudit, Resident, Role
from storage.models.proposals import AuditAction
from storage.proposal_rules import ProposalStatus
from storage.rules import require_file_id
from storage.services import outbox, points
from storage.services.proposal_staff import (  # re-exported, see __all__
    AnswerPosted, StaffRow, audit_log, hide, post_answer, require_staff, staff_list, unhide,
)
from storage.services.proposal_views import (  # re-exported, see __all__
    Page, ProposalCard, count_endorsements, endorser_ids, find_by_text, get_card, list_proposals,
    lock_proposal, my_endorsements, my_proposals,
)
from storage.timeutil import kst_date, utcnow

SCHEDULER_NAME = "자동(스케줄러)"

__all__ = [
    # resident use cases (this module)
    "submit", "endorse", "withdraw_endorsement", "expire_due",
    "SubmitResult", "EndorseResult", "WithdrawResult",
    # read side (proposal_views)
    "get_card", "list_proposals", "my_proposals", "my_endorsements", "find_by_text",
    "count_endorsements", "endorser_ids", "lock_proposal", "Page", "ProposalCard",
    # staff (proposal_staff)
    "staff_list", "post_answer", "hide", "unhide", "audit_log", "require_staff", "AnswerPosted", "StaffRow",
]


@dataclass(frozen=True)
class SubmitResult:
    proposal: Proposal
    points: int


@dataclass(frozen=True)
class EndorseResult:
    proposal_id: int
    count: int
    threshold: int
    reached_review: bool
    milestone: int | None
    points: int


@dataclass(frozen=True)
class WithdrawResult:
    proposal_id: int
    count: int
    threshold: int


def _refuse(code: str, proposal: Proposal, now: datetime) -> DomainError:
    status = rules.effective_status(proposal.status.value, proposal.closes_at, now)
    return DomainError(code, number=proposal.id, title=proposal.title, status=status,
                       status_label=rules.STATUS_LABELS[status])


def _award_ref(proposal_id: int) -> str:
    # One ref per proposal: with the ledger's key (activity, ref, resident) an
    # endorser earns once per proposal however often they withdraw and endorse
    # again, so withdrawing need not reverse anything (see withdraw_endorsement).
    return f"proposal:{proposal_id}"


def _subject(proposal: Proposal) -> str:
    return f"{proposal.id}번 제안 「{proposal.title}」"


# --- Submit ---------------------------------------------------------------------
def submit(
    session: Session,
    *,
    author_id: int,
    title: str,
    body: str,
    category: str,
    dong: str | None = None,
    photo_file_id: str | None = None,
    now: datetime | None = None,
) -> SubmitResult:
    """Open a proposal after validating every field; awards ``proposal_submitted``."""
    now = now or utcnow()
    config = rules.load_config()
    title = rules.ensure_title(title)
    body = rules.ensure_body(body)
    category = rules.require_category(category)
    dong = rules.require_dong(dong)
    photo = require_file_id(photo_file_id)
    # Locking the author serialises their submissions, so a double-pressed
    # 등록 button finds the first proposal instead of creating a second.
    points.lock_resident(session, author_id)
    duplicate = session.scalar(
        select(Proposal.id).where(
            Proposal.author_id == author_id, Proposal.title == title,
            Proposal.status.in_([ProposalStatus.open, ProposalStatus.under_review]),
        )
    )
    if duplicate is not None:
        raise DomainError("duplicate_proposal", number=duplicate, title=title)
    proposal = Proposal(
        author_id=author_id, title=title, body=body, category=category, dong=dong,
        photo_file_id=photo, status=ProposalStatus.open,
        endorsements_needed=config.endorsements_for_review,
        opened_at=now, closes_at=rules.closes_at_for(now, config.endorsement_window_days),
    )
    session.add(proposal)
    session.flush()
    award = points.award(session, resident_id=author_id, activity="proposal_submitted",
                         ref=_award_ref(proposal.id), now=now, description=_subject(proposal))
    return SubmitResult(proposal=proposal, points=award.points if award.created else 0)


# --- Endorse ----------------------------------------------------------------------
def endorse(session: Session, *, proposal_id: int, resident_id: int, now: datetime | None = None) -> EndorseResult:
    """공감 once per resident while open; the threshold sends the proposal to review exactly once."""
    now = now or utcnow()
    config = rules.load_config()
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise DomainError("not_registered")
    proposal = lock_proposal(session, proposal_id)
    reason = rules.can_endorse(proposal.status.value, now, proposal.closes_at,
                               is_author=proposal.author_id == resident_id)
    if reason:
        raise _refuse(reason, proposal, now)
    # The ledger locks each resident it credits; taking both locks now, in id
    # order, keeps two crossing endorsements (A's proposal by B, B's by A) from
    # deadlocking when both reach the threshold.
    for rid in sorted({resident_id, proposal.author_id}):
        points.lock_resident(session, rid)
    endorsement = Endorsement(proposal_id=proposal_id, resident_id=resident_id, created_at=now)
    try:
        with session.begin_nested():
            session.add(endorsement)
    except IntegrityError:
        raise _refuse("already_endorsed", proposal, now) from None
    count = count_endorsements(session, proposal_id)
    reached = rules.reaches_review(count, proposal.endorsements_needed) and _start_review(
        session, proposal, count, now, config.review_deadline_days)
    milestone = None
    if not reached and rules.is_milestone(count, config.milestones):
        author = session.get(Resident, proposal.author_id)
        # Reported only the first time the count reaches it (withdrawals can repeat a count).
        if author is not None and outbox.notify_resident(
            session, author, f"proposal:{proposal_id}:milestone:{count}", "proposal_milestone",
            number=proposal_id, title=proposal.title, count=count,
            threshold=proposal.endorsements_needed, remaining=proposal.endorsements_needed - count,
        ):
            milestone = count
    award = points.award(session, resident_id=resident_id, activity="endorsement_given",
                         ref=_award_ref(proposal_id), now=now, description=_subject(proposal))
    return EndorseResult(proposal_id=proposal_id, count=count, threshold=proposal.endorsements_needed,
                         reached_review=reached, milestone=milestone,
                         points=award.points if award.created else 0)


def _start_review(session: Session, proposal: Proposal, count: int, now: datetime, deadline_days: int) -> bool:
    """open → under_review, once: the UPDATE only matches while the row is still open."""
    due = rules.review_due_for(now, deadline_days)
    moved = session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == ProposalStatus.open)
        .values(status=ProposalStatus.under_review, review_started_at=now, review_due_at=due)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if not moved:
        return False
    session.refresh(proposal)
    _notify_under_review(session, proposal, count, due)
    points.award(session, resident_id=proposal.author_id, activity="proposal_reached_review",
                 ref=_award_ref(proposal.id), now=now, description=_subject(proposal))
    return True


def _notify_under_review(session: Session, proposal: Proposal, count: int, due: datetime) -> None:
    """One notice per person (dedup key per proposal and resident): author, else staff, else endorser."""
    recipients: dict[int, str] = {proposal.author_id: "proposal_under_review_author"}
    staff = session.scalars(select(Resident).where(Resident.role.in_([Role.staff, Role.admin])))
    for member in staff:
        recipients.setdefault(member.id, "proposal_under_review_staff")
    for resident_id in endorser_ids(session, proposal.id):
        recipients.setdefault(resident_id, "proposal_under_review_endorser")
    params = dict(
        number=proposal.id, title=proposal.title, count=count, threshold=proposal.endorsements_needed,
        due=kst_date(due), category=rules.CATEGORIES.get(proposal.category, proposal.category),
        dong=rules.DONGS.get(proposal.dong, "") if proposal.dong else "전체",
        summary=rules.summarize(proposal.body),
    )
    people = {r.id: r for r in session.scalars(select(Resident).where(Resident.id.in_(recipients)))}
    for resident_id, template in recipients.items():
        person = people.get(resident_id)
        if person is not None:
            outbox.notify_resident(session, person, f"proposal:{proposal.id}:under_review:{resident_id}",
                                   template, **params)


# --- Withdraw ---------------------------------------------------------------------
def withdraw_endorsement(session: Session, *, proposal_id: int, resident_id: int,
                         now: datetime | None = None) -> WithdrawResult:
    """공감 취소 while open.

    The ``endorsement_given`` award stays: the ledger's reversal is a staff
    correction that fails once points were exchanged, which must not block a
    resident from changing their mind; and since the award's ref is the
    proposal, endorsing again never earns twice.
    """
    now = now or utcnow()
    proposal = lock_proposal(session, proposal_id)
    reason = rules.can_withdraw(proposal.status.value, now, proposal.closes_at)
    if reason:
        raise _refuse(reason, proposal, now)
    endorsement = session.scalar(
        select(Endorsement).where(Endorsement.proposal_id == proposal_id, Endorsement.resident_id == resident_id)
    )
    if endorsement is None:
        raise _refuse("not_endorsed", proposal, now)
    session.delete(endorsement)
    session.flush()
    return WithdrawResult(proposal_id=proposal_id, count=count_endorsements(session, proposal_id),
                          threshold=proposal.endorsements_needed)


# --- Expiry (scheduler) ------------------------------------------------------------
def expire_due(session: Session, *, staff_id: int | None = None, now: datetime | None = None) -> list[int]:
    """Open proposals past their window → expired, author told once; returns their numbers."""
    now = now or utcnow()
    staff = require_staff(session, staff_id) if staff_id is not None else None
    due_ids = list(session.scalars(
        select(Proposal.id).where(Proposal.status == ProposalStatus.open, Proposal.closes_at <= now)
        .order_by(Proposal.id)
    ))
    expired: list[int] = []
    for proposal_id in due_ids:
        # Conditional: a concurrent 50th endorsement may have won the row first.
        moved = session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id, Proposal.status == ProposalStatus.open, Proposal.closes_at <= now)
            .values(status=ProposalStatus.expired)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if not moved:
            continue
        proposal = session.get(Proposal, proposal_id, populate_existing=True)
        assert proposal is not None
        session.add(ProposalAudit(
            proposal_id=proposal_id, staff_id=staff.id if staff else None,
            staff_name=staff.display_name if staff else SCHEDULER_NAME, action=AuditAction.expire,
            from_status=ProposalStatus.open, to_status=ProposalStatus.expired, created_at=now,
        ))
        author = session.get(Resident, proposal.author_id)
        if author is not None:
            outbox.notify_resident(
                session, author, f"proposal:{proposal_id}:expired", "proposal_expired",
                number=proposal_id, title=proposal.title, count=count_endorsements(session, proposal_id),
                threshold=proposal.endorsements_needed,
            )
        expired.append(proposal_id)
    return expired
