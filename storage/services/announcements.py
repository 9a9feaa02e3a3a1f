"""Announcements: compose, schedule, cancel, fan out to one outbox row per recipient.

Fan-out is idempotent: each recipient's row has the dedup key
``ann:<announcement>:r:<resident>`` (unique in the outbox) and is inserted with
ON CONFLICT DO NOTHING, batch by batch in resident-id order. A crash between
batches and a rerun create no duplicates; the cursor only saves work.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.errors import DomainError
from storage.models import (
    Announcement,
    AnnouncementStatus,
    AnnouncementTarget,
    OutboxMessage,
    OutboxStatus,
    Resident,
)
from storage.notify_rules import (
    ALL,
    BUTTON_TEXT_MAX_CHARS,
    FANOUT_BATCH,
    announcement_dedup_key,
    body_limit,
    dong_code,
    PushKind,
    parse_topic,
    resident_text,
)
from storage.services import push, subscriptions
from storage.services.outbox import notify_resident
from storage.timeutil import kst_datetime, utcnow

OPEN_STATUSES = (AnnouncementStatus.draft, AnnouncementStatus.scheduled)


@dataclass(frozen=True)
class FanoutStep:
    created: int
    done: bool


@dataclass(frozen=True)
class Progress:
    """Where an announcement's recipients stand (counts of outbox rows)."""

    total: int
    sent: int
    failed: int
    blocked: int
    unconfirmed: int
    cancelled: int
    waiting: int          # pending or being sent
    fanout_done: bool

    @property
    def finished(self) -> bool:
        return self.fanout_done and self.waiting == 0


def _target(kind: AnnouncementTarget | str, value: str | None) -> tuple[AnnouncementTarget, str | None]:
    try:
        kind = AnnouncementTarget(kind)
    except ValueError:
        raise DomainError("unknown_target", target=str(kind)) from None
    if kind == AnnouncementTarget.all:
        return kind, None
    if kind == AnnouncementTarget.topic:
        if value == ALL:
            return AnnouncementTarget.all, None
        try:
            return kind, parse_topic(value or "").value
        except ValueError:
            raise DomainError("unknown_topic", topic=value or "") from None
    try:
        return kind, dong_code(value or "")
    except ValueError:
        raise DomainError("unknown_dong", dong=value or "") from None


def check_content(text: str, has_photo: bool, button_text: str | None, button_url: str | None) -> None:
    """Refuse what Telegram could not deliver as one message with one link button."""
    if not text.strip():
        raise DomainError("announcement_empty")
    limit = body_limit(has_photo)
    if len(text) > limit:
        raise DomainError("announcement_too_long", limit=limit, length=len(text))
    if (button_text is None) != (button_url is None):
        raise DomainError("announcement_bad_button")
    if button_url is not None:
        if not button_url.startswith(("https://", "http://")) or len(button_url) > 512:
            raise DomainError("announcement_bad_button")
        if not button_text or not button_text.strip() or len(button_text) > BUTTON_TEXT_MAX_CHARS:
            raise DomainError("announcement_bad_button")


def outbox_content(announcement: Announcement) -> tuple[str, list | None]:
    """(text, buttons) exactly as each recipient's outbox row carries them (and the preview shows)."""
    buttons = ([[{"text": announcement.button_text, "url": announcement.button_url}]]
               if announcement.button_url else None)
    return resident_text(announcement.text, announcement.urgent), buttons


def create(
    session: Session,
    *,
    text: str,
    created_by_resident_id: int | None = None,
    photo_file_id: str | None = None,
    photo_path: str | None = None,
    button_text: str | None = None,
    button_url: str | None = None,
    target_kind: AnnouncementTarget | str = AnnouncementTarget.all,
    target_value: str | None = None,
    urgent: bool = False,
    now: datetime | None = None,
) -> Announcement:
    """A draft announcement; validated as residents would receive it."""
    now = now or utcnow()
    check_content(text, bool(photo_file_id or photo_path), button_text, button_url)
    kind, value = _target(target_kind, target_value)
    announcement = Announcement(
        text=text, photo_file_id=photo_file_id, photo_path=photo_path,
        button_text=button_text, button_url=button_url, target_kind=kind, target_value=value,
        urgent=False, status=AnnouncementStatus.draft, created_by_resident_id=created_by_resident_id,
        created_at=now, fanout_cursor=0, fanout_done=False, total_recipients=0,
    )
    session.add(announcement)
    if urgent:
        _mark_urgent(announcement, True, created_by_resident_id, now)
    session.flush()
    return announcement


