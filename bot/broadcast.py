"""The one paced, crash-safe sender of outbox rows (notices and announcements alike).

Pacing: our own token bucket of ``rate`` sends per second (Telegram: about 30),
booked a tick (50 ms) at a time, and at most one message per chat per second
(chats sent to within the last second are not claimed). ptb's AIORateLimiter
was measured too (``bench/broadcast.py --limiters``): it overshoots the overall
rate at the start (its bucket starts full) and retries 429s inside the request,
hiding them from the outbox; it also limits private chats only overall.

Exactly once: a tick's rows are claimed (status ``sending``, committed) only
when their slots have come and are sent at once; each outcome is written as
soon as it arrives. ``stop()`` (SIGTERM) stops claiming and waits for in-flight
requests, so a graceful stop loses and duplicates nothing. A hard kill leaves
only the requests in flight (and outcomes being written) in ``sending``, at
most one tick's worth; the next sender marks them ``unconfirmed``: never resent
automatically (nobody gets an announcement twice), counted and shown to staff
(see storage.services.delivery).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import signal
import socket
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Engine
from telegram import Bot, InputFile, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot import keyboards, texts
from bot.instance_lock import InstanceLock
from bot.logging_setup import setup_logging
from bot.render import media_path
from bot.settings import BotSettings
from storage.db import default_engine, session_scope
from storage.notify_rules import (
    CLAIM_TICK_SECONDS,
    GLOBAL_RATE_PER_SECOND,
    PER_CHAT_INTERVAL_SECONDS,
)
from storage.services import announcements, delivery
from storage.services.delivery import Claimed, Outcome, Result
from storage.timeutil import utcnow

log = logging.getLogger(__name__)
SENDER_LOCK = "sender"
# Concurrent requests (and HTTP connections): 30/s at Telegram's ~100–300 ms needs fewer.
MAX_IN_FLIGHT = 16
# Errors raised before the request left this machine: safe to send again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass
class SendStats:
    """What this sender did; ``rate`` is measured between its first and last send."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    unconfirmed: int = 0
    retried: int = 0
    rate_limited: int = 0
    first_send: float | None = None
    last_send: float | None = None

    @property
    def attempted(self) -> int:
        return self.sent + self.failed + self.blocked + self.unconfirmed + self.retried

    @property
    def rate(self) -> float:
        if self.first_send is None or self.last_send is None or self.last_send <= self.first_send:
            return 0.0
        return (self.sent - 1) / (self.last_send - self.first_send)


ProgressCallback = Callable[[SendStats], Awaitable[None] | None]


