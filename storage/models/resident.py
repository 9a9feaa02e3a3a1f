"""Residents: the people the bot knows, with their consent and role."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Enum, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.timeutil import utcnow


class Role(str, enum.Enum):
    resident = "resident"
    staff = "staff"
    admin = "admin"


class Resident(Base):
    """A registered resident. A row exists only after privacy consent."""

    __tablename__ = "residents"
    __table_args__ = (Index("uq_residents_tombstone", "tombstone", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    consent_version: Mapped[str] = mapped_column(String(16))
    consented_at: Mapped[datetime]
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=16, validate_strings=True), default=Role.resident
    )
    # False once Telegram answered 403 (the resident blocked the bot).
    reachable: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # issue 8 (migration 0006): the resident's 동 as a storage.rules.DONGS code, for announcements to one 동.
    dong: Mapped[str | None] = mapped_column(String(16))
    # issue 13 (migration 0007_privacy): storage.tombstone of the Telegram id, and the
    # last day the resident used the bot (the retention purge counts from it).
    tombstone: Mapped[str | None] = mapped_column(String(64))
    last_active_at: Mapped[datetime | None]

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.staff, Role.admin)
