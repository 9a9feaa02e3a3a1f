"""Test API, read and control side: messages, changes for the chat page, counters, config, reset."""
from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import quote

from aiohttp import web

from telegram_local.commands import menu_for_private_chat
from telegram_local.state import Chat, Message, State
from telegram_local.testapi_common import Refusal, chat_of, json_view, number

# Long polls of the test API wait at most this long.
MAX_WAIT = 120.0


def _float(body: dict[str, Any], name: str, default: float) -> float:
    try:
        return float(body.get(name, default))
    except (TypeError, ValueError) as exc:
        raise Refusal(400, f"{name} 값은 숫자여야 해요.") from exc


async def messages(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """Bot messages of a chat newer than `after` (edits applied in place); `wait` long-polls for `min`."""
    chat_id = number(body, "chat_id")
    after = number(body, "after", 0)
    minimum = number(body, "min", 1)
    wait = min(max(_float(body, "wait", 0), 0), MAX_WAIT)

    def newer() -> list[Message]:
        chat = state.chats.get(chat_id)
        found: list[Message] = []
        # Messages are stored in id order: walk back from the newest and stop at `after`.
        for message in reversed(chat.messages.values()) if chat else ():
            if message.message_id <= after:
                break
            if message.outgoing and not message.deleted:
                found.append(message)
        return found[::-1]

    if wait:
        await state.notifier.wait_for(lambda: len(newer()) >= minimum, wait)
    return {"messages": [state.message_json(m) for m in newer()]}


def _chat_changes(state: State, chat: Chat, since: int) -> dict[str, Any]:
    changed = [m for m in chat.messages.values() if m.seq > since]
    return {
        "messages": [{"message": state.message_json(m), "outgoing": m.outgoing, "deleted": m.deleted}
                     for m in sorted(changed, key=lambda m: m.message_id)],
        "answers": [a for a in state.answers(chat.id) if a["seq"] > since],
        "action": state.current_action(chat),
        "blocked": chat.blocked,
        "keyboard": chat.keyboard,
    }


async def changes(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """For the chat page: everything that changed in the given chats after change number `since`.

    A caller that passes the `epoch` it knows gets an answer at once after a restart or reset.
    """
    try:
        chat_ids = [int(v) for v in request.query.getall("chat_id", [])]
        since = int(body.get("since", 0))
    except ValueError as exc:
        raise Refusal(400, "chat_id와 since는 숫자여야 해요.") from exc
    wait = min(max(_float(body, "wait", 0), 0), MAX_WAIT)

    def touched() -> list[Chat]:
        chats = (state.chats.get(chat_id) for chat_id in chat_ids)
        return [chat for chat in chats if chat is not None and chat.last_change > since]

    known_epoch = body.get("epoch")

    def restarted() -> bool:
        return bool(known_epoch) and known_epoch != state.epoch

    if wait:
        await state.notifier.wait_for(lambda: bool(touched()) or restarted(), wait)
    chats = {str(c.id): _chat_changes(state, c, since) for c in touched()}
    return {"seq": state.seq, "epoch": state.epoch, "chats": chats}


async def callback_answers(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """What the bot answered to button presses in a chat."""
    answers = state.answers(number(body, "chat_id"))
    return {"answers": [{k: v for k, v in a.items() if k != "seq"} for a in answers]}


async def counters(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """Delivered messages, 429s, 403s and 400s, overall and per chat."""
    return state.counters.to_json()


def _limits_json(state: State) -> dict[str, Any]:
    limits = state.limiter.limits
    return {"limits_enabled": limits.enabled, "global_rate": limits.global_rate,
            "chat_rate": limits.chat_rate, "chat_burst": limits.chat_burst}


async def config(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """Read (GET) or change (POST) the sending limits."""
    if request.method == "POST":
        changes_ = {"enabled": body.get("limits_enabled"), "global_rate": body.get("global_rate"),
                    "chat_rate": body.get("chat_rate"), "chat_burst": body.get("chat_burst")}
        for name in ("global_rate", "chat_rate", "chat_burst"):
            value = changes_[name]
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
                raise Refusal(400, f"{name} 값은 0보다 큰 숫자여야 해요.")
        state.limiter.configure(**changes_)
    return _limits_json(state)


async def reset(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """Forget users, chats, files, pending updates, counters; limits back to the start values.

    Command menus and the webhook belong to the bot process and stay unless {"all": true}.
    """
    state.reset()
    state.limiter.limits = dataclasses.replace(state.initial_limits)
    state.limiter.reset()
    if body.get("all"):
        state.commands.clear()
        state.updates.webhook = None
        state.updates.allowed = []
    state.bump()
    return {"ok": True, **_limits_json(state)}


async def commands(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """The command menu a chat's user sees (chat scope, then all private chats, then default)."""
    chat = chat_of(state, body, "chat_id")
    scope, menu = menu_for_private_chat(state.commands, chat.id, chat.user.language_code)
    return {"scope": scope, "commands": menu}


async def bot_info(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """The bot's name and username for the chat page."""
    return state.bot_user()


async def file_view(request: web.Request, state: State, body: dict[str, Any]) -> web.Response:
    """A stored file by file_id (the chat page shows photos and documents without the token)."""
    stored = state.files.by_id.get(request.match_info["file_id"])
    if stored is None:
        raise Refusal(404, "파일을 찾을 수 없어요.")
    headers = {"Cache-Control": "max-age=3600"}
    if stored.file_name:
        headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(stored.file_name, safe='')}"
    return web.Response(body=stored.data, content_type=stored.mime_type, headers=headers)


def register(router: web.UrlDispatcher) -> None:
    """Mount the read and control routes."""
    for path, view in (("messages", messages), ("changes", changes), ("callback_answers", callback_answers),
                       ("counters", counters), ("config", config), ("commands", commands), ("bot", bot_info)):
        router.add_get(f"/test/{path}", json_view(view))
    router.add_post("/test/config", json_view(config))
    router.add_post("/test/reset", json_view(reset))
    router.add_get("/test/files/{file_id}", json_view(file_view))