class Pacer:
    """Token bucket: one slot every 1/rate s, catching up at most ``burst`` slots; 429 pauses all.

    Slots are booked a tick at a time and that tick's messages go out together
    at its start: the average never exceeds ``rate`` and the burst is one tick
    (Telegram's and telegram_local's buckets hold a second's worth).
    """

    def __init__(self, rate: float, burst: int = 1, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / rate
        self.burst = max(1, burst)
        self.clock = clock
        self.next_slot = clock()
        self.paused_until = 0.0

    def reserve(self, slots: int = 1) -> float:
        """Book the next ``slots`` slots; returns the seconds to wait for the first."""
        now = self.clock()
        slot = max(self.next_slot, now - (self.burst - 1) * self.interval, self.paused_until)
        self.next_slot = slot + slots * self.interval
        return max(0.0, slot - now)

    def refund(self, slots: int) -> None:
        """Give back booked slots that found nothing to send."""
        self.next_slot = max(self.clock(), self.next_slot - slots * self.interval)

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends before ``seconds`` from now."""
        self.paused_until = max(self.paused_until, self.clock() + seconds)
        self.next_slot = max(self.next_slot, self.paused_until)


class ChatGate:
    """Remembers when each chat last got a message, for the one-per-second rule."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self.last: dict[int, float] = {}

    def mark(self, chat_id: int) -> None:
        self.last[chat_id] = self.clock()

    def recent(self) -> list[int]:
        """Chats that must not be claimed yet (forgetting the ones that may)."""
        limit = self.clock() - self.interval
        self.last = {c: t for c, t in self.last.items() if t > limit}
        return list(self.last)


def render_text(row: Claimed) -> str:
    """The Korean text of a row: staff's own text or a NOTICES template."""
    if row.text is not None:
        return row.text
    return texts.NOTICES[row.template or ""].format(**(row.params or {}))


async def deliver(
    bot: Bot, chat_id: int, text: str, *, buttons: list | None = None, photo_file_id: str | None = None,
    photo_path: str | None = None, uploaded: dict[str, str] | None = None,
) -> Message:
    """Send one outbox message (text, or photo with caption, and inline buttons); also the staff preview."""
    markup = keyboards.from_rows(buttons)
    if photo_file_id:
        return await bot.send_photo(chat_id, photo_file_id, caption=text, reply_markup=markup)
    if photo_path:
        known = uploaded.get(photo_path) if uploaded is not None else None
        if known:
            return await bot.send_photo(chat_id, known, caption=text, reply_markup=markup)
        with media_path(photo_path).open("rb") as fh:
            message = await bot.send_photo(chat_id, InputFile(fh), caption=text, reply_markup=markup)
        if message.photo and uploaded is not None:
            # Upload once, then send Telegram's file id to everyone else.
            uploaded[photo_path] = message.photo[-1].file_id
        return message
    return await bot.send_message(chat_id, text, reply_markup=markup)


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        # ptb 22 warns that retry_after becomes a timedelta; both are handled.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def make_bot(settings: BotSettings | None = None, *, connections: int = MAX_IN_FLIGHT) -> Bot:
    """A Bot on the same Bot API base URL as the chat bot, with room for concurrent sends."""
    settings = settings or BotSettings.from_env()
    kwargs: dict = {}
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    if settings.base_file_url:
        kwargs["base_file_url"] = settings.base_file_url
    request = HTTPXRequest(connection_pool_size=connections, read_timeout=15, write_timeout=30,
                           connect_timeout=5, pool_timeout=5)
    return Bot(settings.token, request=request, **kwargs)


def configured_rate() -> float:
    """Sends per second: BROADCAST_RATE, else Telegram's 30."""
    return float(os.environ.get("BROADCAST_RATE") or GLOBAL_RATE_PER_SECOND)


def new_sender_id() -> str:
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class BroadcastEngine:
    """Claims due outbox rows and sends them at Telegram's pace until stopped (or idle)."""

    db: Engine
    bot: Bot
    rate: float = GLOBAL_RATE_PER_SECOND
    chat_interval: float = PER_CHAT_INTERVAL_SECONDS
    on_progress: ProgressCallback | None = None
    progress_every: float = 1.0
    idle_poll: float = 0.25
    clock: Callable[[], datetime] = utcnow
    keep_running: Callable[[], bool] | None = None
    sender_id: str = field(default_factory=new_sender_id)
    max_in_flight: int = MAX_IN_FLIGHT
    stats: SendStats = field(default_factory=SendStats)

    def __post_init__(self) -> None:
        self.batch = max(1, math.ceil(self.rate * CLAIM_TICK_SECONDS))
        self.pacer = Pacer(self.rate, burst=self.batch)
        self.gate = ChatGate(self.chat_interval)
        self._results: list[Result] = []
        self._outcomes = asyncio.Event()
        self._inflight: set[asyncio.Task] = set()
        self._stopping = False
        self._wake = asyncio.Event()
        self._photo_ids: dict[str, str] = {}
        self._last_progress = 0.0
        # Rows given back after a 429 are due again at this time; "idle" waits for them.
        self._released_until: datetime | None = None

    # --- control -----------------------------------------------------------------
    def stop(self) -> None:
        """Graceful stop: no new claims; in-flight sends finish and are recorded."""
        self._stopping = True
        self._wake.set()

    @property
    def stopping(self) -> bool:
        if not self._stopping and self.keep_running is not None and not self.keep_running():
            self._stopping = True
        return self._stopping

    async def _sleep(self, seconds: float) -> None:
        """Sleep, waking early on stop()."""
        if seconds <= 0.05:
            # Pacing slots: short enough that stop() need not interrupt them.
            await asyncio.sleep(seconds)
            return
        end = time.monotonic() + seconds
        while not self.stopping:
            left = end - time.monotonic()
            if left <= 0:
                return
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=min(left, 0.5))
            except asyncio.TimeoutError:
                pass

    # --- database (in worker threads) -----------------------------------------------
    def _claim(self, limit: int, exclude: list[int]) -> list[Claimed]:
        with session_scope(self.db) as session:
            return delivery.claim(session, limit=limit, claimed_by=self.sender_id, now=self.clock(),
                                  exclude_chats=exclude)

    def _record(self, results: list[Result]) -> None:
        with session_scope(self.db) as session:
            delivery.record(session, results, claimed_by=self.sender_id, now=self.clock())

    def _has_due(self) -> bool:
        with session_scope(self.db) as session:
            return delivery.has_due(session, now=self.clock())

    async def _flush(self) -> None:
        if not self._results:
            return
        batch, self._results = self._results, []
        try:
            await asyncio.to_thread(self._record, batch)
        except BaseException:
            # Keep them for the next write. Writing an outcome twice is harmless:
            # only rows still "sending" under our claim change.
            self._results = batch + self._results
            raise
        await self._report(force=False)

    async def _flush_loop(self) -> None:
        # Outcomes are written as soon as they arrive; whatever arrives while a
        # write is running goes into the next one. The shorter the time between
        # a send and its record, the fewer rows a hard kill leaves undecided.
        while True:
            await self._outcomes.wait()
            self._outcomes.clear()
            try:
                await self._flush()
            except Exception:
                log.exception("recording outcomes failed; retrying")
                self._outcomes.set()
                await asyncio.sleep(0.5)

    async def _final_flush(self) -> None:
        for attempt in range(5):
            try:
                await self._flush()
                return
            except Exception:
                log.exception("recording the last outcomes failed (attempt %d)", attempt + 1)
                await asyncio.sleep(1)

    async def _report(self, force: bool) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        if not force and now - self._last_progress < self.progress_every:
            return
        self._last_progress = now
        result = self.on_progress(self.stats)
        if asyncio.iscoroutine(result):
            await result

    # --- sending ---------------------------------------------------------------------
    async def _deliver(self, row: Claimed) -> Message:
        return await deliver(self.bot, row.chat_id, render_text(row), buttons=row.buttons,
                             photo_file_id=row.photo_file_id, photo_path=row.photo_path,
                             uploaded=self._photo_ids)

    async def _send(self, row: Claimed) -> None:
        now = self.clock()
        try:
            await self._deliver(row)
        except Forbidden as exc:
            result = Result(row.id, Outcome.blocked, row.resident_id, f"403 {exc.message}")
            self.stats.blocked += 1
        except RetryAfter as exc:
            seconds = _retry_seconds(exc)
            self.pacer.pause(seconds)
            retry_at = now + timedelta(seconds=seconds)
            result = Result(row.id, Outcome.released, row.resident_id, f"429 retry_after={seconds:g}",
                            retry_at=retry_at)
            self._released_until = max(self._released_until or retry_at, retry_at)
            self.stats.rate_limited += 1
        except BadRequest as exc:
            # 400 will not change by retrying (chat not found, bad markup …).
            result = Result(row.id, Outcome.failed, row.resident_id, f"400 {exc.message}")
            self.stats.failed += 1
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc.__cause__, _NOT_SENT):
                result = Result(row.id, Outcome.retry, row.resident_id, repr(exc))
                self.stats.retried += 1
            else:
                # The request may have reached Telegram: never send it twice.
                result = Result(row.id, Outcome.unconfirmed, row.resident_id, repr(exc))
                self.stats.unconfirmed += 1
        except (TelegramError, OSError) as exc:
            result = Result(row.id, Outcome.retry, row.resident_id, repr(exc))
            self.stats.retried += 1
        except (KeyError, IndexError, ValueError) as exc:
            log.error("outbox %s cannot be rendered: %r", row.id, exc)
            result = Result(row.id, Outcome.failed, row.resident_id, f"render: {exc!r}")
            self.stats.failed += 1
        else:
            result = Result(row.id, Outcome.sent, row.resident_id)
            self.stats.sent += 1
            stamp = time.monotonic()
            self.stats.first_send = self.stats.first_send or stamp
            self.stats.last_send = stamp
        self._results.append(result)
        self._outcomes.set()

    def _waiting_for_released(self) -> bool:
        return self._released_until is not None and self.clock() < self._released_until

    def _dispatch(self, row: Claimed) -> None:
        self.gate.mark(row.chat_id)
        task = asyncio.create_task(self._send(row))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def run(self, *, until_idle: bool = False) -> SendStats:
        """Send until stop() (or, with ``until_idle``, until nothing is due); then drain."""
        flusher = asyncio.create_task(self._flush_loop())
        try:
            while not self.stopping:
                # Wait for the tick's slots first, then claim and send at once:
                # a claimed row is never left waiting, so a hard kill finds
                # only the requests actually in flight undecided.
                # Never more requests in flight than the HTTP pool has
                # connections: a claimed row must not queue behind others.
                while len(self._inflight) >= self.max_in_flight:
                    await asyncio.wait(list(self._inflight), return_when=asyncio.FIRST_COMPLETED)
                want = min(self.batch, self.max_in_flight - len(self._inflight))
                await self._sleep(self.pacer.reserve(want))
                if self.stopping:
                    break
                rows = await asyncio.to_thread(self._claim, want, self.gate.recent())
                self.pacer.refund(want - len(rows))
                if not rows:
                    if until_idle and not self._inflight and not self._waiting_for_released():
                        await self._flush()
                        if not await asyncio.to_thread(self._has_due):
                            break
                    await self._sleep(self.idle_poll)
                    continue
                for row in rows:
                    self._dispatch(row)
        finally:
            if self._inflight:
                await asyncio.gather(*list(self._inflight), return_exceptions=True)
            flusher.cancel()
            await asyncio.gather(flusher, return_exceptions=True)
            await self._final_flush()
            await self._report(force=True)
        return self.stats


