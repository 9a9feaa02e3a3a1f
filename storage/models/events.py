"""Offline events (행사) whose posters carry a signed QR code, and their check-ins."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.timeutil import utcnow

# Column sizes double as the validation limits of create_event.
EVENT_NAME_MAX = 60
EVENT_PLACE_MAX = 80


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("code_version >= 1", name="code_version_positive"),
        CheckConstraint("rotate_minutes IS NULL OR rotate_minutes BETWEEN 1 AND 60",
                        name="rotate_minutes_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(EVENT_NAME_MAX))
    place: Mapped[str] = mapped_column(String(EVENT_PLACE_MAX))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # Resolved at creation (the policy default or staff's own number), so the
    # poster and the award always agree even if the policy changes later.
    points: Mapped[int]
    capacity: Mapped[int | None]
    # Part of the signed QR payload: bumping it makes every older poster invalid.
    code_version: Mapped[int] = mapped_column(default=1)
    code_rotated_at: Mapped[datetime | None]
    # Rotating mode: the on-screen QR / spoken code changes every this many minutes
    # (static posters are refused meanwhile); None = the printed poster (default).
    rotate_minutes: Mapped[int | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventCheckin(Base):
    """A resident's one visit to one event (the unique pair makes it once)."""

    __tablename__ = "event_checkins"
    __table_args__ = (UniqueConstraint("event_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
