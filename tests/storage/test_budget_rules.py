"""Pure budget rules: phases at their boundaries, ballot rules, CONSUL funding, won amounts."""
from __future__ import annotations

from datetime import timedelta

import pytest

from storage import budget_rules as r
from storage.budget_rules import BallotPolicy, BallotRule, FundingReason, Phase, PhaseTimes
from storage.errors import DomainError
from storage.timeutil import parse_kst

SECOND = timedelta(seconds=1)
TIMES = PhaseTimes(
    parse_kst("2027-03-02 09:00"), parse_kst("2027-03-16 09:00"), parse_kst("2027-03-23 09:00"),
    parse_kst("2027-03-30 18:00"), parse_kst("2027-04-30 18:00"),
)
BOUNDARIES = [
    (TIMES.intake_starts_at, Phase.upcoming, Phase.intake),
    (TIMES.screening_starts_at, Phase.intake, Phase.screening),
    (TIMES.voting_starts_at, Phase.screening, Phase.voting),
    (TIMES.results_at, Phase.voting, Phase.results),
    (TIMES.closes_at, Phase.results, Phase.closed),
]


# --- phases ---------------------------------------------------------------------
@pytest.mark.parametrize("start,before,after", BOUNDARIES)
def test_phase_changes_exactly_at_its_start(start, before, after):
    assert r.phase_at(TIMES, start - SECOND) is before  # the last second of the previous phase
    assert r.phase_at(TIMES, start) is after
    assert r.phase_at(TIMES, start + SECOND) is after


def test_phase_order_and_labels():
    assert [p.value for p in r.PHASE_ORDER] == ["upcoming", "intake", "screening", "voting", "results", "closed"]
    assert Phase.intake.label == "사업 제안 접수" and Phase.closed.label == "종료"


def test_phase_times_must_increase():
    r.check_phase_times(TIMES)
    bad = PhaseTimes(TIMES.intake_starts_at, TIMES.screening_starts_at, TIMES.screening_starts_at,
                     TIMES.results_at, TIMES.closes_at)
    with pytest.raises(DomainError) as err:
        r.check_phase_times(bad)
    assert err.value.code == "phase_times_out_of_order"


def test_effective_phase_never_behind_schedule_nor_staff():
    in_voting = TIMES.voting_starts_at + SECOND
    # scheduler lagging: stored screening, schedule says voting
    assert r.effective_phase(Phase.screening, TIMES, in_voting) is Phase.voting
    # staff closed voting early
    assert r.effective_phase(Phase.results, TIMES, in_voting) is Phase.results
    # one second after voting closed, a ballot is refused even before the scheduler runs
    assert r.effective_phase(Phase.voting, TIMES, TIMES.results_at) is Phase.results


def test_phases_between_lists_each_step_once():
    assert r.phases_between(Phase.upcoming, Phase.results) == [
        Phase.intake, Phase.screening, Phase.voting, Phase.results]
    assert r.phases_between(Phase.voting, Phase.voting) == []
    assert r.phases_between(Phase.results, Phase.voting) == []


def test_staff_may_not_set_a_phase_behind_the_schedule():
    in_voting = TIMES.voting_starts_at + SECOND
    assert r.can_set_phase(Phase.results, TIMES, in_voting)
    assert r.can_set_phase(Phase.voting, TIMES, in_voting)  # undo an early close
    assert not r.can_set_phase(Phase.screening, TIMES, in_voting)


def test_reminder_window_is_voting_last_day():
    closes = TIMES.results_at
    assert not r.reminder_due(TIMES, closes - r.BALLOT_REMINDER_LEAD - SECOND)
    assert r.reminder_due(TIMES, closes - r.BALLOT_REMINDER_LEAD)
    assert r.reminder_due(TIMES, closes - SECOND)
    assert not r.reminder_due(TIMES, closes)


# --- ballots --------------------------------------------------------------------
APPROVAL3 = BallotPolicy(BallotRule.approval, 100_000_000, max_picks=3)
LIMITED = BallotPolicy(BallotRule.budget_limited, 100_000_000)
LIMITED_HALF = BallotPolicy(BallotRule.budget_limited, 100_000_000, min_share_percent=50)


@pytest.mark.parametrize("policy,picks,expected", [
    (APPROVAL3, [], "empty_ballot"),
    (APPROVAL3, [(1, 10), (2, 10)], None),
    (APPROVAL3, [(1, 10), (2, 10), (3, 10)], None),                      # exactly N
    (APPROVAL3, [(1, 10), (2, 10), (3, 10), (4, 10)], "too_many_picks"),  # N + 1
    (APPROVAL3, [(1, 10), (1, 10)], "duplicate_pick"),
    (APPROVAL3, [(1, 90_000_000), (2, 90_000_000)], None),  # approval ignores cost
    (LIMITED, [(1, 60_000_000), (2, 40_000_000)], None),     # budget exactly used
    (LIMITED, [(1, 60_000_000), (2, 40_000_001)], "over_budget"),
    (LIMITED_HALF, [(1, 49_999_999)], "below_min_share"),
    (LIMITED_HALF, [(1, 50_000_000)], None),
    (LIMITED_HALF, [], "empty_ballot"),
])
def test_check_ballot(policy, picks, expected):
    assert r.check_ballot(policy, picks=picks) == expected


