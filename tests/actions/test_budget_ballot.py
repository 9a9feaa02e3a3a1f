"""주민참여예산 voting in the chat: the ballot with toggle buttons, the receipt, the results."""
from __future__ import annotations

from pathlib import Path

from actions.budget_ballot import ActionBudgetBallot, ActionBudgetReceipt, ActionBudgetSubmit, ActionBudgetToggle
from actions.budget_common import BALLOT_LIST_MAX_CHARS, ballot_lines
from actions.budget_results import ActionBudgetResults
from storage.budget_rules import BallotRule, Phase
from storage.db import session_scope
from storage.models import ProjectStatus
from storage.services import budget, points
from storage.services.residents import find
from tests.actions.budget_setup import OTHER_ID, STAFF_ID, register, set_phase, voting_cycle
from tests.actions.conftest import USER_ID, make_tracker, responses, run_action


def _toggle(project_id: int | str):  # type: ignore[no-untyped-def]
    return make_tracker("budget_toggle", entities=[{"entity": "budget_project_id", "value": str(project_id)}])


async def test_no_ballot_outside_voting(app_db):
    register(app_db)
    staff = register(app_db, STAFF_ID, staff=True)
    messages, _ = await run_action(ActionBudgetBallot(), make_tracker("budget_vote"))
    assert responses(messages) == ["utter_err_phase_not_voting"]
    _, cycle, projects = voting_cycle(app_db, [30_000_000])
    set_phase(app_db, cycle, staff, Phase.results)
    # An old ballot button after voting closed: refused, nothing picked.
    messages, _ = await run_action(ActionBudgetToggle(), _toggle(projects[0]))
    assert responses(messages) == ["utter_err_phase_not_voting"]
    messages, _ = await run_action(ActionBudgetSubmit(), make_tracker("budget_submit"))
    assert responses(messages) == ["utter_err_phase_not_voting"]


async def test_ballot_toggles_with_running_total(app_db):
    rid = register(app_db)
    _, cycle, (a, b, c) = voting_cycle(app_db, [30_000_000, 15_000_000, 80_000_000])
    messages, _ = await run_action(ActionBudgetBallot(), make_tracker("budget_vote"))
    assert responses(messages) == ["utter_budget_ballot"]
    ballot = messages[0]
    assert (ballot["count"], ballot["total"], ballot["budget"], ballot["remaining"]) == (0, "0원", "1억원", "1억원")
    assert f"⬜ {a}번 사업 1 · 3,000만원 · 신당동" in ballot["projects"]
    assert [b_["payload"] for b_ in ballot["buttons"]] == [
        f'/budget_toggle{{"budget_project_id":"{p}"}}' for p in (a, b, c)]  # no 제출 before a pick

    messages, _ = await run_action(ActionBudgetToggle(), _toggle(a))
    messages, _ = await run_action(ActionBudgetToggle(), _toggle(b))
    ballot = messages[0]
    assert (ballot["count"], ballot["total"], ballot["remaining"]) == (2, "4,500만원", "5,500만원")
    assert ballot["buttons"][0]["title"] == f"✅ {a}번 사업 1"
    assert ballot["buttons"][-1]["payload"] == "/budget_submit"

    # Over budget: the reason, then the unchanged ballot with its buttons again.
    messages, _ = await run_action(ActionBudgetToggle(), _toggle(c))
    assert responses(messages) == ["utter_err_over_budget", "utter_budget_ballot"]
    assert messages[0]["remaining"] == "5,500만원" and messages[1]["count"] == 2

    messages, _ = await run_action(ActionBudgetToggle(), _toggle(b))  # unpick
    assert messages[0]["count"] == 1 and messages[0]["total"] == "3,000만원"
    messages, _ = await run_action(ActionBudgetToggle(), _toggle(999_999))
    assert responses(messages) == ["utter_err_project_not_in_cycle", "utter_budget_ballot"]
    messages, _ = await run_action(ActionBudgetToggle(), _toggle("두번째"))
    assert responses(messages)[0] == "utter_err_project_not_in_cycle"
    with session_scope(app_db) as s:
        assert budget.ballot_view(s, cycle_id=cycle, resident_id=rid).picked_ids == {a}


