"""Surveys: publish, walk a resident through one question at a time, submit once.

Every resident step (answer, toggle, back, skip, edit) reads and writes the
persisted progress row under a row lock, so a resident can leave and resume
after any restart, and two presses of the same button cannot interleave. Each
call returns what the chat shows next: a :class:`QuestionView` or, once every
visible question is answered, a :class:`SummaryView`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import survey_rules as sr
from storage.errors import DomainError
from storage.models.surveys import (
    Survey,
    SurveyParticipation,
    SurveyProgress,
    SurveyResponse,
    SurveyStatus,
)
from storage.services.engagement_common import (
    insert_ignore,
    policy_points,
    require_resident,
    require_staff_id,
)
from storage.models import Resident
from storage.services import privacy
from storage.timeutil import utcnow

SURVEY_COMPLETED = "survey_completed"


@dataclass(frozen=True)
class OptionView:
    id: str
    label: str
    selected: bool


@dataclass(frozen=True)
class QuestionView:
    """One question as the chat shows it, with buttons and "3/15"."""

    survey_id: int
    survey_title: str
    question: sr.Question
    index: int
    total_visible: int
    progress: str
    # Buttons: choice options, or the scale points ("1".."5"); empty for text.
    options: tuple[OptionView, ...]
    previous_answer: Any
    answered: bool
    can_go_back: bool
    can_skip: bool
    scale_hint: str | None
    max_picks: int | None


@dataclass(frozen=True)
class SummaryItem:
    question_id: str
    text: str
    answer_text: str
    skipped: bool


@dataclass(frozen=True)
class SummaryView:
    """All answers before submitting; ``complete`` is False while a required answer is missing."""

    survey_id: int
    survey_title: str
    items: tuple[SummaryItem, ...]
    complete: bool
    anonymous: bool
    points: int


@dataclass(frozen=True)
class SurveyListing:
    id: int
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    anonymous: bool
    points: int
    question_count: int
    # For the asking resident: "new", "in_progress" or "done" (None if not asked).
    my_state: str | None


@dataclass(frozen=True)
class SubmitResult:
    survey_id: int
    points_awarded: int
    award_created: bool


Step = QuestionView | SummaryView


# --- staff ---------------------------------------------------------------------------

def spec_hash(spec: sr.SurveySpec) -> str:
    canonical = json.dumps(spec.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def publish_survey(session: Session, spec: sr.SurveySpec, *, staff_id: int | None,
                   now: datetime | None = None) -> Survey:
    """Publish a validated spec; the same spec twice → ``survey_duplicate``."""
    now = now or utcnow()
    require_staff_id(session, staff_id)
    if spec.closes_at <= now:
        raise DomainError("survey_closes_in_past", closes_at=spec.closes_at.isoformat())
    points = policy_points(SURVEY_COMPLETED, spec.points)
    digest = spec_hash(spec)
    existing = session.scalar(select(Survey.id).where(Survey.spec_hash == digest))
    if existing is not None:
        raise DomainError("survey_duplicate", survey_id=existing)
    survey = Survey(
        title=spec.title, description=spec.description, opens_at=spec.opens_at,
        closes_at=spec.closes_at, anonymous=spec.anonymous, points=points,
        question_count=len(spec.questions), status=SurveyStatus.published,
        spec=spec.to_dict(), spec_hash=digest, created_by=staff_id, created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(survey)
    except IntegrityError:
        # The same file loaded twice at the same moment; the other load won.
        raise DomainError("survey_duplicate", survey_id=None) from None
    return survey


def close_survey(session: Session, survey_id: int, *, staff_id: int | None,
                 now: datetime | None = None) -> Survey:
    """Close a survey early; answers in progress can no longer be submitted."""
    now = now or utcnow()
    require_staff_id(session, staff_id)
    survey = get_survey(session, survey_id)
    survey.status = SurveyStatus.closed
    survey.closes_at = min(survey.closes_at, now)
    return survey


def purge_stale_progress(session: Session, now: datetime | None = None) -> int:
    """Delete unfinished answers of surveys that have closed (they can never be submitted)."""
    now = now or utcnow()
    closed = select(Survey.id).where(Survey.closes_at <= now)
    result = session.execute(delete(SurveyProgress).where(SurveyProgress.survey_id.in_(closed)))
    return int(result.rowcount or 0)


# --- residents -------------------------------------------------------------------------

def get_survey(session: Session, survey_id: int) -> Survey:
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise DomainError("survey_not_found", survey_id=survey_id)
    return survey


def spec_of(survey: Survey) -> sr.SurveySpec:
    return sr.SurveySpec.from_dict(survey.spec)


def open_surveys(session: Session, now: datetime | None = None, *,
                 resident_id: int | None = None) -> list[SurveyListing]:
    """Surveys taking answers now, soonest closing first ("진행 중인 설문")."""
    now = now or utcnow()
    surveys = session.scalars(
        select(Survey)
        .where(Survey.status == SurveyStatus.published, Survey.opens_at <= now, Survey.closes_at > now)
        .order_by(Survey.closes_at, Survey.id)
    ).all()
    done: set[int] = set()
    started: set[int] = set()
    if resident_id is not None and surveys:
        ids = [s.id for s in surveys]
        done = set(session.scalars(select(SurveyParticipation.survey_id).where(
            SurveyParticipation.resident_id == resident_id, SurveyParticipation.survey_id.in_(ids))))
        started = set(session.scalars(select(SurveyProgress.survey_id).where(
            SurveyProgress.resident_id == resident_id, SurveyProgress.survey_id.in_(ids))))
    return [
        SurveyListing(
            id=s.id, title=s.title, description=s.description, opens_at=s.opens_at,
            closes_at=s.closes_at, anonymous=s.anonymous, points=s.points,
            question_count=s.question_count,
            my_state=None if resident_id is None else (
                "done" if s.id in done else "in_progress" if s.id in started else "new"),
        )
        for s in surveys
    ]


def _has_responded(session: Session, survey_id: int, resident_id: int) -> bool:
    """Responded as this resident, or as the same Telegram account before 탈퇴 (tombstone)."""
    if session.scalar(select(SurveyParticipation.id).where(
            SurveyParticipation.survey_id == survey_id,
            SurveyParticipation.resident_id == resident_id)) is not None:
        return True
    resident = session.get(Resident, resident_id)
    return resident is not None and privacy.is_marked(session, privacy.SURVEY, survey_id, resident)


def _lock_progress(session: Session, survey_id: int, resident_id: int) -> SurveyProgress | None:
    return session.scalar(
        select(SurveyProgress)
        .where(SurveyProgress.survey_id == survey_id, SurveyProgress.resident_id == resident_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _enter(session: Session, survey_id: int, resident_id: int, now: datetime,
           ) -> tuple[Survey, sr.SurveySpec, SurveyProgress]:
    """Checks shared by every resident step; creates the progress row on first contact."""
    survey = get_survey(session, survey_id)
    sr.ensure_open(survey.opens_at, survey.closes_at, now, closed=survey.status is SurveyStatus.closed)
    require_resident(session, resident_id)
    progress = _lock_progress(session, survey_id, resident_id)
    # Checked after taking the lock: a concurrent submit has committed by then.
    if _has_responded(session, survey_id, resident_id):
        raise DomainError("already_responded", survey_id=survey_id)
    spec = spec_of(survey)
    if progress is None:
        first = spec.questions[0]
        insert_ignore(session, SurveyProgress, dict(
            survey_id=survey_id, resident_id=resident_id, current_question=first.id,
            answers={}, picks=[], started_at=now, updated_at=now,
        ), ["survey_id", "resident_id"])
        progress = _lock_progress(session, survey_id, resident_id)
        assert progress is not None
    return survey, spec, progress


def _move_to(progress: SurveyProgress, question: sr.Question | None, now: datetime) -> None:
    progress.current_question = question.id if question else None
    prev = progress.answers.get(question.id) if question else None
    # A multi question starts with its confirmed answer ticked.
    progress.picks = list(prev) if question and question.type is sr.QuestionType.multi and prev else []
    progress.updated_at = now


def _current(spec: sr.SurveySpec, progress: SurveyProgress) -> sr.Question | None:
    """The question the resident is on (repairs a position an edit has hidden)."""
    if progress.current_question is None:
        return None
    q = spec.question(progress.current_question)
    states = sr.visibility(spec, progress.answers)
    if q is None or states[q.id] is sr.Visibility.hidden:
        return sr.first_missing(spec, progress.answers)
    return q


def _view(survey: Survey, spec: sr.SurveySpec, progress: SurveyProgress) -> Step:
    q = _current(spec, progress)
    if q is None:
        return _summary(survey, spec, progress)
    answers = progress.answers
    countable = sr.countable_questions(spec, answers)
    index = [c.id for c in countable].index(q.id) + 1
    prev = answers.get(q.id)
    if q.type is sr.QuestionType.multi:
        picked = set(progress.picks)
        options = tuple(OptionView(o.id, o.label, o.id in picked) for o in q.options)
    elif q.type is sr.QuestionType.single:
        options = tuple(OptionView(o.id, o.label, o.id == prev) for o in q.options)
    elif q.type is sr.QuestionType.scale:
        options = tuple(OptionView(str(n), str(n), n == prev) for n in q.scale_values)
    else:
        options = ()
    return QuestionView(
        survey_id=survey.id, survey_title=survey.title, question=q, index=index,
        total_visible=len(countable), progress=f"{index}/{len(countable)}", options=options,
        previous_answer=prev, answered=q.id in answers,
        can_go_back=sr.previous_question(spec, answers, q.id) is not None,
        can_skip=not q.required, scale_hint=sr.scale_hint(q), max_picks=q.max_picks,
    )


def _summary(survey: Survey, spec: sr.SurveySpec, progress: SurveyProgress) -> SummaryView:
    answers = progress.answers
    items = tuple(
        SummaryItem(q.id, q.text, sr.answer_text(q, answers[q.id]), answers[q.id] is None)
        for q in sr.visible_questions(spec, answers) if q.id in answers
    )
    return SummaryView(
        survey_id=survey.id, survey_title=survey.title, items=items,
        complete=progress.current_question is None and sr.first_missing(spec, answers) is None,
        anonymous=survey.anonymous, points=survey.points,
    )


def _require_current(spec: sr.SurveySpec, progress: SurveyProgress, question_id: str) -> sr.Question:
    """Only the question on screen takes answers; an old message's button gets ``stale_question``."""
    q = _current(spec, progress)
    if q is None or q.id != question_id:
        raise DomainError("stale_question", question_id=question_id)
    return q