def recover_orphans(db: Engine) -> int:
    """Rows a dead sender left in ``sending`` → unconfirmed (call while holding the sender lock)."""
    with session_scope(db) as session:
        return delivery.recover_orphans(session, now=utcnow())


def fan_out(db: Engine, announcement_id: int, *, now: datetime | None = None) -> int:
    """Start an announcement and queue every recipient, one transaction per batch; returns rows created."""
    with session_scope(db) as session:
        announcements.start_sending(session, announcement_id, now=now)
    created = 0
    while True:
        with session_scope(db) as session:
            step = announcements.fan_out_batch(session, announcement_id, now=now)
        created += step.created
        if step.done:
            return created


# --- standalone runner: python -m bot.broadcast ------------------------------------------
def _print_progress(stats: SendStats) -> None:
    print(f"sent={stats.sent} failed={stats.failed} blocked={stats.blocked} "
          f"unconfirmed={stats.unconfirmed} retried={stats.retried} 429={stats.rate_limited} "
          f"rate={stats.rate:.1f}/s", flush=True)


async def run_sender(
    db: Engine, *, rate: float, until_idle: bool, settings: BotSettings | None = None,
    on_progress: ProgressCallback | None = None, wait_for_lock: bool = True,
) -> SendStats | None:
    """Hold the sender lock, recover orphans, send until SIGTERM/SIGINT (or idle)."""
    lock = InstanceLock(db, SENDER_LOCK)
    while not await asyncio.to_thread(lock.try_acquire):
        if not wait_for_lock:
            return None
        log.info("another sender holds the lock; waiting")
        await asyncio.sleep(2)
    bot = make_bot(settings)
    engine = BroadcastEngine(db, bot, rate=rate, on_progress=on_progress)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, engine.stop)
    try:
        recovered = await asyncio.to_thread(recover_orphans, db)
        if recovered:
            log.warning("%d rows were in flight when the last sender died: marked unconfirmed", recovered)
        await bot.initialize()
        return await engine.run(until_idle=until_idle)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        await bot.shutdown()
        lock.release()


def main(argv: list[str] | None = None) -> int:
    """python -m bot.broadcast [--rate 30] [--until-idle]: the sender without the chat bot."""
    parser = argparse.ArgumentParser(prog="python -m bot.broadcast", description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=configured_rate(), help="sends per second (30)")
    parser.add_argument("--until-idle", action="store_true", help="exit when nothing is due")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    setup_logging()
    stats = asyncio.run(run_sender(default_engine(), rate=args.rate, until_idle=args.until_idle,
                                   on_progress=None if args.quiet else _print_progress))
    if stats is not None:
        _print_progress(stats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
