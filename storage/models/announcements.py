"""Announcements staff push to subscribers, and residents' topic subscriptions."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Enum, Float, ForeignKey, Index, LargeBinary, String, Text, Unicode, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.notify_rules import Topic
from storage.timeutil import utcnow


class AnnouncementStatus(str, enum.Enum):
    draft = "draft"            # composed, not yet sent or scheduled
    scheduled = "scheduled"    # waits for scheduled_for (the scheduler starts it)
    sending = "sending"        # fanned out (or fanning out); the outbox delivers
    done = "done"              # every recipient's row reached a final status
    cancelled = "cancelled"


class AnnouncementTarget(str, enum.Enum):
    all = "all"        # everyone subscribed to at least one topic
    topic = "topic"    # subscribers of target_value (a Topic)
    dong = "dong"      # subscribers living in target_value (a storage.rules.DONGS code)


class Announcement(Base):
    """One message staff wrote for many residents; its recipients are outbox rows."""

    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_status_scheduled_for", "status", "scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # A Telegram file id (photo sent in the staff chat) or a file under MEDIA_DIR (CLI).
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    photo_path: Mapped[str | None] = mapped_column(String(255))
    button_text: Mapped[str | None] = mapped_column(String(64))
    button_url: Mapped[str | None] = mapped_column(String(512))
    target_kind: Mapped[AnnouncementTarget] = mapped_column(
        Enum(AnnouncementTarget, native_enum=False, length=16), default=AnnouncementTarget.all
    )
    target_value: Mapped[str | None] = mapped_column(String(32))
    # Urgent public notices (safety, disaster) skip quiet hours; who chose it and when is kept.
    urgent: Mapped[bool] = mapped_column(default=False)
    urgent_by_resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"))
    urgent_marked_at: Mapped[datetime | None]
    status: Mapped[AnnouncementStatus] = mapped_column(
        Enum(AnnouncementStatus, native_enum=False, length=16), default=AnnouncementStatus.draft
    )
    scheduled_for: Mapped[datetime | None]
    created_by_resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancelled_by_resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"))
    # Fan-out walks residents by id in batches; the cursor only saves work on a
    # rerun, the outbox's unique dedup key is what prevents duplicates.
    fanout_cursor: Mapped[int] = mapped_column(default=0)
    fanout_done: Mapped[bool] = mapped_column(default=False)
    total_recipients: Mapped[int] = mapped_column(default=0)
    # Where the bot edits the progress message in place (the composing staff's chat).
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None]


class Subscription(Base):
    """A resident's choice for one topic; no row means not subscribed (opt-in)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("resident_id", "topic"),
        Index("ix_subscriptions_topic_enabled", "topic", "enabled"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    topic: Mapped[Topic] = mapped_column(Enum(Topic, native_enum=False, length=16))
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SchedulerJob(Base):
    """APScheduler's SQLAlchemyJobStore table (bot/scheduler.py writes it, never the app).

    Declared here so the schema is complete for Alembic and the tests; the
    columns are exactly APScheduler 3.11's.
    """

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
