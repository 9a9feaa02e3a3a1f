"""주민참여예산 in the chat: the phase-aware menu and proposing a project with the form."""
from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.budget_menu import ActionBudgetMenu
from actions.budget_proposal import (
    ActionAskBudgetDong, ActionBudgetCancel, ActionBudgetMyProjects, ActionBudgetProjectEdit, ActionBudgetProjectPreview,
    ActionBudgetProjectSubmit, ActionBudgetProposeStart, ValidateBudgetProjectForm,
)
from storage.budget_rules import Phase
from storage.db import session_scope
from storage.services import budget
from tests.actions.budget_setup import (
    OTHER_ID, STAFF_ID, make_cycle, propose, register, screen, set_phase,
)
from tests.actions.conftest import make_tracker, responses, run_action

DRAFT = {"budget_title": "신당동 어린이공원 그늘막", "budget_description": "여름 한낮에도 아이들이 놀 수 있게 해 주세요.",
         "budget_dong": "신당동", "budget_cost": "30000000", "budget_photo": "none"}


def _slots(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def test_menu_without_any_cycle(app_db):
    messages, _ = await run_action(ActionBudgetMenu(), make_tracker("budget_menu"))
    assert responses(messages) == ["utter_budget_no_cycle"]


async def test_menu_follows_the_phase(app_db):
    staff = register(app_db, STAFF_ID, staff=True)
    cycle = make_cycle(app_db, staff, intake_open=False)
    messages, _ = await run_action(ActionBudgetMenu(), make_tracker("budget_menu"))
    assert responses(messages) == ["utter_budget_menu_upcoming"] and messages[0]["budget"] == "1억원"

    set_phase(app_db, cycle, staff, Phase.intake)
    messages, _ = await run_action(ActionBudgetMenu(), make_tracker("budget_menu"))
    assert responses(messages) == ["utter_budget_menu_intake"]

    project = propose(app_db, cycle, register(app_db, OTHER_ID), "놀이터 그늘막", 30_000_000)
    screen(app_db, project, staff)
    set_phase(app_db, cycle, staff, Phase.screening)
    messages, _ = await run_action(ActionBudgetMenu(), make_tracker("budget_menu"))
    assert responses(messages) == ["utter_budget_menu_screening"]

    set_phase(app_db, cycle, staff, Phase.voting)
    messages, _ = await run_action(ActionBudgetMenu(), make_tracker("budget_menu"))
    assert responses(messages) == ["utter_budget_menu_voting"] and messages[0]["projects"] == 1

    set_phase(app_db, cycle, staff, Phase.results)
    messages, _ = await run_action(ActionBudgetMenu(), make_tracker("budget_menu"))
    assert responses(messages) == ["utter_budget_menu_counting"]

    with session_scope(app_db) as s:
        budget.publish_results(s, cycle_id=cycle, staff_id=staff)
    messages, _ = await run_action(ActionBudgetMenu(), make_tracker("budget_menu"))
    assert responses(messages) == ["utter_budget_menu_results"] and "투표 0명" in messages[0]["summary"]

    set_phase(app_db, cycle, staff, Phase.closed)
    messages, _ = await run_action(ActionBudgetMenu(), make_tracker("budget_menu"))
    assert responses(messages) == ["utter_budget_no_cycle_past_results"]


async def test_start_needs_consent_and_intake(app_db):
    messages, events = await run_action(ActionBudgetProposeStart(), make_tracker("budget_propose"))
    assert responses(messages) == ["utter_err_not_registered"]
    assert _slots(events) == {"budget_intake_open": False}

    staff = register(app_db, STAFF_ID, staff=True)
    register(app_db)
    cycle = make_cycle(app_db, staff, intake_open=False)
    # A stale True from an earlier form must not start the form now.
    messages, events = await run_action(ActionBudgetProposeStart(), make_tracker(
        "budget_propose", slots={"budget_intake_open": True}))
    assert responses(messages) == ["utter_err_phase_not_intake"]
    assert _slots(events) == {"budget_intake_open": False}

    set_phase(app_db, cycle, staff, Phase.intake)
    messages, events = await run_action(ActionBudgetProposeStart(), make_tracker(
        "budget_propose", slots={"budget_title": "예전 초안"}))
    assert responses(messages) == ["utter_budget_propose_intro"]
    slots = _slots(events)
    assert slots["budget_intake_open"] is True and slots["budget_cycle_id"] == str(cycle)
    assert slots["budget_title"] is None  # a fresh form, not the earlier draft


def _validate(method: str, value, slots: dict | None = None) -> tuple[dict, list[str | None]]:
    dispatcher = CollectingDispatcher()
    result = getattr(ValidateBudgetProjectForm(), method)(value, dispatcher, make_tracker(slots=slots), {})
    return result, responses(dispatcher.messages)


def test_title_and_description_are_checked_by_the_rules():
    assert _validate("validate_budget_title", "  놀이터   그늘막 ") == ({"budget_title": "놀이터 그늘막"}, [])
    assert _validate("validate_budget_title", "가") == ({"budget_title": None}, ["utter_err_project_title_invalid"])
    assert _validate("validate_budget_description", "짧아요") == (
        {"budget_description": None}, ["utter_err_project_description_invalid"])
    # Slots emptied when the form starts or a field is corrected: no complaint.
    for method in ("validate_budget_title", "validate_budget_description", "validate_budget_dong",
                   "validate_budget_cost"):
        slot = method.removeprefix("validate_")
        assert _validate(method, None) == ({slot: None}, [])
    # A button of another message pressed while the form waits for text.
    assert _validate("validate_budget_title", "/budget_vote") == (
        {"budget_title": None}, ["utter_budget_form_answer_please"])


@pytest.mark.parametrize("value,dong", [("sindang5", "신당5동"), ("신당", "신당동"), (" 명동 ", "명동"),
                                        ("myeong", "명동"), ("강남동", None)])
def test_dong_from_buttons_or_typed(value, dong):
    result, replies = _validate("validate_budget_dong", value)
    assert result == {"budget_dong": dong}
    assert replies == ([] if dong else ["utter_err_unknown_dong"])


async def test_dong_question_offers_every_dong_as_a_button():
    messages, _ = await run_action(ActionAskBudgetDong(), make_tracker())
    buttons = messages[0]["buttons"]
    assert len(buttons) == 15 and buttons[0] == {
        "title": "소공동", "payload": '/budget_choose_dong{"budget_dong":"sogong"}'}


@pytest.mark.parametrize("text,cost,reply", [
    ("3000만원", "30000000", None),
    ("1억 2천만원", None, "utter_err_cost_exceeds_budget"),  # more than this cycle's 1억
    ("30,000,000", "30000000", None),
    ("1억", "100000000", None),  # exactly the whole budget
    ("삼천만원쯤", None, "utter_err_amount_approximate"),
    ("-500만원", None, "utter_err_amount_not_positive"),
    ("3000", None, "utter_err_amount_too_small"),
    ("많이", None, "utter_err_amount_unreadable"),
])
def test_cost_in_won_against_the_cycle_budget(app_db, text, cost, reply):
    cycle = make_cycle(app_db, register(app_db, STAFF_ID, staff=True))
    result, replies = _validate("validate_budget_cost", text, {"budget_cycle_id": str(cycle)})
    assert result == {"budget_cost": cost}
    assert replies == ([reply] if reply else [])


async def test_preview_then_submit_once(app_db):
    staff = register(app_db, STAFF_ID, staff=True)
    rid = register(app_db)
    cycle = make_cycle(app_db, staff)
    slots = {**DRAFT, "budget_cycle_id": str(cycle), "budget_intake_open": True}
    messages, _ = await run_action(ActionBudgetProjectPreview(), make_tracker(slots=slots))
    assert responses(messages) == ["utter_budget_project_preview"]
    assert messages[0]["cost"] == "3,000만원" and messages[0]["photos"] == 0 and messages[0]["dong"] == "신당동"

    messages, events = await run_action(ActionBudgetProjectSubmit(), make_tracker("budget_project_confirm",
                                                                                  slots=slots))
    assert responses(messages) == ["utter_budget_project_submitted"]
    assert all(value is None for value in _slots(events).values())
    # 제출 pressed twice (the same draft): still one project.
    messages, _ = await run_action(ActionBudgetProjectSubmit(), make_tracker("budget_project_confirm", slots=slots))
    assert responses(messages) == ["utter_budget_project_already_submitted"]
    with session_scope(app_db) as s:
        (project,) = budget.list_projects(s, cycle)
        assert (project.proposer_id, project.estimated_cost, project.photo_file_id) == (rid, 30_000_000, None)


async def test_submit_with_photo_and_stale_buttons(app_db):
    staff = register(app_db, STAFF_ID, staff=True)
    register(app_db)
    cycle = make_cycle(app_db, staff)
    messages, _ = await run_action(ActionBudgetProjectSubmit(), make_tracker("budget_project_confirm"))
    assert responses(messages) == ["utter_budget_project_nothing"]

    slots = {**DRAFT, "budget_photo": "AgACAgUAAxkBAAIB", "budget_cycle_id": str(cycle)}
    messages, _ = await run_action(ActionBudgetProjectPreview(), make_tracker(slots=slots))
    assert messages[0]["photos"] == 1
    set_phase(app_db, cycle, staff, Phase.screening)
    messages, _ = await run_action(ActionBudgetProjectSubmit(), make_tracker("budget_project_confirm", slots=slots))
    assert responses(messages) == ["utter_err_phase_not_intake"]
    with session_scope(app_db) as s:
        assert budget.list_projects(s, cycle) == []


async def test_edit_one_field(app_db):
    staff = register(app_db, STAFF_ID, staff=True)
    register(app_db)
    cycle = make_cycle(app_db, staff)
    slots = {**DRAFT, "budget_cycle_id": str(cycle)}
    messages, events = await run_action(ActionBudgetProjectEdit(), make_tracker(
        "budget_project_edit_field", entities=[{"entity": "budget_field", "value": "cost"}], slots=slots))
    assert messages == [] and _slots(events) == {"budget_cost": None, "budget_intake_open": True}

    messages, events = await run_action(ActionBudgetProjectEdit(), make_tracker(
        "budget_project_edit_field", slots=slots))
    assert responses(messages) == ["utter_budget_project_edit_choose"]
    assert [b["payload"] for b in messages[0]["buttons"]][::5] == [
        '/budget_project_edit_field{"budget_field":"title"}', "/cancel"]
    assert _slots(events) == {"budget_intake_open": False}

    messages, events = await run_action(ActionBudgetProjectEdit(), make_tracker(
        "budget_project_edit_field", entities=[{"entity": "budget_field", "value": "title"}]))
    assert responses(messages) == ["utter_budget_project_nothing"]
    assert _slots(events) == {"budget_intake_open": False}

    set_phase(app_db, cycle, staff, Phase.screening)
    messages, events = await run_action(ActionBudgetProjectEdit(), make_tracker(
        "budget_project_edit_field", entities=[{"entity": "budget_field", "value": "title"}], slots=slots))
    assert responses(messages) == ["utter_err_phase_not_intake"]
    assert _slots(events) == {"budget_intake_open": False}


async def test_my_projects_show_screening_status(app_db):
    rid = register(app_db)
    messages, _ = await run_action(ActionBudgetMyProjects(), make_tracker("budget_my_projects"))
    assert responses(messages) == ["utter_budget_no_cycle"]

    staff = register(app_db, STAFF_ID, staff=True)
    cycle = make_cycle(app_db, staff)
    propose(app_db, cycle, register(app_db, OTHER_ID), "남의 제안", 10_000_000)
    messages, _ = await run_action(ActionBudgetMyProjects(), make_tracker("budget_my_projects"))
    assert responses(messages) == ["utter_budget_my_projects_empty"]

    mine = propose(app_db, cycle, rid, "가로등 교체", 20_000_000, dong="필동")
    screen(app_db, mine, staff, accept=False, reason="이미 구청 사업으로 추진 중")
    messages, _ = await run_action(ActionBudgetMyProjects(), make_tracker("budget_my_projects"))
    assert responses(messages) == ["utter_budget_my_projects"]
    lines = messages[0]["lines"]
    assert "가로등 교체 · 필동 · 2,000만원 · 제외" in lines and "이미 구청 사업으로 추진 중" in lines
    assert "남의 제안" not in lines


async def test_cancel_inside_the_form_drops_the_draft():
    messages, events = await run_action(ActionBudgetCancel(), make_tracker("cancel", slots=DRAFT))
    assert responses(messages) == ["utter_cancelled"]
    assert [e["event"] for e in events] == ["active_loop", "reset_slots"]