def _record(spec: sr.SurveySpec, progress: SurveyProgress, q: sr.Question, value: Any,
            now: datetime) -> None:
    answers = dict(progress.answers)
    answers[q.id] = value
    # Assign a new dict: a changed answer may hide later questions, whose answers go.
    progress.answers = sr.prune_answers(spec, answers)
    _move_to(progress, sr.next_question(spec, progress.answers, q.id), now)


def start_or_resume(session: Session, *, survey_id: int, resident_id: int,
                    now: datetime | None = None) -> Step:
    """Where the resident left off (the first question on first contact)."""
    now = now or utcnow()
    survey, spec, progress = _enter(session, survey_id, resident_id, now)
    return _view(survey, spec, progress)


def answer(session: Session, *, survey_id: int, resident_id: int, question_id: str, value: Any,
           typed: bool = False, now: datetime | None = None) -> Step:
    """Answer the current question and move on.

    ``value``: an option id (single), a list of option ids (multi), an int
    (scale) or text. ``typed`` marks free text the resident wrote instead of
    pressing a button (then "2" or an option's label also picks a choice).
    """
    now = now or utcnow()
    survey, spec, progress = _enter(session, survey_id, resident_id, now)
    q = _require_current(spec, progress, question_id)
    _record(spec, progress, q, sr.normalize_answer(q, value, typed=typed), now)
    return _view(survey, spec, progress)


