"""Checks reply_markup the way Telegram does: button data size, button kinds, URLs."""
from __future__ import annotations

import re
from typing import Any

from telegram_local.errors import bad_request

# Bot API: callback_data is 1–64 bytes.
CALLBACK_DATA_MAX_BYTES = 64
_BUTTON_KINDS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                 "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
                 "callback_game", "pay")
_URL = re.compile(r"^(?:https?|tg)://\S+$", re.IGNORECASE)


def _check_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if not str(button.get("text") or "").strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    kinds = [k for k in _BUTTON_KINDS if k in button]
    if not kinds:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not _URL.match(str(button["url"])):
        raise bad_request(f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL")


def inline_keyboard(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """A checked InlineKeyboardMarkup for Message.reply_markup (None when absent or empty)."""
    if markup is None or "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard: field \"inline_keyboard\" must be an Array of Arrays")
    for row in rows:
        for button in row:
            _check_button(button)
    rows = [row for row in rows if row]
    return {"inline_keyboard": rows} if rows else None


def reply_keyboard(markup: dict[str, Any] | None) -> tuple[bool, dict[str, Any] | None]:
    """(changes the chat's reply keyboard?, the new keyboard or None to remove it)."""
    if markup is None:
        return False, None
    if "keyboard" in markup:
        if not isinstance(markup["keyboard"], list):
            raise bad_request("can't parse reply keyboard markup JSON object")
        return True, markup
    if markup.get("remove_keyboard"):
        return True, None
    return False, None


def callback_data_of(markup: dict[str, Any] | None) -> set[str]:
    """Every callback_data on an inline keyboard."""
    rows = (markup or {}).get("inline_keyboard", [])
    return {b["callback_data"] for row in rows for b in row if "callback_data" in b}
