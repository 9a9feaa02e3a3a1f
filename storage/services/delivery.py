"""The sender's side of the outbox: claim rows, record outcomes, recover after a crash.

Life of a row: pending → sending (claimed, committed before the HTTP call) →
sent | blocked | failed | pending again (retry, or 429 released) | unconfirmed.

Exactly once: a row is claimed in a committed transaction before its HTTP call
and only a ``pending`` row can be claimed, so no two sends of one row can
start. A row still in ``sending`` when the sender holds the sender lock again
belongs to a sender that died between the claim and the outcome: the message
may or may not have reached Telegram, and Telegram offers no way to ask. Such
rows become ``unconfirmed`` and are never resent automatically (a resident
never gets an announcement twice); staff see the count and may requeue them.
"""
from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, OutboxStatus
from storage.notify_rules import gives_up, is_quiet_hours, retry_delay
from storage.services import subscriptions
from storage.timeutil import utcnow

# How many candidates to read per row wanted: rows for a chat already in the
# batch (or sent to within the last second) are skipped, not claimed.
_CANDIDATES_PER_ROW = 3


@dataclass(frozen=True)
class Claimed:
    """A claimed row, detached from the session so the async sender can use it."""

    id: int
    chat_id: int
    resident_id: int | None
    announcement_id: int | None
    template: str | None
    params: dict | None
    text: str | None
    buttons: list | None
    photo_path: str | None
    photo_file_id: str | None
    attempts: int
    # The one opt-in rule marked it promotional: rendered with the opt-out line.
    promotional: bool = False


class Outcome(str, enum.Enum):
    sent = "sent"
    blocked = "blocked"            # 403: the resident blocked the bot
    retry = "retry"                # transient error: again after backoff, or failed
    failed = "failed"              # will not succeed (bad request, cannot render)
    released = "released"          # never sent (429, shutdown): back to pending, no attempt used
    unconfirmed = "unconfirmed"    # may have been sent (timeout): not resent automatically


@dataclass(frozen=True)
class Result:
    message_id: int
    outcome: Outcome
    resident_id: int | None = None
    error: str | None = None
    retry_at: datetime | None = None


def claim(
    session: Session,
    *,
    limit: int,
    claimed_by: str,
    now: datetime | None = None,
    exclude_chats: Collection[int] = (),
) -> list[Claimed]:
    """Claim up to ``limit`` due rows, at most one per chat, skipping ``exclude_chats``.

    Promotional rows stay queued during quiet hours even when already due.
    """
    now = now or utcnow()
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.send_after <= now)
        .order_by(OutboxMessage.id)
        .limit(limit * _CANDIDATES_PER_ROW)
    )
    if is_quiet_hours(now):
        stmt = stmt.where(OutboxMessage.promotional.is_(False))
    if exclude_chats:
        stmt = stmt.where(OutboxMessage.chat_id.not_in(list(exclude_chats)))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    chosen: list[OutboxMessage] = []
    chats: set[int] = set()
    for row in session.scalars(stmt):
        if row.chat_id in chats:
            continue
        chats.add(row.chat_id)
        chosen.append(row)
        if len(chosen) == limit:
            break
    if not chosen:
        return []
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([r.id for r in chosen]),
               OutboxMessage.status == OutboxStatus.pending)
        .values(status=OutboxStatus.sending, claimed_at=now, claimed_by=claimed_by)
        .execution_options(synchronize_session=False)
    )
    return [
        Claimed(id=r.id, chat_id=r.chat_id, resident_id=r.resident_id,
                announcement_id=r.announcement_id, template=r.template, params=r.params,
                text=r.text, buttons=r.buttons, photo_path=r.photo_path,
                photo_file_id=r.photo_file_id, attempts=r.attempts, promotional=r.promotional)
        for r in chosen
    ]


