"""The points ledger: awards, balance, history, gift-certificate exchange, reversal, expiry.

Every feature awards through :func:`award`. Balance-changing use cases first
lock the resident's row (``SELECT … FOR NO KEY UPDATE`` on PostgreSQL; SQLite
serialises writers with BEGIN IMMEDIATE), then read the sums, then append.
The unique idempotency key and the entry shape constraint back every rule in
the database; nothing here keeps a running balance.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from storage.errors import DomainError
from storage.models import EntryKind, ExchangeRequest, ExchangeStatus, PointEntry, Resident
from storage.point_policy import kst_day_bounds, kst_year_bounds, load_policy, months_before
from storage.timeutil import to_kst, utcnow

HISTORY_PAGE_SIZE = 10
KEY_MAX = PointEntry.__table__.c.idempotency_key.type.length


@dataclass(frozen=True)
class AwardResult:
    created: bool
    points: int
    capped: bool
    entry_id: int | None


@dataclass(frozen=True)
class Balance:
    available: int
    held: int
    earned_this_year: int
    annual_cap: int
    paid_total: int


@dataclass(frozen=True)
class HistoryItem:
    at: datetime
    kind: str
    points: int
    description: str


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryItem]
    page: int
    pages: int
    total: int


def award_key(activity: str, ref: str, resident_id: int) -> str:
    """The idempotency key of one award: the same (activity, ref, resident) lands once."""
    return f"{activity}:{ref}:resident:{resident_id}"


# --- plumbing shared with events and payout ----------------------------------------
def lock_resident(session: Session, resident_id: int) -> Resident:
    """Serialise balance changes of one resident; ``not_registered`` if the row is gone."""
    stmt = select(Resident).where(Resident.id == resident_id)
    if _is_pg(session):
        # FOR NO KEY UPDATE: rows elsewhere can still reference the resident meanwhile.
        stmt = stmt.with_for_update(key_share=True)
    resident = session.scalar(stmt)
    if resident is None:
        raise DomainError("not_registered")
    return resident


def insert_entry(session: Session, **values: Any) -> int | None:
    """Append one entry; None if its idempotency key already exists (nothing written)."""
    values.setdefault("held", 0)
    values.setdefault("created_at", utcnow())
    insert = pg_insert if _is_pg(session) else sqlite_insert
    stmt = (
        insert(PointEntry).values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(PointEntry.id)
    )
    return session.execute(stmt).scalar()


def available_points(session: Session, resident_id: int) -> int:
    return int(session.scalar(
        select(func.coalesce(func.sum(PointEntry.points), 0)).where(PointEntry.resident_id == resident_id)
    ))


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _entry_by_key(session: Session, key: str) -> PointEntry | None:
    return session.scalar(select(PointEntry).where(PointEntry.idempotency_key == key))


def _net_awarded(session: Session, resident_id: int, start: datetime | None, end: datetime,
                 activity: str | None = None) -> int:
    """Points awarded in [start, end), less the ones later reversed (a reversal frees the cap)."""
    reversal = aliased(PointEntry)
    conditions = [PointEntry.resident_id == resident_id, PointEntry.kind == EntryKind.award,
                  PointEntry.created_at < end]
    if start is not None:
        conditions.append(PointEntry.created_at >= start)
    if activity is not None:
        conditions.append(PointEntry.activity == activity)
    stmt = (
        select(func.coalesce(func.sum(PointEntry.points + func.coalesce(reversal.points, 0)), 0))
        .select_from(PointEntry)
        .outerjoin(reversal, reversal.reverses_entry_id == PointEntry.id)
        .where(*conditions)
    )
    return int(session.scalar(stmt))


# --- awards ---------------------------------------------------------------------------
def award(
    session: Session,
    *,
    resident_id: int,
    activity: str,
    ref: str,
    now: datetime | None = None,
    points: int | None = None,
    description: str | None = None,
) -> AwardResult:
    """Credit an activity once per (activity, ref, resident); a repeat answers created=False.

    ``points`` overrides the policy's amount (0 … the activity's max_points);
    ``description`` is the subject shown in the history (survey title, event
    name). Caps: the award records what still fits under the annual and the
    activity's daily cap (KST day) — possibly 0 — with ``capped=True``; the
    entry is written even at 0 so the key is spent and a retry is answered
    from it, never recomputed.
    """
    now = now or utcnow()
    policy = load_policy()
    rule = policy.activity(activity)
    requested = rule.points if points is None else points
    if not 0 <= requested <= rule.max_points:
        raise ValueError(f"{activity} points must be within 0..{rule.max_points}, got {requested}")
    key = award_key(activity, ref, resident_id)
    if len(key) > KEY_MAX:
        raise ValueError(f"award ref too long for an idempotency key: {ref!r}")
    resident = lock_resident(session, resident_id)
    existing = _entry_by_key(session, key)
    if existing is not None:
        return _repeat(existing)
    # Once per Telegram account too: 탈퇴 and re-consent do not earn the same award again.
    from storage.services import privacy

    if not privacy.mark_once(session, privacy.AWARD_PREFIX + activity, ref, resident, now=now):
        existing = _entry_by_key(session, key)
        return _repeat(existing) if existing is not None else AwardResult(
            created=False, points=0, capped=False, entry_id=None)
    year_start, year_end = kst_year_bounds(now)
    day_start, day_end = kst_day_bounds(now)
    granted = policy.points_that_fit(
        requested, rule,
        earned_year=_net_awarded(session, resident_id, year_start, year_end),
        earned_today=_net_awarded(session, resident_id, day_start, day_end, activity),
    )
    params: dict[str, Any] = {}
    if description:
        params["subject"] = description
    if granted < requested:
        params["requested"] = requested
    entry_id = insert_entry(
        session, resident_id=resident_id, kind=EntryKind.award, points=granted, activity=activity,
        idempotency_key=key, ref=str(ref)[:64], params=params or None, created_at=now,
    )
    if entry_id is None:  # a concurrent writer that did not take the lock got there first
        existing = _entry_by_key(session, key)
        assert existing is not None
        return _repeat(existing)
    return AwardResult(created=True, points=granted, capped=granted < requested, entry_id=entry_id)


def _repeat(entry: PointEntry) -> AwardResult:
    return AwardResult(created=False, points=entry.points,
                       capped="requested" in (entry.params or {}), entry_id=entry.id)


# --- reading ----------------------------------------------------------------------------
def balance(session: Session, resident_id: int, now: datetime | None = None) -> Balance:
    """Available, held, this KST year's net earnings toward the cap, and everything paid out."""
    now = now or utcnow()
    policy = load_policy()
    available, held, paid = session.execute(
        select(
            func.coalesce(func.sum(PointEntry.points), 0),
            func.coalesce(func.sum(PointEntry.held), 0),
            func.coalesce(func.sum(case((PointEntry.kind == EntryKind.payout, -PointEntry.held), else_=0)), 0),
        ).where(PointEntry.resident_id == resident_id)
    ).one()
    start, end = kst_year_bounds(now)
    return Balance(available=int(available), held=int(held),
                   earned_this_year=_net_awarded(session, resident_id, start, end),
                   annual_cap=policy.annual_cap, paid_total=int(paid))


