"""proposals: proposals, endorsements, answers, staff audit

Revision ID: 0003
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import storage.models.base

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = storage.models.base.UTCDateTime(timezone=True)
STATUSES = ("open", "under_review", "answered", "expired", "hidden")
RESULTS = ("accepted", "partly_accepted", "not_accepted")


def _status(name: str = "proposalstatus") -> sa.Enum:
    return sa.Enum(*STATUSES, name=name, native_enum=False, length=16)


def _result() -> sa.Enum:
    return sa.Enum(*RESULTS, name="answerresult", native_enum=False, length=16)


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("dong", sa.String(length=16), nullable=True),
        sa.Column("photo_file_id", sa.String(length=255), nullable=True),
        sa.Column("status", _status(), nullable=False),
        sa.Column("endorsements_needed", sa.Integer(), nullable=False),
        sa.Column("opened_at", UTC, nullable=False),
        sa.Column("closes_at", UTC, nullable=False),
        sa.Column("review_started_at", UTC, nullable=True),
        sa.Column("review_due_at", UTC, nullable=True),
        sa.Column("answered_at", UTC, nullable=True),
        sa.Column("answer_result", _result(), nullable=True),
        sa.Column("answer_text", sa.Text(), nullable=True),
        sa.Column("hidden_reason", sa.String(length=200), nullable=True),
        sa.Column("previous_status", _status(), nullable=True),
        sa.CheckConstraint("closes_at > opened_at", name=op.f("ck_proposals_closes_after_opening")),
        sa.CheckConstraint("endorsements_needed >= 1", name=op.f("ck_proposals_endorsements_needed_positive")),
        sa.ForeignKeyConstraint(["author_id"], ["residents.id"], name=op.f("fk_proposals_author_id_residents"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_proposals_author_id"), "proposals", ["author_id"])
    op.create_index("ix_proposals_status_closes_at", "proposals", ["status", "closes_at"])

    op.create_table(
        "endorsements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"],
                                name=op.f("fk_endorsements_proposal_id_proposals"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"],
                                name=op.f("fk_endorsements_resident_id_residents"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsements")),
        sa.UniqueConstraint("proposal_id", "resident_id", name=op.f("uq_endorsements_proposal_id_resident_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_endorsements_resident_id"), "endorsements", ["resident_id"])

    op.create_table(
        "proposal_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.Enum("interim", "final", name="answerkind", native_enum=False, length=16),
                  nullable=False),
        sa.Column("result", _result(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.CheckConstraint("(kind = 'final') = (result IS NOT NULL)",
                           name=op.f("ck_proposal_answers_result_iff_final")),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"],
                                name=op.f("fk_proposal_answers_proposal_id_proposals"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["residents.id"],
                                name=op.f("fk_proposal_answers_staff_id_residents"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_answers")),
    )
    op.create_index(op.f("ix_proposal_answers_proposal_id"), "proposal_answers", ["proposal_id"])
    op.create_index(
        "uq_proposal_answers_final", "proposal_answers", ["proposal_id"], unique=True,
        sqlite_where=sa.text("kind = 'final'"), postgresql_where=sa.text("kind = 'final'"),
    )

    op.create_table(
        "proposal_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.Enum("answer_interim", "answer_final", "hide", "unhide", "expire",
                                    name="auditaction", native_enum=False, length=16), nullable=False),
        sa.Column("from_status", _status(), nullable=False),
        sa.Column("to_status", _status(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"],
                                name=op.f("fk_proposal_audit_proposal_id_proposals"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["residents.id"],
                                name=op.f("fk_proposal_audit_staff_id_residents"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_audit")),
    )
    op.create_index(op.f("ix_proposal_audit_proposal_id"), "proposal_audit", ["proposal_id"])


def downgrade() -> None:
    # Dropping a table drops its indexes; children before parents.
    op.drop_table("proposal_audit")
    op.drop_table("proposal_answers")
    op.drop_table("endorsements")
    op.drop_table("proposals")
