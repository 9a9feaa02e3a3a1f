"""Outbox delivery from the bot process: the one paced sender and announcement progress.

``deliver_outbox`` is the JobQueue job (every OUTBOX_INTERVAL seconds). It keeps
two background tasks alive: the sender (bot.broadcast.BroadcastEngine, run only
while this process holds the database's sender lock, so a standalone
``python -m bot.broadcast`` and the bot never send at once) and the progress
reporter, which edits each announcement's progress message in the staff chat
in place and posts the final report. Both stop when the application stops:
the sender drains in-flight sends first (Application.stop awaits them).
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes

from bot import keyboards, texts
from bot.broadcast import SENDER_LOCK, BroadcastEngine, configured_rate, make_bot, recover_orphans
from bot.instance_lock import InstanceLock
from bot.settings import BotSettings
from storage.db import default_engine, session_scope
from storage.models import AnnouncementStatus
from storage.notify_rules import PROGRESS_EDIT_SECONDS, is_quiet_hours
from storage.services import announcements
from storage.services.announcements import Progress
from storage.timeutil import utcnow

log = logging.getLogger(__name__)
STATE_KEY = "outbox_notifier"
# How often a bot that is not the sender checks whether the sender lock came free.
LOCK_RETRY_SECONDS = 10.0


@dataclass
class NotifierState:
    sender: asyncio.Task | None = None
    reporter: asyncio.Task | None = None
    engine: BroadcastEngine | None = None
    next_lock_try: float = 0.0
    shown: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshot:
    announcement_id: int
    chat_id: int | None
    message_id: int | None
    status: AnnouncementStatus
    progress: Progress
    finished: bool
    quiet: bool


def _collect_failure(task: asyncio.Task | None) -> None:
    if task is not None and task.done() and not task.cancelled() and task.exception() is not None:
        log.error("outbox task died; restarting it", exc_info=task.exception())


async def deliver_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Job: keep the sender (if this process may send) and the progress reporter running."""
    app = context.application
    state: NotifierState = app.bot_data.setdefault(STATE_KEY, NotifierState())
    if (state.sender is None or state.sender.done()) and time.monotonic() >= state.next_lock_try:
        _collect_failure(state.sender)
        state.sender = app.create_task(_run_sender(app, state), name="outbox-sender")
    if state.reporter is None or state.reporter.done():
        _collect_failure(state.reporter)
        state.reporter = app.create_task(_report_loop(app, state), name="announcement-progress")


async def _run_sender(app: Application, state: NotifierState) -> None:
    db = default_engine()
    lock = InstanceLock(db, SENDER_LOCK)
    if not await asyncio.to_thread(lock.try_acquire):
        state.next_lock_try = time.monotonic() + LOCK_RETRY_SECONDS
        return
    settings: BotSettings = app.bot_data.get("settings") or BotSettings.from_env()
    bot = make_bot(settings)
    try:
        recovered = await asyncio.to_thread(recover_orphans, db)
        if recovered:
            log.warning("%d outbox rows were in flight when the last sender died: unconfirmed", recovered)
        await bot.initialize()
        state.engine = BroadcastEngine(db, bot, rate=configured_rate(), keep_running=lambda: app.running,
                                       lock=lock)
        stats = await state.engine.run()
        log.info("sender stopped: sent=%d failed=%d blocked=%d", stats.sent, stats.failed, stats.blocked)
    finally:
        state.engine = None
        await bot.shutdown()
        await asyncio.to_thread(lock.release)


async def _report_loop(app: Application, state: NotifierState) -> None:
    while app.running:
        try:
            await report_progress(app.bot, state.shown)
        except Exception:
            log.exception("announcement progress report failed")
        await asyncio.sleep(PROGRESS_EDIT_SECONDS)


def _snapshots() -> list[Snapshot]:
    now = utcnow()
    with session_scope() as session:
        found = []
        for a in announcements.in_progress(session):
            finished = announcements.complete_if_finished(session, a.id, now=now)
            found.append(Snapshot(a.id, a.progress_chat_id, a.progress_message_id, a.status,
                                  announcements.progress(session, a.id), finished, is_quiet_hours(now)))
        return found


def _store_message_id(announcement_id: int, chat_id: int, message_id: int) -> None:
    with session_scope() as session:
        announcements.set_progress_message(session, announcement_id, chat_id, message_id)


def progress_text(announcement_id: int, p: Progress, *, quiet: bool) -> str:
    """The staff chat's in-place progress line for one announcement."""
    if not p.fanout_done:
        return texts.ANNOUNCE_PROGRESS_PREPARING.format(id=announcement_id, total=p.total)
    done = p.total - p.waiting
    text = texts.ANNOUNCE_PROGRESS.format(id=announcement_id, bar=texts.progress_bar(done, p.total), done=done,
                                          total=p.total, sent=p.sent, failed=p.failed, blocked=p.blocked)
    if quiet and p.waiting:
        text += texts.ANNOUNCE_WAITING_QUIET.format(waiting=p.waiting)
    return text


def final_text(announcement_id: int, p: Progress) -> str:
    """The report posted once an announcement has gone out."""
    text = texts.ANNOUNCE_DONE.format(id=announcement_id, total=p.total, sent=p.sent, failed=p.failed,
                                      blocked=p.blocked)
    if p.unconfirmed:
        text += texts.ANNOUNCE_DONE_UNCONFIRMED.format(id=announcement_id, unconfirmed=p.unconfirmed)
    return text


def final_markup(announcement_id: int, p: Progress) -> InlineKeyboardMarkup | None:
    """One button to send again to the unconfirmed recipients only (none when all are confirmed)."""
    if not p.unconfirmed:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        texts.ANNOUNCE_RESEND_BUTTON, callback_data=keyboards.staff_data("ann", "resend", announcement_id))]])


async def report_progress(bot: Bot, shown: dict[int, str]) -> None:
    """Edit each sending announcement's progress message (when it changed); post final reports."""
    for snap in await asyncio.to_thread(_snapshots):
        if snap.chat_id is None:
            continue
        text = final_text(snap.announcement_id, snap.progress) if snap.finished else \
            progress_text(snap.announcement_id, snap.progress, quiet=snap.quiet)
        try:
            if snap.message_id is None:
                message = await bot.send_message(snap.chat_id, text)
                await asyncio.to_thread(_store_message_id, snap.announcement_id, snap.chat_id, message.message_id)
            elif shown.get(snap.announcement_id) != text:
                await bot.edit_message_text(text, chat_id=snap.chat_id, message_id=snap.message_id)
            shown[snap.announcement_id] = text
            if snap.finished:
                # A new message, so the staff member gets a notification.
                await bot.send_message(snap.chat_id, text, reply_markup=final_markup(snap.announcement_id,
                                                                                    snap.progress))
                shown.pop(snap.announcement_id, None)
        except TelegramError as exc:
            log.warning("progress of announcement %s not shown: %s", snap.announcement_id, exc)