def toggle_multi(session: Session, *, survey_id: int, resident_id: int, question_id: str,
                 option_id: str, now: datetime | None = None) -> QuestionView:
    """Tick or untick one option of the current multi-choice question (confirm with confirm_multi)."""
    now = now or utcnow()
    survey, spec, progress = _enter(session, survey_id, resident_id, now)
    q = _require_current(spec, progress, question_id)
    if q.type is not sr.QuestionType.multi:
        raise DomainError("not_multi_choice", question_id=question_id)
    if q.option(option_id) is None:
        raise DomainError("invalid_option", question_id=question_id, option_id=option_id)
    picks = list(progress.picks)
    if option_id in picks:
        picks.remove(option_id)
    elif q.max_picks is not None and len(picks) >= q.max_picks:
        raise DomainError("too_many_picks", question_id=question_id, max_picks=q.max_picks)
    else:
        picks.append(option_id)
    progress.picks = [o.id for o in q.options if o.id in picks]
    progress.updated_at = now
    view = _view(survey, spec, progress)
    assert isinstance(view, QuestionView)
    return view


def confirm_multi(session: Session, *, survey_id: int, resident_id: int, question_id: str,
                  now: datetime | None = None) -> Step:
    """Answer the current multi-choice question with the options ticked ("선택 완료")."""
    now = now or utcnow()
    survey, spec, progress = _enter(session, survey_id, resident_id, now)
    q = _require_current(spec, progress, question_id)
    if q.type is not sr.QuestionType.multi:
        raise DomainError("not_multi_choice", question_id=question_id)
    _record(spec, progress, q, sr.normalize_answer(q, list(progress.picks)), now)
    return _view(survey, spec, progress)


