"""Offline events: staff create them (with a signed QR poster), residents check in by scanning."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage import qr
from storage.errors import DomainError
from storage.models import Event, EventCheckin, PointEntry, Resident
from storage.models.events import EVENT_NAME_MAX, EVENT_PLACE_MAX
from storage.point_policy import load_policy
from storage.services.points import available_points, award, award_key, require_staff_resident
from storage.settings import StorageSettings
from storage.timeutil import kst_datetime, utcnow

ACTIVITY = "offline_checkin"


@dataclass(frozen=True)
class CheckInResult:
    event_id: int
    event_name: str
    points: int
    created: bool
    balance_available: int
    capped: bool = False


def create_event(
    session: Session,
    *,
    staff_resident_id: int,
    name: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    points: int | None = None,
    capacity: int | None = None,
    now: datetime | None = None,
) -> Event:
    """A new event (flushed, so it has an id). ``points=None`` takes the policy's default.

    Codes: not_allowed, invalid_event_name, invalid_event_place,
    invalid_event_time (end not after start), event_in_past (already over),
    invalid_event_points, invalid_event_capacity.
    """
    now = now or utcnow()
    require_staff_resident(session, staff_resident_id)
    name, place = " ".join((name or "").split()), " ".join((place or "").split())
    if not 0 < len(name) <= EVENT_NAME_MAX:
        raise DomainError("invalid_event_name", max=EVENT_NAME_MAX)
    if not 0 < len(place) <= EVENT_PLACE_MAX:
        raise DomainError("invalid_event_place", max=EVENT_PLACE_MAX)
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("event times must be aware datetimes")
    if ends_at <= starts_at:
        raise DomainError("invalid_event_time", starts_at=kst_datetime(starts_at), ends_at=kst_datetime(ends_at))
    if ends_at <= now:
        raise DomainError("event_in_past", ends_at=kst_datetime(ends_at))
    rule = load_policy().activity(ACTIVITY)
    points = rule.points if points is None else points
    if not 0 <= points <= rule.max_points:
        raise DomainError("invalid_event_points", max=rule.max_points, points=points)
    if capacity is not None and capacity < 1:
        raise DomainError("invalid_event_capacity", capacity=capacity)
    event = Event(name=name, place=place, starts_at=starts_at, ends_at=ends_at, points=points,
                  capacity=capacity, code_version=1, created_by=staff_resident_id, created_at=now)
    session.add(event)
    session.flush()
    return event


def get_event(session: Session, event_id: int) -> Event:
    """The event, or ``event_not_found``."""
    event = session.get(Event, event_id)
    if event is None:
        raise DomainError("event_not_found", event_id=event_id)
    return event


def list_events(session: Session, now: datetime | None = None) -> list[Event]:
    """All events by start time; with ``now``, only those whose check-in has not closed yet."""
    stmt = select(Event).order_by(Event.starts_at, Event.id)
    if now is not None:
        stmt = stmt.where(Event.ends_at > now - load_policy().checkin_closes_after)
    return list(session.scalars(stmt))


def checkin_count(session: Session, event_id: int) -> int:
    return int(session.scalar(
        select(func.count()).select_from(EventCheckin).where(EventCheckin.event_id == event_id)
    ))


def rotate_code(session: Session, *, event_id: int, staff_resident_id: int,
                now: datetime | None = None) -> Event:
    """Issue a new QR code for the event; every earlier poster stops working."""
    require_staff_resident(session, staff_resident_id)
    event = _lock_event(session, event_id)
    if event is None:
        raise DomainError("event_not_found", event_id=event_id)
    if event.code_version >= qr.CODE_VERSION_MAX:
        # Two billion rotations: never in practice, but never an overflow either
        # (no domain.yml wording: staff see the generic internal-error sentence).
        raise DomainError("qr_rotation_exhausted", event_id=event_id)
    event.code_version += 1
    event.code_rotated_at = now or utcnow()
    session.flush()
    return event


def parse_payload(payload: str, secret: str | None = None) -> tuple[int, int]:
    """(event_id, code_version) of a genuine poster payload (current or old key), else ``qr_invalid``."""
    if secret:
        return qr.parse_payload(payload, secret)
    settings = StorageSettings.from_env()
    return qr.parse_payload(payload, settings.qr_secret, settings.qr_old_secrets)


def deep_link(event: Event, bot_username: str | None = None, secret: str | None = None) -> str:
    """https://t.me/<bot>?start=<signed payload> for the event's current code."""
    if bot_username is None or secret is None:
        settings = StorageSettings.from_env()
        bot_username, secret = bot_username or settings.bot_username, secret or settings.qr_secret
    return qr.deep_link(event, bot_username, secret)


def check_in(
    session: Session,
    *,
    resident_id: int,
    payload: str,
    now: datetime | None = None,
    secret: str | None = None,
) -> CheckInResult:
    """Credit a scanned poster once per (event, resident).

    A repeat scan returns ``created=False`` with the points credited the first
    time (the caller says "이미 적립되었어요"), even after the event closed.
    Codes: qr_invalid (forged, damaged, rotated or deleted event), not_registered,
    event_not_open (params starts_at, opens_at), event_closed, event_full.
    The event row is locked first, so capacity holds under concurrency.
    """
    now = now or utcnow()
    event_id, version = parse_payload(payload, secret)
    event = _lock_event(session, event_id)
    if event is None or event.code_version != version:
        raise DomainError("qr_invalid")
    if session.get(Resident, resident_id) is None:
        raise DomainError("not_registered")
    if _checked_in(session, event.id, resident_id):
        return _repeat(session, event, resident_id)
    policy = load_policy()
    opens_at = event.starts_at - policy.checkin_opens_before
    if now < opens_at:
        raise DomainError("event_not_open", event_name=event.name,
                          starts_at=kst_datetime(event.starts_at), opens_at=kst_datetime(opens_at))
    if now > event.ends_at + policy.checkin_closes_after:
        raise DomainError("event_closed", event_name=event.name)
    if event.capacity is not None and checkin_count(session, event.id) >= event.capacity:
        raise DomainError("event_full", event_name=event.name, capacity=event.capacity)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    row_id = session.execute(
        insert(EventCheckin).values(event_id=event.id, resident_id=resident_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["event_id", "resident_id"])
        .returning(EventCheckin.id)
    ).scalar()
    if row_id is None:
        return _repeat(session, event, resident_id)
    result = award(session, resident_id=resident_id, activity=ACTIVITY, ref=str(event.id),
                   points=event.points, description=event.name, now=now)
    return CheckInResult(event_id=event.id, event_name=event.name, points=result.points,
                         created=True, balance_available=available_points(session, resident_id),
                         capped=result.capped)


def _lock_event(session: Session, event_id: int) -> Event | None:
    stmt = select(Event).where(Event.id == event_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalars(stmt.execution_options(populate_existing=True)).first()


def _checked_in(session: Session, event_id: int, resident_id: int) -> bool:
    return session.scalar(
        select(EventCheckin.id).where(EventCheckin.event_id == event_id, EventCheckin.resident_id == resident_id)
    ) is not None


def _repeat(session: Session, event: Event, resident_id: int) -> CheckInResult:
    entry = session.scalar(
        select(PointEntry).where(PointEntry.idempotency_key == award_key(ACTIVITY, str(event.id), resident_id))
    )
    return CheckInResult(
        event_id=event.id, event_name=event.name, points=entry.points if entry else 0, created=False,
        balance_available=available_points(session, resident_id),
        capped=bool(entry and "requested" in (entry.params or {})),
    )
