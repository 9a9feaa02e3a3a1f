"""Contests (공모): staff open one, residents enter once, staff pick winners."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.timeutil import utcnow


class EntryForm(str, enum.Enum):
    text = "text"
    photo = "photo"
    both = "both"


class ContestStatus(str, enum.Enum):
    open = "open"
    judged = "judged"


class Contest(Base):
    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    rules: Mapped[str] = mapped_column(Text)
    deadline: Mapped[datetime]
    entry_form: Mapped[EntryForm] = mapped_column(Enum(EntryForm, native_enum=False, length=8))
    entry_points: Mapped[int] = mapped_column(default=0)
    win_points: Mapped[int] = mapped_column(default=0)
    status: Mapped[ContestStatus] = mapped_column(
        Enum(ContestStatus, native_enum=False, length=16), default=ContestStatus.open
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    judged_at: Mapped[datetime | None]


class ContestEntry(Base):
    """A resident's one entry; withdrawing deletes it (and the photo reference with it)."""

    __tablename__ = "contest_entries"
    __table_args__ = (UniqueConstraint("contest_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    text: Mapped[str | None] = mapped_column(Text)
    # Telegram file id of the photo; the bot fetches the file when staff look.
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    photo_size: Mapped[int | None]
    won: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
