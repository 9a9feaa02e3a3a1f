"""Surveys as pure data: the spec, which questions are visible, and what an answer means.

No database imports. The loader (``storage.services.survey_loader``) builds a
:class:`SurveySpec` from a staff file; the service stores it as JSON and walks a
resident through it with these functions.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.errors import DomainError
from storage.timeutil import as_utc

# Ids travel in Telegram callback_data (64 bytes, see storage.rules), e.g.
# "srv:a:<survey id>:<question id>:<option id>": two 20-char slugs leave room.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}$")
TITLE_MAX = 100
DESCRIPTION_MAX = 1000
QUESTION_TEXT_MAX = 200
QUESTIONS_MAX = 50
# A chat keyboard stays usable up to the 15 행정동 in three rows of five.
OPTIONS_MIN = 2
OPTIONS_MAX = 15
# Longer labels are cut off on a phone's button.
OPTION_LABEL_MAX = 20
SCALE_RANGES = ((1, 5), (0, 10))
SCALE_LABEL_MAX = 20
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000


class QuestionType(str, enum.Enum):
    single = "single"
    multi = "multi"
    scale = "scale"
    short_text = "short_text"
    long_text = "long_text"

    @property
    def is_choice(self) -> bool:
        return self in (QuestionType.single, QuestionType.multi)

    @property
    def is_text(self) -> bool:
        return self in (QuestionType.short_text, QuestionType.long_text)


TEXT_MAX = {QuestionType.short_text: SHORT_TEXT_MAX, QuestionType.long_text: LONG_TEXT_MAX}


@dataclass(frozen=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True)
class Condition:
    """Show a question only when an earlier question got one of ``values``.

    Values are option ids of a choice question, or scale points as text ("1").
    """

    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    text: str
    options: tuple[Option, ...] = ()
    max_picks: int | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    min_label: str | None = None
    max_label: str | None = None
    required: bool = True
    show_if: Condition | None = None

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    @property
    def scale_values(self) -> tuple[int, ...]:
        if self.type is not QuestionType.scale:
            return ()
        return tuple(range(int(self.scale_min or 0), int(self.scale_max or 0) + 1))


@dataclass(frozen=True)
class SurveySpec:
    title: str
    opens_at: datetime
    closes_at: datetime
    anonymous: bool
    questions: tuple[Question, ...]
    description: str = ""
    # None = the point policy's amount for survey_completed.
    points: int | None = None
    _by_id: dict[str, Question] = field(init=False, default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({q.id: q for q in self.questions})

    def question(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form stored in ``surveys.spec``."""
        return {
            "title": self.title,
            "description": self.description,
            "opens_at": as_utc(self.opens_at).isoformat(),
            "closes_at": as_utc(self.closes_at).isoformat(),
            "anonymous": self.anonymous,
            "points": self.points,
            "questions": [_question_to_dict(q) for q in self.questions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SurveySpec":
        return cls(
            title=data["title"],
            description=data.get("description", ""),
            opens_at=as_utc(datetime.fromisoformat(data["opens_at"])),
            closes_at=as_utc(datetime.fromisoformat(data["closes_at"])),
            anonymous=bool(data["anonymous"]),
            points=data.get("points"),
            questions=tuple(_question_from_dict(q) for q in data["questions"]),
        )


def _question_to_dict(q: Question) -> dict[str, Any]:
    data: dict[str, Any] = {"id": q.id, "type": q.type.value, "text": q.text, "required": q.required}
    if q.options:
        data["options"] = [{"id": o.id, "label": o.label} for o in q.options]
    if q.max_picks is not None:
        data["max_picks"] = q.max_picks
    if q.type is QuestionType.scale:
        data["scale"] = {"min": q.scale_min, "max": q.scale_max,
                         "min_label": q.min_label, "max_label": q.max_label}
    if q.show_if is not None:
        data["show_if"] = {"question": q.show_if.question, "in": list(q.show_if.values)}
    return data


def _question_from_dict(data: dict[str, Any]) -> Question:
    scale = data.get("scale") or {}
    show_if = data.get("show_if")
    return Question(
        id=data["id"],
        type=QuestionType(data["type"]),
        text=data["text"],
        options=tuple(Option(o["id"], o["label"]) for o in data.get("options", ())),
        max_picks=data.get("max_picks"),
        scale_min=scale.get("min"),
        scale_max=scale.get("max"),
        min_label=scale.get("min_label"),
        max_label=scale.get("max_label"),
        required=bool(data.get("required", True)),
        show_if=Condition(show_if["question"], tuple(show_if["in"])) if show_if else None,
    )


# --- Which questions a resident sees -------------------------------------------

Answers = dict[str, Any]  # question id -> stored answer; None = skipped (optional only)


class Visibility(str, enum.Enum):
    visible = "visible"
    hidden = "hidden"
    # The controlling question is visible but not answered yet.
    pending = "pending"


def _picked(answer: Any) -> set[str]:
    if answer is None:
        return set()
    return set(answer) if isinstance(answer, list) else {str(answer)}


def visibility(spec: SurveySpec, answers: Answers) -> dict[str, Visibility]:
    """Each question's visibility given the answers so far (conditions look only backwards)."""
    states: dict[str, Visibility] = {}
    for q in spec.questions:
        cond = q.show_if
        if cond is None:
            states[q.id] = Visibility.visible
            continue
        ctrl = states.get(cond.question, Visibility.hidden)
        if ctrl is Visibility.hidden:
            states[q.id] = Visibility.hidden
        elif ctrl is Visibility.pending or cond.question not in answers:
            states[q.id] = Visibility.pending
        else:
            shown = bool(_picked(answers[cond.question]) & set(cond.values))
            states[q.id] = Visibility.visible if shown else Visibility.hidden
    return states


def visible_questions(spec: SurveySpec, answers: Answers) -> list[Question]:
    """Questions the resident answers, in order, as far as the answers decide it."""
    states = visibility(spec, answers)
    return [q for q in spec.questions if states[q.id] is Visibility.visible]


def countable_questions(spec: SurveySpec, answers: Answers) -> list[Question]:
    """Visible plus still-undecided questions: the "/15" of the progress, which can only shrink."""
    states = visibility(spec, answers)
    return [q for q in spec.questions if states[q.id] is not Visibility.hidden]


def prune_answers(spec: SurveySpec, answers: Answers) -> Answers:
    """Drop answers to questions an earlier changed answer has hidden."""
    states = visibility(spec, answers)
    return {k: v for k, v in answers.items() if states.get(k) is Visibility.visible}


def next_question(spec: SurveySpec, answers: Answers, after: str | None) -> Question | None:
    """The first question after ``after`` (or the first of all) the resident should see; None = done."""
    states = visibility(spec, answers)
    ids = [q.id for q in spec.questions]
    start = ids.index(after) + 1 if after is not None else 0
    for q in spec.questions[start:]:
        if states[q.id] is not Visibility.hidden:
            return q
    return None


def previous_question(spec: SurveySpec, answers: Answers, before: str | None) -> Question | None:
    """The visible question before ``before`` (before None = the summary: the last one)."""
    visible = visible_questions(spec, answers)
    if before is None:
        return visible[-1] if visible else None
    ids = [q.id for q in visible]
    if before not in ids:
        return None
    pos = ids.index(before)
    return visible[pos - 1] if pos > 0 else None


def first_missing(spec: SurveySpec, answers: Answers) -> Question | None:
    """The first visible question without an answer (skipping counts as an answer)."""
    return next((q for q in visible_questions(spec, answers) if q.id not in answers), None)


# --- What an answer means --------------------------------------------------------

_NUMBER = re.compile(r"^\s*(-?\d+)\s*(번|점)?\s*$")


def _match_typed_option(question: Question, text: str) -> Option | None:
    """A typed reply may be the option's label or its 1-based number."""
    wanted = text.strip().casefold()
    for opt in question.options:
        if wanted in (opt.id, opt.label.casefold()):
            return opt
    number = _NUMBER.match(text)
    if number and 1 <= int(number.group(1)) <= len(question.options):
        return question.options[int(number.group(1)) - 1]
    return None


def _split_typed_picks(text: str) -> list[str]:
    """"1, 3" or "1 3" or "산책로, 공원" → the parts (labels may contain spaces)."""
    parts = [p.strip() for p in re.split(r"[,/·]", text) if p.strip()]
    if len(parts) == 1 and all(_NUMBER.match(t) for t in parts[0].split()):
        return parts[0].split()
    return parts


def _choice(question: Question, value: Any, typed: bool) -> str:
    if typed:
        opt = _match_typed_option(question, str(value))
        if opt is None:
            raise DomainError("not_a_choice", question_id=question.id)
        return opt.id
    if not isinstance(value, str) or question.option(value) is None:
        raise DomainError("invalid_option", question_id=question.id, option_id=str(value))
    return value


def _empty(question: Question) -> None:
    """An empty answer is a skip, allowed only for optional questions."""
    if question.required:
        raise DomainError("answer_required", question_id=question.id)
    return None


def normalize_answer(question: Question, value: Any, *, typed: bool = False) -> Any:
    """The stored form of an answer (None = skipped), or a DomainError saying what is wrong.

    ``typed`` marks free text the resident wrote instead of pressing a button:
    then a choice may be given by its label or number.
    """
    qt = question.type
    if qt is QuestionType.single:
        if value is None or (isinstance(value, str) and not value.strip()):
            return _empty(question)
        return _choice(question, value, typed)
    if qt is QuestionType.multi:
        if typed and isinstance(value, str):
            value = _split_typed_picks(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            value = []
        if not isinstance(value, (list, tuple)):
            raise DomainError("not_a_choice", question_id=question.id)
        picked = {_choice(question, v, typed) for v in value}
        if not picked:
            return _empty(question)
        if question.max_picks is not None and len(picked) > question.max_picks:
            raise DomainError("too_many_picks", question_id=question.id, max_picks=question.max_picks)
        return [o.id for o in question.options if o.id in picked]
    if qt is QuestionType.scale:
        if value is None or (isinstance(value, str) and not value.strip()):
            return _empty(question)
        if isinstance(value, bool):
            raise DomainError("not_a_choice", question_id=question.id)
        if isinstance(value, int):
            number = value
        else:
            match = _NUMBER.match(str(value))
            if match is None:
                raise DomainError("not_a_choice", question_id=question.id)
            number = int(match.group(1))
        if number not in question.scale_values:
            raise DomainError("out_of_range", question_id=question.id,
                              min=question.scale_min, max=question.scale_max)
        return number
    # text
    if value is not None and not isinstance(value, str):
        raise DomainError("text_expected", question_id=question.id)
    text = (value or "").strip()
    if not text:
        return _empty(question)
    limit = TEXT_MAX[qt]
    if len(text) > limit:
        raise DomainError("text_too_long", question_id=question.id, max=limit, length=len(text))
    return text


def answer_text(question: Question, answer: Any) -> str:
    """How a stored answer reads in the summary and the CSV export."""
    if answer is None:
        return "(건너뜀)"
    if question.type is QuestionType.single:
        opt = question.option(answer)
        return opt.label if opt else str(answer)
    if question.type is QuestionType.multi:
        return ", ".join(o.label for o in question.options if o.id in set(answer))
    if question.type is QuestionType.scale:
        return f"{answer}점 ({question.scale_min}~{question.scale_max})"
    return str(answer)


def scale_hint(question: Question) -> str | None:
    """"1 = 매우 불만족 · 5 = 매우 만족" for the buttons of a scale question."""
    if question.type is not QuestionType.scale:
        return None
    ends = []
    if question.min_label:
        ends.append(f"{question.scale_min} = {question.min_label}")
    if question.max_label:
        ends.append(f"{question.scale_max} = {question.max_label}")
    return " · ".join(ends) or None


# --- When a survey takes answers -----------------------------------------------------

def ensure_open(opens_at: datetime, closes_at: datetime, now: datetime, *, closed: bool = False) -> None:
    """Answers are taken from opens_at (inclusive) until closes_at (exclusive)."""
    if as_utc(now) < as_utc(opens_at):
        raise DomainError("survey_not_open", opens_at=as_utc(opens_at).isoformat())
    if closed or as_utc(now) >= as_utc(closes_at):
        raise DomainError("survey_closed", closes_at=as_utc(closes_at).isoformat())


def is_open(opens_at: datetime, closes_at: datetime, now: datetime) -> bool:
    return as_utc(opens_at) <= as_utc(now) < as_utc(closes_at)
