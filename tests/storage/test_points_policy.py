"""The point policy file and its pure rules (no database)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import yaml

from points_helpers import POLICY_FILE, policy_variant
from storage.errors import DomainError
from storage.point_policy import (
    ACTIVITIES, PolicyError, kst_day_bounds, last_closed_quarter, load_policy, months_before,
    parse_policy, quarter_ko,
)
from storage.timeutil import parse_kst

POLICY = load_policy(POLICY_FILE)


def raw() -> dict:
    return yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))


def test_shipped_policy_has_every_activity_and_the_card_minimum():
    assert tuple(POLICY.activities) == ACTIVITIES
    assert POLICY.min_exchange == 5_000
    assert POLICY.expiry_months is None  # off by default
    assert POLICY.activity("offline_checkin").max_points >= POLICY.activity("offline_checkin").points


def test_loader_is_cached_and_follows_the_setting(monkeypatch, tmp_path):
    assert load_policy(POLICY_FILE) is load_policy(str(POLICY_FILE))
    monkeypatch.setenv("POINT_POLICY", str(policy_variant(tmp_path, {"annual_cap": 12_345})))
    assert load_policy().annual_cap == 12_345


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("annual_cap"), "top level is missing annual_cap"),
        (lambda d: d.update(bonus=1), "unknown keys bonus"),
        (lambda d: d["activities"].pop("survey_completed"), "activities is missing survey_completed"),
        (lambda d: d["activities"]["survey_completed"].update(points="many"), "activities.survey_completed.points must be a whole number"),
        (lambda d: d["activities"]["survey_completed"].update(points=-1), "must be at least 0"),
        (lambda d: d["activities"]["offline_checkin"].update(max_points=10), "offline_checkin.max_points must be at least 1000"),
        (lambda d: d["exchange"].update(unit=3000), "exchange.minimum must be a multiple of exchange.unit"),
        (lambda d: d["payout"].update(pay_day=31), "payout.pay_day must be between 1 and 28"),
        (lambda d: d["texts"].update(hold="{amont} P"), "texts.hold uses unknown placeholders"),
        (lambda d: d["activities"]["attendance_checkin"].update(label=""), "attendance_checkin.label must be a non-empty text"),
        (lambda d: d.update(expiry_months=True), "expiry_months must be a whole number"),
    ],
)
def test_invalid_policies_are_refused_with_the_field_named(change, message):
    data = raw()
    change(data)
    with pytest.raises(PolicyError, match=message.replace("(", r"\(")):
        parse_policy(data, source="test.yml")


def test_unreadable_policy_file(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("activities: [", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_policy(bad)
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.yml")


def test_min_hours_fills_the_volunteer_texts():
    rule = POLICY.activity("volunteer_100h")
    assert f"{POLICY.volunteer_min_hours}시간" in rule.label and "{" not in rule.howto


def test_points_that_fit_under_annual_and_daily_caps():
    survey = POLICY.activity("survey_completed")  # 500, daily 1,500
    cap = POLICY.annual_cap
    assert POLICY.points_that_fit(500, survey, earned_year=0, earned_today=0) == 500
    assert POLICY.points_that_fit(500, survey, earned_year=0, earned_today=1_000) == 500
    assert POLICY.points_that_fit(500, survey, earned_year=0, earned_today=1_001) == 499
    assert POLICY.points_that_fit(500, survey, earned_year=0, earned_today=1_500) == 0
    assert POLICY.points_that_fit(500, survey, earned_year=cap - 1, earned_today=0) == 1
    assert POLICY.points_that_fit(500, survey, earned_year=cap, earned_today=0) == 0
    prize = POLICY.activity("contest_win")  # no daily cap
    assert POLICY.points_that_fit(10_000, prize, earned_year=0, earned_today=10**6) == 10_000


@pytest.mark.parametrize(
    ("amount", "available", "code"),
    [(4_999, 10_000, "below_minimum"), (5_000, 4_999, "insufficient_points"), (5_000, 5_000, None),
     (7_000, 10_000, "not_exchange_unit"), (10_000, 10_000, None), (0, 10_000, "below_minimum"),
     (-5_000, 10_000, "below_minimum")],
)
def test_exchange_amount_boundaries(amount, available, code):
    if code is None:
        POLICY.check_exchange_amount(amount, available)
        return
    with pytest.raises(DomainError) as err:
        POLICY.check_exchange_amount(amount, available)
    assert err.value.code == code


def test_max_per_request(tmp_path):
    policy = load_policy(policy_variant(tmp_path, {"exchange.max_per_request": 10_000}))
    with pytest.raises(DomainError) as err:
        policy.check_exchange_amount(15_000, 30_000)
    assert err.value.code == "above_maximum" and err.value.params["maximum"] == 10_000
    assert policy.exchange_options(30_000) == [5_000, 10_000]


def test_exchange_options_are_few_and_include_both_ends():
    assert POLICY.exchange_options(4_999) == []
    assert POLICY.exchange_options(5_000) == [5_000]
    assert POLICY.exchange_options(14_999) == [5_000, 10_000]
    many = POLICY.exchange_options(47_000)
    assert len(many) == POLICY.exchange_choices and many[0] == 5_000 and many[-1] == 45_000
    assert all(a % POLICY.exchange_unit == 0 for a in many) and many == sorted(set(many))


def test_next_payout_date_at_the_quarter_boundary():
    last_second = parse_kst("2026-09-30 23:59") + timedelta(seconds=59)
    assert POLICY.next_payout_date(last_second) == date(2026, 10, POLICY.payout_day)
    assert POLICY.next_payout_date(last_second + timedelta(seconds=1)) == date(2027, 1, POLICY.payout_day)
    assert POLICY.next_payout_date(parse_kst("2026-12-31 23:00")) == date(2027, 1, POLICY.payout_day)
    assert POLICY.next_payout_date(parse_kst("2027-01-01 00:00")) == date(2027, 4, POLICY.payout_day)


def test_last_closed_quarter_and_its_cutoff():
    year, quarter, cutoff = last_closed_quarter(parse_kst("2026-10-05 09:00"))
    assert (year, quarter, cutoff) == (2026, 3, parse_kst("2026-10-01 00:00"))
    assert last_closed_quarter(parse_kst("2027-02-01 00:00"))[:2] == (2026, 4)
    assert quarter_ko("2026-Q3") == "2026년 3분기"


def test_kst_day_turns_at_15_utc():
    before = parse_kst("2026-11-24 23:59") + timedelta(seconds=59)
    start, end = kst_day_bounds(before)
    assert end == before + timedelta(seconds=1) == parse_kst("2026-11-25 00:00")
    assert end.hour == 15 and end.tzinfo is not None
    assert kst_day_bounds(end)[0] == end


def test_months_before_clamps_to_month_end():
    assert months_before(parse_kst("2026-05-31 10:00"), 3) == parse_kst("2026-02-28 10:00")
    assert months_before(parse_kst("2026-01-15 00:00"), 12) == parse_kst("2025-01-15 00:00")


def test_korean_texts_for_howto_and_history():
    lines = POLICY.howto_lines().splitlines()
    assert len(lines) == len(ACTIVITIES) and all(line.startswith("• ") for line in lines)
    assert f"{POLICY.annual_cap:,} P" in POLICY.rules_text() and "소멸되지 않아요" in POLICY.rules_text()
    assert POLICY.describe("award", "offline_checkin", 500, {"subject": "정동야행", "requested": 1000}) == \
        "행사 현장 참여 · 정동야행 (한도 적용: 1,000 P 중 500 P 적립)"
    assert POLICY.describe("payout", None, 0, {"amount": 10_000, "quarter": "2026-Q3"}) == \
        "상품권 10,000원 지급 완료 (2026년 3분기)"
    assert "취소" in POLICY.describe("reversal", "survey_completed", -500, {"reason": "중복 응답"})
