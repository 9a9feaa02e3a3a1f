"""Builds the Telegram application: handlers, services, the outbox job."""
from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

from storage.timeutil import KST

from bot import texts
from bot.handlers import register
from bot.notifier import deliver_outbox
from bot.ordering import PerChatUpdateProcessor
from bot.rasa_client import RasaClient
from bot.ratelimit import MessageRateLimiter
from bot.settings import BotSettings
from storage.db import session_scope
from storage.services import residents

log = logging.getLogger(__name__)


async def post_init(app: Application) -> None:
    """Create shared services and register the command menus."""
    settings: BotSettings = app.bot_data["settings"]
    app.bot_data["rasa"] = RasaClient(settings.rasa_url, settings.rasa_timeout)
    await app.bot.set_my_commands([BotCommand(c, d) for c, d in texts.COMMANDS])
    with session_scope() as session:
        staff_ids = residents.staff_chat_ids(session)
    for chat_id in staff_ids:
        try:
            await app.bot.set_my_commands(
                [BotCommand(c, d) for c, d in texts.COMMANDS + texts.STAFF_COMMANDS],
                scope=BotCommandScopeChat(chat_id),
            )
        except TelegramError as exc:
            log.warning("staff command menu for %s not set: %s", chat_id, exc)
    if app.job_queue is not None:
        app.job_queue.run_repeating(deliver_outbox, interval=settings.outbox_interval, first=1.0,
                                    name="outbox")


async def post_shutdown(app: Application) -> None:
    """Close the Rasa client."""
    rasa: RasaClient | None = app.bot_data.get("rasa")
    if rasa is not None:
        await rasa.close()


def build_application(settings: BotSettings) -> Application:
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .defaults(Defaults(tzinfo=KST))
        .concurrent_updates(PerChatUpdateProcessor())
        .rate_limiter(MessageRateLimiter(max_retries=3))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    if settings.base_file_url:
        builder = builder.base_file_url(settings.base_file_url)
    app = builder.build()
    app.bot_data["settings"] = settings
    register(app)
    app.add_error_handler(on_error)
    return app


async def on_error(update: object, context) -> None:  # type: ignore[no-untyped-def]
    """Log the failure and tell the resident nothing was changed."""
    log.error("update failed", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat:
        try:
            await context.bot.send_message(update.effective_chat.id, texts.RASA_EMPTY)
        except TelegramError:
            log.warning("could not tell chat %s about the failure", update.effective_chat.id)


def run(settings: BotSettings | None = None) -> None:
    """Run by long polling, or by webhook when WEBHOOK_URL is set."""
    settings = settings or BotSettings.from_env()
    settings.check()
    app = build_application(settings)
    if settings.webhook_url:
        app.run_webhook(
            listen=settings.webhook_listen, port=settings.webhook_port,
            webhook_url=settings.webhook_url, secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
