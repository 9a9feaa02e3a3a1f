"""Bot API: identity, getUpdates and webhooks."""
from __future__ import annotations

import re
from typing import Any

from telegram_local.config import MAX_POLL_TIMEOUT
from telegram_local.errors import bad_request
from telegram_local.methods import Reply, method
from telegram_local.state import State
from telegram_local.updates import Webhook

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@method("getMe")
async def get_me(state: State, p: dict[str, Any]) -> dict[str, Any]:
    """The bot's own User object."""
    return {**state.bot_user(), "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}


@method("getUpdates")
async def get_updates(state: State, p: dict[str, Any]) -> list[dict[str, Any]]:
    """Long polling: offset confirms, timeout (≤ 50 s) waits, limit 1–100."""
    limit = min(max(p.get("limit", 100), 1), 100)
    timeout = min(max(p.get("timeout", 0), 0), MAX_POLL_TIMEOUT)
    return await state.updates.get_updates(p.get("offset"), limit, timeout, p.get("allowed_updates"))


@method("setWebhook")
async def set_webhook(state: State, p: dict[str, Any]) -> Reply:
    """Deliver updates by POST to `url` (an empty url removes the webhook)."""
    queue = state.updates
    url = p["url"].strip()
    if p.get("drop_pending_updates"):
        queue.clear()
    if p.get("allowed_updates") is not None:
        queue.allowed = list(p["allowed_updates"])
    if not url:
        queue.webhook = None
        state.bump()
        return Reply(True, "Webhook was deleted")
    # Telegram demands HTTPS; a local stand-in also accepts plain HTTP on localhost.
    if not re.match(r"^https?://[^/\s]+", url):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.get("max_connections", 40)
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    unchanged = queue.webhook is not None and queue.webhook.url == url
    queue.webhook = Webhook(url=url, secret_token=secret, max_connections=max_connections,
                            ip_address=p.get("ip_address"), has_custom_certificate="certificate" in p)
    state.bump()
    return Reply(True, "Webhook is already set" if unchanged else "Webhook was set")


@method("deleteWebhook")
async def delete_webhook(state: State, p: dict[str, Any]) -> Reply:
    """Back to getUpdates; optionally drop what is pending."""
    queue = state.updates
    had = queue.webhook is not None
    queue.webhook = None
    if p.get("drop_pending_updates"):
        queue.clear()
    state.bump()
    return Reply(True, "Webhook was deleted" if had else "Webhook is already deleted")


@method("getWebhookInfo")
async def get_webhook_info(state: State, p: dict[str, Any]) -> dict[str, Any]:
    """WebhookInfo; url is empty while getUpdates is in use."""
    queue = state.updates
    hook = queue.webhook
    info: dict[str, Any] = {"url": hook.url if hook else "",
                            "has_custom_certificate": bool(hook and hook.has_custom_certificate),
                            "pending_update_count": len(queue.pending)}
    if hook:
        if hook.ip_address:
            info["ip_address"] = hook.ip_address
        if hook.last_error_date:
            info.update(last_error_date=hook.last_error_date, last_error_message=hook.last_error_message)
        info["max_connections"] = hook.max_connections
        if queue.allowed:
            info["allowed_updates"] = list(queue.allowed)
    return info