def history(session: Session, resident_id: int, page: int = 1, page_size: int = HISTORY_PAGE_SIZE) -> HistoryPage:
    """Newest first; ``points`` is the change of the available balance (0 for a payout)."""
    policy = load_policy()
    total = int(session.scalar(
        select(func.count()).select_from(PointEntry).where(PointEntry.resident_id == resident_id)
    ))
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    rows = session.scalars(
        select(PointEntry).where(PointEntry.resident_id == resident_id)
        .order_by(PointEntry.created_at.desc(), PointEntry.id.desc())
        .offset((page - 1) * page_size).limit(page_size)
    )
    items = [
        HistoryItem(at=e.created_at, kind=e.kind.value, points=e.points,
                    description=policy.describe(e.kind.value, e.activity, e.points, e.params or {}))
        for e in rows
    ]
    return HistoryPage(entries=items, page=page, pages=pages, total=total)


# --- exchange ------------------------------------------------------------------------------
def exchange_options(session: Session, resident_id: int, now: datetime | None = None) -> list[int]:
    """Amounts the resident may request now; empty below the minimum.

    Raises ``exchange_pending_exists`` while a request is pending, so the chat
    says so at the first step instead of "not enough points".
    """
    if _pending_exists(session, resident_id):
        raise DomainError("exchange_pending_exists")
    return load_policy().exchange_options(available_points(session, resident_id))


def check_exchange(session: Session, *, resident_id: int, amount: int, now: datetime | None = None) -> None:
    """Refuse ``amount`` as request_exchange would, without changing anything (for the confirm step)."""
    if _pending_exists(session, resident_id):
        raise DomainError("exchange_pending_exists")
    load_policy().check_exchange_amount(amount, available_points(session, resident_id))


def request_exchange(session: Session, *, resident_id: int, amount: int, now: datetime | None = None) -> ExchangeRequest:
    """Hold ``amount`` points for the next quarterly payout.

    Codes: below_minimum, not_exchange_unit, above_maximum, exchange_pending_exists,
    insufficient_points. One pending request per resident (a partial unique index).
    """
    now = now or utcnow()
    lock_resident(session, resident_id)
    check_exchange(session, resident_id=resident_id, amount=amount)
    request = ExchangeRequest(resident_id=resident_id, amount=amount, status=ExchangeStatus.pending,
                              created_at=now)
    try:
        with session.begin_nested():
            session.add(request)
    except IntegrityError:
        raise DomainError("exchange_pending_exists") from None
    insert_entry(
        session, resident_id=resident_id, kind=EntryKind.hold, points=-amount, held=amount,
        idempotency_key=f"hold:exchange:{request.id}", exchange_request_id=request.id,
        params={"amount": amount}, created_at=now,
    )
    return request


