"""Pacing of the bot's own requests.

Telegram's ~30 messages/second limit counts messages sent. ptb's
AIORateLimiter paces every request that names a chat, so "typing…", edits
and callback answers would eat the budget that replies need; here only the
methods that put a new message in a chat are paced.
"""
from __future__ import annotations

from telegram.ext import AIORateLimiter

PACED_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendAnimation", "sendAudio",
    "sendVideo", "sendVoice", "sendSticker", "sendLocation", "sendContact", "sendPoll",
    "copyMessage", "forwardMessage",
})


class MessageRateLimiter(AIORateLimiter):
    """AIORateLimiter for messages only; other requests go straight through."""

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # type: ignore[no-untyped-def,override]
        if endpoint not in PACED_METHODS:
            return await callback(*args, **kwargs)
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
