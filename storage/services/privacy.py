"""Privacy rules that touch every feature: tombstones, once-only marks, 탈퇴 that keeps
what the district must keep, last activity, and the retention purge (issue 13).

What is kept after 탈퇴 and why (also in the consent notice and PRIVACY.md):
- exchange requests in a closed or paid payout batch: accounting records. They
  pass to the "탈퇴한 주민" system row and keep only the tombstone (no name);
- proposals under review or answered: the district's answer is public record.
  They pass to the "탈퇴한 주민" row; the resident's endorsements of them are
  added to the proposal's ``withdrawn_endorsements`` count (counted, not named);
- submitted ballots (resident reference nulled by the foreign key) and
  anonymous survey responses (never linked);
- once-only marks: tombstone + what + where, nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.models import Endorsement, ExchangeRequest, ExchangeStatus, Proposal, Resident, Role
from storage.models.privacy import OnceMark
from storage.proposal_rules import ProposalStatus
from storage.rules import (
    CONSENT_VERSION,
    LAST_ACTIVE_RESOLUTION_HOURS,
    RETENTION_YEARS,
    WITHDRAWN_DISPLAY_NAME,
    WITHDRAWN_TELEGRAM_USER_ID,
)
from storage.services.engagement_common import insert_ignore
from storage.timeutil import as_utc, utcnow
from storage.tombstone import tombstone_of

# Records the district keeps after 탈퇴 (see the module docstring).
KEPT_EXCHANGE_STATUSES = (ExchangeStatus.batched, ExchangeStatus.paid)
KEPT_PROPOSAL_STATUSES = (ProposalStatus.under_review, ProposalStatus.answered)

# once_marks kinds
BALLOT = "budget_ballot"
SURVEY = "survey"
AWARD_PREFIX = "award:"


# --- once-only marks ------------------------------------------------------------------
def tombstone_for(resident: Resident) -> str:
    """The resident's tombstone (filled in on first use for rows made before 0007_privacy)."""
    if resident.tombstone is None:
        resident.tombstone = tombstone_of(resident.telegram_user_id)
    return resident.tombstone


def mark_once(session: Session, kind: str, scope: object, resident: Resident, *,
              now: datetime | None = None) -> bool:
    """Record that this Telegram account did ``kind`` in ``scope``; False if it already had."""
    return insert_ignore(session, OnceMark, dict(
        kind=kind[:48], scope=str(scope)[:64], tombstone=tombstone_for(resident), created_at=now or utcnow(),
    ), ["kind", "scope", "tombstone"])


def is_marked(session: Session, kind: str, scope: object, resident: Resident) -> bool:
    return session.scalar(select(OnceMark.id).where(
        OnceMark.kind == kind[:48], OnceMark.scope == str(scope)[:64],
        OnceMark.tombstone == tombstone_for(resident))) is not None


# --- 탈퇴 -------------------------------------------------------------------------------
def withdrawn_row(session: Session) -> Resident:
    """The one system row that owns what the district keeps after 탈퇴 (no person, never messaged)."""
    row = session.scalar(select(Resident).where(Resident.telegram_user_id == WITHDRAWN_TELEGRAM_USER_ID))
    if row is not None:
        return row
    now = utcnow()
    insert_ignore(session, Resident, dict(
        telegram_user_id=WITHDRAWN_TELEGRAM_USER_ID, display_name=WITHDRAWN_DISPLAY_NAME,
        consent_version="-", consented_at=now, role=Role.resident, reachable=False, created_at=now,
    ), ["telegram_user_id"])
    row = session.scalar(select(Resident).where(Resident.telegram_user_id == WITHDRAWN_TELEGRAM_USER_ID))
    assert row is not None
    return row


def is_withdrawn_row(resident: Resident) -> bool:
    return resident.telegram_user_id == WITHDRAWN_TELEGRAM_USER_ID


@dataclass(frozen=True)
class WithdrawalKept:
    exchange_requests: int
    proposals: int
    endorsements_counted: int


