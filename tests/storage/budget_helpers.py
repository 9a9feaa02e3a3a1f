"""Shared setup of the budget tests: a fixed timeline, residents, a cycle with accepted projects."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from storage.budget_rules import PROPOSALS_PER_RESIDENT_MAX, BallotRule, PhaseTimes
from storage.db import session_scope
from storage.models import OutboxMessage, Role
from storage.services import budget, residents, subscriptions
from storage.timeutil import parse_kst

SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)
TIMES = PhaseTimes(
    intake_starts_at=parse_kst("2027-03-02 09:00"),
    screening_starts_at=parse_kst("2027-03-16 09:00"),
    voting_starts_at=parse_kst("2027-03-23 09:00"),
    results_at=parse_kst("2027-03-30 18:00"),
    closes_at=parse_kst("2027-04-30 18:00"),
)
BEFORE = TIMES.intake_starts_at - HOUR
IN_INTAKE = TIMES.intake_starts_at + HOUR
IN_SCREENING = TIMES.screening_starts_at + HOUR
IN_VOTING = TIMES.voting_starts_at + HOUR  # 10:00 KST, outside quiet hours
AFTER_VOTING = TIMES.results_at + HOUR  # 19:00 KST
BUDGET = 100_000_000  # 1억
DESCRIPTION = "아이들이 여름에도 놀 수 있도록 그늘막을 설치해 주세요."


def resident(session: Session, telegram_id: int, *, staff: bool = False) -> int:
    r, _ = residents.register(session, telegram_id, f"주민{telegram_id}", now=BEFORE - timedelta(days=30))
    if staff:
        r.role = Role.staff
    session.flush()
    # Every topic on, as "모두 받기" right after consent: reminders and results are opt-in.
    subscriptions.set_defaults(session, r.id, now=BEFORE - timedelta(days=30))
    return r.id


def make_cycle(session: Session, staff_id: int, *, rule: BallotRule = BallotRule.budget_limited,
               max_picks: int | None = None, min_share: int | None = None, allow_change: bool = False,
               now=IN_INTAKE, budget_won: int = BUDGET, times: PhaseTimes = TIMES) -> budget.CycleView:
    return budget.create_cycle(
        session, staff_id=staff_id, name="2027년 주민참여예산", total_budget=budget_won, ballot_rule=rule,
        phase_times=times, max_picks=max_picks, min_share_percent=min_share, allow_ballot_change=allow_change,
        now=now,
    )


def propose(session: Session, cycle_id: int, proposer_id: int, title: str, cost: int, *, now=IN_INTAKE,
            dong: str = "신당동") -> int:
    return budget.propose_project(
        session, cycle_id=cycle_id, proposer_id=proposer_id, title=title, description=DESCRIPTION,
        dong=dong, estimated_cost=cost, now=now,
    ).project.id


@dataclass
class Setup:
    staff: int
    proposer: int
    cycle: int
    projects: list[int]  # accepted, in order of the costs given


def voting_setup(engine: Engine, costs: list[int], **cycle_options) -> Setup:
    """A cycle with one accepted project per cost, committed, ready for voting."""
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        proposer = resident(s, 901)
        cycle = make_cycle(s, staff, **cycle_options).id
        # more proposers than one when the per-resident cap would be reached
        proposers = [proposer] + [resident(s, 5000 + i) for i in range(len(costs) // PROPOSALS_PER_RESIDENT_MAX)]
        projects = [propose(s, cycle, proposers[i // PROPOSALS_PER_RESIDENT_MAX], f"사업 {i + 1}", cost)
                    for i, cost in enumerate(costs)]
        for pid in projects:
            budget.screen_project(s, project_id=pid, staff_id=staff, accept=True, reason="", now=IN_SCREENING)
    return Setup(staff, proposer, cycle, projects)


def notices(session: Session, template: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                .order_by(OutboxMessage.id)))
