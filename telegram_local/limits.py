"""Telegram's sending limits as token buckets, and the counters the test API reports.

One bucket for the whole bot (`global_rate` messages per second, burst of the
same size) and one per chat (`chat_rate` per second, burst `chat_burst`). Only
messages the bot sends count (sendMessage, sendPhoto, sendDocument); edits,
chat actions and callback answers do not.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram_local.config import Limits
from telegram_local.errors import too_many_requests


@dataclass
class TokenBucket:
    """Refills `rate` tokens per second up to `capacity`; one message takes one token."""

    rate: float
    capacity: float
    tokens: float
    last: float

    def refill(self, now: float) -> None:
        """Add the tokens earned since the last call."""
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.last) * self.rate)
        self.last = now

    def wait(self) -> float:
        """Seconds until one token is available (0 when one is there now)."""
        # The epsilon absorbs float error: 1/30 s at 30/s is a whole token.
        return 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate


class Limiter:
    """Admits or refuses one outgoing message; refusals carry Telegram's retry_after."""

    def __init__(self, limits: Limits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        """Full buckets again (after a config change or a reset)."""
        now = self.clock()
        self.global_bucket = TokenBucket(self.limits.global_rate, max(1.0, self.limits.global_rate),
                                         max(1.0, self.limits.global_rate), now)
        self.chat_buckets: dict[int, TokenBucket] = {}

    def configure(self, **changes: Any) -> Limits:
        """Change rates or switch limits off; buckets start full again."""
        for key, value in changes.items():
            if value is not None:
                setattr(self.limits, key, type(getattr(self.limits, key))(value))
        self.reset()
        return self.limits

    def _chat_bucket(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self.chat_buckets.get(chat_id)
        if bucket is None:
            burst = float(max(1, self.limits.chat_burst))
            bucket = self.chat_buckets[chat_id] = TokenBucket(self.limits.chat_rate, burst, burst, now)
        return bucket

    def admit(self, chat_id: int) -> None:
        """Take one token from both buckets, or raise 429 without taking any."""
        if not self.limits.enabled:
            return
        now = self.clock()
        buckets = (self.global_bucket, self._chat_bucket(chat_id, now))
        for bucket in buckets:
            bucket.refill(now)
        wait = max(bucket.wait() for bucket in buckets)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for bucket in buckets:
            bucket.tokens = max(0.0, bucket.tokens - 1)


COUNTER_NAMES = ("delivered", "edited", "rate_limited", "forbidden", "bad_request")


class Counters:
    """Outcomes of the bot's calls, overall and per chat."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Back to zero."""
        self.total = dict.fromkeys(COUNTER_NAMES, 0)
        self.per_chat: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTER_NAMES, 0))

    def count(self, name: str, chat_id: int | None = None) -> None:
        """Count one outcome, overall and for the chat."""
        self.total[name] += 1
        if chat_id is not None:
            self.per_chat[chat_id][name] += 1

    def to_json(self) -> dict[str, Any]:
        """The Bot API object."""
        return {**self.total, "chats": {str(cid): dict(c) for cid, c in sorted(self.per_chat.items())}}
