"""Budget cycles for the action tests, placed around the wall clock (actions read it);
staff move the phases by hand, as in the chat."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from storage.budget_rules import BallotRule, Phase, PhaseTimes
from storage.db import session_scope
from storage.models import Role
from storage.services import budget, residents
from storage.timeutil import utcnow
from tests.actions.conftest import USER_ID

STAFF_ID = 900_001
OTHER_ID = 900_002
BUDGET = 100_000_000  # 1억
DESCRIPTION = "아이들이 여름에도 놀 수 있도록 놀이터에 그늘막을 설치해 주세요."


def register(engine: Engine, telegram_id: int = USER_ID, *, staff: bool = False) -> int:
    with session_scope(engine) as s:
        resident, _ = residents.register(s, telegram_id, f"주민{telegram_id}")
        if staff:
            resident.role = Role.staff
        s.flush()
        return resident.id


def times(*, intake_open: bool = True) -> PhaseTimes:
    """Intake open now (or starting tomorrow); later phases days ahead, so only staff move them."""
    now = utcnow()
    start = now - timedelta(hours=1) if intake_open else now + timedelta(days=1)
    return PhaseTimes(start, now + timedelta(days=2), now + timedelta(days=3), now + timedelta(days=4),
                      now + timedelta(days=30))


def make_cycle(engine: Engine, staff_id: int, *, rule: BallotRule = BallotRule.budget_limited,
               max_picks: int | None = None, min_share: int | None = None, intake_open: bool = True,
               allow_change: bool = False) -> int:
    with session_scope(engine) as s:
        return budget.create_cycle(
            s, staff_id=staff_id, name="2027년 주민참여예산", total_budget=BUDGET, ballot_rule=rule,
            phase_times=times(intake_open=intake_open), max_picks=max_picks, min_share_percent=min_share,
            allow_ballot_change=allow_change,
        ).id


def propose(engine: Engine, cycle_id: int, proposer_id: int, title: str, cost: int, dong: str = "신당동") -> int:
    with session_scope(engine) as s:
        return budget.propose_project(s, cycle_id=cycle_id, proposer_id=proposer_id, title=title,
                                      description=DESCRIPTION, dong=dong, estimated_cost=cost).project.id


def screen(engine: Engine, project_id: int, staff_id: int, *, accept: bool = True, reason: str = "") -> None:
    with session_scope(engine) as s:
        budget.screen_project(s, project_id=project_id, staff_id=staff_id, accept=accept, reason=reason)


def set_phase(engine: Engine, cycle_id: int, staff_id: int, phase: Phase) -> None:
    with session_scope(engine) as s:
        budget.set_phase(s, cycle_id=cycle_id, phase=phase, staff_id=staff_id)


def voting_cycle(engine: Engine, costs: list[int], **options) -> tuple[int, int, list[int]]:
    """(staff id, cycle id, accepted project ids) with voting open."""
    staff = register(engine, STAFF_ID, staff=True)
    proposer = register(engine, OTHER_ID)
    cycle = make_cycle(engine, staff, **options)
    projects = [propose(engine, cycle, proposer, f"사업 {i + 1}", cost) for i, cost in enumerate(costs)]
    for project in projects:
        screen(engine, project, staff)
    set_phase(engine, cycle, staff, Phase.voting)
    return staff, cycle, projects
