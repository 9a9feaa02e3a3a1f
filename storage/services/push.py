"""The one opt-in rule for every push to a resident (issue 13).

Every notice the bot sends on its own goes through :func:`push` (or, for staff's
announcements, through :func:`audience` and :func:`row_flags`): a promotional
push reaches only reachable residents who have the push's topic switched on,
never reaches anyone who chose "받지 않기", waits out quiet hours, and carries
the opt-out line (added when the row is rendered, see
``storage.notify_rules.with_opt_out``). Urgent public notices and service
messages about the resident's own doing skip the topic and the quiet hours.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, exists, select, update
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, Resident, Subscription
from storage.notify_rules import PushKind, Topic, is_promotional, next_allowed_send, push_topic
from storage.services.outbox import enqueue
from storage.timeutil import utcnow


def _wants(topic: Topic | None) -> object:
    """SQL: the resident has ``topic`` (or, with None, at least one topic) switched on."""
    subscribed = select(Subscription.id).where(Subscription.resident_id == Resident.id,
                                               Subscription.enabled.is_(True))
    if topic is not None:
        subscribed = subscribed.where(Subscription.topic == topic)
    return exists(subscribed)


def audience(kind: PushKind, topic: Topic | str | None = None) -> Select[tuple[Resident]]:
    """Residents a push of this kind may reach (reachable; opted in to its topic if promotional)."""
    stmt = select(Resident).where(Resident.reachable.is_(True))
    if is_promotional(kind):
        stmt = stmt.where(_wants(push_topic(kind, topic)))
    return stmt


def may_receive(session: Session, resident: Resident, kind: PushKind, topic: Topic | str | None = None) -> bool:
    """Whether this resident may get a push of this kind now (quiet hours aside)."""
    if not resident.reachable:
        return False
    if not is_promotional(kind):
        return True
    return session.scalar(select(_wants(push_topic(kind, topic))).select_from(Resident)
                          .where(Resident.id == resident.id)) or False


def row_flags(kind: PushKind, now: datetime, *, not_after: datetime | None = None) -> dict[str, object]:
    """Outbox columns the rule decides: ``promotional`` and ``send_after`` (quiet hours).

    ``not_after``: a reminder that would otherwise arrive after its deadline goes now.
    """
    promotional = is_promotional(kind)
    send_after = next_allowed_send(now, urgent=not promotional)
    if not_after is not None and send_after >= not_after:
        send_after = now
    return {"promotional": promotional, "send_after": send_after}


def push(
    session: Session,
    resident: Resident,
    kind: PushKind,
    *,
    dedup_key: str,
    template: str,
    params: dict | None = None,
    topic: Topic | str | None = None,
    photo_path: str | None = None,
    now: datetime | None = None,
    not_after: datetime | None = None,
) -> bool:
    """Queue one notice if the rule allows it; True if a row was queued."""
    now = now or utcnow()
    if not may_receive(session, resident, kind, topic):
        return False
    flags = row_flags(kind, now, not_after=not_after)
    created = enqueue(session, dedup_key=dedup_key, chat_id=resident.telegram_user_id, resident_id=resident.id,
                      template=template, params=params, photo_path=photo_path,
                      send_after=flags["send_after"])  # type: ignore[arg-type]
    if created and flags["promotional"]:
        session.execute(update(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key)
                        .values(promotional=True).execution_options(synchronize_session=False))
    return created