def skip(session: Session, *, survey_id: int, resident_id: int, question_id: str,
         now: datetime | None = None) -> Step:
    """Leave an optional question unanswered ("건너뛰기"); required ones → ``answer_required``."""
    now = now or utcnow()
    survey, spec, progress = _enter(session, survey_id, resident_id, now)
    q = _require_current(spec, progress, question_id)
    if q.required:
        raise DomainError("answer_required", question_id=question_id)
    _record(spec, progress, q, None, now)
    return _view(survey, spec, progress)


def back(session: Session, *, survey_id: int, resident_id: int,
         now: datetime | None = None) -> QuestionView:
    """The previous visible question ("이전"); from the summary, the last one."""
    now = now or utcnow()
    survey, spec, progress = _enter(session, survey_id, resident_id, now)
    current = _current(spec, progress)
    target = sr.previous_question(spec, progress.answers, current.id if current else None)
    if target is None:
        raise DomainError("no_previous_question")
    _move_to(progress, target, now)
    view = _view(survey, spec, progress)
    assert isinstance(view, QuestionView)
    return view


def edit(session: Session, *, survey_id: int, resident_id: int, question_id: str,
         now: datetime | None = None) -> QuestionView:
    """Jump from the summary to an answered question to change it ("수정")."""
    now = now or utcnow()
    survey, spec, progress = _enter(session, survey_id, resident_id, now)
    q = spec.question(question_id)
    if q is None or question_id not in progress.answers:
        raise DomainError("stale_question", question_id=question_id)
    _move_to(progress, q, now)
    view = _view(survey, spec, progress)
    assert isinstance(view, QuestionView)
    return view


def summary(session: Session, *, survey_id: int, resident_id: int,
            now: datetime | None = None) -> SummaryView:
    """The answers so far, as shown before submitting."""
    now = now or utcnow()
    survey, spec, progress = _enter(session, survey_id, resident_id, now)
    return _summary(survey, spec, progress)


def submit(session: Session, *, survey_id: int, resident_id: int,
           now: datetime | None = None) -> SubmitResult:
    """Submit once: the participation row's UNIQUE key decides, then points through the ledger."""
    now = now or utcnow()
    survey, spec, progress = _enter(session, survey_id, resident_id, now)
    missing = sr.first_missing(spec, progress.answers)
    if progress.current_question is not None or missing is not None:
        qid = missing.id if missing else progress.current_question
        raise DomainError("survey_incomplete", question_id=qid)
    if not insert_ignore(session, SurveyParticipation, dict(
            survey_id=survey_id, resident_id=resident_id, completed_at=now),
            ["survey_id", "resident_id"]):
        raise DomainError("already_responded", survey_id=survey_id)
    if not privacy.mark_once(session, privacy.SURVEY, survey_id, require_resident(session, resident_id), now=now):
        raise DomainError("already_responded", survey_id=survey_id)
    answers = sr.prune_answers(spec, progress.answers)
    session.add(SurveyResponse(
        survey_id=survey_id, answers=answers,
        resident_id=None if survey.anonymous else resident_id,
        submitted_at=None if survey.anonymous else now,
    ))
    session.delete(progress)
    awarded, created = _award(session, survey, resident_id, now)
    return SubmitResult(survey_id=survey_id, points_awarded=awarded, award_created=created)


def _award(session: Session, survey: Survey, resident_id: int, now: datetime) -> tuple[int, bool]:
    if survey.points <= 0:
        return 0, False
    from storage.services import points

    result = points.award(session, resident_id=resident_id, activity=SURVEY_COMPLETED,
                          ref=f"survey:{survey.id}", now=now, points=survey.points,
                          description=survey.title)
    return result.points, result.created


# Staff results live in their own module; re-exported so callers find every survey use case here.
from storage.services.survey_results import (  # noqa: E402
    SurveyResults,
    render_results_chart,
    results,
    results_csv,
    results_text,
)

__all__ = [
    "OptionView", "QuestionView", "SummaryItem", "SummaryView", "SurveyListing", "SubmitResult",
    "SurveyResults", "publish_survey", "close_survey", "purge_stale_progress", "get_survey",
    "open_surveys", "start_or_resume", "answer", "toggle_multi", "confirm_multi", "skip", "back",
    "edit", "summary", "submit", "results", "results_csv", "results_text", "render_results_chart",
]
