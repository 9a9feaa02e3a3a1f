"""Policy proposals, their endorsements, staff answers and the staff audit trail.

The endorsement count is not stored: it is COUNT(*) of ``endorsements``. A
stored counter would drift when a resident withdraws consent, because their
endorsement rows then go by ON DELETE CASCADE without passing through the
service; counting under the proposal's row lock is exact and cheap at the
district's scale (the UNIQUE(proposal_id, resident_id) index serves it).
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.proposal_rules import AnswerResult, ProposalStatus
from storage.timeutil import utcnow


def _status_enum(enum_cls: type[enum.Enum], length: int = 16) -> Enum:
    return Enum(enum_cls, native_enum=False, length=length, validate_strings=True)


class AnswerKind(str, enum.Enum):
    interim = "interim"
    final = "final"


class AuditAction(str, enum.Enum):
    answer_interim = "answer_interim"
    answer_final = "answer_final"
    hide = "hide"
    unhide = "unhide"
    expire = "expire"


class Proposal(Base):
    """A resident's proposal; its id is the number residents see (3번 제안)."""

    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_status_closes_at", "status", "closes_at"),
        CheckConstraint("endorsements_needed >= 1", name="endorsements_needed_positive"),
        CheckConstraint("closes_at > opened_at", name="closes_after_opening"),
        # Ids are shown to residents, so SQLite must never reuse a deleted one.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Withdrawing consent destroys open proposals; those under review or answered pass to
    # the "탈퇴한 주민" system row (storage.services.privacy).
    author_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(16))
    dong: Mapped[str | None] = mapped_column(String(16))
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[ProposalStatus] = mapped_column(_status_enum(ProposalStatus), default=ProposalStatus.open)
    # Snapshot of the threshold when the proposal opened.
    endorsements_needed: Mapped[int]
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    review_started_at: Mapped[datetime | None]
    review_due_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    answer_result: Mapped[AnswerResult | None] = mapped_column(_status_enum(AnswerResult))
    answer_text: Mapped[str | None] = mapped_column(Text)
    hidden_reason: Mapped[str | None] = mapped_column(String(200))
    # The status to return to on unhide.
    previous_status: Mapped[ProposalStatus | None] = mapped_column(_status_enum(ProposalStatus))
    # issue 13: endorsements of residents who withdrew, counted but no longer named.
    withdrawn_endorsements: Mapped[int] = mapped_column(default=0, server_default="0")


class Endorsement(Base):
    """One resident's 공감 on one proposal; the unique constraint is the one-per-resident rule."""

    __tablename__ = "endorsements"
    __table_args__ = (
        UniqueConstraint("proposal_id", "resident_id"),
        # Point awards reference endorsement ids; SQLite must not reuse them.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalAnswer(Base):
    """A department's interim or final answer, kept as history."""

    __tablename__ = "proposal_answers"
    __table_args__ = (
        # At most one final answer per proposal, whatever the application does.
        Index(
            "uq_proposal_answers_final", "proposal_id", unique=True,
            sqlite_where=text("kind = 'final'"), postgresql_where=text("kind = 'final'"),
        ),
        CheckConstraint("(kind = 'final') = (result IS NOT NULL)", name="result_iff_final"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    kind: Mapped[AnswerKind] = mapped_column(_status_enum(AnswerKind))
    result: Mapped[AnswerResult | None] = mapped_column(_status_enum(AnswerResult))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProposalAudit(Base):
    """Who on staff did what to which proposal, when and why."""

    __tablename__ = "proposal_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    # None for the scheduler; the name is kept should the staff member's row go.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    staff_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[AuditAction] = mapped_column(_status_enum(AuditAction))
    from_status: Mapped[ProposalStatus] = mapped_column(_status_enum(ProposalStatus))
    to_status: Mapped[ProposalStatus] = mapped_column(_status_enum(ProposalStatus))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
