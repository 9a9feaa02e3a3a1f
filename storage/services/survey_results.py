"""Staff results of a survey: counts and percentages, scale averages, text answers, CSV, chart.

Results are computed from ``survey_responses`` alone. For an anonymous survey
those rows carry no resident, so nothing here can say who answered what; text
answers are listed in the order of the random response ids, not in time order.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import survey_rules as sr
from storage.errors import DomainError
from storage.models import Resident
from storage.models.surveys import Survey, SurveyResponse
from storage.rules import csv_cell
from storage.timeutil import kst_datetime


@dataclass(frozen=True)
class OptionCount:
    id: str
    label: str
    count: int
    # Share of the residents who answered this question, 0–100, one decimal.
    percent: float


@dataclass(frozen=True)
class QuestionResult:
    id: str
    text: str
    type: sr.QuestionType
    answered: int
    skipped: int
    options: tuple[OptionCount, ...]
    average: float | None
    texts: tuple[str, ...]


@dataclass(frozen=True)
class SurveyResults:
    survey_id: int
    title: str
    anonymous: bool
    respondents: int
    questions: tuple[QuestionResult, ...]


def percent(count: int, base: int) -> float:
    return round(100.0 * count / base, 1) if base else 0.0


def _responses(session: Session, survey: Survey) -> list[SurveyResponse]:
    order = SurveyResponse.id if survey.anonymous else SurveyResponse.submitted_at
    return list(session.scalars(
        select(SurveyResponse).where(SurveyResponse.survey_id == survey.id).order_by(order, SurveyResponse.id)
    ))


def _question_result(q: sr.Question, answers: list[dict]) -> QuestionResult:
    given = [a[q.id] for a in answers if a.get(q.id) is not None]
    skipped = sum(1 for a in answers if q.id in a and a[q.id] is None)
    base = len(given)
    options: tuple[OptionCount, ...] = ()
    average = None
    texts: tuple[str, ...] = ()
    if q.type.is_choice:
        counts = {o.id: 0 for o in q.options}
        for value in given:
            for oid in (value if isinstance(value, list) else [value]):
                if oid in counts:
                    counts[oid] += 1
        options = tuple(OptionCount(o.id, o.label, counts[o.id], percent(counts[o.id], base)) for o in q.options)
    elif q.type is sr.QuestionType.scale:
        counts = {n: 0 for n in q.scale_values}
        for value in given:
            counts[int(value)] = counts.get(int(value), 0) + 1
        options = tuple(OptionCount(str(n), str(n), c, percent(c, base)) for n, c in counts.items())
        average = round(sum(int(v) for v in given) / base, 2) if base else None
    else:
        texts = tuple(str(v) for v in given)
    return QuestionResult(q.id, q.text, q.type, base, skipped, options, average, texts)


def results(session: Session, survey_id: int) -> SurveyResults:
    """Aggregated answers of one survey (no identities, whatever the survey's anonymity)."""
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise DomainError("survey_not_found", survey_id=survey_id)
    spec = sr.SurveySpec.from_dict(survey.spec)
    answers = [r.answers for r in _responses(session, survey)]
    return SurveyResults(
        survey_id=survey.id, title=survey.title, anonymous=survey.anonymous,
        respondents=len(answers),
        questions=tuple(_question_result(q, answers) for q in spec.questions),
    )


def results_csv(session: Session, survey_id: int) -> str:
    """One row per response, one column per question (Korean headers, for a spreadsheet).

    Named surveys add who answered and when; anonymous ones have no such columns.
    """
    survey = session.get(Survey, survey_id)
    if survey is None:
        raise DomainError("survey_not_found", survey_id=survey_id)
    spec = sr.SurveySpec.from_dict(survey.spec)
    rows = _responses(session, survey)
    names: dict[int, str] = {}
    if not survey.anonymous:
        ids = {r.resident_id for r in rows if r.resident_id is not None}
        if ids:
            # A comprehension, not dict(result): Result has .keys() and would be read as a mapping.
            names = {rid: name for rid, name in session.execute(
                select(Resident.id, Resident.display_name).where(Resident.id.in_(ids)))}
    out = io.StringIO()
    writer = csv.writer(out)
    head = ["응답 번호"] + ([] if survey.anonymous else ["주민 번호", "이름", "제출 시각(KST)"])
    writer.writerow([csv_cell(c) for c in head + [f"{q.id}. {q.text}" for q in spec.questions]])
    for number, r in enumerate(rows, start=1):
        who = [] if survey.anonymous else [
            r.resident_id or "", names.get(r.resident_id or 0, ""),
            kst_datetime(r.submitted_at) if r.submitted_at else "",
        ]
        cells = [sr.answer_text(q, r.answers[q.id]) if q.id in r.answers else "" for q in spec.questions]
        # Answers and names are residents' own text: no spreadsheet formulas.
        writer.writerow([csv_cell(c) for c in (number, *who, *cells)])
    return out.getvalue()


def results_text(res: SurveyResults, *, texts_per_question: int = 5) -> str:
    """A chat summary for staff: percentages, averages and the first text answers."""
    lines = [f"📊 {res.title}", f"응답 {res.respondents:,}명" + (" · 익명" if res.anonymous else ""), ""]
    for number, q in enumerate(res.questions, start=1):
        lines.append(f"{number}. {q.text} (응답 {q.answered:,}명)")
        if q.type is sr.QuestionType.scale and q.average is not None:
            lines.append(f"  평균 {q.average:.2f}점")
        if q.type.is_choice:
            for o in q.options:
                lines.append(f"  · {o.label}: {o.count:,}명 ({o.percent:.1f}%)")
        for text in q.texts[:texts_per_question]:
            lines.append(f"  - {text[:100]}")
        if len(q.texts) > texts_per_question:
            lines.append(f"  … 외 {len(q.texts) - texts_per_question:,}건 (CSV로 전체 보기)")
        lines.append("")
    return "\n".join(lines).rstrip()


def render_results_chart(res: SurveyResults, *, question_ids: list[str] | None = None) -> bytes:
    """PNG bar charts of the choice and scale questions."""
    from storage.survey_chart import render_chart

    return render_chart(res, question_ids=question_ids)
