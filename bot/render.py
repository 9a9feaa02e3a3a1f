"""Rasa replies → Telegram messages.

Texts longer than Telegram allows are split at line breaks (the buttons go with
the last part); a caption too long for a photo becomes a photo plus text. The
caller sends each reply on its own (bot.handlers.conversation), so one failed
send never swallows the replies after it.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from telegram import Bot, InputFile

from bot import keyboards
from storage.notify_rules import CAPTION_MAX_CHARS
from storage.rules import MESSAGE_MAX_CHARS
from storage.settings import StorageSettings

log = logging.getLogger(__name__)


def media_path(relative: str) -> Path:
    """A file under MEDIA_DIR (actions and staff tools write posters and charts there)."""
    root = StorageSettings.from_env().media_dir.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"media path escapes MEDIA_DIR: {relative!r}")
    return path


def telegram_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MESSAGE_MAX_CHARS) -> list[str]:
    """Split a long text at line breaks (inside a line only if it is longer than the limit)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while telegram_len(line) > limit:
            head, size = "", 0
            for char in line:
                width = telegram_len(char)
                if size + width > limit:
                    break
                head, size = head + char, size + width
            parts.append(head)
            line = line[len(head):]
        if current and telegram_len(current) + 1 + telegram_len(line) > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current.strip():
        parts.append(current)
    return [part for part in parts if part.strip()]


async def send_text(bot: Bot, chat_id: int, text: str, reply_markup: Any = None) -> None:
    """Send a text of any length; the keyboard goes with the last part."""
    parts = split_text(text)
    for index, part in enumerate(parts):
        await bot.send_message(chat_id, part, reply_markup=reply_markup if index == len(parts) - 1 else None)


async def send_reply(bot: Bot, chat_id: int, reply: dict[str, Any]) -> None:
    """Send one Rasa message dict (text, buttons, image, custom photo/document)."""
    markup = keyboards.from_rasa_buttons(reply.get("buttons") or [])
    custom = reply.get("custom") or {}
    text = reply.get("text")
    media = custom.get("photo") or custom.get("document") or reply.get("image")
    if media:
        # A caption Telegram would refuse: the media alone, then the text (with the buttons).
        fits = not text or telegram_len(text) <= CAPTION_MAX_CHARS
        caption, media_markup = (text, markup) if fits else (None, None)
        if custom.get("photo"):
            with media_path(custom["photo"]).open("rb") as fh:
                await bot.send_photo(chat_id, InputFile(fh), caption=caption, reply_markup=media_markup)
        elif custom.get("document"):
            path = media_path(custom["document"])
            with path.open("rb") as fh:
                await bot.send_document(chat_id, InputFile(fh, filename=path.name), caption=caption,
                                        reply_markup=media_markup)
        else:
            await bot.send_photo(chat_id, reply["image"], caption=caption, reply_markup=media_markup)
        if not fits:
            await send_text(bot, chat_id, text, markup)
        return
    if text:
        await send_text(bot, chat_id, text, markup)
