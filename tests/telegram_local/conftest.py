"""Fixtures for telegram_local: one in-process server per session, reset before each test,
ptb's real Bot pointed at it, and HTTP clients for the JSON test API."""
from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import qrcode
from telegram import Bot
from telegram.request import HTTPXRequest

from telegram_local.config import Config, Limits
from telegram_local.testing import run_server

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    with run_server(Config(token=TOKEN, port=0, limits=Limits(), webhook_retry_base=0.2)) as url:
        yield url


@pytest.fixture
def client(server_url: str) -> Iterator[httpx.Client]:
    """Synchronous client; resets the server (all state, limits back to defaults) first."""
    with httpx.Client(base_url=server_url, timeout=30) as http:
        http.post("/test/reset", json={"all": True}).raise_for_status()
        yield http


@pytest.fixture
async def api(server_url: str, client: httpx.Client) -> AsyncIterator[httpx.AsyncClient]:
    """Async client for tests that also run ptb in the event loop."""
    async with httpx.AsyncClient(base_url=server_url, timeout=30) as http:
        yield http


def _make_bot(server_url: str, token: str = TOKEN) -> Bot:
    """ptb's real Bot with base_url and base_file_url pointed at the local server."""
    return Bot(token, base_url=f"{server_url}/bot", base_file_url=f"{server_url}/file/bot",
               request=HTTPXRequest(read_timeout=15), get_updates_request=HTTPXRequest(read_timeout=60))


@pytest.fixture
async def bot(server_url: str, client: httpx.Client) -> AsyncIterator[Bot]:
    async with _make_bot(server_url) as ptb_bot:
        yield ptb_bot


@pytest.fixture
def make_bot(server_url: str):  # type: ignore[no-untyped-def]
    """A ptb Bot for another token (or server)."""
    return lambda token=TOKEN, url=server_url: _make_bot(url, token)


@pytest.fixture
def resident(client: httpx.Client):  # type: ignore[no-untyped-def]
    """Create a resident who has started the bot (so the bot may write to them)."""
    def create(user_id: int = 710001, first_name: str = "김중구", **extra: object) -> dict:
        body = {"user_id": user_id, "first_name": first_name, "started": True, **extra}
        response = client.post("/test/users", json=body)
        response.raise_for_status()
        return response.json()
    return create


@pytest.fixture
def qr_png():  # type: ignore[no-untyped-def]
    """Make a real QR code PNG, as a poster would carry."""
    def make(text: str) -> bytes:
        out = io.BytesIO()
        qrcode.make(text).save(out, format="PNG")
        return out.getvalue()
    return make


@pytest.fixture
def b64():  # type: ignore[no-untyped-def]
    return lambda data: base64.b64encode(data).decode()


@pytest.fixture
def png() -> bytes:
    """A small real PNG photo (400×300), bigger than the 320 px preview size."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 300), (40, 120, 200)).save(out, format="PNG")
    return out.getvalue()
