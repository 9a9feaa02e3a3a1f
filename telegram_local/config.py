"""Settings of the local Bot API server (command line, environment, tests)."""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telegram_local.demo import Demo

DEFAULT_TOKEN = "123456:LOCAL-DEV-TOKEN"
DEFAULT_PORT = 8081
DEFAULT_BOT_USERNAME = "ontong_junggu_bot"
DEFAULT_BOT_NAME = "온통중구"
# Telegram's documented broadcast limit is about 30 messages per second per bot.
DEFAULT_GLOBAL_RATE = 30.0
# About one message per second per chat; short bursts pass. A burst of 4 lets
# one bot reply of 2–3 bubbles (plus an edit-free follow-up) through at once.
DEFAULT_CHAT_RATE = 1.0
DEFAULT_CHAT_BURST = 4
# Bot API: long polling waits at most 50 s.
MAX_POLL_TIMEOUT = 50


@dataclass
class Limits:
    """Token-bucket limits for messages the bot sends."""

    enabled: bool = True
    global_rate: float = DEFAULT_GLOBAL_RATE
    chat_rate: float = DEFAULT_CHAT_RATE
    chat_burst: int = DEFAULT_CHAT_BURST


@dataclass
class Config:
    """Everything the server needs; `clock` is injectable so tests control time."""

    token: str = field(default_factory=lambda: os.environ.get("LOCAL_TELEGRAM_TOKEN", DEFAULT_TOKEN))
    host: str = "127.0.0.1"
    port: int = field(default_factory=lambda: int(os.environ.get("LOCAL_TELEGRAM_PORT", DEFAULT_PORT)))
    bot_username: str = DEFAULT_BOT_USERNAME
    bot_name: str = DEFAULT_BOT_NAME
    limits: Limits = field(default_factory=Limits)
    webhook_retry_base: float = 1.0
    # Demo mode (the chat page's tour): users and poster handed over by flags.
    demo: "Demo" = field(default_factory=lambda: _no_demo())
    clock: Callable[[], float] = time.monotonic

    @property
    def bot_id(self) -> int:
        """The bot's user id: the digits before the colon, as in a real token."""
        head = self.token.split(":", 1)[0]
        return int(head) if head.isdigit() else 1


def _no_demo() -> "Demo":
    from telegram_local.demo import Demo
    return Demo()
