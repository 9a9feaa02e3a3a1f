"""Command menus by scope and language, resolved the way Telegram clients do."""
from __future__ import annotations

import re
from typing import Any

from telegram_local.errors import bad_request

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SIMPLE_SCOPES = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
MAX_COMMANDS = 100


def scope_key(scope: dict[str, Any] | None, chat_exists: Any) -> str:
    """A storage key for a BotCommandScope; chat scopes need a known chat."""
    kind = (scope or {}).get("type", "default")
    if kind in _SIMPLE_SCOPES:
        return kind
    if kind in ("chat", "chat_administrators", "chat_member"):
        chat_id = scope.get("chat_id") if scope else None
        chat_exists(chat_id)
        if kind == "chat_member":
            return f"chat_member:{int(chat_id)}:{int(scope.get('user_id') or 0)}"
        return f"{kind}:{int(chat_id)}"
    raise bad_request("BOT_COMMAND_SCOPE_INVALID")


def check_commands(commands: list[Any]) -> list[dict[str, str]]:
    """Telegram's rules: 1–32 of a–z, 0–9, _; description 1–256 characters; at most 100."""
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: BotCommand must be an Object")
        command = str(item.get("command", "")).removeprefix("/")
        description = str(item.get("description", "")).strip()
        if not _COMMAND.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": command, "description": description})
    return checked


def menu_for_private_chat(store: dict[tuple[str, str], list[dict[str, str]]], chat_id: int,
                          language: str) -> tuple[str, list[dict[str, str]]]:
    """(scope, commands) a user sees in a private chat: chat, then all private chats, then default."""
    for scope in (f"chat:{chat_id}", "all_private_chats", "default"):
        for lang in (language, ""):
            commands = store.get((scope, lang))
            if commands:
                return scope, commands
    return "default", []
