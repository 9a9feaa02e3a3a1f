"""python -m telegram_local: run the local Bot API server, chat page and test API."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
from pathlib import Path

from aiohttp import web

from telegram_local.config import (DEFAULT_BOT_USERNAME, DEFAULT_CHAT_BURST, DEFAULT_CHAT_RATE,
                                   DEFAULT_GLOBAL_RATE, Config, Limits)
from telegram_local.demo import Demo, DemoUser
from telegram_local.server import create_app


def parse_args(argv: list[str] | None = None) -> Config:
    """Command line (and LOCAL_TELEGRAM_TOKEN / LOCAL_TELEGRAM_PORT) → Config."""
    defaults = Config()
    parser = argparse.ArgumentParser(prog="python -m telegram_local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=defaults.port)
    parser.add_argument("--token", default=defaults.token)
    parser.add_argument("--bot-username", default=os.environ.get("BOT_USERNAME", DEFAULT_BOT_USERNAME))
    parser.add_argument("--no-limits", action="store_true", help="switch off 429 rate limiting")
    parser.add_argument("--global-rate", type=float, default=DEFAULT_GLOBAL_RATE, help="messages/s per bot")
    parser.add_argument("--chat-rate", type=float, default=DEFAULT_CHAT_RATE, help="messages/s per chat")
    parser.add_argument("--chat-burst", type=int, default=DEFAULT_CHAT_BURST, help="messages a chat may burst")
    parser.add_argument("--demo-user", action="append", default=[], metavar="ROLE:ID:NAME",
                        help="demo mode: a user the chat page opens (ROLE resident, second or staff); repeatable")
    parser.add_argument("--demo-poster", type=Path, help="demo mode: the poster PNG the tour's QR scan uses")
    parser.add_argument("--demo-fact", action="append", default=[], metavar="KEY=VALUE",
                        help="demo mode: a value the tour uses (e.g. near_proposal=2); repeatable")
    args = parser.parse_args(argv)
    try:
        demo = Demo(tuple(DemoUser.parse(text) for text in args.demo_user), args.demo_poster,
                    tuple(Demo.parse_fact(text) for text in args.demo_fact))
    except ValueError as err:
        parser.error(str(err))
    limits = Limits(enabled=not args.no_limits, global_rate=args.global_rate, chat_rate=args.chat_rate,
                    chat_burst=args.chat_burst)
    return Config(token=args.token, host=args.host, port=args.port, bot_username=args.bot_username.lstrip("@"),
                  limits=limits, demo=demo)


async def serve(config: Config) -> None:
    """Serve until cancelled; print one "listening" line when ready."""
    runner = web.AppRunner(create_app(config), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, config.host, config.port).start()
    print(f"telegram_local listening on http://{config.host}:{config.port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    """Entry point of `python -m telegram_local`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(serve(parse_args(argv)))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
