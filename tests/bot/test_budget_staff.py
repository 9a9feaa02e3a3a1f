"""The one-line /budget_cycle_new format staff type (checks of amounts and times are storage's)."""
from __future__ import annotations

import pytest

from bot.handlers.budget_staff import PHASE_WORDS, parse_cycle_line, parse_rule
from storage.budget_rules import BallotRule, Phase
from storage.timeutil import parse_kst

TIMES = "2027-03-02 09:00 | 2027-03-16 09:00 | 2027-03-23 09:00 | 2027-03-30 18:00 | 2027-04-30 18:00"


@pytest.mark.parametrize("text,expected", [
    ("approval:3", (BallotRule.approval, 3, None)),
    ("찬성:5개", (BallotRule.approval, 5, None)),
    ("budget", (BallotRule.budget_limited, None, None)),
    ("budget:50", (BallotRule.budget_limited, None, 50)),
    (" Budget : 30% ", (BallotRule.budget_limited, None, 30)),
    ("예산", (BallotRule.budget_limited, None, None)),
])
def test_ballot_rule_words(text, expected):
    assert parse_rule(text) == expected


@pytest.mark.parametrize("text", ["approval", "approval:x", "ranked:3", ""])
def test_bad_ballot_rules(text):
    with pytest.raises(ValueError):
        parse_rule(text)


def test_cycle_line_with_and_without_the_change_flag():
    spec = parse_cycle_line(f"2027년 주민참여예산 | 10억 | budget:50 | {TIMES}")
    assert (spec.name, spec.budget_text, spec.rule, spec.min_share, spec.allow_change) == (
        "2027년 주민참여예산", "10억", BallotRule.budget_limited, 50, False)
    assert spec.times.voting_starts_at == parse_kst("2027-03-23 09:00")
    assert parse_cycle_line(f"회차 | 1억 | approval:3 | {TIMES} | 변경 허용").allow_change is True


@pytest.mark.parametrize("line", [
    f"이름만 | 1억 | budget | {TIMES.rsplit('|', 1)[0]}",  # a phase missing
    f" | 1억 | budget | {TIMES}",  # no name
    f"회차 | 1억 | budget | 2027-13-40 09:00 | {TIMES.split('|', 1)[1]}",  # no such date
    "",
])
def test_malformed_cycle_lines(line):
    with pytest.raises(ValueError):
        parse_cycle_line(line)


def test_phase_words():
    assert PHASE_WORDS["투표"] is Phase.voting and PHASE_WORDS["results"] is Phase.results
    assert {PHASE_WORDS[w] for w in ("접수", "심사", "투표", "결과", "종료")} == set(Phase) - {Phase.upcoming}
