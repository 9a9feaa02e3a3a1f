"""Inline keyboards and callback data, built in one place.

Rasa buttons carry payloads like ``/exchange_request{"amount":"5000"}``.
Telegram allows 64 bytes of callback data, so payloads are packed as
``r|exchange_request|amount=5000`` (ids only, never Korean text) and unpacked
back into the Rasa payload when pressed. Staff buttons use the ``s|`` prefix.
"""
from __future__ import annotations

import json
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from storage.rules import CALLBACK_DATA_MAX_BYTES

RASA_PREFIX = "r"
STAFF_PREFIX = "s"
_SAFE = re.compile(r"^[A-Za-z0-9_\-.]+$")
_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z0-9_]+)(?P<entities>\{.*\})?$", re.S)


class PayloadError(ValueError):
    """A payload that cannot travel as Telegram callback data."""


def pack(payload: str) -> str:
    """Rasa payload → callback data (raises PayloadError if it cannot fit)."""
    match = _PAYLOAD.match(payload.strip())
    if not match:
        raise PayloadError(f"not an intent payload: {payload!r}")
    parts = [RASA_PREFIX, match["intent"]]
    if match["entities"]:
        entities = json.loads(match["entities"])
        for key, value in entities.items():
            value = str(value)
            if not (_SAFE.match(key) and _SAFE.match(value)):
                raise PayloadError(f"entity not id-like: {key}={value!r}")
            parts.append(f"{key}={value}")
    data = "|".join(parts)
    if len(data.encode()) > CALLBACK_DATA_MAX_BYTES:
        raise PayloadError(f"callback data over {CALLBACK_DATA_MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str) -> str:
    """Callback data → the Rasa payload it stands for (raises PayloadError)."""
    parts = data.split("|")
    if len(parts) < 2 or parts[0] != RASA_PREFIX or not _SAFE.match(parts[1]):
        raise PayloadError(f"not Rasa callback data: {data!r}")
    entities = {}
    for part in parts[2:]:
        key, _, value = part.partition("=")
        if not (_SAFE.match(key) and _SAFE.match(value)):
            raise PayloadError(f"bad entity in callback data: {data!r}")
        entities[key] = value
    suffix = json.dumps(entities, ensure_ascii=True, separators=(",", ":")) if entities else ""
    return f"/{parts[1]}{suffix}"


def staff_data(*parts: str | int) -> str:
    data = "|".join([STAFF_PREFIX, *map(str, parts)])
    if len(data.encode()) > CALLBACK_DATA_MAX_BYTES:
        raise PayloadError(data)
    return data


def _rows(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    """Six per row for scale numbers, two for short menu labels, else one per row."""
    if all(len(b.text) <= 2 for b in buttons):
        per_row = 6
    elif all(len(b.text) <= 9 for b in buttons):
        per_row = 2
    else:
        per_row = 1
    return [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]


def from_rasa_buttons(buttons: list[dict]) -> InlineKeyboardMarkup | None:
    """Rasa's [{"title", "payload"}] → an inline keyboard (url buttons for links)."""
    built = []
    for button in buttons:
        title, payload = button.get("title", ""), button.get("payload", "")
        if payload.startswith(("http://", "https://")):
            built.append(InlineKeyboardButton(title, url=payload))
        else:
            built.append(InlineKeyboardButton(title, callback_data=pack(payload)))
    return InlineKeyboardMarkup(_rows(built)) if built else None


def from_rows(rows: list[list[dict]] | None) -> InlineKeyboardMarkup | None:
    """Stored rows of {"text", "callback_data"|"url"} (outbox) → a keyboard."""
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(**b) for b in row] for row in rows])
