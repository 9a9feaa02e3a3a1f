"""Residents' conversation: everything a resident types or presses goes through Rasa."""
from __future__ import annotations

import asyncio
import json
import logging
import re

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import deep_links, keyboards, texts
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.render import send_reply
from storage.rules import DEEP_LINK_PAYLOAD_MAX

log = logging.getLogger(__name__)
_PAYLOAD_CHARS = re.compile(rf"^[A-Za-z0-9_-]{{1,{DEEP_LINK_PAYLOAD_MAX}}}$")


async def converse(update: Update, context: ContextTypes.DEFAULT_TYPE, message: str) -> None:
    """Send one message to Rasa on the resident's behalf and deliver every reply."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None:
        return
    rasa: RasaClient = context.bot_data["rasa"]
    # "typing…" goes out while Rasa thinks, not before: it costs the resident no wait.
    typing = asyncio.create_task(context.bot.send_chat_action(chat.id, ChatAction.TYPING))
    metadata = {
        "telegram_user_id": user.id,
        "chat_id": chat.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
    }
    try:
        replies = await rasa.send(str(user.id), message, metadata)
    except RasaUnavailable as exc:
        await _settle(typing)
        log.warning("rasa unavailable for chat %s: %s", chat.id, exc)
        await context.bot.send_message(chat.id, texts.RASA_DOWN)
        return
    await _settle(typing)
    if not replies:
        # Rasa answers [] when an action failed: never leave the resident hanging.
        # Residents' text stays out of the logs at INFO and above (DEBUG at most).
        log.error("rasa returned no reply for chat %s", chat.id)
        log.debug("the unanswered message in chat %s was %r", chat.id, message)
        await context.bot.send_message(chat.id, texts.RASA_EMPTY)
        return
    for reply in replies:
        try:
            await send_reply(context.bot, chat.id, reply)
        except keyboards.PayloadError:
            log.exception("button payload cannot be callback data; sending text only")
            await send_reply(context.bot, chat.id, {"text": reply.get("text")})


async def _settle(task: asyncio.Task) -> None:
    """Wait for the typing indicator; failing to show it never stops the reply."""
    try:
        await task
    except TelegramError as exc:
        log.info("typing indicator not shown: %s", exc)


async def start_deep_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start <payload>: a feature's deep link (bot.deep_links), else a scanned event poster's QR check-in."""
    payload = context.args[0] if context.args else ""
    routed = deep_links.route(payload)  # feature deep links (meetings: m<id>, ma<id>_<code>)
    if routed is not None:
        await converse(update, context, routed)
    elif _PAYLOAD_CHARS.match(payload):
        await converse(update, context, f'/qr_checkin{{"qr_payload":"{payload}"}}')
    else:
        # A damaged code still reaches the check-in action, which refuses it.
        await converse(update, context, "/qr_checkin")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: welcome and privacy consent (or welcome back)."""
    await converse(update, context, "/start")


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: what the bot can do."""
    await converse(update, context, "/help")


async def menu_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/menu: the main menu."""
    await converse(update, context, "/menu")


async def cancel_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel: leave whatever is in progress with nothing saved."""
    await converse(update, context, "/cancel")


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free Korean text."""
    if update.effective_message and update.effective_message.text:
        await converse(update, context, update.effective_message.text)


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button: mark the choice on the message, then send its payload to Rasa."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    try:
        payload = keyboards.unpack(query.data)
    except keyboards.PayloadError:
        await query.answer(texts.STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await _mark_choice(query)
    await converse(update, context, payload)


async def _mark_choice(query) -> None:  # type: ignore[no-untyped-def]
    """Replace the keyboard by the chosen label so old buttons cannot be pressed twice."""
    message = query.message
    if message is None or not getattr(message, "reply_markup", None):
        return
    label = next(
        (b.text for row in message.reply_markup.inline_keyboard for b in row
         if b.callback_data == query.data),
        None,
    )
    try:
        if message.text and label:
            await query.edit_message_text(f"{message.text}\n\n👉 {label}")
        else:
            await query.edit_message_reply_markup(None)
    except BadRequest:
        # Already edited (a double tap): the first press is the one that counts.
        log.info("choice already marked on message %s", message.message_id)


async def photo_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo (proposal or contest entry): forwarded to Rasa by file id, never by content."""
    message = update.effective_message
    if message is None or not message.photo:
        return
    largest = message.photo[-1]
    entities = {
        "photo_file_id": largest.file_id,
        "photo_size": str(largest.file_size or 0),
        "photo_caption": message.caption or "",
    }
    await converse(update, context, "/photo_sent" + json.dumps(entities, ensure_ascii=True))


async def unsupported(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, voice, locations…: say what the bot understands."""
    if update.effective_chat:
        await context.bot.send_message(update.effective_chat.id, texts.UNSUPPORTED_MESSAGE)
