"""Staff use cases for proposals: the review queue, answers, hide/unhide, all audited.

Every staff action locks the proposal, changes it with a conditional UPDATE or
a row guarded by a unique index, writes one ``proposal_audit`` row and queues
notices with dedup keys, so a double-submitted answer reaches each person once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage import proposal_rules as rules
from storage.errors import DomainError
from storage.models import Endorsement, Proposal, ProposalAnswer, ProposalAudit, Resident
from storage.models.proposals import AnswerKind, AuditAction
from storage.proposal_rules import AnswerResult, ProposalStatus
from storage.services import outbox
from storage.services.proposal_views import count_endorsements, endorser_ids, lock_proposal
from storage.timeutil import as_utc, kst_date, utcnow

# Queue order after the overdue ones: what needs staff first.
_STATUS_RANK = {"under_review": 0, "open": 1, "answered": 2, "expired": 3, "hidden": 4}


@dataclass(frozen=True)
class StaffRow:
    id: int
    title: str
    status: str
    status_label: str
    category_label: str
    dong_label: str | None
    author_name: str
    count: int
    threshold: int
    opened_at: datetime
    closes_at: datetime
    review_due_at: datetime | None
    overdue: bool
    interim_answers: int
    answer_result_label: str | None
    hidden_reason: str | None


@dataclass(frozen=True)
class AnswerPosted:
    answer_id: int
    proposal_id: int
    kind: str
    notified: int


def require_staff(session: Session, staff_id: int) -> Resident:
    """A staff or admin resident by id, or ``not_allowed``."""
    staff = session.get(Resident, staff_id)
    if staff is None or not staff.is_staff:
        raise DomainError("not_allowed")
    return staff


def _audit(session: Session, proposal: Proposal, staff: Resident, action: AuditAction,
           from_status: ProposalStatus, detail: str | None, now: datetime) -> ProposalAudit:
    row = ProposalAudit(
        proposal_id=proposal.id, staff_id=staff.id, staff_name=staff.display_name, action=action,
        from_status=from_status, to_status=proposal.status, detail=detail, created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _notify_author(session: Session, proposal: Proposal, key: str, template: str, **params: object) -> None:
    author = session.get(Resident, proposal.author_id)
    if author is not None:
        outbox.notify_resident(session, author, key, template, **params)


# --- Queue ----------------------------------------------------------------------------
def staff_list(session: Session, *, status: str | None = None, now: datetime | None = None) -> list[StaffRow]:
    """All proposals (hidden included) for staff: overdue reviews first, then by what needs doing."""
    now = now or utcnow()
    if status is not None and status not in rules.STATUS_LABELS:
        raise DomainError("unknown_status", status=status)
    counts = _counts(session)
    interims = dict(session.execute(
        select(ProposalAnswer.proposal_id, func.count())
        .where(ProposalAnswer.kind == AnswerKind.interim).group_by(ProposalAnswer.proposal_id)
    ).all())
    authors = dict(session.execute(select(Resident.id, Resident.display_name)).all())
    rows: list[StaffRow] = []
    for p in session.scalars(select(Proposal)):
        shown = rules.effective_status(p.status.value, p.closes_at, now)
        if status is not None and shown != status:
            continue
        result = p.answer_result.value if p.answer_result else None
        rows.append(StaffRow(
            id=p.id, title=p.title, status=shown, status_label=rules.STATUS_LABELS[shown],
            category_label=rules.CATEGORIES.get(p.category, p.category),
            dong_label=rules.DONGS.get(p.dong) if p.dong else None,
            author_name=authors.get(p.author_id, "?"), count=counts.get(p.id, 0),
            threshold=p.endorsements_needed, opened_at=p.opened_at, closes_at=p.closes_at,
            review_due_at=p.review_due_at, overdue=rules.review_overdue(p.status.value, p.review_due_at, now),
            interim_answers=interims.get(p.id, 0),
            answer_result_label=rules.RESULT_LABELS[result] if result else None,
            hidden_reason=p.hidden_reason,
        ))

    def order(row: StaffRow) -> tuple:
        deadline = row.review_due_at if row.status == "under_review" else row.closes_at
        return (not row.overdue, _STATUS_RANK[row.status], as_utc(deadline or row.closes_at), -row.id)

    return sorted(rows, key=order)


def _counts(session: Session) -> dict[int, int]:
    return dict(session.execute(
        select(Endorsement.proposal_id, func.count()).group_by(Endorsement.proposal_id)
    ).all())


def audit_log(session: Session, proposal_id: int) -> list[ProposalAudit]:
    """Staff actions on one proposal, oldest first."""
    return list(session.scalars(
        select(ProposalAudit).where(ProposalAudit.proposal_id == proposal_id).order_by(ProposalAudit.id)
    ))


# --- Answers ----------------------------------------------------------------------------
def _clean_answer(text: str | None) -> str:
    cleaned = rules.clean_text(text)
    if not cleaned or not rules.has_words(cleaned):
        raise DomainError("answer_empty")
    if rules.text_length(cleaned) > rules.ANSWER_MAX:
        raise DomainError("answer_too_long", max=rules.ANSWER_MAX, length=rules.text_length(cleaned))
    return cleaned


def _answer_result(result: str | None, interim: bool) -> AnswerResult | None:
    if interim:
        if result is not None:
            raise DomainError("result_not_for_interim")
        return None
    if result is None:
        raise DomainError("result_required", allowed=", ".join(rules.RESULT_LABELS))
    try:
        return AnswerResult(result)
    except ValueError:
        raise DomainError("unknown_result", result=result, allowed=", ".join(rules.RESULT_LABELS)) from None


def post_answer(
    session: Session,
    *,
    proposal_id: int,
    staff_id: int,
    text: str,
    result: str | None = None,
    interim: bool = False,
    now: datetime | None = None,
) -> AnswerPosted:
    """Post an interim or the final answer to a proposal under review; author and every endorser hear it once."""
    now = now or utcnow()
    staff = require_staff(session, staff_id)
    cleaned = _clean_answer(text)
    answer_result = _answer_result(result, interim)
    proposal = lock_proposal(session, proposal_id)
    if proposal.status == ProposalStatus.answered:
        raise DomainError("already_answered", number=proposal_id)
    if proposal.status != ProposalStatus.under_review:
        raise DomainError("proposal_not_under_review", number=proposal_id, status=proposal.status.value,
                          status_label=rules.STATUS_LABELS[proposal.status.value])
    if not interim:
        moved = session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id, Proposal.status == ProposalStatus.under_review)
            .values(status=ProposalStatus.answered, answered_at=now, answer_result=answer_result,
                    answer_text=cleaned)
            .execution_options(synchronize_session=False)
        ).rowcount == 1
        if not moved:
            raise DomainError("already_answered", number=proposal_id)
        session.refresh(proposal)
    answer = ProposalAnswer(
        proposal_id=proposal_id, staff_id=staff.id, kind=AnswerKind.interim if interim else AnswerKind.final,
        result=answer_result, text=cleaned, created_at=now,
    )
    session.add(answer)
    session.flush()
    _audit(session, proposal, staff, AuditAction.answer_interim if interim else AuditAction.answer_final,
           ProposalStatus.under_review, cleaned, now)
    notified = _notify_answer(session, proposal, answer, now)
    return AnswerPosted(answer_id=answer.id, proposal_id=proposal_id, kind=answer.kind.value, notified=notified)


def _notify_answer(session: Session, proposal: Proposal, answer: ProposalAnswer, now: datetime) -> int:
    """The author and every endorser, once each: one key per final answer, one per interim answer."""
    ids = [proposal.author_id, *(r for r in endorser_ids(session, proposal.id) if r != proposal.author_id)]
    people = {r.id: r for r in session.scalars(select(Resident).where(Resident.id.in_(ids)))}
    final = answer.kind == AnswerKind.final
    template = "proposal_answered" if final else "proposal_interim_answer"
    params = dict(
        number=proposal.id, title=proposal.title, answer=answer.text, date=kst_date(now),
        count=count_endorsements(session, proposal.id),
        result=rules.RESULT_LABELS[answer.result.value] if answer.result else "",
    )
    sent = 0
    for resident_id in ids:
        person = people.get(resident_id)
        if person is None:
            continue
        key = (f"proposal:{proposal.id}:answered:{resident_id}" if final
               else f"proposal:{proposal.id}:interim:{answer.id}:{resident_id}")
        sent += outbox.notify_resident(session, person, key, template, **params)
    return sent


# --- Hide / unhide --------------------------------------------------------------------
def hide(session: Session, *, proposal_id: int, staff_id: int, reason: str,
         now: datetime | None = None) -> Proposal:
    """Hide a proposal for abuse with a reason; it remembers its status for unhide."""
    now = now or utcnow()
    staff = require_staff(session, staff_id)
    reason = " ".join(rules.clean_text(reason).split())
    if not reason or not rules.has_words(reason):
        raise DomainError("reason_required")
    if len(reason) > rules.HIDE_REASON_MAX:
        raise DomainError("reason_too_long", max=rules.HIDE_REASON_MAX)
    proposal = lock_proposal(session, proposal_id)
    if proposal.status == ProposalStatus.hidden:
        raise DomainError("already_hidden", number=proposal_id)
    before = proposal.status
    proposal.previous_status = before
    proposal.status = ProposalStatus.hidden
    proposal.hidden_reason = reason
    session.flush()
    audit = _audit(session, proposal, staff, AuditAction.hide, before, reason, now)
    _notify_author(session, proposal, f"proposal:{proposal_id}:hidden:{audit.id}", "proposal_hidden",
                   number=proposal_id, title=proposal.title, reason=reason)
    return proposal


def unhide(session: Session, *, proposal_id: int, staff_id: int, reason: str | None = None,
           now: datetime | None = None) -> Proposal:
    """Restore a hidden proposal to the status it had; the endorsement window is not extended."""
    now = now or utcnow()
    staff = require_staff(session, staff_id)
    proposal = lock_proposal(session, proposal_id)
    if proposal.status != ProposalStatus.hidden:
        raise DomainError("not_hidden", number=proposal_id)
    proposal.status = proposal.previous_status or ProposalStatus.open
    proposal.previous_status = None
    proposal.hidden_reason = None
    session.flush()
    detail = " ".join(rules.clean_text(reason).split()) or None
    audit = _audit(session, proposal, staff, AuditAction.unhide, ProposalStatus.hidden, detail, now)
    _notify_author(session, proposal, f"proposal:{proposal_id}:unhidden:{audit.id}", "proposal_unhidden",
                   number=proposal_id, title=proposal.title)
    return proposal
