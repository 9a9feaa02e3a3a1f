"""Surveys: the published spec, a resident's answers in progress, and the submitted responses.

Who took part and what was answered live in two tables on purpose:
``survey_participations`` (survey, resident) UNIQUE is the one-response-per-
resident rule for every survey, named or anonymous; ``survey_responses`` holds
the answers and, for an anonymous survey, no resident, no timestamp and a random
id, so nothing in the schema joins an answer back to a participant. Answers in
progress are linked to the resident (they must be, to resume) and are deleted in
the same transaction that writes the response.
"""
from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.timeutil import utcnow


class SurveyStatus(str, enum.Enum):
    published = "published"
    # Closed early by staff; otherwise closes_at alone ends a survey.
    closed = "closed"


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    anonymous: Mapped[bool]
    points: Mapped[int] = mapped_column(default=0)
    question_count: Mapped[int]
    status: Mapped[SurveyStatus] = mapped_column(
        Enum(SurveyStatus, native_enum=False, length=16), default=SurveyStatus.published
    )
    # SurveySpec.to_dict(): the questions as published, never edited afterwards.
    spec: Mapped[dict] = mapped_column(JSON)
    # sha256 of the spec: loading the same file twice publishes it once.
    spec_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyProgress(Base):
    """Where a resident is in a survey, so they can leave and resume after any restart."""

    __tablename__ = "survey_progress"
    __table_args__ = (UniqueConstraint("survey_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    # None = every visible question is answered: the resident is at the summary.
    current_question: Mapped[str | None] = mapped_column(String(20))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Options ticked so far on the current multi-choice question (not yet confirmed).
    picks: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyParticipation(Base):
    """That a resident has responded: the database's one-response-per-resident rule."""

    __tablename__ = "survey_participations"
    __table_args__ = (UniqueConstraint("survey_id", "resident_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime]


def _random_id() -> str:
    return uuid.uuid4().hex


class SurveyResponse(Base):
    """Submitted answers. Anonymous: resident_id and submitted_at stay NULL, id is random."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_survey", "survey_id"),)

    # Random rather than sequential, so the order of ids says nothing about who came when.
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    answers: Mapped[dict] = mapped_column(JSON)
    submitted_at: Mapped[datetime | None]
