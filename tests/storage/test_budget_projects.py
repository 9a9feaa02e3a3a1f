"""Proposing during intake and screening by staff, on both backends."""
from __future__ import annotations

import pytest

from budget_helpers import (
    BEFORE, DESCRIPTION, IN_INTAKE, IN_SCREENING, IN_VOTING, make_cycle, notices, propose, resident,
)
from storage.budget_rules import PROPOSALS_PER_RESIDENT_MAX
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import ProjectStatus
from storage.services import budget


def _code(fn, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as err:
        fn(*args, **kwargs)
    return err.value.code


def test_propose_only_during_intake(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        me = resident(s, 1)
        cycle = make_cycle(s, staff, now=BEFORE).id
        kwargs = dict(cycle_id=cycle, proposer_id=me, title="놀이터 그늘막", description=DESCRIPTION,
                      dong="신당동", estimated_cost=30_000_000)
        assert _code(budget.propose_project, s, **kwargs, now=BEFORE) == "phase_not_intake"
        result = budget.propose_project(s, **kwargs, photo_file_id="AgACAgIAAxk", now=IN_INTAKE)
        assert result.created and result.project.status is ProjectStatus.submitted
        assert result.project.photo_file_id == "AgACAgIAAxk" and result.project.cost_label == "3,000만원"
        assert _code(budget.propose_project, s, **{**kwargs, "title": "다른 사업"}, now=IN_SCREENING) \
            == "phase_not_intake"


def test_confirming_twice_saves_one_project(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        me = resident(s, 1)
        cycle = make_cycle(s, staff).id
        first = propose(s, cycle, me, "놀이터 그늘막", 30_000_000)
    with session_scope(engine) as s:
        again = budget.propose_project(s, cycle_id=cycle, proposer_id=me, title=" 놀이터  그늘막 ",
                                       description=DESCRIPTION, dong="신당", estimated_cost=30_000_000,
                                       now=IN_INTAKE)
        assert not again.created and again.project.id == first
        assert len(budget.list_projects(s, cycle)) == 1


def test_proposal_limits(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        me = resident(s, 1)
        cycle = make_cycle(s, staff).id
        for i in range(PROPOSALS_PER_RESIDENT_MAX):
            propose(s, cycle, me, f"사업 {i}", 10_000_000)
        assert _code(propose, s, cycle, me, "하나 더", 10_000_000) == "too_many_proposals"
        other = resident(s, 2)
        assert _code(propose, s, cycle, other, "예산보다 큰 사업", 100_000_001) == "cost_exceeds_budget"
        assert _code(propose, s, cycle, other, "너무 싼 사업", 99_999) == "amount_too_small"
        assert _code(propose, s, cycle, other, "어디", 10_000_000, dong="역삼동") == "unknown_dong"
        assert _code(propose, s, cycle, 99999, "누구", 10_000_000) == "not_registered"


def test_screening_tells_the_proposer_with_the_reason(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        me = resident(s, 1)
        cycle = make_cycle(s, staff).id
        yes = propose(s, cycle, me, "놀이터 그늘막", 30_000_000)
        no = propose(s, cycle, me, "주차장 확장", 60_000_000)
        assert _code(budget.screen_project, s, project_id=yes, staff_id=me, accept=True) == "not_allowed"
        assert _code(budget.screen_project, s, project_id=no, staff_id=staff, accept=False, reason=" ",
                     now=IN_SCREENING) == "screening_reason_required"
        assert _code(budget.screen_project, s, project_id=yes, staff_id=staff, accept=True,
                     cost=200_000_000, now=IN_SCREENING) == "cost_exceeds_budget"
        assert _code(budget.screen_project, s, project_id=777, staff_id=staff, accept=True) == "project_not_found"
        view = budget.screen_project(s, project_id=yes, staff_id=staff, accept=True, cost=35_000_000,
                                     now=IN_SCREENING)
        assert view.status is ProjectStatus.accepted and view.cost == 35_000_000 and view.estimated_cost == 30_000_000
        budget.screen_project(s, project_id=no, staff_id=staff, accept=False,
                              reason="구유지가 없어 사업 부지를 확보할 수 없습니다.", now=IN_SCREENING)
        accepted = notices(s, "budget_screening_accepted")
        rejected = notices(s, "budget_screening_rejected")
        assert [(m.resident_id, m.params["cost"]) for m in accepted] == [(me, "3,500만원")]
        assert rejected[0].params["reason"] == "구유지가 없어 사업 부지를 확보할 수 없습니다."
        assert [p.id for p in budget.eligible_projects(s, cycle)] == [yes]


def test_a_corrected_decision_is_a_new_notice_and_voting_fixes_the_list(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        me = resident(s, 1)
        cycle = make_cycle(s, staff).id
        pid = propose(s, cycle, me, "놀이터 그늘막", 30_000_000)
        budget.screen_project(s, project_id=pid, staff_id=staff, accept=False, reason="중복", now=IN_SCREENING)
        budget.screen_project(s, project_id=pid, staff_id=staff, accept=True, now=IN_SCREENING)
        assert len(notices(s, "budget_screening_rejected")) == 1
        assert len(notices(s, "budget_screening_accepted")) == 1
        assert budget.get_project(s, pid).cost == 30_000_000
        assert _code(budget.screen_project, s, project_id=pid, staff_id=staff, accept=False, reason="x",
                     now=IN_VOTING) == "screening_closed"


def test_short_description_for_ballot_lists(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        me = resident(s, 1)
        cycle = make_cycle(s, staff).id
        pid = budget.propose_project(s, cycle_id=cycle, proposer_id=me, title="긴 설명", description="가" * 300,
                                     dong="명동", estimated_cost=10_000_000, now=IN_INTAKE).project.id
        short = budget.get_project(s, pid).short_description
        assert len(short) == 80 and short.endswith("…")
