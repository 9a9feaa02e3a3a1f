"""Once-only rules survive 탈퇴 and re-consent by the same Telegram account (issue 13).

Each scenario: take part, withdraw (the resident row and what hangs off it go),
consent again with the same Telegram id (a new resident row), try again.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

import budget_helpers as bh
import survey_helpers as sh
from points_helpers import NOW, resident as points_resident, sums
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import Ballot, BallotStatus, Resident
from storage.models.privacy import OnceMark
from storage.models.surveys import SurveyResponse
from storage.services import budget, residents, surveys
from storage.services.volunteer import import_volunteer_csv
from storage.tombstone import tombstone_of

VOTER = 4321


def _withdraw_and_return(engine, telegram_id: int, now) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        assert residents.withdraw(s, telegram_id)
    with session_scope(engine) as s:
        r, created = residents.register(s, telegram_id, "다시 온 주민", now=now)
        assert created
        return r.id


def test_the_tombstone_is_a_keyed_hash_without_the_id(monkeypatch):
    monkeypatch.setenv("TOMBSTONE_SECRET", "one-key")
    first = tombstone_of(VOTER)
    assert len(first) == 64 and str(VOTER) not in first
    assert tombstone_of(VOTER) == first
    monkeypatch.setenv("TOMBSTONE_SECRET", "another-key")
    assert tombstone_of(VOTER) != first


def test_registration_stores_the_tombstone(engine):
    with session_scope(engine) as s:
        r, _ = residents.register(s, VOTER, "주민")
        assert r.tombstone == tombstone_of(VOTER)


def test_one_ballot_per_cycle_across_withdrawal(engine):
    setup = bh.voting_setup(engine, [10_000_000])
    with session_scope(engine) as s:
        voter = bh.resident(s, VOTER)
        budget.ballot_toggle(s, cycle_id=setup.cycle, resident_id=voter, project_id=setup.projects[0],
                             now=bh.IN_VOTING)
        budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=bh.IN_VOTING)
    again = _withdraw_and_return(engine, VOTER, bh.IN_VOTING)
    with session_scope(engine) as s, pytest.raises(DomainError) as err:
        budget.ballot_toggle(s, cycle_id=setup.cycle, resident_id=again, project_id=setup.projects[0],
                             now=bh.IN_VOTING)
    assert err.value.code == "ballot_cast_before_withdrawal"
    with session_scope(engine) as s:
        submitted = s.scalar(select(func.count()).select_from(Ballot)
                             .where(Ballot.cycle_id == setup.cycle, Ballot.status == BallotStatus.submitted))
        assert submitted == 1


def test_submit_is_refused_even_with_a_draft_made_before_the_mark(engine):
    """The unique mark decides at submission, whatever the draft path."""
    setup = bh.voting_setup(engine, [10_000_000])
    with session_scope(engine) as s:
        voter = bh.resident(s, VOTER)
        budget.ballot_toggle(s, cycle_id=setup.cycle, resident_id=voter, project_id=setup.projects[0],
                             now=bh.IN_VOTING)
        budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=bh.IN_VOTING)
        # A draft by a new row of the same account, as if it slipped past the early check.
        s.delete(s.get(Resident, voter))
        s.flush()
        again, _ = residents.register(s, VOTER, "주민", now=bh.IN_VOTING)
        s.flush()
        s.add(Ballot(cycle_id=setup.cycle, resident_id=again.id))
        s.flush()
        ballot = s.scalar(select(Ballot).where(Ballot.resident_id == again.id))
        from storage.models import BallotPick
        ballot.picks.append(BallotPick(project_id=setup.projects[0]))
        s.flush()
        with pytest.raises(DomainError) as err:
            budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=again.id, now=bh.IN_VOTING)
        assert err.value.code == "ballot_cast_before_withdrawal"


def test_one_anonymous_survey_answer_across_withdrawal(engine):
    with session_scope(engine) as s:
        survey_id = sh.publish_sample(s)
        rid = sh.resident(s, VOTER)
        sh.walk(s, survey_id, rid)
        surveys.submit(s, survey_id=survey_id, resident_id=rid, now=sh.NOW)
    again = _withdraw_and_return(engine, VOTER, sh.NOW)
    with session_scope(engine) as s, pytest.raises(DomainError) as err:
        surveys.start_or_resume(s, survey_id=survey_id, resident_id=again, now=sh.NOW)
    assert err.value.code == "already_responded"
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(SurveyResponse)) == 1
        assert s.scalar(select(func.count()).select_from(OnceMark)) >= 1


def test_the_yearly_volunteer_award_once_across_withdrawal(engine):
    csv = "telegram_user_id,hours,year\n101,120,2026\n"
    with session_scope(engine) as s:
        staff = points_resident(s, 9, staff=True)
        points_resident(s, 101)
    with session_scope(engine) as s:
        assert import_volunteer_csv(s, csv, staff_resident_id=staff, now=NOW).awarded == 1
    again = _withdraw_and_return(engine, 101, NOW)
    with session_scope(engine) as s:
        report = import_volunteer_csv(s, csv, staff_resident_id=staff, now=NOW)
        assert report.awarded == 0
        assert sums(s, again) == (0, 0)


def test_marks_hold_no_personal_data(engine):
    with session_scope(engine) as s:
        survey_id = sh.publish_sample(s)
        rid = sh.resident(s, VOTER)
        sh.walk(s, survey_id, rid)
        surveys.submit(s, survey_id=survey_id, resident_id=rid, now=sh.NOW)
    with session_scope(engine) as s:
        for mark in s.scalars(select(OnceMark)):
            assert str(VOTER) not in (mark.tombstone + mark.scope)
