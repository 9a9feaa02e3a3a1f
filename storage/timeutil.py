"""Time: stored in UTC, shown in Asia/Seoul."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")
WEEKDAYS_KO = "월화수목금토일"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """Normalise a datetime to aware UTC (SQLite hands back naive values)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def to_kst(value: datetime) -> datetime:
    return as_utc(value).astimezone(KST)


def format_day(day: date) -> str:
    """A calendar date as 2026. 11. 24. (화)"""
    return f"{day.year}. {day.month}. {day.day}. ({WEEKDAYS_KO[day.weekday()]})"


def kst_date(value: datetime) -> str:
    """The KST date of an instant: 2026. 11. 24. (화)"""
    return format_day(to_kst(value).date())


def kst_datetime(value: datetime) -> str:
    """2026. 11. 24. (화) 14:05"""
    local = to_kst(value)
    return f"{kst_date(value)} {local:%H:%M}"


def parse_kst(text: str) -> datetime:
    """'2026-11-25 18:00' (KST) → aware UTC datetime. Raises ValueError."""
    text = text.strip().replace(".", "-").replace("/", "-")
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            naive = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=KST).astimezone(timezone.utc)
    raise ValueError(f"not a KST date/time: {text!r}")


def won(amount: int) -> str:
    """1234567 → '1,234,567원'"""
    return f"{amount:,}원"
