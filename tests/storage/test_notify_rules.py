"""Quiet hours, topics and retry constants (pure rules, no database)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.notify_rules import (
    ALL_TOPICS,
    TOPIC_LABELS,
    Topic,
    announcement_dedup_key,
    gives_up,
    is_quiet_hours,
    next_allowed_send,
    parse_topic,
    retry_delay,
)
from storage.timeutil import KST


def kst(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=KST).astimezone(timezone.utc)


@pytest.mark.parametrize(
    ("when", "quiet"),
    [
        (kst(2026, 11, 24, 20, 59, 59), False),
        (kst(2026, 11, 24, 21, 0, 0), True),
        (kst(2026, 11, 24, 23, 59, 59), True),
        (kst(2026, 11, 25, 0, 0, 0), True),
        (kst(2026, 11, 25, 7, 59, 59), True),
        (kst(2026, 11, 25, 8, 0, 0), False),
        (kst(2026, 11, 25, 12, 0, 0), False),
    ],
)
def test_quiet_hours_boundaries(when: datetime, quiet: bool) -> None:
    assert is_quiet_hours(when) is quiet


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (kst(2026, 11, 24, 20, 59, 59), kst(2026, 11, 24, 20, 59, 59)),   # last second before
        (kst(2026, 11, 24, 21, 0, 0), kst(2026, 11, 25, 8, 0, 0)),        # first quiet second
        (kst(2026, 11, 24, 23, 30, 0), kst(2026, 11, 25, 8, 0, 0)),
        (kst(2026, 11, 25, 0, 0, 0), kst(2026, 11, 25, 8, 0, 0)),         # after midnight: same day
        (kst(2026, 11, 25, 7, 59, 59), kst(2026, 11, 25, 8, 0, 0)),       # last quiet second
        (kst(2026, 11, 25, 8, 0, 0), kst(2026, 11, 25, 8, 0, 0)),         # allowed again
        (kst(2026, 12, 31, 22, 0, 0), kst(2027, 1, 1, 8, 0, 0)),          # over the year end
    ],
)
def test_promotional_messages_wait_until_eight(when: datetime, expected: datetime) -> None:
    assert next_allowed_send(when, urgent=False) == expected


@pytest.mark.parametrize("when", [kst(2026, 11, 24, 21, 0, 0), kst(2026, 11, 25, 3, 0, 0),
                                  kst(2026, 11, 25, 7, 59, 59)])
def test_urgent_notices_skip_quiet_hours(when: datetime) -> None:
    assert next_allowed_send(when, urgent=True) == when


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1),
                    timezones=st.just(timezone.utc)))
def test_next_allowed_send_is_never_quiet_and_within_eleven_hours(when: datetime) -> None:
    allowed = next_allowed_send(when, urgent=False)
    assert not is_quiet_hours(allowed)
    assert when <= allowed <= when + timedelta(hours=11)
    assert allowed.tzinfo is not None and allowed.utcoffset() == timedelta(0)


def test_backoff_doubles_up_to_a_cap_and_gives_up_at_five() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert retry_delay(20) == timedelta(minutes=10)
    assert not gives_up(4) and gives_up(5)


def test_topics_have_korean_labels_and_parse_both_ways() -> None:
    assert [t.value for t in ALL_TOPICS] == ["surveys", "proposals", "budget", "news", "events"]
    assert parse_topic("참여예산") == Topic.budget == parse_topic("budget")
    assert TOPIC_LABELS["all"] == "전체"
    with pytest.raises(ValueError):
        parse_topic("날씨")


def test_announcement_dedup_key_names_announcement_and_resident() -> None:
    assert announcement_dedup_key(12, 345) == "ann:12:r:345"
