"""Delivers outbox notices (queued by actions, staff tools and the scheduler)."""
from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.render import media_path
from storage.db import session_scope
from storage.models import OutboxMessage
from storage.services import outbox
from storage.timeutil import utcnow

log = logging.getLogger(__name__)
BATCH = 30


def render_notice(message: OutboxMessage) -> str:
    """The Korean text of a notice: staff's own text or a NOTICES template."""
    if message.text is not None:
        return message.text
    template = texts.NOTICES[message.template or ""]
    return template.format(**(message.params or {}))


def _claim_due() -> list[tuple[int, int, str | None, list | None, str | None]]:
    with session_scope() as session:
        due = []
        for m in outbox.due(session, limit=BATCH):
            try:
                due.append((m.id, m.chat_id, render_notice(m), m.buttons, m.photo_path))
            except (KeyError, IndexError, ValueError) as exc:
                log.error("outbox %s cannot be rendered: %r", m.id, exc)
                outbox.mark_retry(session, m.id, f"render: {exc!r}", utcnow() + timedelta(days=3650))
        return due


def _update(fn, *args) -> None:  # type: ignore[no-untyped-def]
    with session_scope() as session:
        fn(session, *args)


async def deliver_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send due notices; each outcome is recorded in its own short transaction."""
    due = await asyncio.to_thread(_claim_due)
    for message_id, chat_id, text, buttons, photo in due:
        try:
            markup = keyboards.from_rows(buttons)
            if photo:
                with media_path(photo).open("rb") as fh:
                    await context.bot.send_photo(chat_id, fh, caption=text, reply_markup=markup)
            else:
                await context.bot.send_message(chat_id, text or "", reply_markup=markup)
        except Forbidden:
            await asyncio.to_thread(_update, outbox.mark_blocked, message_id)
        except RetryAfter as exc:
            retry = exc.retry_after if isinstance(exc.retry_after, (int, float)) else exc.retry_after.total_seconds()
            await asyncio.to_thread(_update, outbox.mark_retry, message_id, "429",
                                    utcnow() + timedelta(seconds=retry))
            return
        except (TelegramError, OSError) as exc:
            log.warning("outbox %s failed: %r", message_id, exc)
            await asyncio.to_thread(_update, outbox.mark_retry, message_id, repr(exc),
                                    utcnow() + timedelta(seconds=30))
        else:
            await asyncio.to_thread(_update, outbox.mark_sent, message_id)