def test_check_ballot_positional_form_and_all_errors():
    assert r.check_ballot("budget_limited", 100, [(1, 101)]) == "over_budget"
    assert r.check_ballot(BallotRule.approval, 100, [(1, 1), (2, 1)], max_picks=1) == "too_many_picks"
    capped = BallotPolicy(BallotRule.budget_limited, 100, max_picks=1, min_share_percent=90)
    assert r.ballot_errors(capped, [(1, 60), (2, 60)]) == ["too_many_picks", "over_budget"]


def test_min_share_rounds_up():
    assert BallotPolicy(BallotRule.budget_limited, 101, min_share_percent=50).min_total == 51
    assert BallotPolicy(BallotRule.budget_limited, 100, min_share_percent=0).min_total == 0
    assert APPROVAL3.min_total == 0


def test_adding_checks_only_hard_limits():
    assert r.check_add_pick(LIMITED_HALF, [], 10) is None  # below minimum is fine while drafting
    assert r.check_add_pick(LIMITED, [(1, 60_000_000)], 40_000_000) is None
    assert r.check_add_pick(LIMITED, [(1, 60_000_000)], 40_000_001) == "over_budget"
    assert r.check_add_pick(APPROVAL3, [(1, 1), (2, 1)], 1) is None
    assert r.check_add_pick(APPROVAL3, [(1, 1), (2, 1), (3, 1)], 1) == "too_many_picks"


@pytest.mark.parametrize("policy,code", [
    (BallotPolicy(BallotRule.approval, 100_000_000), "max_picks_required"),
    (BallotPolicy(BallotRule.approval, 100_000_000, max_picks=0), "max_picks_out_of_range"),
    (BallotPolicy(BallotRule.approval, 100_000_000, max_picks=3, min_share_percent=10), "min_share_invalid"),
    (BallotPolicy(BallotRule.budget_limited, 100_000_000, min_share_percent=101), "min_share_invalid"),
    (BallotPolicy(BallotRule.budget_limited, r.CYCLE_BUDGET_MIN_WON - 1), "budget_out_of_range"),
    (BallotPolicy(BallotRule.budget_limited, r.CYCLE_BUDGET_MAX_WON + 1), "budget_out_of_range"),
])
def test_ballot_policy_checks(policy, code):
    with pytest.raises(DomainError) as err:
        r.check_ballot_policy(policy)
    assert err.value.code == code


# --- funding (CONSUL) -----------------------------------------------------------
def _funded(lines):
    return [line.project_id for line in lines if line.funded]


def test_fund_in_vote_order_skipping_what_no_longer_fits():
    lines = r.fund([(1, 50, 60), (2, 40, 50), (3, 30, 40), (4, 20, 10)], budget=100)
    assert [line.project_id for line in lines] == [1, 2, 3, 4]
    assert _funded(lines) == [1, 3]  # 2 no longer fits (60+50), 3 does (60+40), 4 does not (100+10)
    assert [line.reason for line in lines] == [
        FundingReason.funded, FundingReason.does_not_fit, FundingReason.funded, FundingReason.does_not_fit]
    assert [line.rank for line in lines] == [1, 2, 3, 4]


def test_fund_budget_exactly_used():
    lines = r.fund([(1, 9, 70), (2, 8, 30), (3, 7, 1)], budget=100)
    assert _funded(lines) == [1, 2]
    assert sum(line.cost for line in lines if line.funded) == 100


def test_fund_nothing_fits():
    lines = r.fund([(1, 9, 101), (2, 8, 200)], budget=100)
    assert _funded(lines) == []
    assert {line.reason for line in lines} == {FundingReason.does_not_fit}


def test_fund_tie_break_votes_then_cost_then_earlier_id():
    lines = r.fund([(5, 10, 50), (3, 10, 50), (4, 10, 40), (1, 11, 90)], budget=200)
    assert [line.project_id for line in lines] == [1, 4, 3, 5]
    assert _funded(lines) == [1, 4, 3]  # 90 + 40 + 50 = 180; 5 would need 230


def test_fund_tie_is_independent_of_input_order():
    data = [(1, 7, 30), (2, 7, 30), (3, 7, 20), (4, 2, 5)]
    assert r.fund(data, 60) == r.fund(list(reversed(data)), 60)


def test_projects_without_votes_are_never_funded():
    lines = r.fund([(1, 3, 10), (2, 0, 10)], budget=1000)
    assert _funded(lines) == [1]
    assert lines[1].reason is FundingReason.no_votes


def test_fund_empty():
    assert r.fund([], 100) == []


