"""Fixtures for the sender and scheduler: the local Telegram server in-process, a client for its test API."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
import pytest

from bot.settings import BotSettings
from telegram_local.config import Config
from telegram_local.testing import run_server

TOKEN = "123456:BROADCAST-TEST-TOKEN"


class LocalTelegram:
    """The server's JSON test API (act as residents, read what the bot sent)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)

    def _post(self, path: str, **body: object) -> dict:
        response = self.http.post(f"/test/{path}", json=body)
        response.raise_for_status()
        return response.json()

    def user(self, user_id: int, first_name: str = "주민") -> None:
        self._post("users", user_id=user_id, first_name=first_name, started=True)

    def block(self, user_id: int, blocked: bool = True) -> None:
        self._post("block", user_id=user_id, blocked=blocked)

    def configure(self, **limits: object) -> dict:
        return self._post("config", **limits)

    def reset(self) -> None:
        self._post("reset")

    def counters(self) -> dict:
        return self.http.get("/test/counters").raise_for_status().json()

    def messages(self, chat_id: int) -> list[dict]:
        return self.http.get("/test/messages", params={"chat_id": chat_id}).raise_for_status().json()["messages"]

    def settings(self) -> BotSettings:
        """Bot settings pointing at this server."""
        return dataclasses.replace(BotSettings.from_env(), token=TOKEN, base_url=f"{self.url}/bot",
                                   base_file_url=f"{self.url}/file/bot")


@pytest.fixture(scope="session")
def _telegram_url() -> Iterator[str]:
    with run_server(Config(port=0, token=TOKEN)) as url:
        yield url


@pytest.fixture
def telegram(_telegram_url: str) -> Iterator[LocalTelegram]:
    """The local server, emptied and with Telegram's default limits for each test."""
    client = LocalTelegram(_telegram_url)
    client.reset()
    yield client
    client.http.close()


def populate(db, telegram: LocalTelegram | None, count: int, start: int = 5000,  # type: ignore[no-untyped-def]
             topics=None) -> list[tuple[int, int]]:
    """Register ``count`` residents (subscribed by default) and, if given, their chats on the server."""
    from storage.db import session_scope
    from storage.services import residents, subscriptions

    made = []
    with session_scope(db) as session:
        for n in range(count):
            resident, _ = residents.register(session, start + n, f"주민{n}")
            session.flush()
            subscriptions.set_defaults(session, resident.id, topics)
            made.append((resident.id, start + n))
    if telegram is not None:
        for _rid, chat_id in made:
            telegram.user(chat_id)
    return made


def run_engine(db, telegram: LocalTelegram, **kwargs):  # type: ignore[no-untyped-def]
    """Run one BroadcastEngine until nothing is due; returns its stats."""
    import asyncio

    from bot.broadcast import BroadcastEngine, make_bot

    async def go():  # type: ignore[no-untyped-def]
        bot = make_bot(telegram.settings())
        await bot.initialize()
        try:
            return await BroadcastEngine(db, bot, **kwargs).run(until_idle=True)
        finally:
            await bot.shutdown()

    return asyncio.run(go())


def delivered_per_chat(telegram: LocalTelegram) -> dict[int, int]:
    return {int(chat): c["delivered"] for chat, c in telegram.counters()["chats"].items()}


def daytime_clock(start: str = "2026-11-24 12:00"):  # type: ignore[no-untyped-def]
    """A clock that starts at a KST daytime instant and runs at real speed (429 waits still pass)."""
    import time

    from storage.timeutil import parse_kst

    origin, t0 = parse_kst(start), time.monotonic()
    from datetime import timedelta

    return lambda: origin + timedelta(seconds=time.monotonic() - t0)
