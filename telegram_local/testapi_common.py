"""Shared pieces of the test API: Korean errors, request parsing, user lookup."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from telegram_local.errors import ApiError
from telegram_local.responses import json_response
from telegram_local.state import STATE_KEY, Chat, State

View = Callable[[web.Request, State, dict[str, Any]], Awaitable[Any]]


class Refusal(Exception):
    """A refused test-API request: HTTP status and a Korean description."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


async def _body(request: web.Request) -> dict[str, Any]:
    if request.method != "POST" or not request.body_exists:
        return dict(request.query)
    try:
        body = await request.json()
    except ValueError as exc:
        raise Refusal(400, "요청 본문이 올바른 JSON이 아니에요.") from exc
    if not isinstance(body, dict):
        raise Refusal(400, "요청 본문은 JSON 객체여야 해요.")
    return body


def json_view(view: View) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Parse the JSON body (POST) or query (GET), run the view, map errors to JSON answers."""
    async def handler(request: web.Request) -> web.Response:
        """The aiohttp handler wrapping one view."""
        state = request.app[STATE_KEY]
        try:
            body = await _body(request)
            result = await view(request, state, body)
        except Refusal as err:
            return json_response({"ok": False, "description": err.description}, err.status)
        except ApiError as err:  # e.g. an upload that is not an image
            return json_response({"ok": False, "description": f"요청을 처리할 수 없어요 ({err.description})"}, 400)
        if isinstance(result, web.StreamResponse):
            return result  # type: ignore[return-value]
        return json_response(result)
    return handler


def number(body: dict[str, Any], name: str, default: int | None = None) -> int:
    """An integer field of the request (400 in Korean when missing or not a number)."""
    value = body.get(name, default)
    if value is None or isinstance(value, bool):
        raise Refusal(400, f"{name} 값이 필요해요.")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Refusal(400, f"{name} 값은 숫자여야 해요.") from exc


def chat_of(state: State, body: dict[str, Any], name: str = "user_id") -> Chat:
    """The private chat of an existing test user."""
    user_id = number(body, name)
    chat = state.chats.get(user_id)
    if chat is None:
        raise Refusal(404, f"사용자 {user_id}이(가) 없어요. 먼저 POST /test/users로 만들어 주세요.")
    return chat
