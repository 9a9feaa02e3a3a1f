"""Attendance-check events (출석체크): one check per resident per KST day within the period."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.timeutil import utcnow


class AttendanceEvent(Base):
    __tablename__ = "attendance_events"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("points_per_day >= 0 AND max_days >= 1", name="points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    # Korean calendar days, both inclusive (e.g. 9. 4. – 9. 30.).
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    points_per_day: Mapped[int]
    # Days that earn points; checking in after the cap still counts for the streak.
    max_days: Mapped[int]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttendanceCheck(Base):
    __tablename__ = "attendance_checks"
    __table_args__ = (
        UniqueConstraint("event_id", "resident_id", "kst_day"),
        Index("ix_attendance_checks_resident", "resident_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("attendance_events.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    # The day in Asia/Seoul, so a new day starts at KST midnight (15:00 UTC).
    kst_day: Mapped[date]
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    points_awarded: Mapped[int] = mapped_column(default=0)
