"""points: ledger entries, exchange requests, payout batches, offline events and check-ins

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import storage.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = storage.models.base.UTCDateTime(timezone=True)
ENTRY_SHAPES = (
    "(kind = 'award' AND points >= 0 AND held = 0)"
    " OR (kind = 'hold' AND points < 0 AND held = -points)"
    " OR (kind = 'release' AND points > 0 AND held = -points)"
    " OR (kind = 'payout' AND points = 0 AND held < 0)"
    " OR (kind = 'reversal' AND points <= 0 AND held = 0)"
    " OR (kind = 'expiry' AND points < 0 AND held = 0)"
)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=16)


def _resident_fk(table: str, column: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["residents.id"], ondelete=ondelete,
                                   name=op.f(f"fk_{table}_{column}_residents"))


def upgrade() -> None:
    op.create_table(
        "payout_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=8), nullable=False),
        sa.Column("status", _enum("batchstatus", "closed", "paid"), nullable=False),
        sa.Column("cutoff_at", UTC, nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", UTC, nullable=False),
        sa.Column("paid_by", sa.Integer(), nullable=True),
        sa.Column("paid_at", UTC, nullable=True),
        sa.CheckConstraint("(status = 'paid') = (paid_at IS NOT NULL)",
                           name=op.f("ck_payout_batches_paid_has_time")),
        _resident_fk("payout_batches", "closed_by", "SET NULL"),
        _resident_fk("payout_batches", "paid_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_batches")),
        sa.UniqueConstraint("quarter", name=op.f("uq_payout_batches_quarter")),
    )
    op.create_table(
        "exchange_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("status", _enum("exchangestatus", "pending", "cancelled", "batched", "paid"), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("cancelled_at", UTC, nullable=True),
        sa.Column("paid_at", UTC, nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_exchange_requests_amount_positive")),
        sa.ForeignKeyConstraint(["batch_id"], ["payout_batches.id"],
                                name=op.f("fk_exchange_requests_batch_id_payout_batches")),
        _resident_fk("exchange_requests", "resident_id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_requests")),
    )
    op.create_index(op.f("ix_exchange_requests_resident_id"), "exchange_requests", ["resident_id"])
    op.create_index(op.f("ix_exchange_requests_batch_id"), "exchange_requests", ["batch_id"])
    op.create_index("ix_exchange_requests_status_created", "exchange_requests", ["status", "created_at"])
    op.create_index(
        "uq_exchange_requests_one_pending", "exchange_requests", ["resident_id"], unique=True,
        sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "point_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("entrykind", "award", "hold", "release", "payout", "reversal", "expiry"),
                  nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=32), nullable=True),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("params", sa.JSON(), nullable=True),
        sa.Column("exchange_request_id", sa.Integer(), nullable=True),
        sa.Column("reverses_entry_id", sa.Integer(), nullable=True),
        sa.Column("staff_resident_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint(ENTRY_SHAPES, name=op.f("ck_point_entries_shape")),
        sa.ForeignKeyConstraint(["exchange_request_id"], ["exchange_requests.id"], ondelete="CASCADE",
                                name=op.f("fk_point_entries_exchange_request_id_exchange_requests")),
        sa.ForeignKeyConstraint(["reverses_entry_id"], ["point_entries.id"], ondelete="CASCADE",
                                name=op.f("fk_point_entries_reverses_entry_id_point_entries")),
        _resident_fk("point_entries", "resident_id", "CASCADE"),
        _resident_fk("point_entries", "staff_resident_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_entries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_point_entries_idempotency_key")),
        sa.UniqueConstraint("reverses_entry_id", name=op.f("uq_point_entries_reverses_entry_id")),
    )
    op.create_index(op.f("ix_point_entries_exchange_request_id"), "point_entries", ["exchange_request_id"])
    op.create_index("ix_point_entries_resident_created", "point_entries", ["resident_id", "created_at"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("place", sa.String(length=80), nullable=False),
        sa.Column("starts_at", UTC, nullable=False),
        sa.Column("ends_at", UTC, nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("code_version", sa.Integer(), nullable=False),
        sa.Column("code_rotated_at", UTC, nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_events_ends_after_start")),
        sa.CheckConstraint("points >= 0", name=op.f("ck_events_points_not_negative")),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name=op.f("ck_events_capacity_positive")),
        sa.CheckConstraint("code_version >= 1", name=op.f("ck_events_code_version_positive")),
        _resident_fk("events", "created_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_table(
        "event_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], ondelete="CASCADE",
                                name=op.f("fk_event_checkins_event_id_events")),
        _resident_fk("event_checkins", "resident_id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_checkins")),
        sa.UniqueConstraint("event_id", "resident_id", name=op.f("uq_event_checkins_event_id_resident_id")),
    )
    op.create_index(op.f("ix_event_checkins_resident_id"), "event_checkins", ["resident_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_event_checkins_resident_id"), table_name="event_checkins")
    op.drop_table("event_checkins")
    op.drop_table("events")
    op.drop_index("ix_point_entries_resident_created", table_name="point_entries")
    op.drop_index(op.f("ix_point_entries_exchange_request_id"), table_name="point_entries")
    op.drop_table("point_entries")
    op.drop_index("uq_exchange_requests_one_pending", table_name="exchange_requests")
    op.drop_index("ix_exchange_requests_status_created", table_name="exchange_requests")
    op.drop_index(op.f("ix_exchange_requests_batch_id"), table_name="exchange_requests")
    op.drop_index(op.f("ix_exchange_requests_resident_id"), table_name="exchange_requests")
    op.drop_table("exchange_requests")
    op.drop_table("payout_batches")
