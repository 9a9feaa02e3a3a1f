"""Staff results: counts, percentages, averages, texts, CSV and chart; anonymous means anonymous."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from storage.db import session_scope
from storage.models.surveys import SurveyParticipation, SurveyResponse
from storage.services import surveys
from storage.fonts import korean_font_path
from survey_helpers import FULL_WALK, NOW, publish_sample, publish_text, resident, walk

NAMED = """\
title: 실명 설문
opens_at: "2026-12-01 09:00"
closes_at: "2026-12-21 18:00"
anonymous: false
points: 0
questions:
  - id: pick
    type: single
    text: 고르기
    options:
      - {id: a, label: 가}
      - {id: b, label: 나}
  - id: note
    type: short_text
    text: 한마디
    required: false
"""


def _answers(overall: int, comment: str | None) -> list[tuple[str, object]]:
    steps = dict(FULL_WALK)
    steps["overall"] = overall
    steps["comment"] = comment
    order = [qid for qid, _ in FULL_WALK if overall <= 2 or qid != "unhappy_why"]
    return [(qid, steps[qid]) for qid in order]


def _fill(engine):  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        sid = publish_sample(s)
        for n, (overall, comment) in enumerate([(2, "김철수입니다. 주차가 불편해요"), (4, None), (5, "좋아요")], start=1):
            rid = resident(s, 100 + n, f"주민{n}")
            walk(s, sid, rid, _answers(overall, comment))
            surveys.submit(s, survey_id=sid, resident_id=rid, now=NOW)
    return sid


def test_counts_percentages_and_averages(engine):
    sid = _fill(engine)
    with session_scope(engine) as s:
        res = surveys.results(s, sid)
    assert res.respondents == 3 and res.anonymous
    q = {r.id: r for r in res.questions}
    assert q["overall"].answered == 3 and q["overall"].average == round(11 / 3, 2)
    assert [(o.label, o.count, o.percent) for o in q["overall"].options] == [
        ("1", 0, 0.0), ("2", 1, 33.3), ("3", 0, 0.0), ("4", 1, 33.3), ("5", 1, 33.3)]
    # Multi choice: percentages of those who answered, so they may add up past 100.
    features = {o.id: (o.count, o.percent) for o in q["features"].options}
    assert features["survey"] == (3, 100.0) and features["news"] == (3, 100.0) and features["budget"] == (0, 0.0)
    # The conditional question was shown to one resident only.
    assert q["unhappy_why"].answered == 1
    assert q["comment"].answered == 2 and q["comment"].skipped == 1
    assert sorted(q["comment"].texts) == sorted(["김철수입니다. 주차가 불편해요", "좋아요"])
    text = surveys.results_text(res)
    assert "응답 3명 · 익명" in text and "평균 3.67점" in text and "설문·공모: 3명 (100.0%)" in text


def test_anonymous_survey_stores_and_reveals_no_identity(engine):
    sid = _fill(engine)
    with session_scope(engine) as s:
        rows = s.scalars(select(SurveyResponse)).all()
        assert len(rows) == 3
        assert all(r.resident_id is None and r.submitted_at is None for r in rows)
        assert all(len(r.id) == 32 for r in rows)  # random ids, no order of arrival
        # Participation is recorded (one response each) but holds no answers.
        assert len(s.scalars(select(SurveyParticipation)).all()) == 3
        exported = surveys.results_csv(s, sid)
    header, *lines = list(csv.reader(io.StringIO(exported)))
    assert header[0] == "응답 번호" and header[1].startswith("age.")
    assert not any(h in header for h in ("주민 번호", "이름", "제출 시각(KST)"))
    assert len(lines) == 3
    for name in ("주민1", "주민2", "주민3"):
        assert name not in exported


def test_named_survey_csv_says_who_answered(engine):
    with session_scope(engine) as s:
        sid = publish_text(s, NAMED)
        rid = resident(s, 7, "홍길동")
        surveys.answer(s, survey_id=sid, resident_id=rid, question_id="pick", value="b", now=NOW)
        surveys.answer(s, survey_id=sid, resident_id=rid, question_id="note", value="안녕하세요", now=NOW)
        result = surveys.submit(s, survey_id=sid, resident_id=rid, now=NOW)
        assert result.points_awarded == 0 and not result.award_created
    with session_scope(engine) as s:
        header, row = list(csv.reader(io.StringIO(surveys.results_csv(s, sid))))
        assert header[:4] == ["응답 번호", "주민 번호", "이름", "제출 시각(KST)"]
        assert row[2] == "홍길동" and row[3] == "2026. 12. 2. (수) 10:00" and row[4:] == ["나", "안녕하세요"]


def test_chart_is_a_png_with_a_korean_font(engine):
    sid = _fill(engine)
    with session_scope(engine) as s:
        res = surveys.results(s, sid)
    assert korean_font_path() is not None
    png = surveys.render_results_chart(res)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    one = surveys.render_results_chart(res, question_ids=["overall"])
    assert one[:8] == b"\x89PNG\r\n\x1a\n" and len(one) < len(png)


def test_results_of_an_empty_survey(session):
    sid = publish_sample(session)
    res = surveys.results(session, sid)
    assert res.respondents == 0
    assert all(o.percent == 0.0 for q in res.questions for o in q.options)
    assert surveys.render_results_chart(res)[:4] == b"\x89PNG"


@pytest.mark.parametrize("answer", ['=HYPERLINK("http://evil.example","클릭")', "+1+1", "-2+3", "@SUM(A1)",
                                    "\t=1", "\r=1"])
def test_survey_csv_neutralizes_spreadsheet_formulas(engine, answer):
    from storage.rules import csv_cell

    with session_scope(engine) as s:
        sid = publish_text(s, NAMED)
        rid = resident(s, 8, "=이름")
        surveys.answer(s, survey_id=sid, resident_id=rid, question_id="pick", value="b", now=NOW)
        surveys.answer(s, survey_id=sid, resident_id=rid, question_id="note", value=answer, now=NOW)
        surveys.submit(s, survey_id=sid, resident_id=rid, now=NOW)
    with session_scope(engine) as s:
        header, row = list(csv.reader(io.StringIO(surveys.results_csv(s, sid))))
    assert row[-1].startswith("'") and row[-1] == csv_cell(row[-1][1:])  # (answers are stored trimmed)
    assert row[2] == "'=이름"