def cancel_exchange(session: Session, *, resident_id: int, request_id: int,
                    now: datetime | None = None) -> ExchangeRequest:
    """Cancel a pending request and release its points. Codes: exchange_not_found, exchange_not_pending."""
    now = now or utcnow()
    lock_resident(session, resident_id)
    request = session.get(ExchangeRequest, request_id)
    if request is None or request.resident_id != resident_id:
        raise DomainError("exchange_not_found")
    # Conditional update: a quarter closing at the same moment wins or loses cleanly.
    changed = session.execute(
        update(ExchangeRequest)
        .where(ExchangeRequest.id == request_id, ExchangeRequest.status == ExchangeStatus.pending)
        .values(status=ExchangeStatus.cancelled, cancelled_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(request)
    if changed != 1:
        raise DomainError("exchange_not_pending", status=request.status.value)
    insert_entry(
        session, resident_id=resident_id, kind=EntryKind.release, points=request.amount,
        held=-request.amount, idempotency_key=f"settle:exchange:{request.id}",
        exchange_request_id=request.id, params={"amount": request.amount}, created_at=now,
    )
    return request


def pending_exchanges(session: Session, resident_id: int) -> list[ExchangeRequest]:
    """The resident's requests still waiting for a quarter to close (oldest first)."""
    return list(session.scalars(
        select(ExchangeRequest)
        .where(ExchangeRequest.resident_id == resident_id, ExchangeRequest.status == ExchangeStatus.pending)
        .order_by(ExchangeRequest.created_at, ExchangeRequest.id)
    ))


def next_payout_date(now: datetime | None = None) -> date:
    """KST date by which a request made at ``now`` will be paid."""
    return load_policy().next_payout_date(now or utcnow())


def _pending_exists(session: Session, resident_id: int) -> bool:
    return session.scalar(
        select(func.count()).select_from(ExchangeRequest)
        .where(ExchangeRequest.resident_id == resident_id, ExchangeRequest.status == ExchangeStatus.pending)
    ) > 0


# --- staff corrections and expiry -----------------------------------------------------------
def reverse(session: Session, *, entry_id: int, reason: str, staff_id: int,
            now: datetime | None = None) -> PointEntry:
    """Undo one award with a new, opposite entry (never an edit).

    ``staff_id`` is the staff member's resident id. Codes: not_allowed,
    entry_not_found, not_reversible (not an award), already_reversed,
    reversal_exceeds_available (the points were already exchanged: cancel
    the pending exchange first).
    """
    now = now or utcnow()
    require_staff_resident(session, staff_id)
    original = session.get(PointEntry, entry_id)
    if original is None:
        raise DomainError("entry_not_found", entry_id=entry_id)
    if original.kind != EntryKind.award:
        raise DomainError("not_reversible", entry_id=entry_id)
    lock_resident(session, original.resident_id)
    key = f"reversal:entry:{original.id}"
    if _entry_by_key(session, key) is not None:
        raise DomainError("already_reversed", entry_id=entry_id)
    available = available_points(session, original.resident_id)
    if original.points > available:
        raise DomainError("reversal_exceeds_available", available=available, points=original.points)
    entry_id_new = insert_entry(
        session, resident_id=original.resident_id, kind=EntryKind.reversal, points=-original.points,
        activity=original.activity, idempotency_key=key, ref=original.ref, reverses_entry_id=original.id,
        staff_resident_id=staff_id, params={"reason": reason.strip()[:100]}, created_at=now,
    )
    entry = session.get(PointEntry, entry_id_new)
    assert entry is not None
    return entry


def expire(session: Session, now: datetime | None = None) -> int:
    """Expire points older than the policy's expiry_months, oldest first; returns residents affected.

    Off (returns 0) while ``expiry_months`` is null. FIFO: of the points awarded
    before the cut-off, what has not yet been spent (holds net of releases) or
    expired expires now. Idempotent per resident and cut-off day.
    """
    now = now or utcnow()
    months = load_policy().expiry_months
    if months is None:
        return 0
    cutoff = months_before(now, months)
    candidates = session.scalars(
        select(PointEntry.resident_id).where(PointEntry.kind == EntryKind.award, PointEntry.created_at < cutoff)
        .distinct().order_by(PointEntry.resident_id)
    ).all()
    affected = 0
    for resident_id in candidates:
        lock_resident(session, resident_id)
        old = _net_awarded(session, resident_id, None, cutoff)
        spent = -int(session.scalar(
            select(func.coalesce(func.sum(PointEntry.points), 0)).where(
                PointEntry.resident_id == resident_id,
                PointEntry.kind.in_([EntryKind.hold, EntryKind.release, EntryKind.expiry]),
            )
        ))
        amount = min(max(0, old - spent), available_points(session, resident_id))
        if amount <= 0:
            continue
        created = insert_entry(
            session, resident_id=resident_id, kind=EntryKind.expiry, points=-amount,
            idempotency_key=f"expiry:resident:{resident_id}:{to_kst(cutoff).date().isoformat()}",
            params={"months": months}, created_at=now,
        )
        affected += created is not None
    return affected


def require_staff_resident(session: Session, staff_resident_id: int) -> Resident:
    """The staff member by resident id; anyone else gets ``not_allowed``."""
    staff = session.get(Resident, staff_resident_id)
    if staff is None or not staff.is_staff:
        raise DomainError("not_allowed")
    return staff

