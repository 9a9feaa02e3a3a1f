"""Bot tests: the real ptb application against the real local Telegram server and a
real database. Only Rasa is replaced — by a small scripted HTTP server speaking its
REST channel — because loading a model takes half a minute; the e2e tests use Rasa itself."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.app import build_application, post_init, post_shutdown
from bot.settings import BotSettings
from telegram_local.config import Config, Limits
from telegram_local.testing import free_port, run_server

TOKEN = "123456:BOT-TEST-TOKEN"


@dataclass
class ScriptedRasa:
    """Answers /webhooks/rest/webhook from a script: text → replies | "500" | delay."""

    replies: dict[str, Any] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        await asyncio.sleep(self.delays.get(body["message"], 0))
        answer = self.replies.get(body["message"], [{"text": f"받음: {body['message']}"}])
        if answer == 500:
            return web.Response(status=500, text="boom")
        return web.json_response(answer)


@pytest.fixture(scope="session")
def telegram_url() -> Iterator[str]:
    with run_server(Config(token=TOKEN, port=0, limits=Limits(chat_burst=20))) as url:
        yield url


@pytest.fixture
async def rasa() -> AsyncIterator[tuple[ScriptedRasa, str]]:
    script = ScriptedRasa()
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", script.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield script, f"http://127.0.0.1:{port}"
    await runner.cleanup()


@pytest.fixture
def bot_db(_migrated_urls, monkeypatch):  # type: ignore[no-untyped-def]
    """The bot's default engine on the migrated SQLite test database, emptied."""
    from storage.db import make_engine
    from tests.conftest import _truncate

    url = _migrated_urls["sqlite"]
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    _truncate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
async def running_bot(telegram_url, rasa, bot_db):  # type: ignore[no-untyped-def]
    """The real application, polling the local server, talking to the scripted Rasa."""
    script, rasa_url = rasa
    settings = BotSettings(
        token=TOKEN, base_url=f"{telegram_url}/bot", base_file_url=f"{telegram_url}/file/bot",
        rasa_url=rasa_url, rasa_timeout=5, webhook_url=None, webhook_listen="127.0.0.1",
        webhook_port=0, webhook_secret=None, outbox_interval=0.2,
    )
    httpx.post(f"{telegram_url}/test/reset", json={"all": True}).raise_for_status()
    app = build_application(settings)
    async with app:
        await post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield script
        await app.updater.stop()
        await app.stop()
        await post_shutdown(app)


@pytest.fixture
async def tg(telegram_url) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=telegram_url, timeout=30) as http:
        yield http


async def say(tg: httpx.AsyncClient, user_id: int, text: str, replies: int = 1,
              after: int = 0) -> list[dict[str, Any]]:
    """Send as a resident and wait for the bot's replies."""
    await tg.post("/test/users", json={"user_id": user_id, "first_name": "주민"})
    await tg.post("/test/send", json={"user_id": user_id, "text": text})
    return await read(tg, user_id, replies, after)


async def read(tg: httpx.AsyncClient, user_id: int, count: int, after: int = 0) -> list[dict[str, Any]]:
    response = await tg.get("/test/messages", params={"chat_id": user_id, "after": after,
                                                      "wait": 10, "min": count})
    return response.json()["messages"]
