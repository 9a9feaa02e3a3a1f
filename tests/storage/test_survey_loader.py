"""Survey files: the sample loads; broken files are refused with every error and its line."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from storage import survey_rules as sr
from storage.services.survey_loader import SurveyValidationError, load_survey_file
from storage.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "storage" / "surveys" / "satisfaction_2026.yml"

HEADER = """\
title: 시험 설문
opens_at: "2026-12-01 09:00"
closes_at: "2026-12-21 18:00"
anonymous: true
questions:
"""


def errors_of(text: str | Path) -> list[tuple[int, str]]:
    with pytest.raises(SurveyValidationError) as err:
        load_survey_file(text)
    assert err.value.code == "survey_invalid"
    return err.value.errors


def test_sample_survey_is_chat_friendly():
    spec = load_survey_file(SAMPLE)
    assert len(spec.questions) == 15
    assert spec.anonymous and spec.points == 300
    # KST 09:00 is 00:00 UTC.
    assert spec.opens_at == datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)
    types = {q.type for q in spec.questions}
    assert types == set(sr.QuestionType)
    assert sum(q.show_if is not None for q in spec.questions) >= 1
    for q in spec.questions:
        assert len(q.text) <= 40, q.id
        assert len(q.options) <= 8, q.id
        assert all(len(o.label) <= 20 for o in q.options), q.id


def test_sample_loads_from_text_and_file_name_alike():
    assert load_survey_file(SAMPLE.read_text(encoding="utf-8")) == load_survey_file(str(SAMPLE))


def test_json_file_is_accepted(tmp_path: Path):
    data = {
        "title": "JSON 설문", "opens_at": "2026-12-01 09:00", "closes_at": "2026-12-02 09:00",
        "anonymous": False, "points": 100,
        "questions": [
            {"id": "q1", "type": "single", "text": "좋아요?", "options": [
                {"id": "yes", "label": "네"}, {"id": "no", "label": "아니요"}]},
            {"id": "q2", "type": "short_text", "text": "이유는?", "required": False,
             "show_if": {"question": "q1", "equals": "no"}},
        ],
    }
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent="\t"), encoding="utf-8")
    spec = load_survey_file(path)
    # "yes"/"no" stay option ids (YAML 1.1 would have made them booleans).
    assert [o.id for o in spec.questions[0].options] == ["yes", "no"]
    assert spec.questions[1].show_if == sr.Condition("q1", ("no",))
    assert not spec.questions[1].required


def test_broken_json_reports_its_line(tmp_path: Path):
    path = tmp_path / "s.json"
    path.write_text('{\n  "title": "x",\n  "questions": [\n    {"id": "q1",, }\n  ]\n}\n', encoding="utf-8")
    [(line, message)] = errors_of(path)
    assert line == 4 and "JSON 문법" in message


def test_yaml_syntax_error_reports_line():
    [(line, message)] = errors_of(HEADER + "  - id: q1\n    type: single\n   text: 잘못된 들여쓰기\n")
    assert line in (8, 9) and "문법" in message


def test_empty_file():
    assert errors_of("   \n") == [(1, "파일이 비어 있습니다.")]


def test_every_error_is_collected_with_its_line():
    text = """\
title: ""
opens_at: 2026-12-01
closes_at: "2026-11-30 09:00"
anonymous: yes
colour: blue
questions:
  - id: Q1
    type: single
    text: 선택지가 없음
    options: []
  - id: q2
    type: scale
    text: 칠점 척도
    scale: {min: 1, max: 7}
  - id: q3
    type: multi
    text: 조건이 뒤를 가리킴
    show_if: {question: q9, equals: a}
    options:
      - {id: a, label: 가}
      - {id: a, label: 나}
  - id: q4
    typ: single
    text: 타입 오타
  - id: q3
    type: long_text
    text: 중복 id
    options:
      - {id: x, label: 엑스}
"""
    found = errors_of(text)
    lines = [line for line, _ in found]
    assert lines == sorted(lines)
    by_line = {}
    for line, message in found:
        by_line.setdefault(line, []).append(message)
    assert any("title" in m for m in by_line[1])
    assert any("closes_at은 opens_at보다 뒤" in m for m in by_line[3])
    assert any("true 또는 false" in m for m in by_line[4])
    assert any("알 수 없는 항목 'colour'" in m for m in by_line[5])
    assert any("질문 id 'Q1'" in m for m in by_line[7])
    assert any("선택지가 비어 있습니다" in m for m in by_line[10])
    assert any("1~5 또는 0~10" in m for m in by_line[14])
    assert any("앞에 나온 질문만" in m for m in by_line[18])
    assert any("선택지 id 'a'가 두 번" in m for m in by_line[21])
    assert any("'type'이 없습니다" in m for m in by_line[22])
    assert any("'typ'" in m for m in by_line[23])
    assert any("이미 앞에서 쓰였습니다" in m for m in by_line[25])
    assert any("options를 쓸 수 없습니다" in m for m in by_line[28])


def test_message_format_names_line_and_question():
    text = HEADER + "  - id: q1\n    type: single\n    text: 비어 있음\n    options: []\n"
    with pytest.raises(SurveyValidationError) as err:
        load_survey_file(text)
    assert err.value.lines() == ["9행: 질문 q1의 선택지가 비어 있습니다."]
    assert str(err.value) == "9행: 질문 q1의 선택지가 비어 있습니다."


def _question(body: str) -> str:
    return HEADER + """\
  - id: color
    type: multi
    text: 색
    options:
      - {id: red, label: 빨강}
      - {id: blue, label: 파랑}
