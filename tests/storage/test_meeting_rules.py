"""Pure meeting rules at their edges: the attendance window, deadlines, capacity, codes, links, reminders."""
from __future__ import annotations

from datetime import timedelta

import pytest

from storage import meeting_rules as rules
from storage.timeutil import parse_kst

STARTS = parse_kst("2026-12-03 14:00")
ENDS = STARTS + timedelta(hours=1)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(("now", "state"), [
    (STARTS - rules.ATTEND_OPENS_BEFORE - SECOND, "not_open"),
    (STARTS - rules.ATTEND_OPENS_BEFORE, "open"),
    (STARTS, "open"),
    (ENDS + rules.ATTEND_CLOSES_AFTER, "open"),
    (ENDS + rules.ATTEND_CLOSES_AFTER + SECOND, "closed"),
])
def test_attendance_window_edges(now, state):
    assert rules.attendance_state(now, STARTS, ENDS) == state


def test_registration_closes_at_the_deadline():
    assert rules.registration_open(STARTS - SECOND, STARTS)
    assert not rules.registration_open(STARTS, STARTS)
    assert rules.default_deadline(STARTS) == STARTS


def test_capacity_and_waiting_positions():
    assert rules.has_room(None, 10_000)
    assert rules.has_room(30, 29) and not rules.has_room(30, 30)
    assert rules.next_position(None) == 1 and rules.next_position(7) == 8


@pytest.mark.parametrize("url", [
    "https://zoom.us/j/123456789?pwd=abc", "https://meet.jit.si/junggu-town-hall",
    "https://www.youtube.com/live/abcdEFGH", "https://junggu.webex.com/meet/x",
])
def test_https_links_are_accepted(url):
    assert rules.url_problem(url) is None


@pytest.mark.parametrize(("url", "problem"), [
    ("http://zoom.us/j/1", "scheme"), ("javascript:alert(1)", "scheme"), ("zoom.us/j/1", "scheme"),
    ("https://", "host"), ("https://localhost/x", "host"), ("https://user:pw@zoom.us/j/1", "credentials"),
    ("https://zoom.us/j/1 2", "spaces"), ("https://zoom.us/" + "a" * 600, "length"), ("", "host"),
    ("https://zoom.us:99999/", "host"),
])
def test_bad_links_are_refused_without_fetching(url, problem):
    assert rules.url_problem(url) == problem


def test_codes():
    code = rules.new_code()
    assert len(code) == rules.CODE_LENGTH and code.isdigit()
    assert rules.normalize_code("482 913") == "482913"
    assert rules.normalize_code("48-29-13") == "482913"
    assert rules.normalize_code("４８２９１３") == "482913"
    assert rules.normalize_code("48291") is None and rules.normalize_code("abcdef") is None
    assert rules.find_code("출석 코드 482913 이요") == "482913"
    assert rules.find_code("코드는 4829130") is None


def test_deep_link_payloads():
    assert rules.parse_card_payload("m42") == 42
    assert rules.parse_card_payload("m0") is None and rules.parse_card_payload("kAbc") is None
    assert rules.parse_attend_payload(rules.attend_payload(42, "012345")) == (42, "012345")
    assert rules.parse_attend_payload("ma42_12345") is None
    assert len(rules.attend_payload(2**31, "123456")) <= 64


def test_reminder_times():
    assert rules.day_before_reminder_at(STARTS) == parse_kst("2026-12-02 10:00")
    # a meeting at 00:30 KST: the day before is the previous KST day
    assert rules.day_before_reminder_at(parse_kst("2026-12-03 00:30")) == parse_kst("2026-12-02 10:00")
    assert rules.soon_reminder_at(STARTS) == parse_kst("2026-12-03 13:50")


@pytest.mark.parametrize(("now", "due"), [
    (parse_kst("2026-12-02 09:59"), []),
    (parse_kst("2026-12-02 10:00"), ["day_before"]),
    (STARTS - rules.DAY_BEFORE_LATEST - SECOND, ["day_before"]),
    (STARTS - rules.DAY_BEFORE_LATEST, []),
    (STARTS - rules.SOON_REMINDER_BEFORE - SECOND, []),
    (STARTS - rules.SOON_REMINDER_BEFORE, ["soon"]),
    (ENDS - SECOND, ["soon"]),
    (ENDS, []),
])
def test_due_reminders(now, due):
    assert rules.due_reminders(now, STARTS, ENDS) == due