def get(session: Session, announcement_id: int, *, lock: bool = False) -> Announcement:
    """The announcement, or ``announcement_not_found``."""
    stmt = select(Announcement).where(Announcement.id == announcement_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    announcement = session.scalar(stmt)
    if announcement is None:
        raise DomainError("announcement_not_found", announcement_id=announcement_id)
    return announcement


def _require_open(announcement: Announcement) -> None:
    if announcement.status == AnnouncementStatus.cancelled:
        raise DomainError("announcement_cancelled", announcement_id=announcement.id)
    if announcement.status not in OPEN_STATUSES:
        raise DomainError("announcement_already_sent", announcement_id=announcement.id)


def _mark_urgent(announcement: Announcement, urgent: bool, by_resident_id: int | None, now: datetime) -> None:
    announcement.urgent = urgent
    # The choice to skip quiet hours is recorded either way: who and when.
    announcement.urgent_by_resident_id = by_resident_id
    announcement.urgent_marked_at = now


def set_urgent(
    session: Session, announcement_id: int, urgent: bool, *,
    by_resident_id: int | None, now: datetime | None = None,
) -> Announcement:
    """Mark (or unmark) an urgent public notice that skips quiet hours; records who and when."""
    announcement = get(session, announcement_id, lock=True)
    _require_open(announcement)
    _mark_urgent(announcement, urgent, by_resident_id, now or utcnow())
    return announcement


def set_progress_message(
    session: Session, announcement_id: int, chat_id: int | None, message_id: int | None
) -> None:
    """Where the bot shows (and edits) this announcement's progress."""
    announcement = get(session, announcement_id)
    announcement.progress_chat_id = chat_id
    announcement.progress_message_id = message_id


def schedule(
    session: Session, announcement_id: int, when: datetime, *, now: datetime | None = None
) -> Announcement:
    """Send at ``when`` (the scheduler starts it); must be in the future."""
    now = now or utcnow()
    if when <= now:
        raise DomainError("schedule_in_past")
    announcement = get(session, announcement_id, lock=True)
    _require_open(announcement)
    announcement.status = AnnouncementStatus.scheduled
    announcement.scheduled_for = when
    return announcement


def cancel(
    session: Session, announcement_id: int, *, by_resident_id: int | None, now: datetime | None = None
) -> int:
    """Cancel a draft, a scheduled one, or the rest of one being sent; returns rows cancelled."""
    now = now or utcnow()
    announcement = get(session, announcement_id, lock=True)
    if announcement.status == AnnouncementStatus.cancelled:
        return 0
    if announcement.status == AnnouncementStatus.done:
        raise DomainError("announcement_already_sent", announcement_id=announcement_id)
    announcement.status = AnnouncementStatus.cancelled
    announcement.cancelled_at = now
    announcement.cancelled_by_resident_id = by_resident_id
    # Rows already claimed by the sender finish; the rest never go out.
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.announcement_id == announcement_id,
               OutboxMessage.status == OutboxStatus.pending)
        .values(status=OutboxStatus.cancelled)
    )
    return result.rowcount or 0


def start_sending(session: Session, announcement_id: int, *, now: datetime | None = None) -> bool:
    """draft/scheduled → sending; False if it already started (a rerun), raises if cancelled."""
    announcement = get(session, announcement_id, lock=True)
    if announcement.status == AnnouncementStatus.cancelled:
        raise DomainError("announcement_cancelled", announcement_id=announcement_id)
    if announcement.status not in OPEN_STATUSES:
        return False
    announcement.status = AnnouncementStatus.sending
    announcement.started_at = now or utcnow()
    return True


def fan_out_batch(
    session: Session, announcement_id: int, *, now: datetime | None = None, batch: int = FANOUT_BATCH
) -> FanoutStep:
    """Queue the next ``batch`` recipients (resident-id order); idempotent per recipient."""
    now = now or utcnow()
    announcement = get(session, announcement_id, lock=True)
    if announcement.status != AnnouncementStatus.sending or announcement.fanout_done:
        return FanoutStep(created=0, done=True)
    rows = session.execute(
        subscriptions.recipients(announcement.target_kind, announcement.target_value)
        .where(Resident.id > announcement.fanout_cursor)
        .order_by(Resident.id)
        .limit(batch)
    ).all()
    created = 0
    if rows:
        flags = push.row_flags(PushKind.urgent if announcement.urgent else PushKind.announcement, now)
        text, buttons = outbox_content(announcement)
        values = [
            dict(dedup_key=announcement_dedup_key(announcement.id, resident_id), chat_id=chat_id,
                 resident_id=resident_id, announcement_id=announcement.id, text=text,
                 buttons=buttons, photo_path=announcement.photo_path,
                 photo_file_id=announcement.photo_file_id, promotional=flags["promotional"],
                 status=OutboxStatus.pending, attempts=0, send_after=flags["send_after"], created_at=now)
            for resident_id, chat_id in rows
        ]
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        stmt = (insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedup_key"])
                .returning(OutboxMessage.id))
        created = len(session.execute(stmt, values).all())
        announcement.fanout_cursor = rows[-1][0]
    done = len(rows) < batch
    announcement.fanout_done = done
    announcement.total_recipients = session.scalar(
        select(func.count()).select_from(OutboxMessage)
        .where(OutboxMessage.announcement_id == announcement.id)
    ) or 0
    return FanoutStep(created=created, done=done)


