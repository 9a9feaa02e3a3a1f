"""Pure rules and named constants for contests, news and attendance events. No database imports."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from storage.timeutil import as_utc, to_kst

# --- contests -------------------------------------------------------------------------
CONTEST_TITLE_MAX = 100
CONTEST_RULES_MAX = 2000
# A text entry or a photo caption; Telegram captions stop at 1,024 characters.
CONTEST_TEXT_MAX = 1000
# Telegram lets a bot download files up to 20 MB; photos sent as photos are far
# smaller, so anything above 10 MB is a document we do not want to store.
CONTEST_PHOTO_MAX_BYTES = 10 * 1024 * 1024
# One entry per resident per contest (withdraw to replace it): fair to judge,
# and the entry points are earned once.
CONTEST_ENTRIES_PER_RESIDENT = 1


def contest_accepts_entries(deadline: datetime, now: datetime) -> bool:
    """Entries and withdrawals until the deadline (exclusive)."""
    return as_utc(now) < as_utc(deadline)


# --- news ---------------------------------------------------------------------------------
NEWS_TITLE_MAX = 100
NEWS_SUMMARY_MAX = 1000
NEWS_LINK_MAX = 500
NEWS_PAGE_SIZE = 5
NEWS_CATEGORY_LABELS = {
    "gov_news": "구정소식",
    "press": "언론에 비친 중구",
    "events": "행사",
}


def is_http_url(text: str) -> bool:
    """An absolute http(s) URL with a host name, no spaces, at most NEWS_LINK_MAX characters."""
    if not text or len(text) > NEWS_LINK_MAX or any(ch.isspace() for ch in text):
        return False
    try:
        parts = urlsplit(text)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and port_ok and "." in host.strip(".") and ".." not in host


# --- attendance -------------------------------------------------------------------------------
ATTENDANCE_TITLE_MAX = 100
# A period longer than a quarter is a mistake in the dates, not an event.
ATTENDANCE_MAX_PERIOD_DAYS = 92


def kst_day(now: datetime) -> date:
    """The calendar day in Asia/Seoul: a new day starts at KST midnight (15:00 UTC)."""
    return to_kst(now).date()


def streak(days: set[date], today: date) -> int:
    """Consecutive checked days ending today."""
    count = 0
    day = today
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def checkin_points(points_per_day: int, max_days: int, days_before: int) -> int:
    """Points for a check-in when ``days_before`` earlier days were already checked (cap on days)."""
    return points_per_day if days_before < max_days else 0
