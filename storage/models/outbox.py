"""Outbox: messages the product owes residents, delivered by the bot process.

Actions and staff commands run in other processes than the sender; they write
here inside their own transaction, so a notice exists exactly when the change
that caused it was committed. ``dedup_key`` makes each notice exactly-once.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.timeutil import utcnow


class OutboxStatus(str, enum.Enum):
    pending = "pending"
    sent = "sent"
    failed = "failed"
    blocked = "blocked"
    # issue 8 (migration 0006): claimed by the sender, committed before the HTTP call
    sending = "sending"
    # an announcement cancelled before this row went out
    cancelled = "cancelled"
    # found in ``sending`` after a hard crash (or a timeout): it may or may not
    # have reached the resident, so it is never resent automatically
    unconfirmed = "unconfirmed"


class OutboxMessage(Base):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(160), unique=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # What to say: a template key of bot.texts.NOTICES and its parameters, so
    # Korean wording stays in the bot's texts module; ``text`` is for staff's
    # own free text (announcements).
    template: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[dict | None] = mapped_column(JSON)
    text: Mapped[str | None] = mapped_column(Text)
    # Inline buttons as [[{"text":..., "callback_data"|"url":...}], ...]
    buttons: Mapped[list | None] = mapped_column(JSON)
    photo_path: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, native_enum=False, length=16), default=OutboxStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(255))
    send_after: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # issue 8 (migration 0006)
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True)
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    # Advertising-like messages wait out quiet hours even if already due.
    promotional: Mapped[bool] = mapped_column(default=False, server_default=false())
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(40))
