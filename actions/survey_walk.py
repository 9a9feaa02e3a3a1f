"""One resident's steps through one survey, inside the action's transaction.

Button references (``q4``, ``o2``) become question and option ids here, and a
changed answer passes the answered questions after it again unchanged, so a
correction returns the resident to where they were (the summary, usually).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from actions import survey_views as views
from storage import survey_rules as sr
from storage.errors import DomainError
from storage.services import surveys
from storage.services.surveys import QuestionView

# Re-answering already answered questions after a change stops after this many.
ADVANCE_MAX = sr.QUESTIONS_MAX


def option_value(question: sr.Question, ref: str | None) -> Any:
    """The value an ``o2`` button stands for: an option id, or a scale point."""
    if ref is None or not ref.startswith("o") or not ref[1:].isdigit():
        raise DomainError("invalid_option", question_id=question.id, option_id=str(ref))
    index = int(ref[1:]) - 1
    values: list[Any] = list(question.scale_values) if question.type is sr.QuestionType.scale \
        else [o.id for o in question.options]
    if not 0 <= index < len(values):
        raise DomainError("invalid_option", question_id=question.id, option_id=ref)
    return values[index]


class SurveyWalk:
    """One resident's steps through one survey inside the action's transaction."""

    def __init__(self, session: Session, survey_id: int, resident_id: int) -> None:
        self.session, self.survey_id, self.resident_id = session, survey_id, resident_id
        self.spec = surveys.spec_of(surveys.get_survey(session, survey_id))

    def _ids(self) -> dict[str, Any]:
        return {"survey_id": self.survey_id, "resident_id": self.resident_id}

    def current(self) -> surveys.Step:
        return surveys.start_or_resume(self.session, **self._ids())

    def question(self, ref: str | None) -> sr.Question:
        q = views.question_at(self.spec, ref)
        if q is None:
            raise DomainError("stale_question", question_id=str(ref))
        return q

    def advance(self, step: surveys.Step) -> surveys.Step:
        """Pass answered questions again unchanged, so a correction returns to where the resident was."""
        for _ in range(ADVANCE_MAX):
            if not (isinstance(step, QuestionView) and step.answered):
                break
            step = self.keep(step)
        return step

    def keep(self, view: QuestionView) -> surveys.Step:
        """Answer the question on screen with the answer it already has."""
        q = view.question
        if view.previous_answer is None:
            return surveys.skip(self.session, question_id=q.id, **self._ids())
        if q.type is sr.QuestionType.multi:
            return surveys.confirm_multi(self.session, question_id=q.id, **self._ids())
        return surveys.answer(self.session, question_id=q.id, value=view.previous_answer, **self._ids())

    def answer_button(self, ref: str | None, option_ref: str | None) -> surveys.Step:
        q = self.question(ref)
        step = surveys.answer(self.session, question_id=q.id, value=option_value(q, option_ref), **self._ids())
        return self.advance(step)

    def toggle(self, ref: str | None, option_ref: str | None) -> surveys.Step:
        q = self.question(ref)
        value = option_value(q, option_ref)
        return surveys.toggle_multi(self.session, question_id=q.id, option_id=str(value), **self._ids())

    def confirm(self, ref: str | None) -> surveys.Step:
        q = self.question(ref)
        return self.advance(surveys.confirm_multi(self.session, question_id=q.id, **self._ids()))

    def skip(self, question_id: str) -> surveys.Step:
        return self.advance(surveys.skip(self.session, question_id=question_id, **self._ids()))

    def typed(self, question_id: str, text: str) -> surveys.Step:
        step = surveys.answer(self.session, question_id=question_id, value=text, typed=True, **self._ids())
        return self.advance(step)

    def back(self) -> surveys.Step:
        return surveys.back(self.session, **self._ids())

    def edit(self, ref: str | None) -> surveys.Step:
        return surveys.edit(self.session, question_id=self.question(ref).id, **self._ids())

    def submit(self) -> surveys.SubmitResult:
        return surveys.submit(self.session, **self._ids())