async def test_submit_gives_a_receipt_once_and_points(app_db):
    rid = register(app_db)
    _, cycle, (a, b) = voting_cycle(app_db, [30_000_000, 15_000_000])
    messages, _ = await run_action(ActionBudgetSubmit(), make_tracker("budget_submit"))
    assert responses(messages) == ["utter_err_empty_ballot", "utter_budget_ballot"]

    await run_action(ActionBudgetToggle(), _toggle(a))
    messages, _ = await run_action(ActionBudgetSubmit(), make_tracker("budget_submit"))
    assert responses(messages) == ["utter_budget_ballot_submitted", "utter_budget_points_earned"]
    receipt = messages[0]
    code = receipt["receipt_code"]
    assert len(code) == 9 and code[4] == "-" and receipt["count"] == 1 and "사업 1 (3,000만원)" in receipt["picks"]
    assert messages[1]["points"] == "500"

    # A second ballot, however it is attempted, is refused with the receipt code.
    for action, tracker in ((ActionBudgetSubmit(), make_tracker("budget_submit")),
                            (ActionBudgetBallot(), make_tracker("budget_vote")),
                            (ActionBudgetToggle(), _toggle(b))):
        messages, _ = await run_action(action, tracker)
        assert responses(messages) == ["utter_err_ballot_already_submitted"]
        assert messages[0]["receipt_code"] == code
    with session_scope(app_db) as s:
        assert points.balance(s, rid).available == 500
        assert budget.ballot_view(s, cycle_id=cycle, resident_id=rid).picked_ids == {a}

    # "내 투표 확인": the resident's own, or any code typed in any case and spacing.
    messages, _ = await run_action(ActionBudgetReceipt(), make_tracker("budget_receipt"))
    assert responses(messages) == ["utter_budget_receipt_counted"] and messages[0]["receipt_code"] == code
    typed = f"접수번호 {code.lower().replace('-', ' ')} 확인"
    register(app_db, OTHER_ID + 1)
    messages, _ = await run_action(ActionBudgetReceipt(), make_tracker("budget_receipt", text=typed,
                                                                       user_id=OTHER_ID + 1))
    assert responses(messages) == ["utter_budget_receipt_counted"] and messages[0]["count"] == 1
    messages, _ = await run_action(ActionBudgetReceipt(), make_tracker(
        "budget_receipt", entities=[{"entity": "receipt_code", "value": "ZZZZ-ZZZZ"}]))
    assert responses(messages) == ["utter_err_receipt_not_found"]


async def test_receipt_without_a_submitted_ballot(app_db):
    register(app_db)
    messages, _ = await run_action(ActionBudgetReceipt(), make_tracker("budget_receipt"))
    assert responses(messages) == ["utter_budget_no_cycle"]
    _, _, (a,) = voting_cycle(app_db, [30_000_000])
    messages, _ = await run_action(ActionBudgetReceipt(), make_tracker("budget_receipt"))
    assert responses(messages) == ["utter_budget_no_ballot"]
    await run_action(ActionBudgetToggle(), _toggle(a))
    messages, _ = await run_action(ActionBudgetReceipt(), make_tracker("budget_receipt"))
    assert responses(messages) == ["utter_budget_ballot_draft"] and messages[0]["count"] == 1


async def test_approval_and_minimum_share_ballots(app_db):
    register(app_db)
    _, _, (a, b) = voting_cycle(app_db, [30_000_000, 15_000_000], rule=BallotRule.approval, max_picks=1)
    messages, _ = await run_action(ActionBudgetBallot(), make_tracker("budget_vote"))
    assert responses(messages) == ["utter_budget_ballot_approval"] and messages[0]["max_picks"] == 1
    await run_action(ActionBudgetToggle(), _toggle(a))
    messages, _ = await run_action(ActionBudgetToggle(), _toggle(b))
    assert responses(messages) == ["utter_err_too_many_picks", "utter_budget_ballot_approval"]
    assert messages[0]["max_picks"] == "1"


