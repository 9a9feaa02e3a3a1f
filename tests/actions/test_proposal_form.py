"""The proposal form: every step's validation, the preview, and saving only on 제출."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from actions.proposal_form import (
    ActionAskCategory,
    ActionAskConfirm,
    ActionAskDong,
    ActionProposalStart,
    ActionProposalSubmit,
    ValidateProposalForm,
    ValidateProposalSearchForm,
    parse_choice,
)
from bot import keyboards
from storage import proposal_rules as rules
from storage.db import session_scope
from storage.korean import josa
from storage.models import Proposal
from storage.services import points, residents
from tests.actions.conftest import USER_ID, make_tracker, responses, run_action
from tests.actions.proposal_helpers import BODY, form_tracker, propose, register, run_with_domain, slot_values

TITLE = "proposal_draft_title"
PHOTO_PAYLOAD = '/photo_sent{"photo_file_id":"AgACAgUAAxk","photo_size":"52311","photo_caption":""}'
PHOTO_ENTITIES = [{"entity": "photo_file_id", "value": "AgACAgUAAxk"}, {"entity": "photo_size", "value": "52311"}]
DRAFT = {
    "proposal_draft_title": "신당동 골목길에 가로등을 늘려 주세요",
    "proposal_draft_body": BODY,
    "proposal_draft_category": "safety",
    "proposal_draft_dong": "none",
    "proposal_draft_photo": "none",
}


async def _validate(slot, value, **kw):  # type: ignore[no-untyped-def]
    messages, events = await run_with_domain(ValidateProposalForm(), form_tracker(slot, value, **kw))
    return responses(messages), slot_values(events), messages


def _count(engine) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(Proposal))


# --- title and body ---------------------------------------------------------------
async def test_title_is_cleaned_and_kept():
    said, slots, _ = await _validate(TITLE, "  신당동  골목길에\n가로등을 늘려 주세요 ")
    assert said == [] and slots == {TITLE: "신당동 골목길에 가로등을 늘려 주세요"}


@pytest.mark.parametrize("text,code", [
    ("   ", "utter_err_title_empty"),
    ("😀😀😀🙏🙏", "utter_err_title_emoji_only"),
    ("가로등", "utter_err_title_too_short"),
    ("가" * (rules.TITLE_MAX + 1), "utter_err_title_too_long"),
])
async def test_bad_titles_say_what_to_change_and_ask_again(text, code):
    said, slots, messages = await _validate(TITLE, text)
    # The form asks again for the first empty slot: this one.
    assert said == [code] and slots == {TITLE: None}
    if code.endswith(("short", "long")):
        assert messages[0]["min"] == f"{rules.TITLE_MIN:,}" and messages[0]["max"] == f"{rules.TITLE_MAX:,}"


async def test_title_boundaries_are_the_rules():
    said, slots, _ = await _validate(TITLE, "가" * rules.TITLE_MAX)
    assert said == [] and slots[TITLE] == "가" * rules.TITLE_MAX
    said, slots, _ = await _validate(TITLE, "가" * rules.TITLE_MIN)
    assert said == [] and slots[TITLE]


async def test_a_photo_where_text_is_expected():
    said, slots, _ = await _validate(TITLE, PHOTO_PAYLOAD, intent="photo_sent", entities=PHOTO_ENTITIES)
    assert said == ["utter_proposal_title_not_photo"] and slots[TITLE] is None
    said, slots, _ = await _validate("proposal_draft_body", PHOTO_PAYLOAD, intent="photo_sent",
                                     entities=PHOTO_ENTITIES, slots={TITLE: DRAFT[TITLE]})
    assert said == ["utter_proposal_body_not_photo"] and slots["proposal_draft_body"] is None


async def test_another_button_while_writing_keeps_the_draft():
    said, slots, _ = await _validate(TITLE, '/proposal_endorse{"proposal_number":"3"}', intent="proposal_endorse")
    assert said == ["utter_proposal_form_busy"] and slots[TITLE] is None


@pytest.mark.parametrize("text,confidence", [("취소", 0.6), ("그만할래요", 0.7), ("/cancel", 1.0),
                                             ("하던 거 전부 다 그만하고 싶어요", 0.95)])
async def test_a_meant_cancel_rejects_the_form_so_the_cancel_rule_answers(text, confidence):
    messages, events = await run_with_domain(ValidateProposalForm(), form_tracker(
        TITLE, text, intent="cancel", confidence=confidence))
    assert messages == [] and [e["event"] for e in events] == ["action_execution_rejected"]


async def test_a_long_title_that_mentions_cancelling_is_a_title():
    said, slots, _ = await _validate(TITLE, "야간 공연 취소해 주세요 주민들이 잠을 못 자요", intent="cancel", confidence=0.67)
    assert said == [] and slots == {TITLE: "야간 공연 취소해 주세요 주민들이 잠을 못 자요"}


async def test_body_too_short_and_boundaries():
    said, slots, messages = await _validate("proposal_draft_body", "가로등 주세요", slots={TITLE: DRAFT[TITLE]})
    assert said == ["utter_err_body_too_short"] and messages[0]["length"] == "7"
    said, slots, _ = await _validate("proposal_draft_body", "가" * rules.BODY_MAX, slots={TITLE: DRAFT[TITLE]})
    assert slots["proposal_draft_body"] == "가" * rules.BODY_MAX
    said, _, _ = await _validate("proposal_draft_body", "가" * (rules.BODY_MAX + 1), slots={TITLE: DRAFT[TITLE]})
    assert said == ["utter_err_body_too_long"]


# --- category, 동, photo ----------------------------------------------------------------
@pytest.mark.parametrize("value,entities,code", [
    ('/proposal_inform{"proposal_category":"environment"}',
     [{"entity": "proposal_category", "value": "environment"}], "environment"),
    ("교통이요", [], "traffic"),
    ("주차 문제예요", [], "traffic"),
    ("문화·관광", [], "culture"),
    ("경제 일자리 분야", [{"entity": "proposal_category", "value": "경제·일자리"}], "economy"),
])
async def test_category_from_button_entity_or_text(value, entities, code):
    said, slots, _ = await _validate("proposal_draft_category", value, entities=entities)
    assert said == [] and slots["proposal_draft_category"] == code


async def test_unknown_category_asks_for_a_button():
    said, slots, _ = await _validate("proposal_draft_category", "잘 모르겠어요")
    assert said == ["utter_err_unknown_category"] and slots["proposal_draft_category"] is None
    said, _, _ = await _validate("proposal_draft_category", '/proposal_inform{"proposal_dong":"myeong"}',
                                 entities=[{"entity": "proposal_dong", "value": "myeong"}])
    assert said == ["utter_err_unknown_category"]


@pytest.mark.parametrize("value,entities,code", [
    ('/proposal_inform{"proposal_dong":"sindang5"}', [{"entity": "proposal_dong", "value": "sindang5"}],
     "sindang5"),
    ("신당5동이요", [], "sindang5"),
    ("신당동", [], "sindang"),
    ("을지로 쪽이에요", [], "euljiro"),
    ('/proposal_inform{"proposal_choice":"skip"}', [{"entity": "proposal_choice", "value": "skip"}], "none"),
    ("건너뛸게요", [], "none"),
    ("중구 전체에 해당돼요", [], "none"),
])
async def test_dong_from_button_text_or_skip(value, entities, code):
    said, slots, _ = await _validate("proposal_draft_dong", value, entities=entities)
    assert said == [] and slots["proposal_draft_dong"] == code


async def test_unknown_dong_says_how_to_write_it():
    said, slots, _ = await _validate("proposal_draft_dong", "강남역 근처")
    assert said == ["utter_err_unknown_dong"] and slots["proposal_draft_dong"] is None


async def test_photo_step_takes_a_photo_or_skip_and_nothing_else():
    said, slots, _ = await _validate("proposal_draft_photo", PHOTO_PAYLOAD, intent="photo_sent",
                                     entities=PHOTO_ENTITIES)
    assert said == [] and slots["proposal_draft_photo"] == "AgACAgUAAxk"
    said, slots, _ = await _validate("proposal_draft_photo", "사진 없어요")
    assert said == [] and slots["proposal_draft_photo"] == "none"
    said, slots, _ = await _validate("proposal_draft_photo", "가로등이 꺼져 있어요")
    assert said == ["utter_proposal_photo_expected"] and slots["proposal_draft_photo"] is None


# --- the preview -------------------------------------------------------------------------
@pytest.mark.parametrize("text,choice", [
    ("제출할게요", "submit"), ("이대로 등록해 주세요", "submit"), ("제목 고칠래요", "edit_title"),
    ("내용 수정", "edit_body"), ("분야를 바꿀래", "edit_category"), ("동 다시 고를게요", "edit_dong"),
    ("음", None),
])
def test_typed_preview_choices(text, choice):
    assert parse_choice(text) == choice


async def test_confirm_submit_edit_and_photo_replacement():
    said, slots, _ = await _validate("proposal_draft_confirm", '/proposal_inform{"proposal_choice":"submit"}',
                                     entities=[{"entity": "proposal_choice", "value": "submit"}], slots=DRAFT)
    assert said == [] and slots == {"proposal_draft_confirm": "submit"}
    said, slots, _ = await _validate("proposal_draft_confirm", '/proposal_inform{"proposal_choice":"edit_title"}',
                                     entities=[{"entity": "proposal_choice", "value": "edit_title"}], slots=DRAFT)
    assert slots == {TITLE: None, "proposal_draft_confirm": None}
    said, slots, _ = await _validate("proposal_draft_confirm", "분야 바꿀래요", slots=DRAFT)
    assert slots == {"proposal_draft_category": None, "proposal_draft_confirm": None}
    said, slots, _ = await _validate("proposal_draft_confirm", "네", intent="affirm", slots=DRAFT)
    assert slots["proposal_draft_confirm"] == "submit"
    said, slots, _ = await _validate("proposal_draft_confirm", PHOTO_PAYLOAD, intent="photo_sent",
                                     entities=PHOTO_ENTITIES, slots=DRAFT)
    assert slots == {"proposal_draft_photo": "AgACAgUAAxk", "proposal_draft_confirm": None}
    said, slots, _ = await _validate("proposal_draft_confirm", "흠 글쎄요", slots=DRAFT)
    assert said == ["utter_proposal_choose_below"] and slots["proposal_draft_confirm"] is None


async def test_preview_shows_the_draft_with_fix_buttons_and_the_photo_first():
    tracker = make_tracker("proposal_inform", slots={**DRAFT, "proposal_draft_dong": "myeong"})
    messages, _ = await run_action(ActionAskConfirm(), tracker)
    assert responses(messages) == ["utter_proposal_preview"]
    preview = messages[0]
    assert preview["title"] == DRAFT[TITLE] and preview["category"] == "안전" and preview["dong"] == " · 명동"
    assert [b["title"] for b in preview["buttons"]] == ["제출", "제목 수정", "내용 수정", "분야 수정", "동 수정", "취소"]
    messages, _ = await run_action(ActionAskConfirm(), make_tracker(
        "photo_sent", slots={**DRAFT, "proposal_draft_photo": "AgACAgUAAxk"}))
    assert messages[0]["image"] == "AgACAgUAAxk" and responses(messages)[1] == "utter_proposal_preview_photo"


async def test_every_form_button_fits_telegram_callback_data():
    for action in (ActionAskCategory(), ActionAskDong(), ActionAskConfirm()):
        messages, _ = await run_action(action, make_tracker("proposal_inform", slots=DRAFT))
        for button in messages[-1]["buttons"]:
            keyboards.pack(button["payload"])


async def test_activation_after_the_emptied_draft_says_nothing():
    tracker = form_tracker(TITLE, None)
    tracker.events.extend({"event": "slot", "name": slot, "value": None} for slot in DRAFT)
    messages, events = await run_with_domain(ValidateProposalForm(), tracker)
    assert messages == [] and events == []


# --- start and submit ----------------------------------------------------------------------
async def test_start_needs_consent_and_then_starts_empty(app_db):
    messages, events = await run_action(ActionProposalStart(), make_tracker("proposal_new"))
    assert responses(messages) == ["utter_err_not_registered"]
    assert events == [{"event": "followup", "timestamp": None, "name": "action_listen"}]
    register(app_db)
    messages, events = await run_action(ActionProposalStart(), make_tracker("proposal_new", slots=DRAFT))
    assert responses(messages) == ["utter_proposal_form_intro"]
    assert all(value is None for value in slot_values(events).values()) and TITLE in slot_values(events)


async def test_submit_saves_once_with_points_and_resets_the_draft(app_db):
    rid = register(app_db)
    tracker = make_tracker("proposal_inform", slots={**DRAFT, "proposal_draft_dong": "myeong",
                                                    "proposal_draft_confirm": "submit"})
    messages, events = await run_action(ActionProposalSubmit(), tracker)
    assert responses(messages) == ["utter_proposal_submitted", "utter_proposal_card_open"]
    submitted = messages[0]
    assert submitted["points"] == "1,000" and submitted["threshold"] == rules.ENDORSEMENTS_FOR_REVIEW
    assert submitted["title_eul"] == josa(submitted["title"], "을/를")
    assert all(v is None for v in slot_values(events).values())
    with session_scope(app_db) as s:
        proposal = s.scalar(select(Proposal))
        assert (proposal.title, proposal.dong, proposal.photo_file_id) == (DRAFT[TITLE], "myeong", None)
        assert points.balance(s, rid).available == 1000
    # The same draft again (a double-pressed 제출) finds the first proposal.
    messages, _ = await run_action(ActionProposalSubmit(), tracker)
    assert responses(messages) == ["utter_err_duplicate_proposal"] and _count(app_db) == 1


async def test_submit_without_confirmation_or_consent_saves_nothing(app_db):
    messages, _ = await run_action(ActionProposalSubmit(), make_tracker(
        "proposal_inform", slots={**DRAFT, "proposal_draft_confirm": "submit"}))
    assert responses(messages) == ["utter_err_not_registered"]
    register(app_db)
    messages, _ = await run_action(ActionProposalSubmit(), make_tracker("cancel", slots=DRAFT))
    assert messages == [] and _count(app_db) == 0


async def test_submit_keeps_the_photo(app_db):
    register(app_db)
    await run_action(ActionProposalSubmit(), make_tracker("proposal_inform", slots={
        **DRAFT, "proposal_draft_photo": "AgACAgUAAxk", "proposal_draft_confirm": "submit"}))
    with session_scope(app_db) as s:
        assert s.scalar(select(Proposal.photo_file_id)) == "AgACAgUAAxk"


async def test_second_submission_of_the_day_says_no_points(app_db):
    rid = register(app_db)
    propose(app_db, rid, title="첫 번째 제안의 제목입니다")
    messages, _ = await run_action(ActionProposalSubmit(), make_tracker(
        "proposal_inform", slots={**DRAFT, "proposal_draft_confirm": "submit"}))
    assert responses(messages)[0] == "utter_proposal_submitted_no_points"


async def test_withdrawn_consent_between_preview_and_submit(app_db):
    register(app_db)
    with session_scope(app_db) as s:
        residents.withdraw(s, USER_ID)
    messages, _ = await run_action(ActionProposalSubmit(), make_tracker(
        "proposal_inform", slots={**DRAFT, "proposal_draft_confirm": "submit"}))
    assert responses(messages) == ["utter_err_not_registered"] and _count(app_db) == 0


# --- the search form ------------------------------------------------------------------------
async def test_search_word_is_checked_and_other_buttons_leave_the_search():
    tracker = form_tracker("proposal_keyword", "가로등", form="proposal_search_form")
    messages, events = await run_with_domain(ValidateProposalSearchForm(), tracker)
    assert messages == [] and slot_values(events)["proposal_keyword"] == "가로등"
    tracker = form_tracker("proposal_keyword", "ㅋ", form="proposal_search_form")
    messages, events = await run_with_domain(ValidateProposalSearchForm(), tracker)
    assert responses(messages) == ["utter_proposal_keyword_invalid"]
    tracker = form_tracker("proposal_keyword", '/proposal_list{"proposal_sort":"newest"}', intent="proposal_list",
                           form="proposal_search_form")
    messages, events = await run_with_domain(ValidateProposalSearchForm(), tracker)
    assert messages == []
    assert [e["event"] for e in events] == ["slot", "slot", "active_loop", "action_execution_rejected"]
