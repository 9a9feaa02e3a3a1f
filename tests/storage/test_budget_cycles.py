"""Cycles and phases on both backends, with a controllable clock."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from budget_helpers import (
    AFTER_VOTING, BEFORE, IN_INTAKE, IN_SCREENING, IN_VOTING, SECOND, TIMES, make_cycle, notices, propose,
    resident,
)
from storage.budget_rules import Phase, PhaseTimes
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import BudgetCycle, PhaseChange, PhaseChangeSource
from storage.services import budget


def _log(s, cycle_id):
    return [(c.from_phase, c.to_phase, c.source) for c in
            s.scalars(select(PhaseChange).where(PhaseChange.cycle_id == cycle_id).order_by(PhaseChange.id))]


def test_only_staff_create_cycles(engine):
    with session_scope(engine) as s:
        someone = resident(s, 1)
        with pytest.raises(DomainError) as err:
            make_cycle(s, someone)
        assert err.value.code == "not_allowed"


def test_new_cycle_enters_the_phases_whose_time_has_come(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        view = make_cycle(s, staff, now=IN_SCREENING)
        assert view.phase is Phase.screening and view.phase_label == "심사"
        assert [to for _, to, _ in _log(s, view.id)] == [Phase.intake, Phase.screening]
        assert view.phase_ends_at == TIMES.voting_starts_at


def test_cycles_may_not_overlap_and_times_must_be_ordered(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        make_cycle(s, staff)
        with pytest.raises(DomainError) as err:
            make_cycle(s, staff)
        assert err.value.code == "cycle_overlaps"
        backwards = PhaseTimes(TIMES.closes_at, TIMES.screening_starts_at, TIMES.voting_starts_at,
                               TIMES.results_at, TIMES.intake_starts_at)
        with pytest.raises(DomainError) as err:
            make_cycle(s, staff, times=backwards)
        assert err.value.code == "phase_times_out_of_order"


@pytest.mark.parametrize("start,before,after", [
    (TIMES.intake_starts_at, Phase.upcoming, Phase.intake),
    (TIMES.screening_starts_at, Phase.intake, Phase.screening),
    (TIMES.voting_starts_at, Phase.screening, Phase.voting),
    (TIMES.results_at, Phase.voting, Phase.results),
    (TIMES.closes_at, Phase.results, Phase.closed),
])
def test_scheduler_moves_exactly_at_each_boundary(engine, start, before, after):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        cycle_id = make_cycle(s, staff, now=start - SECOND).id
        assert budget.get_cycle(s, cycle_id, start - SECOND).phase is before
    with session_scope(engine) as s:
        assert budget.advance_phases(s, start - SECOND) == []  # the last second of the phase
    with session_scope(engine) as s:
        assert budget.advance_phases(s, start) == [(cycle_id, after)]
    with session_scope(engine) as s:
        assert budget.advance_phases(s, start + SECOND) == []
        assert s.get(BudgetCycle, cycle_id).current_phase is after


def test_catch_up_after_downtime_records_each_change_once(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        proposer = resident(s, 901)
        cycle_id = make_cycle(s, staff, now=BEFORE).id
        assert budget.current_cycle(s, BEFORE) is None
        assert budget.current_cycle(s, BEFORE, include_upcoming=True).id == cycle_id
    with session_scope(engine) as s:
        assert budget.advance_phases(s, IN_INTAKE) == [(cycle_id, Phase.intake)]
        pid = propose(s, cycle_id, proposer, "놀이터 그늘막", 30_000_000)
        budget.screen_project(s, project_id=pid, staff_id=staff, accept=True, now=IN_INTAKE)
    # the scheduler was down from intake until after voting closed
    with session_scope(engine) as s:
        assert budget.advance_phases(s, AFTER_VOTING) == [
            (cycle_id, Phase.screening), (cycle_id, Phase.voting), (cycle_id, Phase.results)]
    with session_scope(engine) as s:
        assert budget.advance_phases(s, AFTER_VOTING) == []
        log = _log(s, cycle_id)
        assert [to for _, to, _ in log] == [Phase.intake, Phase.screening, Phase.voting, Phase.results]
        assert {src for _, _, src in log} == {PhaseChangeSource.schedule}
        # notices only for where the cycle ended up: nobody is told "voting opened" after it closed
        assert notices(s, "budget_voting_open_proposer") == []
        assert len(notices(s, "budget_results_ready_staff")) == 1
        assert len(notices(s, "budget_phase_changed_staff")) == 1  # the intake step of the first run
        assert budget.current_cycle(s, AFTER_VOTING).phase is Phase.results
        assert budget.current_cycle(s, TIMES.closes_at) is None


def test_voting_opening_tells_proposers_of_accepted_projects_once(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        a, b = resident(s, 1), resident(s, 2)
        cycle_id = make_cycle(s, staff).id
        accepted = propose(s, cycle_id, a, "놀이터 그늘막", 30_000_000)
        rejected = propose(s, cycle_id, b, "주차장 확장", 60_000_000)
        budget.screen_project(s, project_id=accepted, staff_id=staff, accept=True, now=IN_SCREENING)
        budget.screen_project(s, project_id=rejected, staff_id=staff, accept=False, reason="부지 없음",
                              now=IN_SCREENING)
    with session_scope(engine) as s:
        budget.advance_phases(s, IN_VOTING)
        budget.advance_phases(s, IN_VOTING + SECOND)
        sent = notices(s, "budget_voting_open_proposer")
        assert [(m.resident_id, m.params["title"]) for m in sent] == [(a, "놀이터 그늘막")]
        assert "2027. 3. 30." in sent[0].params["closes"]


def test_staff_move_phases_but_never_behind_the_schedule(engine):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        someone = resident(s, 1)
        cycle_id = make_cycle(s, staff).id
        with pytest.raises(DomainError) as err:
            budget.set_phase(s, cycle_id=cycle_id, phase="voting", staff_id=someone, now=IN_INTAKE)
        assert err.value.code == "not_allowed"
        with pytest.raises(DomainError) as err:
            budget.set_phase(s, cycle_id=cycle_id, phase="later", staff_id=staff, now=IN_INTAKE)
        assert err.value.code == "unknown_phase"
        # open voting early; the scheduler does not undo it
        assert budget.set_phase(s, cycle_id=cycle_id, phase="voting", staff_id=staff, now=IN_INTAKE).phase \
            is Phase.voting
    with session_scope(engine) as s:
        assert budget.advance_phases(s, IN_SCREENING) == []
        assert budget.get_cycle(s, cycle_id, IN_SCREENING).phase is Phase.voting
        # back to screening is fine while the schedule says screening …
        budget.set_phase(s, cycle_id=cycle_id, phase=Phase.screening, staff_id=staff, now=IN_SCREENING)
        # … but not to intake, which the schedule has passed
        with pytest.raises(DomainError) as err:
            budget.set_phase(s, cycle_id=cycle_id, phase=Phase.intake, staff_id=staff, now=IN_SCREENING)
        assert err.value.code == "phase_behind_schedule"
        log = _log(s, cycle_id)
        assert [(f, t, src) for f, t, src in log][-2:] == [
            (Phase.intake, Phase.voting, PhaseChangeSource.staff),
            (Phase.voting, Phase.screening, PhaseChangeSource.staff)]
        # setting the phase it already has records nothing
        budget.set_phase(s, cycle_id=cycle_id, phase=Phase.screening, staff_id=staff, now=IN_SCREENING)
        assert len(_log(s, cycle_id)) == len(log)


def test_no_going_back_once_results_are_published(engine, tmp_path):
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        cycle_id = make_cycle(s, staff).id
        budget.set_phase(s, cycle_id=cycle_id, phase="results", staff_id=staff, now=IN_VOTING)
        budget.publish_results(s, cycle_id=cycle_id, staff_id=staff, now=IN_VOTING, media_dir=tmp_path)
        with pytest.raises(DomainError) as err:
            budget.set_phase(s, cycle_id=cycle_id, phase="voting", staff_id=staff, now=IN_VOTING)
        assert err.value.code == "results_already_published"
        budget.set_phase(s, cycle_id=cycle_id, phase="closed", staff_id=staff, now=IN_VOTING)


def test_missing_cycle(engine):
    with session_scope(engine) as s:
        with pytest.raises(DomainError) as err:
            budget.get_cycle(s, 12345, IN_INTAKE)
        assert err.value.code == "cycle_not_found"