async def test_minimum_share_blocks_submission_until_reached(app_db):
    register(app_db)
    _, _, (a, b) = voting_cycle(app_db, [30_000_000, 25_000_000], min_share=50)
    messages, _ = await run_action(ActionBudgetToggle(), _toggle(a))
    assert responses(messages) == ["utter_budget_ballot_min_share"] and messages[0]["min_total"] == "5,000만원"
    messages, _ = await run_action(ActionBudgetSubmit(), make_tracker("budget_submit"))
    assert responses(messages) == ["utter_err_below_min_share", "utter_budget_ballot_min_share"]
    await run_action(ActionBudgetToggle(), _toggle(b))
    messages, _ = await run_action(ActionBudgetSubmit(), make_tracker("budget_submit"))
    assert responses(messages)[0] == "utter_budget_ballot_submitted"


async def test_changing_a_submitted_ballot_where_allowed(app_db):
    register(app_db)
    _, _, (a, b) = voting_cycle(app_db, [30_000_000, 15_000_000], allow_change=True)
    await run_action(ActionBudgetToggle(), _toggle(a))
    messages, _ = await run_action(ActionBudgetSubmit(), make_tracker("budget_submit"))
    code = messages[0]["receipt_code"]
    messages, _ = await run_action(ActionBudgetToggle(), _toggle(b))
    assert responses(messages) == ["utter_budget_ballot_reopened", "utter_budget_ballot"]
    messages, _ = await run_action(ActionBudgetReceipt(), make_tracker("budget_receipt"))
    assert responses(messages) == ["utter_budget_receipt_not_counted"] and messages[0]["receipt_code"] == code
    messages, _ = await run_action(ActionBudgetSubmit(), make_tracker("budget_submit"))
    # Resubmitted: counted again under the same code, no second points.
    assert responses(messages) == ["utter_budget_ballot_submitted"] and messages[0]["receipt_code"] == code


async def test_results_hidden_until_published_then_ranking_and_chart(app_db, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path))
    register(app_db)
    messages, _ = await run_action(ActionBudgetResults(), make_tracker("budget_results"))
    assert responses(messages) == ["utter_budget_no_cycle"]
    staff, cycle, (a, b) = voting_cycle(app_db, [30_000_000, 80_000_000])
    await run_action(ActionBudgetToggle(), _toggle(b))
    await run_action(ActionBudgetSubmit(), make_tracker("budget_submit"))
    messages, _ = await run_action(ActionBudgetResults(), make_tracker("budget_results"))
    assert responses(messages) == ["utter_err_results_not_published"]  # no live tally while voting

    set_phase(app_db, cycle, staff, Phase.results)
    with session_scope(app_db) as s:
        budget.publish_results(s, cycle_id=cycle, staff_id=staff, media_dir=tmp_path)
        assert find(s, USER_ID) is not None
    # Anyone may read published results, even before consenting.
    messages, _ = await run_action(ActionBudgetResults(), make_tracker("budget_results", user_id=777))
    assert responses(messages) == ["utter_budget_results", None]
    lines = messages[0]["lines"].splitlines()
    assert lines[0].startswith("✅ 1위 사업 2") and "1표" in lines[0]
    assert lines[1].startswith("▫️ 2위 사업 1") and "득표 없음" in lines[1]
    chart = messages[1]["custom"]["photo"]
    assert Path(tmp_path, chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_long_ballots_drop_descriptions_to_fit_one_message():
    def project(i: int) -> budget.ProjectView:
        return budget.ProjectView(i, 1, f"사업 {i}", "설명이 아주 긴 사업입니다. " * 20, "명동", 30_000_000,
                                  30_000_000, ProjectStatus.accepted, None, None, None)

    short = ballot_lines([project(i) for i in range(3)], {1})
    assert "✅ 1번 사업 1 · 3,000만원 · 명동\n      설명이" in short
    long = ballot_lines([project(i) for i in range(60)], set())
    assert len(long) <= BALLOT_LIST_MAX_CHARS and "설명이" not in long and long.count("\n") == 59
