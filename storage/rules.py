"""Pure rules and named constants. No database imports here.

Point amounts and caps live in the point policy (``point_policy.yml``); every
other number a rule depends on lives here, once.
"""
from __future__ import annotations

import re

# Version of the privacy notice a resident agreed to; bump it when the text of
# utter_consent_notice in domain.yml changes so residents are asked again.
CONSENT_VERSION = "2026-11"

DISPLAY_NAME_MAX = 64

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
