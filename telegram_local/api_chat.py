"""Bot API: chat actions, callback answers, command menus, files."""
from __future__ import annotations

import re
from typing import Any

from telegram_local.api_messages import check_can_write
from telegram_local.commands import check_commands, scope_key
from telegram_local.errors import bad_request
from telegram_local.files import MAX_DOWNLOAD_BYTES
from telegram_local.methods import method
from telegram_local.state import State

CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
                "upload_document", "choose_sticker", "find_location", "record_video_note",
                "upload_video_note"}
# Bot API: a callback answer shows at most 200 characters.
MAX_ANSWER = 200
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


@method("sendChatAction")
async def send_chat_action(state: State, p: dict[str, Any]) -> bool:
    """"입력 중…" on the chat page for 5 s or until the next bot message."""
    chat = state.chat(p["chat_id"])
    if p["action"] not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    check_can_write(state, chat)
    state.set_action(chat, p["action"])
    return True


@method("answerCallbackQuery")
async def answer_callback_query(state: State, p: dict[str, Any]) -> bool:
    """Answer a button press once (a toast or alert on the chat page)."""
    query = state.callbacks.get(p["callback_query_id"])
    if query is None or query.answer is not None:
        raise bad_request(QUERY_INVALID)
    text = p.get("text", "")
    if len(text) > MAX_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    url = p.get("url")
    bot = re.escape(state.config.bot_username)
    if url and not re.match(rf"^(?:https?://)?t\.me/{bot}\?start=", url, re.IGNORECASE):
        raise bad_request("URL_INVALID")
    answer: dict[str, Any] = {"text": text, "show_alert": bool(p.get("show_alert"))}
    if url:
        answer["url"] = url
    if "cache_time" in p:
        answer["cache_time"] = p["cache_time"]
    query.answer = answer
    query.seq = state.bump(state.chats.get(query.chat_id))
    return True


def _scope(state: State, p: dict[str, Any]) -> tuple[str, str]:
    return scope_key(p.get("scope"), state.chat), p.get("language_code", "")


@method("setMyCommands")
async def set_my_commands(state: State, p: dict[str, Any]) -> bool:
    """The command menu for a scope (default, all private chats, one chat…) and language."""
    commands = check_commands(p["commands"])
    key = _scope(state, p)
    if commands:
        state.commands[key] = commands
    else:
        state.commands.pop(key, None)
    state.bump()
    return True


@method("getMyCommands")
async def get_my_commands(state: State, p: dict[str, Any]) -> list[dict[str, str]]:
    """Exactly the list set for this scope and language (no fallback, as in Telegram)."""
    return list(state.commands.get(_scope(state, p), []))


@method("deleteMyCommands")
async def delete_my_commands(state: State, p: dict[str, Any]) -> bool:
    """Remove a scope's list; users then see the next broader one."""
    state.commands.pop(_scope(state, p), None)
    state.bump()
    return True


@method("getFile")
async def get_file(state: State, p: dict[str, Any]) -> dict[str, Any]:
    """File with a file_path for /file/bot<token>/<file_path>."""
    stored = state.files.get(p["file_id"])
    if len(stored.data) > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return stored.file()
