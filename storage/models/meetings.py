"""Video meetings (영상회의), residents' registrations and attendance (issue 16)."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage import meeting_rules as rules
from storage.models.base import Base
from storage.timeutil import utcnow


class MeetingStatus(str, enum.Enum):
    scheduled = "scheduled"
    cancelled = "cancelled"


class RegistrationStatus(str, enum.Enum):
    registered = "registered"
    waiting = "waiting"
    cancelled = "cancelled"


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("registration_deadline <= starts_at", name="deadline_before_start"),
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("schedule_version >= 1", name="schedule_version_positive"),
        Index("ix_meetings_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(rules.TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(rules.CATEGORY_MAX))
    department: Mapped[str] = mapped_column(String(rules.DEPARTMENT_MAX))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    url: Mapped[str] = mapped_column(String(rules.URL_MAX))
    capacity: Mapped[int | None]
    registration_deadline: Mapped[datetime]
    # Resolved at creation (policy default or staff's number), like events.
    points: Mapped[int]
    dong: Mapped[str | None] = mapped_column(String(16))
    # The attendance code read out by the host; unique so a typed code names one meeting.
    code: Mapped[str] = mapped_column(String(rules.CODE_LENGTH), unique=True)
    code_rotated_at: Mapped[datetime | None]
    status: Mapped[MeetingStatus] = mapped_column(
        Enum(MeetingStatus, native_enum=False, length=16), default=MeetingStatus.scheduled)
    # Bumped by every move: reminders and "moved" notices are keyed by it.
    schedule_version: Mapped[int] = mapped_column(default=1)
    cancelled_at: Mapped[datetime | None]
    recording_url: Mapped[str | None] = mapped_column(String(rules.URL_MAX))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    after_sent_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingRegistration(Base):
    """One resident's place (or waiting-list position) in one meeting; one row per pair."""

    __tablename__ = "meeting_registrations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "resident_id"),
        CheckConstraint("(status = 'waiting') = (position IS NOT NULL)", name="waiting_has_position"),
        Index("ix_meeting_registrations_meeting_status", "meeting_id", "status", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(Enum(RegistrationStatus, native_enum=False, length=16))
    # Waiting-list order (only while waiting); positions only grow within a meeting.
    position: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]


class MeetingAttendance(Base):
    """A resident attended (entered the code in the window): once per pair; the points are in the ledger."""

    __tablename__ = "meeting_attendances"
    __table_args__ = (UniqueConstraint("meeting_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    points: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
