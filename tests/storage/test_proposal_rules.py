"""Pure proposal rules at their boundaries: 49/50/51, the window's last second, KST days, text bounds."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta, timezone

import pytest

from storage import proposal_rules as rules
from storage.errors import DomainError
from storage.proposal_rules import ProposalConfig

UTC = timezone.utc
# 2026-11-02 10:00 KST
OPENED = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
CLOSES = rules.closes_at_for(OPENED)  # 2026-12-03 00:00 KST


@pytest.mark.parametrize("count, expected", [(0, False), (49, False), (50, True), (51, True)])
def test_review_threshold(count, expected):
    assert rules.reaches_review(count) is expected


def test_threshold_is_fifty_by_default_and_configurable():
    assert rules.ENDORSEMENTS_FOR_REVIEW == 50
    assert rules.reaches_review(30, threshold=30) and not rules.reaches_review(29, threshold=30)


@pytest.mark.parametrize("count, expected", [(9, False), (10, True), (11, False), (25, True), (40, True), (50, False)])
def test_milestones(count, expected):
    assert rules.is_milestone(count) is expected


@pytest.mark.parametrize("count, percent", [(0, 0), (1, 2), (25, 50), (49, 98), (50, 100), (51, 100)])
def test_progress_percent(count, percent):
    assert rules.progress_percent(count) == percent


def test_window_ends_at_kst_midnight_after_thirty_days():
    assert CLOSES == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 2026-12-03 00:00 KST
    assert rules.last_day(CLOSES) == date(2026, 12, 2)


def test_window_starts_from_the_kst_day_not_the_utc_day():
    # 2026-11-02 23:30 KST is still 2026-11-02 UTC 14:30; 2026-11-03 00:30 KST is 11-02 15:30 UTC.
    late = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
    after_midnight = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
    assert rules.last_day(rules.closes_at_for(late)) == date(2026, 12, 2)
    assert rules.last_day(rules.closes_at_for(after_midnight)) == date(2026, 12, 3)


def test_endorsing_until_the_last_second_of_the_last_day():
    last_second = CLOSES - timedelta(seconds=1)
    assert rules.can_endorse("open", last_second, CLOSES, is_author=False) is None
    assert rules.can_endorse("open", CLOSES, CLOSES, is_author=False) == "proposal_expired"
    assert rules.can_endorse("open", CLOSES + timedelta(seconds=1), CLOSES, is_author=False) == "proposal_expired"
    assert rules.effective_status("open", CLOSES, last_second) == "open"
    assert rules.effective_status("open", CLOSES, CLOSES) == "expired"


@pytest.mark.parametrize("status, is_author, code", [
    ("open", False, None),
    ("open", True, "own_proposal"),
    ("under_review", False, "proposal_not_open"),
    ("answered", False, "proposal_not_open"),
    ("expired", False, "proposal_expired"),
    ("hidden", False, "proposal_hidden"),
    ("hidden", True, "proposal_hidden"),
])
def test_can_endorse_reasons(status, is_author, code):
    assert rules.can_endorse(status, OPENED, CLOSES, is_author) == code


@pytest.mark.parametrize("status, code", [
    ("open", None), ("under_review", "proposal_not_open"), ("answered", "proposal_not_open"),
    ("expired", "proposal_expired"), ("hidden", "proposal_hidden"),
])
def test_can_withdraw_only_while_open(status, code):
    assert rules.can_withdraw(status, OPENED, CLOSES) == code
    assert rules.can_withdraw("open", CLOSES, CLOSES) == "proposal_expired"


def test_days_left_counts_kst_calendar_days():
    assert rules.days_left(CLOSES, OPENED) == 30
    # 2026-12-02 00:00 KST and 23:59:59 KST: the last day → 0 ("오늘 마감").
    assert rules.days_left(CLOSES, datetime(2026, 12, 1, 15, 0, tzinfo=UTC)) == 0
    assert rules.days_left(CLOSES, CLOSES - timedelta(seconds=1)) == 0
    # 2026-12-01 23:59:59 KST is still the day before the last day.
    assert rules.days_left(CLOSES, datetime(2026, 12, 1, 14, 59, 59, tzinfo=UTC)) == 1
    assert rules.days_left(CLOSES, CLOSES) is None


def test_review_overdue_after_the_deadline_only():
    due = rules.review_due_for(OPENED)
    assert due == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    assert not rules.review_overdue("under_review", due, due - timedelta(seconds=1))
    assert rules.review_overdue("under_review", due, due)
    assert not rules.review_overdue("answered", due, due + timedelta(days=5))
    assert not rules.review_overdue("under_review", None, due)


def test_config_from_environment():
    cfg = rules.load_config({"PROPOSAL_ENDORSEMENTS_FOR_REVIEW": "30", "PROPOSAL_MILESTONES": "5,15",
                             "PROPOSAL_ENDORSEMENT_WINDOW_DAYS": "14", "PROPOSAL_REVIEW_DEADLINE_DAYS": "20"})
    assert cfg == ProposalConfig(30, 14, 20, (5, 15))
    assert rules.load_config({}) == ProposalConfig()
    with pytest.raises(ValueError):
        rules.load_config({"PROPOSAL_ENDORSEMENTS_FOR_REVIEW": "30", "PROPOSAL_MILESTONES": "10,40"})
    with pytest.raises(ValueError):
        rules.load_config({"PROPOSAL_ENDORSEMENT_WINDOW_DAYS": "0"})


# --- text ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, code", [
    (None, "title_empty"),
    ("", "title_empty"),
    ("   \n\t ", "title_empty"),
    ("\u200b\u200b", "title_empty"),
    ("🙂🙂🙂🙂🙂", "title_emoji_only"),
    ("!!! ??? ...", "title_emoji_only"),
    ("가로등", "title_too_short"),
    ("가로등설", "title_too_short"),
    ("가로등 설", None),  # a space inside counts: 5 characters
    ("  가로등설  ", "title_too_short"),  # outer spaces do not
    ("가" * 61, "title_too_long"),
])
def test_title_validation(text, code):
    assert rules.validate_title(text) == code


def test_title_lengths_count_korean_syllables():
    assert rules.validate_title("가" * 5) is None
    assert rules.validate_title("가" * 4) == "title_too_short"
    assert rules.validate_title("가" * 60) is None
    assert rules.validate_title("가" * 61) == "title_too_long"
    decomposed = unicodedata.normalize("NFD", "가" * 60)
    assert len(decomposed) == 120
    assert rules.validate_title(decomposed) is None
    assert rules.ensure_title(decomposed) == "가" * 60


def test_title_is_one_trimmed_line():
    assert rules.ensure_title("  가로등을   더\n설치해 주세요  ") == "가로등을 더 설치해 주세요"


def test_ensure_title_carries_bounds_for_the_reply():
    with pytest.raises(DomainError) as err:
        rules.ensure_title("가" * 72)
    assert err.value.code == "title_too_long"
    assert err.value.params == {"min": 5, "max": 60, "length": 72}


def test_body_validation():
    assert rules.validate_body("") == "body_empty"
    assert rules.validate_body(" \n ") == "body_empty"
    assert rules.validate_body("😀" * 30) == "body_emoji_only"
    assert rules.validate_body("가" * 19) == "body_too_short"
    assert rules.validate_body("가" * 20) is None
    assert rules.validate_body("가" * 2000) is None
    assert rules.validate_body("가" * 2001) == "body_too_long"
    assert rules.validate_body("😀 가로등이 어두워서 밤길이 무서워요 😀") is None


def test_body_keeps_paragraphs_but_not_runs_of_blank_lines():
    assert rules.clean_text("첫 줄   \r\n\r\n\r\n\r\n둘째  줄 ") == "첫 줄\n\n둘째 줄"


def test_summary_is_at_most_80_characters():
    assert rules.summarize("짧은 내용") == "짧은 내용"
    long = rules.summarize("가" * 200)
    assert len(long) == 80 and long.endswith("…")
    assert rules.summarize("줄\n바꿈") == "줄 바꿈"


# --- parsing ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, code", [
    ("traffic", "traffic"), ("교통·주차", "traffic"), ("교통", "traffic"), ("주차", "traffic"),
    ("교통/주차", "traffic"), ("환경", "environment"), ("청소", "environment"), ("일자리", "economy"),
    ("관광", "culture"), ("기타", "other"), ("복지 ", "welfare"), ("우주", None), ("", None), (None, None),
])
def test_parse_category(text, code):
    assert rules.parse_category(text) == code


@pytest.mark.parametrize("text, code", [
    ("명동", "myeong"), ("myeong", "myeong"), ("신당동", "sindang"), ("신당5동", "sindang5"),
    ("신당 5동", "sindang5"), ("을지로", "euljiro"), ("을지로동", "euljiro"), ("명", None), ("강남동", None),
])
def test_parse_dong(text, code):
    assert rules.parse_dong(text) == code


def test_fifteen_dongs_with_ascii_codes_that_fit_callback_data():
    assert len(rules.DONGS) == 15 and len(set(rules.DONGS.values())) == 15
    assert all(code.isascii() and code.isalnum() and len(code) <= 12 for code in rules.DONGS)
    assert len(rules.CATEGORIES) == 8


def test_require_category_and_dong():
    assert rules.require_category("safety") == "safety"
    assert rules.require_dong(None) is None and rules.require_dong("jungnim") == "jungnim"
    with pytest.raises(DomainError) as err:
        rules.require_category("교통")
    assert err.value.code == "unknown_category"
    with pytest.raises(DomainError) as err:
        rules.require_dong("gangnam")
    assert err.value.code == "unknown_dong"


@pytest.mark.parametrize("text, number", [
    ("3번 제안에 공감할래", 3), ("#12 보여줘", 12), ("  7 ", 7), ("12 번", 12), ("가로등 제안 보여줘", None), ("", None),
])
def test_parse_number(text, number):
    assert rules.parse_number(text) == number


@pytest.mark.parametrize("text, terms", [
    ("가로등 제안 보여줘", ["가로등"]),
    ("공원에 관련된 제안 찾아줘", ["공원"]),
    ("쓰레기 무단투기", ["쓰레기", "무단투기"]),
    ("제안 보여줘", []),
    ("3번 제안", []),
])
def test_search_terms(text, terms):
    assert rules.search_terms(text) == terms