# --- won ------------------------------------------------------------------------
@pytest.mark.parametrize("text,won", [
    ("3000만원", 30_000_000),
    ("3,000만 원", 30_000_000),
    ("3000만", 30_000_000),
    ("1억 2천만원", 120_000_000),
    ("1억2천만원", 120_000_000),
    ("1억 2,500만원", 125_000_000),
    ("1.5억", 150_000_000),
    ("1.5억원", 150_000_000),
    ("30000000", 30_000_000),
    ("30,000,000원", 30_000_000),
    ("삼천만원", 30_000_000),
    ("삼천오백만원", 35_000_000),
    ("일억 이천만원", 120_000_000),
    ("천만원", 10_000_000),
    ("십억", 1_000_000_000),
    ("3천5백만원", 35_000_000),
    ("５００만원", 5_000_000),  # full-width digits from some keyboards
    ("3000만원이요", 30_000_000),
    ("  2억원입니다 ", 200_000_000),
    ("10만원", r.PROJECT_COST_MIN_WON),
    ("100억", r.PROJECT_COST_MAX_WON),
    ("1억 5000원", 100_005_000),  # with 원 the trailing digits are literal
])
def test_parse_won_reads(text, won):
    assert r.parse_won(text) == won


@pytest.mark.parametrize("text,code", [
    ("삼천만원쯤", "amount_approximate"),
    ("약 3000만원", "amount_approximate"),
    ("3000만원 정도", "amount_approximate"),
    ("2~3천만원", "amount_approximate"),
    ("3천여만원", "amount_approximate"),
    ("-3000만원", "amount_not_positive"),
    ("마이너스 100만원", "amount_not_positive"),
    ("0원", "amount_not_positive"),
    ("영원", "amount_not_positive"),
    ("3000", "amount_too_small"),          # a missing unit, most likely
    ("99,999원", "amount_too_small"),
    ("100억 1원", "amount_too_large"),
    ("1조", "amount_too_large"),
    ("1억5", "amount_unreadable"),         # 1억 5천만? 1억 5원? ask for the unit
    ("1억 5000", "amount_unreadable"),
    ("삼오만원", "amount_unreadable"),
    ("만억", "amount_unreadable"),
    ("3천만 5백만", "amount_unreadable"),
    ("1.5원", "amount_unreadable"),
    ("3,00만원", "amount_unreadable"),
    ("삼천만 달러", "amount_unreadable"),
    ("", "amount_unreadable"),
    ("많이", "amount_unreadable"),
])
def test_parse_won_refuses(text, code):
    with pytest.raises(DomainError) as err:
        r.parse_won(text)
    assert err.value.code == code


def test_parse_won_bounds_are_parameters():
    assert r.parse_won("500억", maximum=r.CYCLE_BUDGET_MAX_WON) == 50_000_000_000
    with pytest.raises(DomainError):
        r.parse_won("10만원", minimum=r.CYCLE_BUDGET_MIN_WON)


@pytest.mark.parametrize("won,text", [
    (30_000_000, "3,000만원"),
    (120_000_000, "1억 2,000만원"),
    (100_000_000, "1억원"),
    (1_000_000_000, "10억원"),
    (1_234_567, "1,234,567원"),
    (0, "0원"),
])
def test_format_won(won, text):
    assert r.format_won(won) == text
    if won:
        assert r.parse_won(text, minimum=1) == won  # what we write, we read back


def test_format_won_short_for_charts():
    assert r.format_won_short(150_000_000) == "1.5억"
    assert r.format_won_short(100_000_000) == "1억"
    assert r.format_won_short(30_000_000) == "3,000만"
    assert r.format_won_short(5_000) == "5,000원"


# --- fields ---------------------------------------------------------------------
def test_dong_names():
    assert r.normalize_dong(" 명동 ") == "명동"
    assert r.normalize_dong("신당") == "신당동"
    assert r.normalize_dong("신당5동") == "신당5동"
    assert len(r.JUNG_GU_DONGS) == 15
    with pytest.raises(DomainError) as err:
        r.normalize_dong("강남동")
    assert err.value.code == "unknown_dong"


def test_title_and_description_lengths():
    assert r.clean_title("  놀이터   그늘막 ") == "놀이터 그늘막"
    with pytest.raises(DomainError):
        r.clean_title("가")
    with pytest.raises(DomainError):
        r.clean_title("가" * (r.PROJECT_TITLE_MAX + 1))
    assert r.clean_title("가" * r.PROJECT_TITLE_MAX)
    with pytest.raises(DomainError):
        r.clean_description("짧아요")


def test_project_cost_must_fit_the_budget():
    r.check_project_cost(100_000_000, 100_000_000)
    with pytest.raises(DomainError) as err:
        r.check_project_cost(100_000_001, 100_000_000)
    assert err.value.code == "cost_exceeds_budget"


def test_receipt_codes_normalise():
    assert r.normalize_receipt_code(" 7k3m q9xa ") == "7K3M-Q9XA"
    assert r.normalize_receipt_code("7K3M-Q9XA") == "7K3M-Q9XA"
