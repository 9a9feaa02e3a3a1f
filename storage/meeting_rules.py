"""Pure rules of video meetings (영상회의): windows, deadlines, capacity, codes and links.

No database imports: the services, the reminders and the staff form ask this
module, so each number is written once.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from storage.timeutil import KST, as_utc

# --- sizes (the model's column sizes and the staff form's limits) -----------------
TITLE_MAX = 80
DESCRIPTION_MAX = 1000
CATEGORY_MAX = 30
DEPARTMENT_MAX = 40
URL_MAX = 512
CAPACITY_MAX = 10_000

# --- attendance window ------------------------------------------------------------
# Residents may enter the code from a little before the start (joining early)
# until a little after the end (the host reads the code out at the close).
ATTEND_OPENS_BEFORE = timedelta(minutes=10)
ATTEND_CLOSES_AFTER = timedelta(minutes=10)

# --- attendance codes: digits, easy to read out loud ------------------------------
CODE_LENGTH = 6
CODE_ALPHABET = "0123456789"
_CODE_SEPARATORS = re.compile(r"[\s\-·.]")
_CODE_IN_TEXT = re.compile(r"(?<!\d)(\d(?:[\s\-]?\d){%d})(?!\d)" % (CODE_LENGTH - 1))

# --- reminders ----------------------------------------------------------------------
DAY_BEFORE_REMINDER_TIME = time(10, 0)       # KST, the day before the meeting
SOON_REMINDER_BEFORE = timedelta(minutes=10)

# --- Telegram deep links: t.me/<bot>?start=m<id> opens the card ----------------------
CARD_PREFIX = "m"
_CARD_PAYLOAD = re.compile(r"^m([1-9][0-9]{0,9})$")
# Attendance by QR: t.me/<bot>?start=ma<id>_<code>
ATTEND_PREFIX = "ma"
_ATTEND_PAYLOAD = re.compile(r"^ma([1-9][0-9]{0,9})_([0-9]{%d})$" % CODE_LENGTH)


def new_code() -> str:
    """A random attendance code (cryptographic randomness: codes are not guessable in order)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str | None) -> str | None:
    """The code in what a resident typed ('482 913', '48-29-13', '４８２９１３'), or None."""
    if not text:
        return None
    cleaned = _CODE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if len(cleaned) == CODE_LENGTH and all(c in CODE_ALPHABET for c in cleaned):
        return cleaned
    return None


def find_code(text: str | None) -> str | None:
    """A code inside a sentence ('출석 코드 482913이요'), or None."""
    if not text:
        return None
    match = _CODE_IN_TEXT.search(unicodedata.normalize("NFKC", text))
    return normalize_code(match.group(1)) if match else None


def attendance_opens(starts_at: datetime) -> datetime:
    return as_utc(starts_at) - ATTEND_OPENS_BEFORE


def attendance_closes(ends_at: datetime) -> datetime:
    return as_utc(ends_at) + ATTEND_CLOSES_AFTER


def attendance_state(now: datetime, starts_at: datetime, ends_at: datetime) -> str:
    """'not_open' before the window, 'open' inside it (both edges included), 'closed' after."""
    now = as_utc(now)
    if now < attendance_opens(starts_at):
        return "not_open"
    if now > attendance_closes(ends_at):
        return "closed"
    return "open"


def default_deadline(starts_at: datetime) -> datetime:
    """Registration closes when the meeting starts unless staff choose earlier."""
    return as_utc(starts_at)


def registration_open(now: datetime, deadline: datetime) -> bool:
    """Registration is open up to, not including, the deadline."""
    return as_utc(now) < as_utc(deadline)


def has_room(capacity: int | None, registered: int) -> bool:
    """A place is free when there is no capacity or fewer registrations than places."""
    return capacity is None or registered < capacity


def next_position(last: int | None) -> int:
    """The waiting-list position after ``last`` (1 for an empty list); positions only grow."""
    return (last or 0) + 1


def url_problem(url: str | None) -> str | None:
    """Why a meeting link is refused ('scheme', 'host', 'length', 'spaces', 'credentials'), else None.

    Any https URL is accepted (Zoom, Webex, Jitsi, a YouTube live stream); it
    is never fetched.
    """
    if not url:
        return "host"
    if len(url) > URL_MAX:
        return "length"
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "spaces"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a bad port
    except ValueError:
        return "host"
    del port
    if parts.scheme.lower() != "https":
        return "scheme"
    if parts.username or parts.password:
        return "credentials"
    host = parts.hostname or ""
    if not host or "." not in host or host.startswith(".") or host.endswith("."):
        return "host"
    return None


def day_before_reminder_at(starts_at: datetime) -> datetime:
    """10:00 KST on the KST day before the meeting, as UTC."""
    day = as_utc(starts_at).astimezone(KST).date() - timedelta(days=1)
    return as_utc(datetime.combine(day, DAY_BEFORE_REMINDER_TIME, tzinfo=KST))


def soon_reminder_at(starts_at: datetime) -> datetime:
    return as_utc(starts_at) - SOON_REMINDER_BEFORE


def parse_card_payload(payload: str | None) -> int | None:
    """The meeting id of a /start payload 'm<id>', else None."""
    match = _CARD_PAYLOAD.match(payload or "")
    return int(match.group(1)) if match else None


def attend_payload(meeting_id: int, code: str) -> str:
    return f"{ATTEND_PREFIX}{meeting_id}_{code}"


def parse_attend_payload(payload: str | None) -> tuple[int, str] | None:
    """(meeting id, code) of a /start payload 'ma<id>_<code>', else None."""
    match = _ATTEND_PAYLOAD.match(payload or "")
    return (int(match.group(1)), match.group(2)) if match else None


# --- outbox dedup keys (each notice once per meeting, resident and kind) -------------
def reminder_key(kind: str, meeting_id: int, resident_id: int, version: int = 1) -> str:
    return f"meeting:{meeting_id}:{kind}:v{version}:r:{resident_id}"


# The day-before reminder is not sent in the last hours before the start (the
# 10-minute one follows soon anyway); the 10-minute one is useful until the end.
DAY_BEFORE_LATEST = timedelta(hours=2)


def due_reminders(now: datetime, starts_at: datetime, ends_at: datetime) -> list[str]:
    """Which reminders are due at ``now``: 'day_before' and/or 'soon'."""
    now, starts_at, ends_at = as_utc(now), as_utc(starts_at), as_utc(ends_at)
    due = []
    if day_before_reminder_at(starts_at) <= now < starts_at - DAY_BEFORE_LATEST:
        due.append("day_before")
    if soon_reminder_at(starts_at) <= now < ends_at:
        due.append("soon")
    return due


# Button labels of the reminder and after-meeting notices (stored with the outbox row).
JOIN_BUTTON = "영상회의 입장하기"
RECORDING_BUTTON = "다시보기 · 회의 자료"
SURVEY_BUTTON = "만족도 조사 참여하기"

# The satisfaction poll after a meeting stays open this long.
SURVEY_OPEN_FOR = timedelta(days=7)
SURVEY_TITLE_MAX = 100


def survey_title(meeting_title: str) -> str:
    """The poll's title: the meeting's, marked, within the survey title column."""
    suffix = " 만족도 조사"
    return meeting_title[: SURVEY_TITLE_MAX - len(suffix)] + suffix
