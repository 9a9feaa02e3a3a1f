"""The bot answers private chats only: a message, a command or a button press from a group
never reaches Rasa, a staff command or a reply."""
from __future__ import annotations

import time

import pytest
from telegram import Update

from bot.app import build_application, post_init, post_shutdown
from bot.settings import BotSettings
from storage.db import session_scope
from storage.models import Role
from storage.services import residents
from tests.bot.conftest import TOKEN

USER = 5401


def _message(chat: dict, text: str, update_id: int) -> dict:
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": chat, "text": text, "entities": entities,
        "from": {"id": USER, "is_bot": False, "first_name": "주민"}}}


GROUP = {"id": -100123, "type": "supergroup", "title": "중구 주민 모임"}
PRIVATE = {"id": USER, "type": "private", "first_name": "주민"}


@pytest.fixture
async def app(telegram_url, rasa, bot_db):  # type: ignore[no-untyped-def]
    script, rasa_url = rasa
    settings = BotSettings(
        token=TOKEN, base_url=f"{telegram_url}/bot", base_file_url=f"{telegram_url}/file/bot",
        rasa_url=rasa_url, rasa_timeout=5, webhook_url=None, webhook_listen="127.0.0.1",
        webhook_port=0, webhook_secret=None, outbox_interval=60,
    )
    application = build_application(settings)
    async with application:
        await post_init(application)
        yield application, script
        await post_shutdown(application)


@pytest.mark.parametrize("text", ["안녕하세요", "/start", "/menu", "/event_new a | b | c | d"])
async def test_group_updates_are_ignored(app, bot_db, text) -> None:  # type: ignore[no-untyped-def]
    application, script = app
    with session_scope(bot_db) as s:
        member, _ = residents.register(s, USER, "직원")
        member.role = Role.staff
    await application.process_update(Update.de_json(_message(GROUP, text, 1), application.bot))
    assert script.received == []


async def test_group_button_presses_are_ignored(app) -> None:  # type: ignore[no-untyped-def]
    application, script = app
    update = {"update_id": 3, "callback_query": {
        "id": "cb1", "chat_instance": "x", "data": "r|menu",
        "from": {"id": USER, "is_bot": False, "first_name": "주민"},
        "message": {"message_id": 9, "date": int(time.time()), "chat": GROUP, "text": "메뉴"}}}
    await application.process_update(Update.de_json(update, application.bot))
    assert script.received == []


async def test_private_messages_still_reach_rasa(app, tg) -> None:  # type: ignore[no-untyped-def]
    application, script = app
    await tg.post("/test/users", json={"user_id": USER, "first_name": "주민", "started": True})
    await application.process_update(Update.de_json(_message(PRIVATE, "안녕하세요", 2), application.bot))
    assert [r["message"] for r in script.received] == ["안녕하세요"]
