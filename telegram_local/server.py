"""HTTP routing: the Bot API at /bot<token>/<method>, files, the test API and the chat page."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from telegram_local import api_bot, api_chat, api_messages  # noqa: F401  (register the handlers)
from telegram_local import testapi
from telegram_local.config import Config
from telegram_local.errors import NOT_FOUND, UNAUTHORIZED, ApiError
from telegram_local.methods import Upload, call, canonical
from telegram_local.responses import json_response
from telegram_local.state import STATE_KEY, State
from telegram_local.updates import WebhookSender

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
# Bot API uploads: up to 50 MB per file.
MAX_BODY = 55 * 1024 * 1024


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string merged with a JSON, urlencoded or multipart body."""
    raw: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return raw
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise ApiError(400, "Bad Request: can't parse JSON request body") from exc
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: request body must be a JSON object")
        raw.update(body)
        return raw
    form: MultiMapping[Any] = await request.post()
    for name, value in form.items():
        if isinstance(value, web.FileField):
            raw[name] = Upload(value.filename, value.content_type, value.file.read())
        else:
            raw[name] = value
    return raw


def _chat_of(raw: dict[str, Any]) -> int | None:
    try:
        return int(raw.get("chat_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


async def bot_api(request: web.Request) -> web.Response:
    """One Bot API call; errors become Telegram's {"ok": false, ...} answers and are counted."""
    state = request.app[STATE_KEY]
    if request.match_info["token"] != state.config.token:
        return json_response(UNAUTHORIZED.payload(), UNAUTHORIZED.code)
    name = canonical(request.match_info["method"])
    if name is None:
        return json_response({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
    raw: dict[str, Any] = {}
    try:
        raw = await _read_params(request)
        reply = await call(state, name, raw)
    except web.HTTPRequestEntityTooLarge:
        return json_response({"ok": False, "error_code": 413, "description": "Request Entity Too Large"}, 413)
    except ApiError as err:
        counter = {400: "bad_request", 403: "forbidden", 429: "rate_limited"}.get(err.code)
        if counter:
            state.counters.count(counter, _chat_of(raw))
        return json_response(err.payload(), err.code)
    except ValueError:  # a malformed form or multipart body
        state.counters.count("bad_request", _chat_of(raw))
        return json_response({"ok": False, "error_code": 400, "description": "Bad Request: can't parse request"}, 400)
    except Exception:  # a bug here must still answer like a server, not drop the connection
        log.exception("%s failed", name)
        return json_response({"ok": False, "error_code": 500, "description": "Internal Server Error"}, 500)
    body: dict[str, Any] = {"ok": True, "result": reply.result}
    if reply.description:
        body["description"] = reply.description
    return json_response(body)


async def download(request: web.Request) -> web.StreamResponse:
    """/file/bot<token>/<file_path>, for files returned by getFile."""
    state = request.app[STATE_KEY]
    if request.match_info["token"] != state.config.token:
        return json_response(UNAUTHORIZED.payload(), UNAUTHORIZED.code)
    stored = state.files.by_path.get(request.match_info["path"])
    if stored is None:
        return json_response(NOT_FOUND.payload(), NOT_FOUND.code)
    return web.Response(body=stored.data, content_type=stored.mime_type)


async def index(request: web.Request) -> web.FileResponse:
    """The chat page."""
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def _webhook_sender(app: web.Application) -> AsyncIterator[None]:
    state = app[STATE_KEY]
    task = asyncio.create_task(
        WebhookSender(state.updates, state.notifier, state.config.webhook_retry_base).run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app(config: Config | None = None) -> web.Application:
    """The whole server as an aiohttp application (in-memory state, nothing persisted)."""
    config = config or Config()
    app = web.Application(client_max_size=MAX_BODY)
    app[STATE_KEY] = State(config)
    app.router.add_route("*", r"/bot{token:[^/]+}/{method:[A-Za-z]+}", bot_api)
    app.router.add_get(r"/file/bot{token:[^/]+}/{path:.+}", download)
    testapi.register(app.router)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC, append_version=False)
    app.cleanup_ctx.append(_webhook_sender)
    return app
