"""PostgreSQL under concurrency: a vote cannot be cast twice, and tallies equal the ballots."""
from __future__ import annotations

import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from budget_helpers import AFTER_VOTING, IN_VOTING, resident, voting_setup
from storage.budget_rules import BallotRule
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import Ballot, BallotStatus, PointEntry
from storage.services import budget

pytestmark = pytest.mark.postgres
MAN = 10_000
POOL = 20  # two cores are shared with other test runs


def _attempt(fn):
    try:
        fn()
        return "ok"
    except DomainError as err:
        return err.code


def _counted(engine) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(Ballot).where(Ballot.status == BallotStatus.submitted))


def _point_entries(engine) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(PointEntry))


def test_ten_simultaneous_submissions_count_once(pg_engine):
    setup = voting_setup(pg_engine, [3000 * MAN, 2000 * MAN])
    with session_scope(pg_engine) as s:
        voter = resident(s, 1)
        budget.ballot_toggle(s, cycle_id=setup.cycle, resident_id=voter, project_id=setup.projects[0], now=IN_VOTING)

    def submit():
        with session_scope(pg_engine) as s:
            budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING)

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = Counter(pool.map(lambda _: _attempt(submit), range(10)))
    assert outcomes == Counter({"ok": 1, "ballot_already_submitted": 9})
    assert _counted(pg_engine) == 1
    assert _point_entries(pg_engine) == 1


def test_ten_simultaneous_first_presses_make_one_ballot(pg_engine):
    setup = voting_setup(pg_engine, [1000 * MAN] * 10, rule=BallotRule.approval, max_picks=10)
    with session_scope(pg_engine) as s:
        voter = resident(s, 1)

    def pick_and_submit(i: int) -> None:
        with session_scope(pg_engine) as s:
            budget.ballot_toggle(s, cycle_id=setup.cycle, resident_id=voter, project_id=setup.projects[i],
                                 now=IN_VOTING)
            budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING)

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = Counter(pool.map(lambda i: _attempt(lambda: pick_and_submit(i)), range(10)))
    assert outcomes == Counter({"ok": 1, "ballot_already_submitted": 9})
    with session_scope(pg_engine) as s:
        ballots = list(s.scalars(select(Ballot)))
        assert len(ballots) == 1 and len(ballots[0].picks) == 1
    assert _point_entries(pg_engine) == 1


def test_two_hundred_voters_at_once_tallies_equal_ballots(pg_engine, tmp_path):
    costs = [3000 * MAN, 2500 * MAN, 2000 * MAN, 1500 * MAN, 1000 * MAN, 500 * MAN]
    setup = voting_setup(pg_engine, costs, rule=BallotRule.approval, max_picks=3)
    rng = random.Random(6)
    with session_scope(pg_engine) as s:
        voters = [resident(s, 10_000 + i) for i in range(200)]
    ballots = {voter: rng.sample(setup.projects, rng.randint(1, 3)) for voter in voters}

    def vote(voter: int) -> str:
        for project_id in ballots[voter]:  # one transaction per button press, as in the chat
            with session_scope(pg_engine) as s:
                budget.ballot_toggle(s, cycle_id=setup.cycle, resident_id=voter, project_id=project_id,
                                     now=IN_VOTING)
        with session_scope(pg_engine) as s:
            return budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING).receipt_code

    with ThreadPoolExecutor(max_workers=POOL) as pool:
        receipts = list(pool.map(vote, voters))
    assert len(set(receipts)) == 200

    expected = Counter(pid for picks in ballots.values() for pid in picks)
    with session_scope(pg_engine) as s:
        results = budget.publish_results(s, cycle_id=setup.cycle, staff_id=setup.staff, now=AFTER_VOTING,
                                         media_dir=tmp_path)
    assert results.ballots_counted == 200
    assert {line.project_id: line.votes for line in results.lines} == {pid: expected[pid] for pid in setup.projects}
    assert _point_entries(pg_engine) == 200
