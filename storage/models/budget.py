"""Participatory budget: cycles, proposed projects, ballots and the phase log.

Money is int won (BigInteger: budgets pass 2^31). A resident who withdraws
consent leaves an anonymous ballot behind (resident_id SET NULL): a counted
vote must not vanish from published results, but it no longer points to a person.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger, CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.budget_rules import BallotRule, FundingReason, Phase, PhaseTimes
from storage.models.base import Base
from storage.models.resident import Resident
from storage.timeutil import utcnow


class ProjectStatus(str, enum.Enum):
    submitted = "submitted"
    accepted = "accepted"
    rejected = "rejected"


class BallotStatus(str, enum.Enum):
    draft = "draft"
    submitted = "submitted"


class PhaseChangeSource(str, enum.Enum):
    schedule = "schedule"
    staff = "staff"


class BudgetCycle(Base):
    __tablename__ = "budget_cycles"
    __table_args__ = (
        CheckConstraint("total_budget > 0", name="budget_positive"),
        CheckConstraint(
            "intake_starts_at < screening_starts_at AND screening_starts_at < voting_starts_at "
            "AND voting_starts_at < results_at AND results_at < closes_at",
            name="phases_ordered",
        ),
        CheckConstraint("ballot_rule <> 'approval' OR max_picks IS NOT NULL", name="approval_has_max"),
        CheckConstraint(
            "min_share_percent IS NULL OR (min_share_percent >= 0 AND min_share_percent <= 100)",
            name="min_share_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    total_budget: Mapped[int] = mapped_column(BigInteger)
    ballot_rule: Mapped[BallotRule] = mapped_column(Enum(BallotRule, native_enum=False, length=16))
    max_picks: Mapped[int | None]
    min_share_percent: Mapped[int | None]
    allow_ballot_change: Mapped[bool] = mapped_column(default=False)
    intake_starts_at: Mapped[datetime]
    screening_starts_at: Mapped[datetime]
    voting_starts_at: Mapped[datetime]
    results_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    current_phase: Mapped[Phase] = mapped_column(Enum(Phase, native_enum=False, length=16), default=Phase.upcoming)
    phase_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    results_published_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def times(self) -> PhaseTimes:
        return PhaseTimes(self.intake_starts_at, self.screening_starts_at, self.voting_starts_at,
                          self.results_at, self.closes_at)


class BudgetProject(Base):
    __tablename__ = "budget_projects"
    __table_args__ = (
        # A double-pressed 확인 in the proposal form creates one project.
        UniqueConstraint("cycle_id", "proposer_id", "title"),
        Index("ix_budget_projects_cycle_status", "cycle_id", "status"),
        CheckConstraint("estimated_cost > 0", name="cost_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("budget_cycles.id", ondelete="CASCADE"))
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    dong: Mapped[str] = mapped_column(String(16))
    estimated_cost: Mapped[int] = mapped_column(BigInteger)
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[ProjectStatus] = mapped_column(
        Enum(ProjectStatus, native_enum=False, length=16), default=ProjectStatus.submitted
    )
    screened_cost: Mapped[int | None] = mapped_column(BigInteger)
    screening_reason: Mapped[str | None] = mapped_column(Text)
    screened_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    screened_at: Mapped[datetime | None]
    # Bumped by each screening decision so a corrected decision is a new notice.
    screening_round: Mapped[int] = mapped_column(default=0)
    # The official result, frozen when staff publish it.
    result_votes: Mapped[int | None]
    result_rank: Mapped[int | None]
    funded: Mapped[bool | None]
    funding_reason: Mapped[FundingReason | None] = mapped_column(
        Enum(FundingReason, native_enum=False, length=16)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposer: Mapped[Resident | None] = relationship(foreign_keys=[proposer_id])

    @property
    def cost(self) -> int:
        """What the project costs on the ballot: staff's estimate once screened."""
        return self.screened_cost if self.screened_cost is not None else self.estimated_cost


class Ballot(Base):
    __tablename__ = "budget_ballots"
    # One ballot per resident per cycle, whatever the chat sends at once.
    __table_args__ = (UniqueConstraint("cycle_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("budget_cycles.id", ondelete="CASCADE"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    status: Mapped[BallotStatus] = mapped_column(
        Enum(BallotStatus, native_enum=False, length=16), default=BallotStatus.draft
    )
    submitted_at: Mapped[datetime | None]
    receipt_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    picks: Mapped[list[BallotPick]] = relationship(
        cascade="all, delete-orphan", order_by="BallotPick.id", lazy="selectin"
    )


class BallotPick(Base):
    __tablename__ = "budget_ballot_picks"
    __table_args__ = (UniqueConstraint("ballot_id", "project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("budget_ballots.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("budget_projects.id", ondelete="CASCADE"), index=True)


class PhaseChange(Base):
    """Every phase a cycle entered, by the scheduler or by staff (audit log)."""

    __tablename__ = "budget_phase_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("budget_cycles.id", ondelete="CASCADE"), index=True)
    from_phase: Mapped[Phase] = mapped_column(Enum(Phase, native_enum=False, length=16))
    to_phase: Mapped[Phase] = mapped_column(Enum(Phase, native_enum=False, length=16))
    source: Mapped[PhaseChangeSource] = mapped_column(Enum(PhaseChangeSource, native_enum=False, length=16))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    # When the schedule said the phase starts (None for staff moves) and when we recorded it.
    scheduled_at: Mapped[datetime | None]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