""" + body


@pytest.mark.parametrize("body, line, fragment", [
    # show_if may only point backwards, at a choice or scale question, at its real options.
    ("  - id: why\n    type: short_text\n    text: 왜?\n    show_if: {question: why, equals: red}\n",
     15, "앞에 나온 질문만"),
    ("  - id: why\n    type: short_text\n    text: 왜?\n    show_if: {question: color, equals: green}\n",
     15, "선택지 green"),
    ("  - id: why\n    type: short_text\n    text: 왜?\n    show_if: {question: color}\n",
     15, "equals"),
    ("  - id: t\n    type: short_text\n    text: 글\n  - id: why\n    type: short_text\n    text: 왜?\n"
     "    show_if: {question: t, equals: a}\n", 18, "선택형"),
    # max_picks bounds and placement
    ("    max_picks: 3\n", 12, "1~2 사이"),
    ("  - id: one\n    type: single\n    text: 하나\n    max_picks: 1\n    options:\n"
     "      - {id: a, label: 가}\n      - {id: b, label: 나}\n", 15, "max_picks를 쓸 수 없습니다"),
    # labels and text lengths
    ("  - id: long\n    type: single\n    text: 긴 선택지\n    options:\n"
     "      - {id: a, label: 가나다라마바사아자차카타파하가나다라마바사}\n      - {id: b, label: 나}\n",
     16, "최대 20자"),
    ("  - id: solo\n    type: single\n    text: 하나뿐\n    options:\n      - {id: a, label: 가}\n",
     16, "2~15개"),
    ("  - id: req\n    type: short_text\n    text: 글\n    required: \"no\"\n", 15, "true 또는 false"),
])
def test_question_rules(body: str, line: int, fragment: str):
    found = errors_of(_question(body))
    assert any(ln == line and fragment in msg for ln, msg in found), found


def test_scale_condition_and_defaults():
    spec = load_survey_file(HEADER + """\
  - id: score
    type: scale
    text: 점수
  - id: why
    type: long_text
    text: 왜요?
    show_if: {question: score, in: [1, 2]}
""")
    score, why = spec.questions
    assert (score.scale_min, score.scale_max) == (1, 5)
    assert why.show_if == sr.Condition("score", ("1", "2"))
    assert spec.points is None  # the point policy decides


def test_scale_condition_outside_the_scale_is_refused():
    found = errors_of(HEADER + """\
  - id: score
    type: scale
    text: 점수
    scale: {min: 0, max: 10}
  - id: why
    type: long_text
    text: 왜요?
    show_if: {question: score, in: [11]}
""")
    assert found == [(13, "질문 why의 show_if: 질문 score에 선택지 11이 없습니다.")]


def test_spec_round_trips_through_json():
    spec = load_survey_file(SAMPLE)
    assert sr.SurveySpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


# --- hostile files (issue 13) ---------------------------------------------------------------
ALIAS_BOMB = "\n".join(
    ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
       f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]" for i in range(9)]
    + ["title: *j"]) + "\n"


def test_alias_bomb_is_refused_at_once():
    import time

    started = time.perf_counter()
    errors = errors_of(ALIAS_BOMB)
    assert time.perf_counter() - started < 2
    assert errors and "별칭" in errors[0][1] and errors[0][0] == 2


def test_deep_nesting_and_huge_files_are_refused():
    assert "깊게" in errors_of("title: " + "[" * 5000 + "]" * 5000 + "\n")[0][1]
    assert "너무 큽니다" in errors_of("title: x\n" + "# 주석\n" * 60_000)[0][1]


def test_isolated_load_returns_the_spec_and_times_out():
    from storage.services.survey_loader import load_survey_isolated

    good = (PROJECT_ROOT / "storage" / "surveys").glob("*.yml")
    text = next(iter(sorted(good))).read_text(encoding="utf-8")
    spec = load_survey_isolated(text)
    assert spec == load_survey_file(text)
    with pytest.raises(SurveyValidationError) as err:
        load_survey_isolated(ALIAS_BOMB)
    assert "별칭" in err.value.errors[0][1]
    with pytest.raises(SurveyValidationError) as err:
        load_survey_isolated(text, timeout_seconds=0.001)
    assert "너무 오래" in err.value.errors[0][1]
