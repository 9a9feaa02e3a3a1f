"""Survey actions against the real database: the menu, the walk through the sample, bad input, resume."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.surveys import ActionAskSurveyReply, ActionSurveyPause, ActionSurveysMenu, ValidateSurveyForm
from actions.survey_views import payload
from storage.db import session_scope
from storage.models.surveys import SurveyResponse
from storage.services import points, surveys
from tests.actions.conftest import make_tracker, responses, run_action
from tests.actions.engagement_helpers import FormDriver, button, publish, register, sample_text

pytestmark = pytest.mark.usefixtures("app_db")


def _driver() -> FormDriver:
    return FormDriver(ValidateSurveyForm(), ActionAskSurveyReply(), "survey_reply")


async def _start(driver: FormDriver, survey_id: int) -> list[dict]:
    messages, _ = await driver.send(payload("survey_start", s=survey_id), intent="survey_start", confidence=1.0,
                                    entities=[{"entity": "s", "value": str(survey_id)}])
    return messages


async def test_menu_lists_open_surveys_then_contests_and_attendance(app_db):
    register(app_db)
    sid = publish(app_db)
    messages, _ = await run_action(ActionSurveysMenu(), make_tracker("surveys_menu"))
    assert responses(messages) == ["utter_surveys_menu"]
    assert "2026 온통중구 이용 만족도 조사" in messages[0]["lines"] and "15문항 · 300 P" in messages[0]["lines"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == [payload("survey_start", s=sid), "/contest_list", "/attendance_check"]


async def test_menu_without_surveys_still_offers_contests_and_attendance(app_db):
    messages, _ = await run_action(ActionSurveysMenu(), make_tracker("surveys_menu"))
    assert responses(messages) == ["utter_surveys_menu_empty"]
    assert len(messages[0]["buttons"]) == 2


async def test_the_sample_survey_from_first_question_to_points(app_db):
    rid = register(app_db)
    sid = publish(app_db)
    d = _driver()
    intro, question = await _start(d, sid)
    assert intro["response"] == "utter_survey_intro_anonymous" and intro["count"] == 15
    assert question["response"] == "utter_survey_question_choice" and question["progress"] == "1/15"
    assert [b["title"] for b in question["buttons"]][-1] == "⏸ 나중에"

    (q2,), _ = await d.press(question, "30대")
    assert q2["progress"] == "2/15"
    # A correction: back to 1/15, the earlier answer is marked, a new one moves on.
    (q1,), _ = await d.press(q2, "이전")
    assert q1["progress"] == "1/15" and any(b["title"] == "✔️ 30대" for b in q1["buttons"])
    (q2,), _ = await d.press(q1, "40대")
    (q3,), _ = await d.press(q2, "중구에 살아요")
    (q4,), _ = await d.press(q3, "주 1~2회")
    assert q4["response"] == "utter_survey_question_multi" and q4["max_picks"] == 3
    (q4,), _ = await d.press(q4, "설문·공모")
    assert any(b["title"] == "☑️ 설문·공모" for b in q4["buttons"])
    (q4,), _ = await d.press(q4, "중구소식")
    (q5,), _ = await d.press(q4, "선택 완료")
    assert q5["response"] == "utter_survey_question_scale" and "1 = 매우 불만족" in q5["hint"]
    (q6,), _ = await d.press(q5, "2")
    assert q6["question"].startswith("어떤 점이 불만족") and q6["progress"] == "6/15"
    # Typed numbers work for a multiple choice.
    (q7,), _ = await d.send("3")
    assert q7["progress"] == "7/15"
    for label in ("4", "4", "3"):
        (q7,), _ = await d.press(q7, label)
    (q11,), _ = await d.press(q7, "알고 받아 봤어요")
    assert q11["question"].startswith("포인트를 상품권으로")
    (q12,), _ = await d.press(q11, "쉬웠어요")
    (q13,), _ = await d.send("2, 4")
    assert q13["progress"] == "13/15" and q13["hint"].startswith("0 = ")
    (q14,), _ = await d.press(q13, "8")
    assert q14["response"] == "utter_survey_question_text" and any("건너뛰기" in b["title"] for b in q14["buttons"])
    (q15,), _ = await d.send("출석체크 알림을 받고 싶어요", intent="attendance_check", confidence=0.95)
    assert q15["progress"] == "15/15"
    (summary,), _ = await d.press(q15, "건너뛰기")
    assert summary["response"] == "utter_survey_summary" and summary["count"] == 15
    assert "40대" in summary["lines"] and "출석체크 알림을 받고 싶어요" in summary["lines"] and "(건너뜀)" in summary["lines"]

    (done, forget), events = await d.press(summary, "제출하기")
    assert done["response"] == "utter_survey_submitted" and done["points"] == "300"
    # Anonymous: the bot deletes the conversation (typed answers) from the tracker store.
    assert forget["custom"] == {"privacy": "forget_conversation"}
    assert {"event": "slot", "timestamp": None, "name": "requested_slot", "value": None} in events
    with session_scope(app_db) as s:
        assert points.balance(s, rid).available == 300
        (answers,) = s.scalars(select(SurveyResponse.answers)).all()
        assert answers["age"] == "40s" and answers["channel"] == ["sns", "friend"]
        assert answers["comment"] is None and s.scalar(select(SurveyResponse.resident_id)) is None


async def test_edit_from_the_summary_returns_to_the_summary(app_db):
    register(app_db)
    sid = publish(app_db)
    d = _driver()
    _, q = await _start(d, sid)
    answers = ["20대", "중구에서 일해요", "거의 매일"]
    for label in answers:
        (q,), _ = await d.press(q, label)
    (q,), _ = await d.press(q, "정책제안")
    (q,), _ = await d.press(q, "선택 완료")
    for label in ("5", "5", "5", "5"):
        (q,), _ = await d.press(q, label)
    (q,), _ = await d.press(q, "몰랐어요")
    (q,), _ = await d.press(q, "SNS")
    (q,), _ = await d.press(q, "선택 완료")
    (q,), _ = await d.press(q, "10")
    (q,), _ = await d.press(q, "건너뛰기")
    (summary,), _ = await d.press(q, "건너뛰기")
    assert summary["count"] == 13
    (choose,), _ = await d.press(summary, "수정하기")
    assert choose["response"] == "utter_survey_edit_choose" and len(choose["buttons"]) == 13
    (q1,), _ = await d.press(choose, "1번")
    assert q1["progress"] == "1/13"
    # A new answer passes the unchanged ones again and lands on the summary.
    (summary,), _ = await d.press(q1, "60대")
    assert summary["response"] == "utter_survey_summary" and "60대" in summary["lines"]


async def test_bad_input_is_refused_and_the_question_asked_again(app_db):
    register(app_db)
    sid = publish(app_db)
    d = _driver()
    _, q1 = await _start(d, sid)
    messages, events = await d.send("글쎄요 잘 모르겠네요")
    assert responses(messages) == ["utter_err_not_a_choice", "utter_survey_question_choice"]
    assert messages[1]["progress"] == "1/15"
    # An old button of another question: refused, nothing moves.
    stale = payload("survey_answer", s=sid, q="q3", o="o1")
    messages, _ = await d.send(stale, intent="survey_answer", confidence=1.0,
                               entities=[{"entity": "s", "value": str(sid)}, {"entity": "q", "value": "q3"},
                                         {"entity": "o", "value": "o1"}])
    assert responses(messages) == ["utter_err_stale_question", "utter_survey_question_choice"]
    messages, _ = await d.send(payload("survey_answer", s=sid, q="q1", o="o99"), intent="survey_answer",
                               confidence=1.0, entities=[{"entity": "s", "value": str(sid)},
                                                         {"entity": "q", "value": "q1"},
                                                         {"entity": "o", "value": "o99"}])
    assert responses(messages)[0] == "utter_err_invalid_option"
    # Required questions cannot be skipped, even by typing.
    messages, _ = await d.send("건너뛸게요", intent="survey_skip", confidence=0.97)
    assert responses(messages) == ["utter_err_answer_required", "utter_survey_question_choice"]
    messages, _ = await d.send("/photo_sent", intent="photo_sent", confidence=1.0)
    assert responses(messages)[0] == "utter_survey_photo_ignored"


async def test_a_confident_other_request_leaves_the_survey_saved(app_db):
    register(app_db)
    sid = publish(app_db)
    d = _driver()
    _, q1 = await _start(d, sid)
    (q2,), _ = await d.press(q1, "50대")
    messages, events = await d.send("내 포인트 얼마야", intent="points_balance", confidence=0.96)
    assert responses(messages) == ["utter_survey_paused"]
    assert any(e["event"] == "action_execution_rejected" for e in events)
    # Later: the survey goes on where it stopped.
    d2 = _driver()
    resumed, question = await _start(d2, sid)
    assert resumed["response"] == "utter_survey_resumed" and question["progress"] == "2/15"


async def test_pause_button_and_cancel_keep_the_answers(app_db):
    register(app_db)
    sid = publish(app_db)
    d = _driver()
    _, q1 = await _start(d, sid)
    (q2,), _ = await d.press(q1, "10대")
    messages, events = await d.press(q2, "나중에")
    assert responses(messages) == ["utter_survey_paused"] and not d.active
    messages, events = await run_action(ActionSurveyPause(), make_tracker("cancel", slots={"survey_id": str(sid)}))
    assert responses(messages) == ["utter_survey_paused"]
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    _, question = await _start(_driver(), sid)
    assert question["progress"] == "2/15"


async def test_one_response_per_resident_and_closed_surveys_end_the_form(app_db):
    rid = register(app_db)
    sid = publish(app_db)
    with session_scope(app_db) as s:
        from tests.storage.survey_helpers import FULL_WALK
        for qid, value in FULL_WALK:
            if value is None:
                surveys.skip(s, survey_id=sid, resident_id=rid, question_id=qid)
            else:
                surveys.answer(s, survey_id=sid, resident_id=rid, question_id=qid, value=value)
        surveys.submit(s, survey_id=sid, resident_id=rid)
    d = _driver()
    messages = await _start(d, sid)
    assert responses(messages) == ["utter_err_already_responded"] and not d.active
    menu, _ = await run_action(ActionSurveysMenu(), make_tracker("surveys_menu"))
    assert "✅" in menu[0]["lines"] and len(menu[0]["buttons"]) == 2

    closed = publish(app_db, sample_text(opens_days_ago=3, closes_in_days=-1).replace("조사", "조사(지난 회)"))
    messages = await _start(_driver(), closed)
    assert responses(messages) == ["utter_err_survey_closed"]


async def test_not_registered_residents_are_asked_to_consent(app_db):
    sid = publish(app_db)
    messages = await _start(_driver(), sid)
    assert responses(messages) == ["utter_err_not_registered"]


async def test_validation_ignores_turns_without_a_new_message(app_db):
    tracker = make_tracker("survey_start")
    messages, events = await run_action(ValidateSurveyForm(), tracker)
    assert messages == [] and events == []


async def test_the_text_answer_keeps_its_previous_value(app_db):
    register(app_db)
    sid = publish(app_db)
    d = _driver()
    _, q = await _start(d, sid)
    for label in ("20대", "기타", "이번이 처음"):
        (q,), _ = await d.press(q, label)
    (q,), _ = await d.press(q, "참여예산")
    (q,), _ = await d.press(q, "선택 완료")
    for label in ("3", "3", "3", "3"):
        (q,), _ = await d.press(q, label)
    (q,), _ = await d.press(q, "몰랐어요")
    (q,), _ = await d.press(q, "기타")
    (q,), _ = await d.press(q, "선택 완료")
    (q,), _ = await d.press(q, "5")
    (comment,), _ = await d.send("주차장 안내")
    (wish,), _ = await d.press(comment, "이전")
    assert wish["response"] == "utter_survey_question_text_answered" and wish["previous"] == "주차장 안내"
    (back_to_comment,), _ = await d.press(wish, "그대로")
    assert back_to_comment["progress"] == "13/13"
    button(back_to_comment, "건너뛰기")
    long_text = "가" * 2001
    messages, _ = await d.send(long_text)
    assert responses(messages) == ["utter_err_text_too_long", "utter_survey_question_text"]


def test_the_longest_buttons_fit_telegram_callback_data():
    from bot.keyboards import pack, unpack

    longest = [payload("survey_toggle", s=9_999_999, q="q50", o="o15"),
               payload("contest_withdraw_confirm", contest_id=9_999_999),
               payload("news_more", page=9_999, news_cat="gov_news")]
    for p in longest:
        assert len(pack(p).encode()) <= 64 and unpack(pack(p)) == p
