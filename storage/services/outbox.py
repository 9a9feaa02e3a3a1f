"""Enqueue notices for residents and hand due ones to the sender."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, OutboxStatus, Resident
from storage.timeutil import utcnow

MAX_ATTEMPTS = 5


def enqueue(
    session: Session,
    *,
    dedup_key: str,
    chat_id: int,
    template: str | None = None,
    params: dict | None = None,
    text: str | None = None,
    resident_id: int | None = None,
    buttons: list | None = None,
    photo_path: str | None = None,
    send_after: datetime | None = None,
) -> bool:
    """Queue one notice; returns False if a notice with this key already exists.

    Give ``template`` (a key of bot.texts.NOTICES) with ``params``, or staff's
    own ``text``.
    """
    if (template is None) == (text is None):
        raise ValueError("give exactly one of template or text")
    values = dict(
        dedup_key=dedup_key,
        chat_id=chat_id,
        template=template,
        params=params,
        text=text,
        resident_id=resident_id,
        buttons=buttons,
        photo_path=photo_path,
        status=OutboxStatus.pending,
        attempts=0,
        send_after=send_after or utcnow(),
        created_at=utcnow(),
    )
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(OutboxMessage.id)
    )
    return session.execute(stmt).scalar() is not None


def notify_resident(
    session: Session, resident: Resident, dedup_key: str, template: str, **params: object
) -> bool:
    """Queue bot.texts.NOTICES[template] formatted with params for one resident, once per key."""
    return enqueue(
        session, dedup_key=dedup_key, chat_id=resident.telegram_user_id,
        resident_id=resident.id, template=template, params=dict(params),
    )


def due(session: Session, limit: int = 100, now: datetime | None = None) -> list[OutboxMessage]:
    now = now or utcnow()
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.send_after <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt))


def mark_sent(session: Session, message_id: int, now: datetime | None = None) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=OutboxStatus.sent, sent_at=now or utcnow())
    )


def mark_blocked(session: Session, message_id: int) -> None:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return
    message.status = OutboxStatus.blocked
    if message.resident_id is not None:
        session.execute(
            update(Resident).where(Resident.id == message.resident_id).values(reachable=False)
        )


def mark_retry(session: Session, message_id: int, error: str, retry_at: datetime) -> None:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return
    message.attempts += 1
    message.last_error = error[:255]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.failed
    else:
        message.send_after = retry_at
