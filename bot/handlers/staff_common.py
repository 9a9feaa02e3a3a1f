"""The one staff gate, and what every staff handler shares.

``STAFF`` is a ptb filter: a staff handler (``staff_command``, ``staff_document``,
``StaffCallbackQueryHandler``) only matches an update from a private chat of a
user who holds the staff role in storage. The filter runs before the callback,
so before any usage text, argument parsing or file download; an update from
anyone else simply does not match and falls through to the resident handlers,
so a resident gets exactly what an unknown command (or any document, or a stale
button) gets and learns nothing about staff commands.

``run_as_staff`` then runs the command's storage work in a worker thread, in one
transaction, as the staff member (the role is checked again inside the
transaction: a role revoked meanwhile refuses), and turns domain errors into
Korean replies.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import texts
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import Resident
from storage.services import residents

log = logging.getLogger(__name__)
T = TypeVar("T")


def is_staff(telegram_user_id: int) -> bool:
    """Whether this Telegram user holds the staff role now."""
    with session_scope() as session:
        try:
            residents.require_staff(session, telegram_user_id)
        except DomainError:
            return False
        return True


class _StaffFilter(filters.UpdateFilter):
    """Matches updates from a private chat whose sender is staff."""

    __slots__ = ()

    def filter(self, update: Update) -> bool:
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type != chat.PRIVATE:
            return False
        try:
            return is_staff(user.id)
        except Exception:  # the database is down: nobody is staff
            log.exception("staff check failed for user %s", user.id)
            return False


#: The staff gate. Combine it last (``other & STAFF``) so cheap filters run first.
STAFF = _StaffFilter(name="STAFF")


def staff_command(command: str, callback: Callable[..., Any]) -> CommandHandler:
    """A /command handler that only staff (in a private chat) can reach."""
    return CommandHandler(command, callback, filters=STAFF)


def staff_document(caption_pattern: str, callback: Callable[..., Any]) -> MessageHandler:
    """A document captioned with a staff command; nothing is downloaded for anyone else."""
    return MessageHandler(filters.Document.ALL & filters.CaptionRegex(caption_pattern) & STAFF,
                          callback)


class StaffCallbackQueryHandler(CallbackQueryHandler):
    """A staff button: matches the pattern and the staff gate (ptb's has no filters)."""

    def check_update(self, update: object) -> Any:
        matched = super().check_update(update)
        if matched is None or matched is False:
            return matched
        return matched if isinstance(update, Update) and STAFF.filter(update) else None


class _Refused(Exception):
    """The sender lost the staff role between the gate and the transaction."""


def _staff_transaction(telegram_user_id: int, work: Callable[[Session, Resident], T]) -> T:
    with session_scope() as session:
        try:
            staff = residents.require_staff(session, telegram_user_id)
        except DomainError as err:
            raise _Refused from err
        return work(session, staff)


async def run_as_staff(update: Update, work: Callable[[Session, Resident], T]) -> tuple[bool, T | None]:
    """Run ``work`` as staff in one transaction (worker thread) → (ok, result).

    A domain error is answered in Korean and gives ``(False, None)``.
    """
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    try:
        return True, await asyncio.to_thread(_staff_transaction, user.id, work)
    except _Refused:
        await chat.send_message(texts.NOT_ALLOWED)
    except DomainError as err:
        await chat.send_message(texts.error_text(err.code, **err.params))
    return False, None


async def run(update: Update, work: Callable[[Session, Resident], T]) -> T | None:
    """``run_as_staff`` for callers that only need the result (None on refusal or error)."""
    _, result = await run_as_staff(update, work)
    return result


def args_after_command(update: Update) -> str:
    """What follows the /command on its line(s)."""
    text = (update.effective_message.text or "") if update.effective_message else ""
    return text.partition(" ")[2].strip()
