"""The bot's update queue: getUpdates long polling, or delivery to a webhook."""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from telegram_local.errors import conflict
from telegram_local.notifier import Notifier

log = logging.getLogger(__name__)

# Without allowed_updates Telegram sends every type except these.
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
WEBHOOK_TIMEOUT = 10.0
WEBHOOK_MAX_BACKOFF = 30.0


@dataclass
class Webhook:
    """A webhook set with setWebhook, and its last delivery error."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    has_custom_certificate: bool = False
    last_error_date: int | None = None
    last_error_message: str | None = None


class UpdateQueue:
    """Pending updates in order; update ids only ever grow, even across a reset."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.next_id = 1
        self.pending: list[dict[str, Any]] = []
        self.allowed: list[str] = []
        self.webhook: Webhook | None = None
        self._poller = 0

    def clear(self) -> None:
        """Drop every pending update."""
        self.pending.clear()

    def allows(self, kind: str) -> bool:
        """Whether allowed_updates lets this update type through."""
        return kind in self.allowed if self.allowed else kind not in DEFAULT_EXCLUDED

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue an update (dropped when allowed_updates excludes its type); return its id."""
        update_id = self.next_id
        self.next_id += 1
        if self.allows(kind):
            self.pending.append({"update_id": update_id, kind: payload})
            self.notifier.notify()
        return update_id

    def confirm(self, offset: int) -> None:
        """Forget updates below `offset`; a negative offset keeps only the last -offset ones."""
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    async def get_updates(self, offset: int | None, limit: int, timeout: float,
                          allowed: list[str] | None) -> list[dict[str, Any]]:
        """Long polling: wait up to `timeout` s for updates; a newer caller ends an older one with 409."""
        if self.webhook is not None:
            raise conflict("can't use getUpdates method while webhook is active; "
                           "use deleteWebhook to delete the webhook first")
        if allowed is not None:
            self.allowed = list(allowed)
        if offset is not None:
            self.confirm(offset)
        self._poller += 1
        me = self._poller
        self.notifier.notify()
        await self.notifier.wait_for(
            lambda: bool(self.pending) or self._poller != me or self.webhook is not None, timeout)
        if self._poller != me:
            raise conflict("terminated by other getUpdates request; "
                           "make sure that only one bot instance is running")
        if self.webhook is not None:
            raise conflict("can't use getUpdates method while webhook is active; "
                           "use deleteWebhook to delete the webhook first")
        return self.pending[:limit]


class WebhookSender:
    """POSTs pending updates one by one, in order, while a webhook is set; retries with backoff."""

    def __init__(self, queue: UpdateQueue, notifier: Notifier, retry_base: float) -> None:
        self.queue = queue
        self.notifier = notifier
        self.retry_base = retry_base

    async def run(self) -> None:
        """Deliver forever (cancelled on shutdown)."""
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT)) as http:
            failures = 0
            while True:
                await self.notifier.wait_for(lambda: self.queue.webhook is not None and bool(self.queue.pending),
                                             timeout=3600)
                hook = self.queue.webhook
                if hook is None or not self.queue.pending:
                    continue
                update = self.queue.pending[0]
                error = await self._post(http, hook, update)
                if error is None:
                    failures = 0
                    if self.queue.pending and self.queue.pending[0] is update:
                        self.queue.pending.pop(0)
                    continue
                failures += 1
                hook.last_error_date, hook.last_error_message = int(time.time()), error
                backoff = min(WEBHOOK_MAX_BACKOFF, self.retry_base * 2 ** (failures - 1))
                # A new or deleted webhook retries at once.
                await self.notifier.wait_for(lambda: self.queue.webhook is not hook, timeout=backoff)

    async def _post(self, http: aiohttp.ClientSession, hook: Webhook, update: dict[str, Any]) -> str | None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
        try:
            async with http.post(hook.url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except asyncio.TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientError as exc:
            log.info("webhook %s failed: %r", hook.url, exc)
            return "Connection refused"
