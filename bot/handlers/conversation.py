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
from bot.rasa_client import RasaClient, RasaUnavailable, RasaUncertain
from bot.render import media_path, send_reply, send_text
from storage import tracker_store
from storage.qr import SPOKEN_DIGITS, SPOKEN_PREFIX
from storage.rules import DEEP_LINK_PAYLOAD_MAX, RESIDENT_TEXT_MAX_CHARS

# What an action puts in a reply's custom payload to have the conversation deleted.
FORGET_CONVERSATION = "forget_conversation"
# Personal-data downloads (actions.account.EXPORT_DIR) are deleted once sent.
EXPORT_PREFIX = "exports/"

log = logging.getLogger(__name__)
_PAYLOAD_CHARS = re.compile(rf"^[A-Za-z0-9_-]{{1,{DEEP_LINK_PAYLOAD_MAX}}}$")
# "출석 123456": the six digits staff read out at a venue (rotating check-in codes).
_SPOKEN_CHECKIN = re.compile(rf"^(?:출석|출석\s*코드|코드)\s*[:：]?\s*([0-9]{{{SPOKEN_DIGITS}}})$")


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
    except RasaUncertain as exc:
        await _settle(typing)
        log.warning("no answer from rasa for chat %s (it may have applied the message): %s", chat.id, exc)
        await context.bot.send_message(chat.id, texts.RASA_UNCERTAIN)
        return
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
    # Each reply on its own: a failed send (a bad photo, a refused keyboard) never
    # swallows the replies after it, and its text still goes out when it can.
    forget = any((r.get("custom") or {}).get("privacy") == FORGET_CONVERSATION for r in replies)
    try:
        for reply in replies:
            if (reply.get("custom") or {}).get("privacy") == FORGET_CONVERSATION:
                continue
            try:
                await send_reply(context.bot, chat.id, reply)
                _drop_export((reply.get("custom") or {}).get("document"))
            except (keyboards.PayloadError, TelegramError, OSError, ValueError) as exc:
                log.warning("reply part not sent in chat %s (%s); sending its text alone",
                            chat.id, type(exc).__name__)
                if reply.get("text"):
                    try:
                        await send_text(context.bot, chat.id, reply["text"])
                    except TelegramError:
                        log.exception("reply text not sent in chat %s", chat.id)
    finally:
        if forget:
            await forget_conversation(user.id)


def _drop_export(document: str | None) -> None:
    """A "내 정보 내려받기" file lives only until it is sent."""
    if document and document.startswith(EXPORT_PREFIX):
        media_path(document).unlink(missing_ok=True)


async def forget_conversation(user_id: int) -> None:
    """Delete the sender's Rasa tracker events; Rasa saved this turn before it answered."""
    try:
        deleted = await asyncio.to_thread(tracker_store.forget_sender, str(user_id))
    except Exception:  # noqa: BLE001 — the retention purge retries later
        log.exception("could not delete the tracker events of a sender")
        return
    log.info("deleted %d tracker events after withdrawal or decline", deleted)


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


def as_typed_text(text: str) -> str:
    """What a resident typed, as plain text for Rasa: never an intent payload.

    Rasa reads text starting with "/" (after trimming) as ``/intent{"entity": …}``;
    only our own handlers and buttons may send that, so typed text loses its
    leading slashes (an unknown "/command" reaches Rasa as the words it holds).
    """
    cleaned = text.strip()
    while cleaned.startswith("/"):
        cleaned = cleaned.lstrip("/").strip()
    return cleaned


def typed_text_problem(text: str) -> str | None:
    """The bot's own answer to text that should not go to Rasa, else None."""
    if len(text) > RESIDENT_TEXT_MAX_CHARS:
        return texts.TEXT_TOO_LONG.format(length=len(text), limit=RESIDENT_TEXT_MAX_CHARS)
    if not text:
        return texts.TEXT_EMPTY
    if not any(ch.isalnum() for ch in text):
        return texts.TEXT_NO_WORDS
    return None


async def text_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free Korean text (and unknown /commands), as plain text."""
    message = update.effective_message
    if message is None or message.text is None or update.effective_chat is None:
        return
    text = as_typed_text(message.text)
    problem = typed_text_problem(text)
    if problem is not None:
        await context.bot.send_message(update.effective_chat.id, problem)
        return
    spoken = _SPOKEN_CHECKIN.match(text)
    if spoken:
        # The payload is ours (six ASCII digits), like a scanned QR's.
        await converse(update, context, f'/qr_checkin{{"qr_payload":"{SPOKEN_PREFIX}{spoken.group(1)}"}}')
        return
    await converse(update, context, text)


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
    """Stickers, voice, locations…: say, for that kind, what the bot understands."""
    if update.effective_chat is None:
        return
    message = update.effective_message
    kind = next((k for k in texts.UNSUPPORTED_BY_KIND if message is not None and getattr(message, k, None)),
                None)
    await context.bot.send_message(update.effective_chat.id,
                                   texts.UNSUPPORTED_BY_KIND.get(kind or "", texts.UNSUPPORTED_MESSAGE))
