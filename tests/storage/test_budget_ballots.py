"""Building, submitting and checking ballots; reminders. Both backends."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from budget_helpers import (
    IN_SCREENING, IN_VOTING, SECOND, TIMES, make_cycle, notices, propose, resident, voting_setup,
)
from storage.budget_rules import BALLOT_REMINDER_LEAD, BallotRule, Phase
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import Ballot, BallotStatus, PointEntry
from storage.services import budget

MAN = 10_000


def _code(fn, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as err:
        fn(*args, **kwargs)
    return err.value.code


def _toggle(s, setup, voter, index, now=IN_VOTING):
    return budget.ballot_toggle(s, cycle_id=setup.cycle, resident_id=voter, project_id=setup.projects[index],
                                now=now)


def test_ballots_only_while_voting_is_open(engine):
    setup = voting_setup(engine, [3000 * MAN])
    with session_scope(engine) as s:
        voter = resident(s, 1)
        assert _code(_toggle, s, setup, voter, 0, now=TIMES.voting_starts_at - SECOND) == "phase_not_voting"
        assert _toggle(s, setup, voter, 0, now=TIMES.voting_starts_at).changed == "added"
        assert _toggle(s, setup, voter, 0, now=TIMES.results_at - SECOND).changed == "removed"  # last second
        # an old button pressed after voting closed, before the scheduler even ran
        assert _code(_toggle, s, setup, voter, 0, now=TIMES.results_at) == "phase_not_voting"
        assert _code(budget.submit_ballot, s, cycle_id=setup.cycle, resident_id=voter, now=TIMES.results_at) \
            == "phase_not_voting"


def test_projects_outside_the_ballot_are_refused(engine):
    setup = voting_setup(engine, [3000 * MAN])
    with session_scope(engine) as s:
        voter = resident(s, 1)
        rejected = propose(s, setup.cycle, setup.proposer, "제외된 사업", 1000 * MAN, now=TIMES.intake_starts_at)
        for project_id in (rejected, 99999):
            assert _code(budget.ballot_toggle, s, cycle_id=setup.cycle, resident_id=voter, project_id=project_id,
                         now=IN_VOTING) == "project_not_in_cycle"
    # the caller caught the errors and committed: still nothing was written
    with session_scope(engine) as s:
        assert budget.ballot_view(s, cycle_id=setup.cycle, resident_id=voter).status is None
        assert s.scalar(select(func.count()).select_from(Ballot)) == 0


def test_budget_limited_running_total_and_refusal_without_change(engine):
    setup = voting_setup(engine, [6000 * MAN, 4000 * MAN, 1 * MAN + 4000 * MAN])
    with session_scope(engine) as s:
        voter = resident(s, 1)
        view = _toggle(s, setup, voter, 0)
        assert (view.total_cost, view.remaining, view.status) == (6000 * MAN, 4000 * MAN, BallotStatus.draft)
        view = _toggle(s, setup, voter, 1)  # budget exactly used
        assert view.remaining == 0 and view.can_submit and view.errors == []
    with session_scope(engine) as s:
        with pytest.raises(DomainError) as err:
            _toggle(s, setup, voter, 2)
        assert err.value.code == "over_budget" and err.value.params["remaining"] == "0원"
    with session_scope(engine) as s:
        # the draft was kept, unchanged, for the resident to come back to
        view = budget.ballot_view(s, cycle_id=setup.cycle, resident_id=voter)
        assert view.picked_ids == {setup.projects[0], setup.projects[1]}
        view = _toggle(s, setup, voter, 0)  # removing is always allowed
        assert view.changed == "removed" and view.total_cost == 4000 * MAN


def test_approval_allows_up_to_n_picks(engine):
    setup = voting_setup(engine, [9000 * MAN] * 4, rule=BallotRule.approval, max_picks=3)
    with session_scope(engine) as s:
        voter = resident(s, 1)
        for i in range(3):
            view = _toggle(s, setup, voter, i)
        assert view.picks_left == 0 and view.can_submit  # approval ignores the total cost
        with pytest.raises(DomainError) as err:
            _toggle(s, setup, voter, 3)
        assert err.value.code == "too_many_picks" and err.value.params["max_picks"] == 3


def test_minimum_share_blocks_submission_until_met(engine):
    setup = voting_setup(engine, [4000 * MAN, 2000 * MAN], min_share=50)
    with session_scope(engine) as s:
        voter = resident(s, 1)
        view = _toggle(s, setup, voter, 0)
        assert view.errors == ["below_min_share"] and view.min_total == 5000 * MAN and not view.can_submit
        with pytest.raises(DomainError) as err:
            budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING)
        assert err.value.code == "below_min_share" and err.value.params["min_total"] == "5,000만원"
        _toggle(s, setup, voter, 1)
        assert budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING).total_cost \
            == 6000 * MAN


def test_submit_gives_a_receipt_points_once_and_no_second_ballot(engine):
    setup = voting_setup(engine, [3000 * MAN, 2000 * MAN])
    with session_scope(engine) as s:
        voter = resident(s, 1)
        assert _code(budget.submit_ballot, s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING) \
            == "empty_ballot"
        _toggle(s, setup, voter, 0)
        receipt = budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING)
        assert receipt.points == 500 and [p.title for p in receipt.picks] == ["사업 1"]
        assert len(receipt.receipt_code) == 9 and receipt.receipt_code[4] == "-"
        assert receipt.submitted_at == IN_VOTING
    with session_scope(engine) as s:
        with pytest.raises(DomainError) as err:
            budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING + SECOND)
        assert err.value.code == "ballot_already_submitted"
        assert err.value.params["receipt_code"] == receipt.receipt_code
        assert _code(_toggle, s, setup, voter, 1) == "ballot_already_submitted"
        check = budget.verify_receipt(s, receipt.receipt_code.lower().replace("-", " "))
        assert check.counted and check.pick_count == 1 and check.submitted_at == IN_VOTING
        assert _code(budget.verify_receipt, s, "AAAA-AAAA") == "receipt_not_found"
        assert s.scalar(select(func.count()).select_from(PointEntry)
                        .where(PointEntry.resident_id == voter)) == 1
        assert budget.ballot_view(s, cycle_id=setup.cycle, resident_id=voter).status is BallotStatus.submitted


def test_changing_a_submitted_ballot_when_the_cycle_allows_it(engine):
    setup = voting_setup(engine, [3000 * MAN, 2000 * MAN], allow_change=True)
    with session_scope(engine) as s:
        voter = resident(s, 1)
        _toggle(s, setup, voter, 0)
        first = budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING)
        # resubmitting an unchanged ballot just shows the receipt again
        assert budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING).receipt_code \
            == first.receipt_code
    with session_scope(engine) as s:
        view = _toggle(s, setup, voter, 1)
        assert view.reopened and view.status is BallotStatus.draft
        assert not budget.verify_receipt(s, first.receipt_code).counted  # until resubmitted
    with session_scope(engine) as s:
        again = budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING + SECOND)
        assert again.receipt_code == first.receipt_code and again.points == 0  # points once per cycle
        assert len(again.picks) == 2 and budget.verify_receipt(s, first.receipt_code).counted


def test_one_ballot_row_per_resident_and_cycle(engine):
    setup = voting_setup(engine, [3000 * MAN, 2000 * MAN])
    with session_scope(engine) as s:
        voter = resident(s, 1)
        _toggle(s, setup, voter, 0)
        _toggle(s, setup, voter, 1)
        _toggle(s, setup, voter, 0)
        assert s.scalar(select(func.count()).select_from(Ballot)) == 1


def test_one_reminder_for_started_unsubmitted_ballots(engine):
    setup = voting_setup(engine, [3000 * MAN, 2000 * MAN])
    window = TIMES.results_at - BALLOT_REMINDER_LEAD
    with session_scope(engine) as s:
        started, submitted, emptied, _idle = (resident(s, i) for i in (1, 2, 3, 4))
        _toggle(s, setup, started, 0)
        _toggle(s, setup, submitted, 0)
        budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=submitted, now=IN_VOTING)
        _toggle(s, setup, emptied, 0)
        _toggle(s, setup, emptied, 0)
    with session_scope(engine) as s:
        assert budget.draft_ballots_needing_reminder(s, setup.cycle, window - SECOND) == []
    with session_scope(engine) as s:
        assert budget.draft_ballots_needing_reminder(s, setup.cycle, window) == [started]
    with session_scope(engine) as s:
        assert budget.draft_ballots_needing_reminder(s, setup.cycle, window + SECOND) == []
        report = budget.run_schedule(s, TIMES.results_at - SECOND)
        assert report.reminded == {}  # already reminded
        assert report.phase_changes == [(setup.cycle, Phase.screening), (setup.cycle, Phase.voting)]
        sent = notices(s, "budget_ballot_reminder")
        assert [m.resident_id for m in sent] == [started]
        assert sent[0].params["picks"] == 1 and "18:00" in sent[0].params["closes"]


def test_run_schedule_reminds_in_the_window(engine):
    setup = voting_setup(engine, [3000 * MAN])
    with session_scope(engine) as s:
        voter = resident(s, 1)
        _toggle(s, setup, voter, 0)
    with session_scope(engine) as s:
        report = budget.run_schedule(s, TIMES.results_at - BALLOT_REMINDER_LEAD + SECOND)
        assert report.reminded == {setup.cycle: [voter]}
        assert report.phase_changes == [(setup.cycle, Phase.screening), (setup.cycle, Phase.voting)]


def test_a_picked_project_rejected_after_reopened_screening_blocks_submission(engine):
    setup = voting_setup(engine, [3000 * MAN, 2000 * MAN])
    with session_scope(engine) as s:
        voter = resident(s, 1)
        budget.set_phase(s, cycle_id=setup.cycle, phase="voting", staff_id=setup.staff, now=IN_SCREENING)
        _toggle(s, setup, voter, 0, now=IN_SCREENING)
        budget.set_phase(s, cycle_id=setup.cycle, phase="screening", staff_id=setup.staff, now=IN_SCREENING)
        budget.screen_project(s, project_id=setup.projects[0], staff_id=setup.staff, accept=False,
                              reason="중복 사업", now=IN_SCREENING)
    with session_scope(engine) as s:
        assert _code(budget.submit_ballot, s, cycle_id=setup.cycle, resident_id=voter, now=IN_VOTING) \
            == "project_not_in_cycle"
        assert _toggle(s, setup, voter, 0).changed == "removed"  # taking it off still works


def test_cycle_view_for_the_chat(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        view = make_cycle(s, staff, rule=BallotRule.approval, max_picks=5, now=IN_VOTING)
        assert view.policy.max_picks == 5 and view.budget_label == "1억원"
        assert budget.current_cycle(s, IN_VOTING).id == view.id
