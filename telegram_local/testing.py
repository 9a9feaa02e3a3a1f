"""Run the server in a background thread, for tests and in-process harnesses."""
from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiohttp import web

from telegram_local.config import Config
from telegram_local.server import create_app


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextmanager
def run_server(config: Config | None = None) -> Iterator[str]:
    """Start the server on a free port (unless config.port is set); yield its base URL."""
    config = config or Config(port=0)
    if not config.port:
        config.port = free_port(config.host)
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()
    failure: list[BaseException] = []

    async def serve() -> None:
        runner = web.AppRunner(create_app(config), access_log=None, shutdown_timeout=1)
        try:
            await runner.setup()
            await web.TCPSite(runner, config.host, config.port).start()
        except BaseException as exc:  # report start-up failures to the caller's thread
            failure.append(exc)
            ready.set()
            raise
        ready.set()
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(serve())
        finally:
            # Long polls still waiting (getUpdates, the chat page) end with the server.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())

    thread = threading.Thread(target=run, name="telegram_local", daemon=True)
    thread.start()
    ready.wait(30)
    if failure:
        thread.join(5)
        raise RuntimeError("telegram_local did not start") from failure[0]
    try:
        yield f"http://{config.host}:{config.port}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()
