"""A resident walks through a survey: progress, conditions, back, resume, bad input, submit once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.db import make_engine, session_scope
from storage.errors import DomainError
from storage.models.surveys import SurveyParticipation, SurveyProgress, SurveyResponse
from storage.services import points, surveys
from storage.services.surveys import QuestionView, SummaryView
from survey_helpers import CLOSES, FULL_WALK, NOW, OPENS, SECOND, publish_sample, publish_text, resident, walk


def code_of(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    return err.value.code


def test_sample_walks_through_all_fifteen_questions_and_submits(engine):
    with session_scope(engine) as s:
        sid, rid = publish_sample(s), resident(s, 1)
        seen = walk(s, sid, rid)
        views, last = seen[:-1], seen[-1]
        assert [v.question.id for v in views] == [qid for qid, _ in FULL_WALK]
        assert [v.progress for v in views] == [f"{i}/15" for i in range(1, 16)]
        assert isinstance(last, SummaryView) and last.complete
        assert len(last.items) == 15
        by_id = {item.question_id: item for item in last.items}
        assert by_id["features"].answer_text == "설문·공모, 중구소식"
        assert by_id["overall"].answer_text == "2점 (1~5)"
        assert by_id["comment"].skipped and by_id["comment"].answer_text == "(건너뜀)"
        result = surveys.submit(s, survey_id=sid, resident_id=rid, now=NOW)
        assert result.award_created and result.points_awarded == 300
        assert points.balance(s, rid, now=NOW).available == 300
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(SurveyProgress)) == 0
        assert s.scalar(select(func.count()).select_from(SurveyResponse)) == 1
        assert code_of(surveys.start_or_resume, s, survey_id=sid, resident_id=rid, now=NOW) == "already_responded"
        assert code_of(surveys.submit, s, survey_id=sid, resident_id=rid, now=NOW) == "already_responded"
        [listing] = surveys.open_surveys(s, NOW, resident_id=rid)
        assert listing.my_state == "done"


def test_question_view_has_buttons_for_choices_and_scales(session):
    sid, rid = publish_sample(session), resident(session, 1)
    first = surveys.start_or_resume(session, survey_id=sid, resident_id=rid, now=NOW)
    assert isinstance(first, QuestionView)
    assert first.progress == "1/15" and not first.can_go_back and not first.can_skip
    assert [o.label for o in first.options][:2] == ["10대", "20대"]
    views = walk(session, sid, rid, FULL_WALK[:4])
    overall = views[-1]
    assert overall.question.id == "overall"
    assert [o.id for o in overall.options] == ["1", "2", "3", "4", "5"]
    assert overall.scale_hint == "1 = 매우 불만족 · 5 = 매우 만족"
    assert overall.can_go_back


def test_conditions_hide_questions_and_shrink_the_total(session):
    sid, rid = publish_sample(session), resident(session, 1)
    steps = FULL_WALK[:4] + [("overall", 4)]
    after = walk(session, sid, rid, steps)[-1]
    # unhappy_why is skipped for a satisfied resident; one question fewer in total.
    assert after.question.id == "ease" and after.progress == "6/14"
    view = surveys.answer(session, survey_id=sid, resident_id=rid, question_id="ease", value=3, now=NOW)
    view = surveys.answer(session, survey_id=sid, resident_id=rid, question_id="info", value=3, now=NOW)
    view = surveys.answer(session, survey_id=sid, resident_id=rid, question_id="reflected", value=3, now=NOW)
    view = surveys.answer(session, survey_id=sid, resident_id=rid, question_id="points_known", value="unknown",
                          now=NOW)
    assert view.question.id == "channel" and view.progress == "10/13"


def test_changing_an_earlier_answer_drops_answers_to_questions_it_hides(session):
    sid, rid = publish_sample(session), resident(session, 1)
    walk(session, sid, rid, FULL_WALK[:7])  # … overall=2, unhappy_why, ease
    # Back to "overall" (from info: ease → unhappy_why → overall) and become satisfied.
    surveys.back(session, survey_id=sid, resident_id=rid, now=NOW)
    surveys.back(session, survey_id=sid, resident_id=rid, now=NOW)
    view = surveys.back(session, survey_id=sid, resident_id=rid, now=NOW)
    assert view.question.id == "overall" and view.previous_answer == 2 and view.answered
    assert [o.selected for o in view.options] == [False, True, False, False, False]
    nxt = surveys.answer(session, survey_id=sid, resident_id=rid, question_id="overall", value=5, now=NOW)
    # The next question is "ease", already answered: shown with the answer kept.
    assert nxt.question.id == "ease" and nxt.previous_answer == 3
    progress = session.scalar(select(SurveyProgress))
    assert "unhappy_why" not in progress.answers and progress.answers["overall"] == 5


def test_multi_choice_toggles_persist_and_respect_max_picks(session):
    sid, rid = publish_sample(session), resident(session, 1)
    walk(session, sid, rid, FULL_WALK[:3])
    kw = dict(survey_id=sid, resident_id=rid, question_id="features", now=NOW)
    for option in ("survey", "budget", "news"):
        view = surveys.toggle_multi(session, option_id=option, **kw)
    assert [o.id for o in view.options if o.selected] == ["survey", "news", "budget"]
    assert code_of(surveys.toggle_multi, session, option_id="meeting", **kw) == "too_many_picks"
    view = surveys.toggle_multi(session, option_id="budget", **kw)  # untick
    assert [o.id for o in view.options if o.selected] == ["survey", "news"]
    assert code_of(surveys.toggle_multi, session, option_id="nope", **kw) == "invalid_option"
    nxt = surveys.confirm_multi(session, **kw)
    assert nxt.question.id == "overall"
    back = surveys.back(session, survey_id=sid, resident_id=rid, now=NOW)
    # Coming back, the confirmed picks are ticked again.
    assert [o.id for o in back.options if o.selected] == ["survey", "news"]


def test_typed_answers_pick_by_label_or_number(session):
    sid, rid = publish_sample(session), resident(session, 1)
    kw = dict(survey_id=sid, resident_id=rid, now=NOW)
    surveys.start_or_resume(session, **kw)
    surveys.answer(session, question_id="age", value="3", typed=True, **kw)
    surveys.answer(session, question_id="relation", value="중구에서 일해요", typed=True, **kw)
    surveys.answer(session, question_id="frequency", value="2번", typed=True, **kw)
    surveys.answer(session, question_id="features", value="1, 2", typed=True, **kw)
    surveys.answer(session, question_id="overall", value="4점", typed=True, **kw)
    answers = session.scalar(select(SurveyProgress)).answers
    assert answers == {"age": "30s", "relation": "work", "frequency": "weekly",
                       "features": ["survey", "news"], "overall": 4}


@pytest.mark.parametrize("qid, value, typed, code", [
    ("age", "90s", False, "invalid_option"),
    ("age", "아무거나", True, "not_a_choice"),
    ("age", "9", True, "not_a_choice"),
    ("age", None, False, "answer_required"),
    ("relation", "live", False, "stale_question"),
])
def test_bad_first_answers_change_nothing(session, qid, value, typed, code):
    sid, rid = publish_sample(session), resident(session, 1)
    before = surveys.start_or_resume(session, survey_id=sid, resident_id=rid, now=NOW)
    assert code_of(surveys.answer, session, survey_id=sid, resident_id=rid, question_id=qid, value=value,
                   typed=typed, now=NOW) == code
    assert surveys.start_or_resume(session, survey_id=sid, resident_id=rid, now=NOW) == before


def test_scale_text_and_pick_limits(session):
    sid, rid = publish_sample(session), resident(session, 1)
    walk(session, sid, rid, FULL_WALK[:4])
    kw = dict(survey_id=sid, resident_id=rid, now=NOW)
    assert code_of(surveys.answer, session, question_id="overall", value=6, **kw) == "out_of_range"
    assert code_of(surveys.answer, session, question_id="overall", value=0, **kw) == "out_of_range"
    assert code_of(surveys.answer, session, question_id="overall", value="좋아요", typed=True, **kw) == "not_a_choice"
    assert code_of(surveys.skip, session, question_id="overall", **kw) == "answer_required"
    surveys.answer(session, question_id="overall", value=5, **kw)  # boundary: max of the scale
    walk(session, sid, rid, FULL_WALK[6:9] + [("points_known", "unknown"), ("channel", ["sns"])])
    # recommend is 0–10: both ends are valid, 11 is not.
    assert code_of(surveys.answer, session, question_id="recommend", value=11, **kw) == "out_of_range"
    surveys.answer(session, question_id="recommend", value=0, **kw)
    assert code_of(surveys.answer, session, question_id="wish", value="가" * 201, **kw) == "text_too_long"
    view = surveys.answer(session, question_id="wish", value="가" * 200, **kw)
    assert view.question.id == "comment" and view.can_skip
    assert code_of(surveys.answer, session, question_id="comment", value=["a"], **kw) == "text_expected"


def test_too_many_picks_when_answered_at_once(session):
    sid, rid = publish_sample(session), resident(session, 1)
    walk(session, sid, rid, FULL_WALK[:3])
    assert code_of(surveys.answer, session, survey_id=sid, resident_id=rid, question_id="features",
                   value=["survey", "news", "budget", "meeting"], now=NOW) == "too_many_picks"


def test_resume_after_a_restart_of_every_process(engine):
    url = engine.url.render_as_string(hide_password=False)
    with session_scope(engine) as s:
        sid, rid = publish_sample(s), resident(s, 1)
        walk(s, sid, rid, FULL_WALK[:3])
        surveys.toggle_multi(s, survey_id=sid, resident_id=rid, question_id="features", option_id="news", now=NOW)
    engine.dispose()
    restarted = make_engine(url)  # a new process: a new engine, nothing kept in memory
    try:
        with session_scope(restarted) as s:
            view = surveys.start_or_resume(s, survey_id=sid, resident_id=rid, now=NOW + 3600 * SECOND)
            assert view.question.id == "features" and view.progress == "4/15"
            assert [o.id for o in view.options if o.selected] == ["news"]
            [listing] = surveys.open_surveys(s, NOW, resident_id=rid)
            assert listing.my_state == "in_progress"
    finally:
        restarted.dispose()


def test_summary_back_and_edit(session):
    sid, rid = publish_sample(session), resident(session, 1)
    summary = walk(session, sid, rid)[-1]
    assert isinstance(summary, SummaryView)
    kw = dict(survey_id=sid, resident_id=rid, now=NOW)
    last = surveys.back(session, **kw)
    assert last.question.id == "comment"
    surveys.skip(session, question_id="comment", **kw)
    view = surveys.edit(session, question_id="age", **kw)
    assert view.question.id == "age" and view.previous_answer == "30s"
    assert code_of(surveys.submit, session, **kw) == "survey_incomplete"
    surveys.answer(session, question_id="age", value="40s", **kw)
    # Going on from an edited answer walks forward again through the kept answers.
    assert surveys.summary(session, **kw).complete is False
    assert code_of(surveys.edit, session, question_id="nope", **kw) == "stale_question"


def test_back_at_the_first_question(session):
    sid, rid = publish_sample(session), resident(session, 1)
    surveys.start_or_resume(session, survey_id=sid, resident_id=rid, now=NOW)
    assert code_of(surveys.back, session, survey_id=sid, resident_id=rid, now=NOW) == "no_previous_question"


def test_open_and_close_boundaries(engine):
    with session_scope(engine) as s:
        sid, rid = publish_sample(s), resident(s, 1)
    with session_scope(engine) as s:
        assert code_of(surveys.start_or_resume, s, survey_id=sid, resident_id=rid,
                       now=OPENS - SECOND) == "survey_not_open"
        assert surveys.open_surveys(s, OPENS - SECOND) == []
    with session_scope(engine) as s:
        assert surveys.start_or_resume(s, survey_id=sid, resident_id=rid, now=OPENS).progress == "1/15"
        walk(s, sid, rid, now=CLOSES - SECOND)
    with session_scope(engine) as s:
        # The last second still submits; at closes_at the survey is closed.
        assert code_of(surveys.submit, s, survey_id=sid, resident_id=rid, now=CLOSES) == "survey_closed"
        assert surveys.open_surveys(s, CLOSES) == []
    with session_scope(engine) as s:
        assert surveys.submit(s, survey_id=sid, resident_id=rid, now=CLOSES - SECOND).points_awarded == 300
    with session_scope(engine) as s:
        assert code_of(surveys.start_or_resume, s, survey_id=404, resident_id=rid, now=NOW) == "survey_not_found"


def test_staff_close_early_and_purge_unfinished_answers(engine):
    with session_scope(engine) as s:
        sid, rid = publish_sample(s), resident(s, 1)
        walk(s, sid, rid, FULL_WALK[:2])
    with session_scope(engine) as s:
        surveys.close_survey(s, sid, staff_id=None, now=NOW)
    with session_scope(engine) as s:
        assert code_of(surveys.start_or_resume, s, survey_id=sid, resident_id=rid, now=NOW) == "survey_closed"
        assert surveys.purge_stale_progress(s, NOW) == 1
        assert s.scalar(select(func.count()).select_from(SurveyProgress)) == 0


def test_publishing_rules(engine):
    with session_scope(engine) as s:
        publish_sample(s)
        staff_less = resident(s, 2)
    with session_scope(engine) as s:
        assert code_of(publish_sample, s) == "survey_duplicate"
    with session_scope(engine) as s:
        from storage.services.survey_loader import load_survey_file
        from survey_helpers import SAMPLE

        spec = load_survey_file(SAMPLE)
        assert code_of(surveys.publish_survey, s, spec, staff_id=staff_less, now=NOW) == "not_allowed"
        assert code_of(surveys.publish_survey, s, spec, staff_id=None, now=CLOSES) == "survey_closes_in_past"
        over = load_survey_file(SAMPLE.read_text(encoding="utf-8").replace("points: 300", "points: 501"))
        assert code_of(surveys.publish_survey, s, over, staff_id=None, now=NOW) == "points_out_of_range"


def test_points_default_to_the_policy(session):
    sid = publish_text(session, """\
title: 포인트 기본값
opens_at: "2026-12-01 09:00"
closes_at: "2026-12-21 18:00"
anonymous: false
questions:
  - {id: q1, type: short_text, text: 한마디}
""")
    rid = resident(session, 1)
    surveys.answer(session, survey_id=sid, resident_id=rid, question_id="q1", value="좋아요", now=NOW)
    assert surveys.submit(session, survey_id=sid, resident_id=rid, now=NOW).points_awarded == 500
    assert session.scalar(select(func.count()).select_from(SurveyParticipation)) == 1