def count_recipients(
    session: Session, target_kind: AnnouncementTarget | str, target_value: str | None = None
) -> int:
    """How many residents an announcement to this target would reach now."""
    kind, value = _target(target_kind, target_value)
    return session.scalar(
        select(func.count()).select_from(subscriptions.recipients(kind, value).subquery())
    ) or 0


def progress(session: Session, announcement_id: int) -> Progress:
    """Counts of the announcement's outbox rows by status."""
    announcement = get(session, announcement_id)
    counts = dict(session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.announcement_id == announcement_id)
        .group_by(OutboxMessage.status)
    ).all())
    c = {status: counts.get(status, 0) for status in OutboxStatus}
    return Progress(
        total=sum(c.values()), sent=c[OutboxStatus.sent], failed=c[OutboxStatus.failed],
        blocked=c[OutboxStatus.blocked], unconfirmed=c[OutboxStatus.unconfirmed],
        cancelled=c[OutboxStatus.cancelled],
        waiting=c[OutboxStatus.pending] + c[OutboxStatus.sending],
        fanout_done=announcement.fanout_done or announcement.status == AnnouncementStatus.cancelled,
    )


def complete_if_finished(session: Session, announcement_id: int, *, now: datetime | None = None) -> bool:
    """sending → done once every row reached a final status; True only on that transition."""
    announcement = get(session, announcement_id, lock=True)
    if announcement.status != AnnouncementStatus.sending or not progress(session, announcement_id).finished:
        return False
    announcement.status = AnnouncementStatus.done
    announcement.completed_at = now or utcnow()
    return True


def list_scheduled(session: Session) -> list[Announcement]:
    """Scheduled announcements, soonest first."""
    return list(session.scalars(
        select(Announcement).where(Announcement.status == AnnouncementStatus.scheduled)
        .order_by(Announcement.scheduled_for, Announcement.id)
    ))


def list_recent(session: Session, limit: int = 20) -> list[Announcement]:
    """The latest announcements of any status, newest first."""
    return list(session.scalars(select(Announcement).order_by(Announcement.id.desc()).limit(limit)))


def due_scheduled(session: Session, now: datetime | None = None) -> list[int]:
    """Ids of scheduled announcements whose time has come."""
    return list(session.scalars(
        select(Announcement.id).where(Announcement.status == AnnouncementStatus.scheduled,
                                      Announcement.scheduled_for <= (now or utcnow()))
        .order_by(Announcement.scheduled_for)
    ))


def in_progress(session: Session) -> list[Announcement]:
    """Announcements being sent (fan-out running or rows still queued)."""
    return list(session.scalars(
        select(Announcement).where(Announcement.status == AnnouncementStatus.sending)
        .order_by(Announcement.id)
    ))


def unfinished_fanouts(session: Session, *, started_before: datetime | None = None) -> list[int]:
    """Announcements whose fan-out a crash interrupted (started before ``started_before``, not done)."""
    stmt = select(Announcement.id).where(Announcement.status == AnnouncementStatus.sending,
                                         Announcement.fanout_done.is_(False))
    if started_before is not None:
        stmt = stmt.where(Announcement.started_at <= started_before)
    return list(session.scalars(stmt.order_by(Announcement.id)))


def mark_missed(session: Session, announcement_id: int, *, now: datetime | None = None) -> bool:
    """A scheduled announcement found too late: back to draft, its author told once; False if not scheduled."""
    announcement = get(session, announcement_id, lock=True)
    if announcement.status != AnnouncementStatus.scheduled or announcement.scheduled_for is None:
        return False
    when = announcement.scheduled_for
    announcement.status = AnnouncementStatus.draft
    author = session.get(Resident, announcement.created_by_resident_id) if announcement.created_by_resident_id else None
    if author is not None:
        notify_resident(session, author, f"ann_missed:{announcement.id}:{int(when.timestamp())}",
                        "announcement_missed", id=announcement.id, when=kst_datetime(when))
    return True


def resend_unconfirmed(session: Session, announcement_id: int, *, by_resident_id: int,
                       now: datetime | None = None) -> int:
    """Staff's one-button choice: send again to the recipients whose delivery is unconfirmed.

    Only ``unconfirmed`` rows go back to pending (never ``sent`` ones), and the
    announcement is ``sending`` again so its progress is reported; returns the count.
    A resident among them who did receive it gets it twice: staff are told so.
    """
    from storage.services import delivery

    announcement = get(session, announcement_id, lock=True)
    count = delivery.requeue_unconfirmed(session, announcement_id=announcement_id)
    if count and announcement.status == AnnouncementStatus.done:
        announcement.status = AnnouncementStatus.sending
        announcement.completed_at = None
    return count
