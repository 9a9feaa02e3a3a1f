"""Pure rules and named constants. No database imports here.

Point amounts and caps live in the point policy (``point_policy.yml``); every
other number a rule depends on lives here, once.
"""
from __future__ import annotations

import re

# Version of the privacy notice a resident agreed to; bump it when the text of
# utter_consent_notice in domain.yml changes so residents are asked again (2026-12:
# 사는 동, what stays after 탈퇴, tombstones — issue 13).
CONSENT_VERSION = "2026-12"

DISPLAY_NAME_MAX = 64

# --- Privacy (issue 13) ---------------------------------------------------------
# Residents inactive this long are deleted with their conversation (privacy notice).
RETENTION_YEARS = 2
# Last activity is written at most this often (a day is precise enough for years).
LAST_ACTIVE_RESOLUTION_HOURS = 24
# The author shown for records the district keeps after 탈퇴 (a system row, no person).
WITHDRAWN_DISPLAY_NAME = "탈퇴한 주민"
# Telegram user ids are positive: 0 marks that system row.
WITHDRAWN_TELEGRAM_USER_ID = 0

# Jung-gu's 15 administrative dongs (행정동): ascii code (for callback data) → name.
DONGS: dict[str, str] = {
    "sogong": "소공동",
    "hoehyeon": "회현동",
    "myeong": "명동",
    "pil": "필동",
    "jangchung": "장충동",
    "gwanghui": "광희동",
    "euljiro": "을지로동",
    "sindang": "신당동",
    "dasan": "다산동",
    "yaksu": "약수동",
    "cheonggu": "청구동",
    "sindang5": "신당5동",
    "donghwa": "동화동",
    "hwanghak": "황학동",
    "jungnim": "중림동",
}


# Telegram's own limits (Bot API): payloads are ids, never Korean text.
CALLBACK_DATA_MAX_BYTES = 64
DEEP_LINK_PAYLOAD_MAX = 64
MESSAGE_MAX_CHARS = 4096
# The longest text a resident types in the chat (a proposal body, proposal_rules.BODY_MAX);
# longer messages are answered by the bot and never reach Rasa.
RESIDENT_TEXT_MAX_CHARS = 2000


def clean_display_name(first_name: str | None, last_name: str | None = None) -> str:
    """The name we keep: Telegram's first/last name, trimmed, never empty."""
    name = " ".join(part.strip() for part in (first_name, last_name) if part and part.strip())
    return (name or "주민")[:DISPLAY_NAME_MAX]

# Staff uploads (volunteer hours) are small CSV files; larger ones are refused.
CSV_MAX_BYTES = 1_000_000

# A Telegram file id: url-safe base64 of a few dozen bytes (Telegram's are 50–100
# characters). Anything else (typed by hand through a forged "/photo_sent{...}")
# is refused before it is stored.
FILE_ID_MIN_CHARS = 10
FILE_ID_MAX_CHARS = 200
_FILE_ID = re.compile(rf"^[A-Za-z0-9_-]{{{FILE_ID_MIN_CHARS},{FILE_ID_MAX_CHARS}}}$")


def is_telegram_file_id(value: object) -> bool:
    """Whether the value looks like a Telegram file id (format and length)."""
    return isinstance(value, str) and bool(_FILE_ID.match(value))


def require_file_id(value: str | None) -> str | None:
    """None for no photo, the file id when well-formed, else DomainError ``photo_invalid``."""
    from storage.errors import DomainError

    value = (value or "").strip() or None
    if value is not None and not is_telegram_file_id(value):
        raise DomainError("photo_invalid")
    return value


# Spreadsheets run cells starting with these as formulas ("=HYPERLINK(…)").
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell safe to open in a spreadsheet: text that could start a formula gets a leading '."""
    return "'" + value if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES) else value


# Rotating check-in codes (an event's QR on a screen, or six digits read out):
# a code changes every N minutes and is accepted in its window and the next.
ROTATE_MINUTES_DEFAULT = 5
ROTATE_MINUTES_MIN, ROTATE_MINUTES_MAX = 1, 60


def code_window(now_epoch_seconds: float, minutes: int) -> int:
    """The index of the N-minute window a moment falls in."""
    return int(now_epoch_seconds // (minutes * 60))
