"""Tally, publishing, voter notices, chart and CSV exports. Both backends."""
from __future__ import annotations

import csv
import io

import pytest

from budget_helpers import AFTER_VOTING, IN_VOTING, SECOND, TIMES, notices, resident, voting_setup
from storage.budget_chart import render_results_chart
from storage.fonts import korean_font_path
from storage.budget_rules import FundingReason, Phase
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import BudgetProject
from storage.services import budget, residents

MAN = 10_000
PNG = b"\x89PNG\r\n\x1a\n"


def _code(fn, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as err:
        fn(*args, **kwargs)
    return err.value.code


def _vote(engine, setup, telegram_id, picks, now=IN_VOTING):
    with session_scope(engine) as s:
        voter = resident(s, telegram_id)
        for i in picks:
            budget.ballot_toggle(s, cycle_id=setup.cycle, resident_id=voter, project_id=setup.projects[i], now=now)
        budget.submit_ballot(s, cycle_id=setup.cycle, resident_id=voter, now=now)
    return voter


@pytest.fixture
def voted(engine):
    """Budget 1억; costs 6천/5천/4천/1천만; votes 3/2/2/1 on five ballots; one draft that must not count."""
    setup = voting_setup(engine, [6000 * MAN, 5000 * MAN, 4000 * MAN, 1000 * MAN])
    _vote(engine, setup, 1, [0, 2])
    _vote(engine, setup, 2, [0])
    _vote(engine, setup, 3, [0, 2])
    _vote(engine, setup, 4, [1, 3])
    _vote(engine, setup, 5, [1])
    with session_scope(engine) as s:
        drafter = resident(s, 6)
        budget.ballot_toggle(s, cycle_id=setup.cycle, resident_id=drafter, project_id=setup.projects[3],
                             now=IN_VOTING)
    return setup


def test_tally_is_hidden_from_residents_until_published(engine, voted):
    with session_scope(engine) as s:
        assert _code(budget.tally, s, voted.cycle) == "results_not_published"
        assert _code(budget.tally, s, voted.cycle, staff_id=voted.proposer) == "not_allowed"
        live = budget.tally(s, voted.cycle, staff_id=voted.staff)
        assert live.published_at is None and live.ballots_counted == 5
        assert [(line.project_id, line.votes) for line in live.lines] == [
            (voted.projects[0], 3), (voted.projects[2], 2), (voted.projects[1], 2), (voted.projects[3], 1)]


def test_publish_freezes_funding_and_tells_every_voter_once(engine, voted, tmp_path):
    with session_scope(engine) as s:
        assert _code(budget.publish_results, s, cycle_id=voted.cycle, staff_id=voted.staff,
                     now=TIMES.results_at - SECOND, media_dir=tmp_path) == "voting_not_finished"
        assert _code(budget.publish_results, s, cycle_id=voted.cycle, staff_id=voted.proposer,
                     now=AFTER_VOTING, media_dir=tmp_path) == "not_allowed"
    with session_scope(engine) as s:
        results = budget.publish_results(s, cycle_id=voted.cycle, staff_id=voted.staff, now=AFTER_VOTING,
                                         media_dir=tmp_path)
        # 6천 (3표) funded; tie at 2 votes: 4천 before 5천 (cheaper first); 4천 fits (1억 used), 5천 and 1천 do not
        assert [(line.project_id, line.funded, line.reason) for line in results.lines] == [
            (voted.projects[0], True, FundingReason.funded),
            (voted.projects[2], True, FundingReason.funded),
            (voted.projects[1], False, FundingReason.does_not_fit),
            (voted.projects[3], False, FundingReason.does_not_fit),
        ]
        assert results.funded_total == 10_000 * MAN and results.published_at == AFTER_VOTING
        assert results.summary == "예산 1억원 중 1억원 선정 · 투표 5명"
        assert budget.get_cycle(s, voted.cycle, AFTER_VOTING).phase is Phase.results
        sent = notices(s, "budget_results_published")
        assert len(sent) == 5 and len({m.resident_id for m in sent}) == 5  # the drafter is not a voter
        assert sent[0].photo_path == f"budget/results_cycle_{voted.cycle}.png"
        assert sent[0].params["funded_count"] == 2 and "사업 1 (6,000만원)" in sent[0].params["titles"]
        assert (tmp_path / sent[0].photo_path).read_bytes().startswith(PNG)
    with session_scope(engine) as s:
        assert _code(budget.publish_results, s, cycle_id=voted.cycle, staff_id=voted.staff,
                     now=AFTER_VOTING, media_dir=tmp_path) == "results_already_published"
        assert len(notices(s, "budget_results_published")) == 5
        public = budget.tally(s, voted.cycle)  # residents may look now
        assert public.lines == results.lines and public.published_at == AFTER_VOTING
        assert s.get(BudgetProject, voted.projects[1]).result_rank == 3
        assert budget.results_chart_path(s, voted.cycle, media_dir=tmp_path) == sent[0].photo_path


def test_results_at_night_wait_for_the_morning(engine, voted, tmp_path):
    night = TIMES.results_at.replace(hour=13)  # 22:00 KST
    with session_scope(engine) as s:
        budget.publish_results(s, cycle_id=voted.cycle, staff_id=voted.staff, now=night, media_dir=tmp_path)
        sent = notices(s, "budget_results_published")
        assert {m.send_after.hour for m in sent} == {23}  # 08:00 KST next day


def test_a_withdrawn_voter_still_counts_but_is_no_longer_linked(engine, voted, tmp_path):
    with session_scope(engine) as s:
        assert residents.withdraw(s, 1)
    with session_scope(engine) as s:
        results = budget.publish_results(s, cycle_id=voted.cycle, staff_id=voted.staff, now=AFTER_VOTING,
                                         media_dir=tmp_path)
        assert results.ballots_counted == 5 and results.lines[0].votes == 3
        assert len(notices(s, "budget_results_published")) == 4


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_exports_after_voting_without_identities(engine, voted):
    with session_scope(engine) as s:
        assert _code(budget.export_ballots_csv, s, cycle_id=voted.cycle, staff_id=voted.staff, now=IN_VOTING) \
            == "voting_not_finished"
        assert _code(budget.export_results_csv, s, cycle_id=voted.cycle, staff_id=voted.proposer,
                     now=AFTER_VOTING) == "not_allowed"
        s.get(BudgetProject, voted.projects[3]).title = "=HYPERLINK(\"x\")"
    with session_scope(engine) as s:
        ballots = _rows(budget.export_ballots_csv(s, cycle_id=voted.cycle, staff_id=voted.staff, now=AFTER_VOTING))
        assert ballots[0] == ["투표지 번호", "사업 번호", "사업명"]
        assert len(ballots) == 1 + 8  # five ballots, eight picks; the draft is not in it
        assert len({row[0] for row in ballots[1:]}) == 5
        assert any(row[2].startswith("'=HYPERLINK") for row in ballots[1:])  # spreadsheet formulas defused
        text = "\n".join(",".join(row) for row in ballots)
        for telegram_id in ("900", "901"):
            assert telegram_id not in text
        results = _rows(budget.export_results_csv(s, cycle_id=voted.cycle, staff_id=voted.staff, now=AFTER_VOTING))
        assert results[0] == ["순위", "사업 번호", "사업명", "동", "득표수", "사업비(원)", "선정 여부", "사유"]
        assert results[1][4:7] == ["3", "60000000", "선정"]
        assert results[3][6:] == ["미선정", "예산 부족으로 미선정"]
        # the counts in both files agree
        picks = [row[1] for row in ballots[1:]]
        assert {row[1]: int(row[4]) for row in results[1:]} == {pid: picks.count(pid) for pid in set(picks)}


def test_chart_is_a_png_with_a_korean_font():
    assert korean_font_path() is not None  # otherwise Hangul renders as boxes

    class Line:
        def __init__(self, title, votes, cost, funded):
            self.title, self.votes, self.cost, self.funded = title, votes, cost, funded

    lines = [Line(f"신당동 어린이 놀이터 그늘막 설치 {i}", 100 - i, 3000 * MAN, i < 3) for i in range(25)]
    png = render_results_chart(lines, "2027년 주민참여예산 결과", "예산 1억원 중 9,000만원 선정 · 투표 123명")
    assert png.startswith(PNG) and len(png) > 10_000
    assert render_results_chart([], "결과 없음").startswith(PNG)