def delete_resident(session: Session, resident: Resident) -> WithdrawalKept:
    """Delete the resident; first hand what the district must keep to the "탈퇴한 주민" row."""
    ghost = withdrawn_row(session)
    tombstone = tombstone_for(resident)
    kept_requests = session.execute(
        update(ExchangeRequest)
        .where(ExchangeRequest.resident_id == resident.id, ExchangeRequest.status.in_(KEPT_EXCHANGE_STATUSES))
        .values(resident_id=ghost.id, pseudonym=tombstone)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    # Endorsements on proposals that stay public: counted, not named.
    kept_ids = select(Proposal.id).where(Proposal.status.in_(KEPT_PROPOSAL_STATUSES))
    endorsed = list(session.scalars(
        select(Endorsement.proposal_id).where(Endorsement.resident_id == resident.id,
                                              Endorsement.proposal_id.in_(kept_ids))))
    for proposal_id in endorsed:
        session.execute(update(Proposal).where(Proposal.id == proposal_id)
                        .values(withdrawn_endorsements=Proposal.withdrawn_endorsements + 1)
                        .execution_options(synchronize_session=False))
    kept_proposals = session.execute(
        update(Proposal)
        .where(Proposal.author_id == resident.id, Proposal.status.in_(KEPT_PROPOSAL_STATUSES))
        .values(author_id=ghost.id)
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    session.delete(resident)
    session.flush()
    return WithdrawalKept(kept_requests, kept_proposals, len(endorsed))


# --- last activity and the retention purge --------------------------------------------
def touch(session: Session, resident: Resident, now: datetime | None = None) -> bool:
    """Record activity, at most once per LAST_ACTIVE_RESOLUTION_HOURS; True if written."""
    now = now or utcnow()
    last = resident.last_active_at
    if last is not None and as_utc(now) - as_utc(last) < timedelta(hours=LAST_ACTIVE_RESOLUTION_HOURS):
        return False
    resident.last_active_at = now
    return True


def retention_cutoff(now: datetime) -> datetime:
    """Residents last active before this instant are past the retention period."""
    now = as_utc(now)
    try:
        return now.replace(year=now.year - RETENTION_YEARS)
    except ValueError:  # 29 February
        return now.replace(year=now.year - RETENTION_YEARS, day=28)


@dataclass(frozen=True)
class PurgeCandidate:
    resident_id: int
    telegram_user_id: int
    last_active_at: datetime


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    candidates: list[PurgeCandidate]
    deleted: int
    dry_run: bool


def purge_candidates(session: Session, now: datetime | None = None) -> list[PurgeCandidate]:
    """Residents (not staff, not the system row) inactive for the retention period."""
    cutoff = retention_cutoff(now or utcnow())
    last = func.coalesce(Resident.last_active_at, Resident.consented_at)
    rows = session.execute(
        select(Resident.id, Resident.telegram_user_id, last)
        .where(last < cutoff, Resident.role == Role.resident,
               Resident.telegram_user_id != WITHDRAWN_TELEGRAM_USER_ID)
        .order_by(Resident.id)
    ).all()
    return [PurgeCandidate(rid, tid, as_utc(at)) for rid, tid, at in rows]


def purge(session: Session, *, now: datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Delete residents past retention like a 탈퇴 (the caller deletes their tracker events)."""
    now = now or utcnow()
    candidates = purge_candidates(session, now)
    deleted = 0
    if not dry_run:
        for candidate in candidates:
            resident = session.get(Resident, candidate.resident_id)
            if resident is not None:
                delete_resident(session, resident)
                deleted += 1
    return PurgeReport(retention_cutoff(now), candidates, deleted, dry_run)


def needs_reconsent(resident: Resident) -> bool:
    """The resident agreed to an older version of the privacy notice."""
    return not is_withdrawn_row(resident) and resident.consent_version != CONSENT_VERSION
