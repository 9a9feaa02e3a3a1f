"""Rasa replies → Telegram messages."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from telegram import Bot, InputFile

from bot import keyboards
from storage.settings import StorageSettings

log = logging.getLogger(__name__)


def media_path(relative: str) -> Path:
    """A file under MEDIA_DIR (actions and staff tools write posters and charts there)."""
    root = StorageSettings.from_env().media_dir.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise ValueError(f"media path escapes MEDIA_DIR: {relative!r}")
    return path


async def send_reply(bot: Bot, chat_id: int, reply: dict[str, Any]) -> None:
    """Send one Rasa message dict (text, buttons, image, custom photo/document)."""
    markup = keyboards.from_rasa_buttons(reply.get("buttons") or [])
    custom = reply.get("custom") or {}
    text = reply.get("text")
    if custom.get("photo"):
        with media_path(custom["photo"]).open("rb") as fh:
            await bot.send_photo(chat_id, InputFile(fh), caption=text, reply_markup=markup)
        return
    if custom.get("document"):
        path = media_path(custom["document"])
        with path.open("rb") as fh:
            await bot.send_document(chat_id, InputFile(fh, filename=path.name), caption=text,
                                    reply_markup=markup)
        return
    if reply.get("image"):
        await bot.send_photo(chat_id, reply["image"], caption=text, reply_markup=markup)
        return
    if text:
        await bot.send_message(chat_id, text, reply_markup=markup)
