"""The points ledger: append-only entries, exchange requests and quarterly payout batches.

Balances are never stored. Each entry carries two signed deltas, so that
``available = Σ points`` and ``held = Σ held`` over a resident's entries:

    award     points = +p (≥ 0, 0 when a cap left no room)   held = 0
    hold      points = −a                                    held = +a
    release   points = +a                                    held = −a
    payout    points = 0                                     held = −a
    reversal  points = −p (undoes one award)                 held = 0
    expiry    points = −x                                    held = 0

The check constraint below pins those shapes; the unique idempotency key makes
every entry exactly-once (a hold's release and payout share the key
``settle:exchange:<id>``, so a hold is settled once, one way or the other).
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.timeutil import utcnow


class EntryKind(str, enum.Enum):
    award = "award"
    hold = "hold"
    release = "release"
    payout = "payout"
    reversal = "reversal"
    expiry = "expiry"


class ExchangeStatus(str, enum.Enum):
    pending = "pending"
    cancelled = "cancelled"
    batched = "batched"
    paid = "paid"


class BatchStatus(str, enum.Enum):
    closed = "closed"
    paid = "paid"


ENTRY_SHAPES = (
    "(kind = 'award' AND points >= 0 AND held = 0)"
    " OR (kind = 'hold' AND points < 0 AND held = -points)"
    " OR (kind = 'release' AND points > 0 AND held = -points)"
    " OR (kind = 'payout' AND points = 0 AND held < 0)"
    " OR (kind = 'reversal' AND points <= 0 AND held = 0)"
    " OR (kind = 'expiry' AND points < 0 AND held = 0)"
)


class PayoutBatch(Base):
    """One quarter's exchange requests, paid together by the accounting team."""

    __tablename__ = "payout_batches"
    __table_args__ = (
        CheckConstraint("(status = 'paid') = (paid_at IS NOT NULL)", name="paid_has_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(8), unique=True)  # "2026-Q3"
    status: Mapped[BatchStatus] = mapped_column(
        Enum(BatchStatus, native_enum=False, length=16), default=BatchStatus.closed
    )
    cutoff_at: Mapped[datetime]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    paid_at: Mapped[datetime | None]


class ExchangeRequest(Base):
    """A resident's request to turn points into gift certificates; its points are held."""

    __tablename__ = "exchange_requests"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # One pending request per resident, backed by the database.
        Index(
            "uq_exchange_requests_one_pending", "resident_id", unique=True,
            sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_exchange_requests_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int]
    status: Mapped[ExchangeStatus] = mapped_column(
        Enum(ExchangeStatus, native_enum=False, length=16), default=ExchangeStatus.pending
    )
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    # issue 13: after 탈퇴 a paid request passes to the "탈퇴한 주민" row and keeps only
    # the tombstone of the Telegram id (an accounting record without a name).
    pseudonym: Mapped[str | None] = mapped_column(String(64))


class PointEntry(Base):
    """One append-only ledger line; never updated, never deleted (except with the resident)."""

    __tablename__ = "point_entries"
    __table_args__ = (
        CheckConstraint(ENTRY_SHAPES, name="shape"),
        Index("ix_point_entries_resident_created", "resident_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    kind: Mapped[EntryKind] = mapped_column(Enum(EntryKind, native_enum=False, length=16))
    points: Mapped[int]
    held: Mapped[int] = mapped_column(default=0)
    activity: Mapped[str | None] = mapped_column(String(32))
    # award: "<activity>:<ref>:resident:<id>", hold: "hold:exchange:<id>",
    # release/payout: "settle:exchange:<id>", reversal: "reversal:entry:<id>",
    # expiry: "expiry:resident:<id>:<cut-off date>".
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    ref: Mapped[str | None] = mapped_column(String(64))
    # Parameters of the Korean history line (subject, requested, amount, quarter, reason…).
    params: Mapped[dict | None] = mapped_column(JSON)
    exchange_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("exchange_requests.id", ondelete="CASCADE"), index=True
    )
    reverses_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("point_entries.id", ondelete="CASCADE"), unique=True
    )
    staff_resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
