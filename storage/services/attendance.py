"""Attendance-check events (출석체크): staff open a period, residents check in once per KST day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import engagement_rules as er
from storage.errors import DomainError
from storage.models.attendance import AttendanceCheck, AttendanceEvent
from storage.services.engagement_common import (
    insert_ignore,
    lock_table,
    policy_points,
    require_resident,
    require_staff_id,
)
from storage.timeutil import utcnow

ATTENDANCE_CHECKIN = "attendance_checkin"


@dataclass(frozen=True)
class AttendanceResult:
    event_id: int
    event_title: str
    # The Korean calendar day this check belongs to.
    day: date
    # True when this call recorded today's check; False for a status query.
    created: bool
    checked_today: bool
    streak: int
    days_checked: int
    points_awarded: int
    max_days: int
    ends_on: date


def open_attendance(session: Session, *, title: str, starts_on: date, ends_on: date,
                    points_per_day: int | None = None, max_days: int | None = None,
                    staff_id: int | None, now: datetime | None = None) -> AttendanceEvent:
    """Open an event for KST days starts_on..ends_on (inclusive); periods may not overlap."""
    now = now or utcnow()
    require_staff_id(session, staff_id)
    title = (title or "").strip()
    if not title or len(title) > er.ATTENDANCE_TITLE_MAX:
        raise DomainError("title_required", max=er.ATTENDANCE_TITLE_MAX)
    if ends_on < starts_on:
        raise DomainError("invalid_period")
    length = (ends_on - starts_on).days + 1
    if length > er.ATTENDANCE_MAX_PERIOD_DAYS:
        raise DomainError("period_too_long", max_days=er.ATTENDANCE_MAX_PERIOD_DAYS)
    if ends_on < er.kst_day(now):
        raise DomainError("period_in_past")
    per_day = policy_points(ATTENDANCE_CHECKIN, points_per_day)
    cap = length if max_days is None else max_days
    if not 1 <= cap <= length:
        raise DomainError("invalid_max_days", max=length)
    # One event at a time, so "출석체크" never has to ask which one.
    lock_table(session, AttendanceEvent.__tablename__)
    overlap = session.scalar(select(AttendanceEvent.id).where(
        AttendanceEvent.starts_on <= ends_on, AttendanceEvent.ends_on >= starts_on))
    if overlap is not None:
        raise DomainError("attendance_overlap", event_id=overlap)
    event = AttendanceEvent(title=title, starts_on=starts_on, ends_on=ends_on, points_per_day=per_day,
                            max_days=cap, created_by=staff_id, created_at=now)
    session.add(event)
    session.flush()
    return event


def running_event(session: Session, now: datetime | None = None) -> AttendanceEvent | None:
    """The event whose period contains today's KST date."""
    today = er.kst_day(now or utcnow())
    return session.scalar(select(AttendanceEvent).where(
        AttendanceEvent.starts_on <= today, AttendanceEvent.ends_on >= today).order_by(AttendanceEvent.id))


def _days(session: Session, event_id: int, resident_id: int) -> set[date]:
    return set(session.scalars(select(AttendanceCheck.kst_day).where(
        AttendanceCheck.event_id == event_id, AttendanceCheck.resident_id == resident_id)))


def _result(event: AttendanceEvent, today: date, days: set[date], created: bool, points: int) -> AttendanceResult:
    return AttendanceResult(
        event_id=event.id, event_title=event.title, day=today, created=created,
        checked_today=today in days, streak=er.streak(days, today), days_checked=len(days),
        points_awarded=points, max_days=event.max_days, ends_on=event.ends_on,
    )


def check(session: Session, *, resident_id: int, now: datetime | None = None) -> AttendanceResult:
    """Check in for today (KST); a second check the same day → ``already_checked_today``."""
    now = now or utcnow()
    today = er.kst_day(now)
    event = running_event(session, now)
    if event is None:
        raise DomainError("attendance_not_running")
    require_resident(session, resident_id)
    before = _days(session, event.id, resident_id)
    points = er.checkin_points(event.points_per_day, event.max_days, len(before - {today}))
    if not insert_ignore(session, AttendanceCheck, dict(
            event_id=event.id, resident_id=resident_id, kst_day=today, checked_at=now,
            points_awarded=0), ["event_id", "resident_id", "kst_day"]):
        days = _days(session, event.id, resident_id)
        raise DomainError("already_checked_today", streak=er.streak(days, today), days_checked=len(days))
    awarded = 0
    if points > 0:
        from storage.services import points as ledger

        result = ledger.award(session, resident_id=resident_id, activity=ATTENDANCE_CHECKIN,
                              ref=f"attendance:{event.id}:{today.isoformat()}", now=now,
                              points=points, description=event.title)
        awarded = result.points
        row = session.scalar(select(AttendanceCheck).where(
            AttendanceCheck.event_id == event.id, AttendanceCheck.resident_id == resident_id,
            AttendanceCheck.kst_day == today))
        assert row is not None
        row.points_awarded = awarded
    return _result(event, today, before | {today}, True, awarded)


def status(session: Session, *, resident_id: int, now: datetime | None = None) -> AttendanceResult:
    """The resident's streak and days in the running event, without checking in."""
    now = now or utcnow()
    today = er.kst_day(now)
    event = running_event(session, now)
    if event is None:
        raise DomainError("attendance_not_running")
    return _result(event, today, _days(session, event.id, resident_id), False, 0)
