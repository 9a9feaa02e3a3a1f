"""Pure survey rules: visibility through chained conditions, navigation, answer normalisation."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from storage import survey_rules as sr
from storage.errors import DomainError

UTC = timezone.utc
Q = sr.QuestionType


def _spec() -> sr.SurveySpec:
    opts = (sr.Option("a", "가"), sr.Option("b", "나"), sr.Option("c", "다"))
    return sr.SurveySpec(
        title="t", opens_at=datetime(2026, 12, 1, tzinfo=UTC), closes_at=datetime(2026, 12, 2, tzinfo=UTC),
        anonymous=True,
        questions=(
            sr.Question("q1", Q.single, "첫째", options=opts),
            sr.Question("q2", Q.multi, "둘째", options=opts, max_picks=2, show_if=sr.Condition("q1", ("a",))),
            # Chained: depends on q2, which itself depends on q1.
            sr.Question("q3", Q.short_text, "셋째", required=False, show_if=sr.Condition("q2", ("b", "c"))),
            sr.Question("q4", Q.scale, "넷째", scale_min=0, scale_max=10),
        ),
    )


def test_chained_conditions():
    spec = _spec()
    V = sr.Visibility
    assert sr.visibility(spec, {}) == {"q1": V.visible, "q2": V.pending, "q3": V.pending, "q4": V.visible}
    assert sr.visibility(spec, {"q1": "b"})["q2"] is V.hidden
    # q3 follows q2 into hiding, even if an old answer to q2 would satisfy it.
    assert sr.visibility(spec, {"q1": "b", "q2": ["b"]})["q3"] is V.hidden
    assert sr.visibility(spec, {"q1": "a", "q2": ["a", "c"]})["q3"] is V.visible
    assert sr.prune_answers(spec, {"q1": "b", "q2": ["b"], "q3": "x", "q4": 3}) == {"q1": "b", "q4": 3}


def test_countable_questions_only_shrink():
    spec = _spec()
    assert len(sr.countable_questions(spec, {})) == 4
    assert len(sr.countable_questions(spec, {"q1": "a"})) == 4
    assert len(sr.countable_questions(spec, {"q1": "a", "q2": ["a"]})) == 3
    assert len(sr.countable_questions(spec, {"q1": "c"})) == 2


def test_navigation():
    spec = _spec()
    assert sr.next_question(spec, {}, None).id == "q1"
    assert sr.next_question(spec, {"q1": "c"}, "q1").id == "q4"
    assert sr.next_question(spec, {"q1": "a"}, "q1").id == "q2"
    assert sr.next_question(spec, {"q1": "c", "q4": 1}, "q4") is None
    assert sr.previous_question(spec, {"q1": "c", "q4": 1}, None).id == "q4"
    assert sr.previous_question(spec, {"q1": "c", "q4": 1}, "q4").id == "q1"
    assert sr.previous_question(spec, {}, "q1") is None
    # A skipped optional question counts as answered.
    assert sr.first_missing(spec, {"q1": "a", "q2": ["b"], "q3": None, "q4": 0}) is None


@pytest.mark.parametrize("value, expected", [(0, 0), (10, 10), ("7", 7), ("7점", 7)])
def test_scale_bounds_ok(value, expected):
    assert sr.normalize_answer(_spec().questions[3], value, typed=True) == expected


@pytest.mark.parametrize("value, code", [(-1, "out_of_range"), (11, "out_of_range"), (True, "not_a_choice"),
                                         ("많이", "not_a_choice"), ("", "answer_required")])
def test_scale_bounds_refused(value, code):
    with pytest.raises(DomainError) as err:
        sr.normalize_answer(_spec().questions[3], value, typed=True)
    assert err.value.code == code


def test_multi_picks_are_ordered_deduplicated_and_capped():
    q2 = _spec().questions[1]
    assert sr.normalize_answer(q2, ["c", "a", "c"]) == ["a", "c"]
    assert sr.normalize_answer(q2, "다, 가", typed=True) == ["a", "c"]
    assert sr.normalize_answer(q2, "3 1", typed=True) == ["a", "c"]
    with pytest.raises(DomainError) as err:
        sr.normalize_answer(q2, ["a", "b", "c"])
    assert err.value.code == "too_many_picks" and err.value.params["max_picks"] == 2
    with pytest.raises(DomainError) as err:
        sr.normalize_answer(q2, [])
    assert err.value.code == "answer_required"


@pytest.mark.parametrize("length, ok", [(sr.SHORT_TEXT_MAX - 1, True), (sr.SHORT_TEXT_MAX, True),
                                        (sr.SHORT_TEXT_MAX + 1, False)])
def test_short_text_limit(length, ok):
    q3 = _spec().questions[2]
    if ok:
        assert sr.normalize_answer(q3, "가" * length) == "가" * length
    else:
        with pytest.raises(DomainError) as err:
            sr.normalize_answer(q3, "가" * length)
        assert err.value.code == "text_too_long" and err.value.params["max"] == sr.SHORT_TEXT_MAX
    # Blank text on an optional question is a skip.
    assert sr.normalize_answer(q3, "   ") is None


def test_open_window_boundaries():
    spec = _spec()
    second = timedelta(seconds=1)
    with pytest.raises(DomainError) as err:
        sr.ensure_open(spec.opens_at, spec.closes_at, spec.opens_at - second)
    assert err.value.code == "survey_not_open"
    sr.ensure_open(spec.opens_at, spec.closes_at, spec.opens_at)
    sr.ensure_open(spec.opens_at, spec.closes_at, spec.closes_at - second)
    with pytest.raises(DomainError) as err:
        sr.ensure_open(spec.opens_at, spec.closes_at, spec.closes_at)
    assert err.value.code == "survey_closed"


def test_ids_fit_in_callback_data():
    # "srv:a:<survey id up to 8 digits>:<question id>:<option id>" stays within Telegram's 64 bytes.
    longest = "x" * 20
    assert sr.ID_PATTERN.match(longest) and not sr.ID_PATTERN.match(longest + "x")
    assert len(f"srv:a:99999999:{longest}:{longest}".encode()) <= 64