def record(
    session: Session, results: Iterable[Result], *, claimed_by: str, now: datetime | None = None
) -> None:
    """Write the outcomes of claimed rows (only rows this sender still holds change)."""
    now = now or utcnow()
    results = list(results)
    mine = (OutboxMessage.status == OutboxStatus.sending, OutboxMessage.claimed_by == claimed_by)
    sent = [r.message_id for r in results if r.outcome == Outcome.sent]
    if sent:
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(sent), *mine)
            .values(status=OutboxStatus.sent, sent_at=now)
            .execution_options(synchronize_session=False)
        )
    for r in results:
        if r.outcome == Outcome.sent:
            continue
        values: dict = {"last_error": (r.error or r.outcome.value)[:255]}
        if r.outcome == Outcome.blocked:
            values["status"] = OutboxStatus.blocked
            if r.resident_id is not None:
                subscriptions.mark_unreachable(session, r.resident_id, now=now)
        elif r.outcome == Outcome.failed:
            values.update(status=OutboxStatus.failed, attempts=OutboxMessage.attempts + 1)
        elif r.outcome == Outcome.unconfirmed:
            values["status"] = OutboxStatus.unconfirmed
        elif r.outcome == Outcome.released:
            values.update(status=OutboxStatus.pending, send_after=r.retry_at or now)
        else:  # retry
            attempts = session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == r.message_id))
            attempts = (attempts or 0) + 1
            values["attempts"] = attempts
            if gives_up(attempts):
                values["status"] = OutboxStatus.failed
            else:
                values.update(status=OutboxStatus.pending, send_after=now + retry_delay(attempts))
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == r.message_id, *mine).values(**values)
            .execution_options(synchronize_session=False)
        )


def sending_holders(session: Session) -> list[str | None]:
    """The distinct ``claimed_by`` of rows in ``sending`` (who may still be sending them)."""
    return list(session.scalars(
        select(OutboxMessage.claimed_by).where(OutboxMessage.status == OutboxStatus.sending).distinct()
    ))


def recover_orphans(session: Session, *, holders: Collection[str | None] | None = None,
                    now: datetime | None = None) -> int:
    """Rows left in ``sending`` by dead senders → unconfirmed.

    ``holders`` names the dead ones (the caller checked that they are gone); rows
    claimed by anyone else — a live sender — are never touched. ``None`` means every
    holder (only for a caller that knows no other sender can exist).
    """
    stmt = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.sending)
    if holders is not None:
        named = [h for h in holders if h is not None]
        if not named and None not in holders:
            return 0
        condition = OutboxMessage.claimed_by.in_(named)
        if None in holders:
            condition = condition | OutboxMessage.claimed_by.is_(None)
        stmt = stmt.where(condition)
    result = session.execute(
        stmt.values(status=OutboxStatus.unconfirmed, last_error="sender stopped between claim and outcome")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def requeue_unconfirmed(session: Session, *, announcement_id: int | None = None) -> int:
    """Staff's explicit choice to send unconfirmed rows again (a resident may get it twice)."""
    stmt = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.unconfirmed)
    if announcement_id is not None:
        stmt = stmt.where(OutboxMessage.announcement_id == announcement_id)
    result = session.execute(stmt.values(status=OutboxStatus.pending, last_error=None)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def has_due(session: Session, *, now: datetime | None = None) -> bool:
    """Whether a claimable row exists now (quiet hours considered)."""
    now = now or utcnow()
    stmt = select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.pending, OutboxMessage.send_after <= now)
    if is_quiet_hours(now):
        stmt = stmt.where(OutboxMessage.promotional.is_(False))
    return session.scalar(stmt.limit(1)) is not None


def count_by_status(session: Session, *, announcement_id: int | None = None) -> dict[OutboxStatus, int]:
    """Outbox rows per status (all, or one announcement's)."""
    stmt = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if announcement_id is not None:
        stmt = stmt.where(OutboxMessage.announcement_id == announcement_id)
    counts = dict(session.execute(stmt).all())
    return {status: counts.get(status, 0) for status in OutboxStatus}
