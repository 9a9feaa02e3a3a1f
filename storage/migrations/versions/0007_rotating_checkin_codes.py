"""events.rotate_minutes: optional rotating check-in codes (on-screen QR / spoken code)

Revision ID: 0007r
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = "0007r"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rotate_minutes", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            "rotate_minutes_range", "rotate_minutes IS NULL OR rotate_minutes BETWEEN 1 AND 60")


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_events_rotate_minutes_range"), type_="check")
        batch_op.drop_column("rotate_minutes")
