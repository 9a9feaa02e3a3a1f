"""The staff compose flow in the chat, driven through the local Telegram server."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot import texts
from bot.handlers import announce
from bot.notifier import report_progress
from storage.db import session_scope
from storage.models import Announcement, AnnouncementStatus, OutboxMessage, Role
from storage.notify_rules import resident_text
from storage.services import residents
from tests.broadcast.conftest import TOKEN, LocalTelegram, populate, run_engine

STAFF = 700


class Chat:
    """One user's side of a private chat on the local server."""

    def __init__(self, telegram: LocalTelegram, user_id: int) -> None:
        self.http = httpx.AsyncClient(base_url=telegram.url, timeout=30)
        self.user_id = user_id
        self.last = 0

    async def send(self, text: str) -> None:
        (await self.http.post("/test/send", json={"user_id": self.user_id, "text": text})).raise_for_status()

    async def press(self, message: dict, callback_data: str) -> None:
        (await self.http.post("/test/press", json={"user_id": self.user_id, "message_id": message["message_id"],
                                                   "callback_data": callback_data})).raise_for_status()

    async def replies(self, count: int = 1) -> list[dict]:
        """The bot's next ``count`` messages (waits for them)."""
        r = await self.http.get("/test/messages", params={"chat_id": self.user_id, "after": self.last,
                                                          "wait": 20, "min": count})
        found = r.raise_for_status().json()["messages"]
        assert len(found) >= count, found
        self.last = found[-1]["message_id"]
        return found

    async def message(self, message_id: int) -> dict:
        r = await self.http.get("/test/messages", params={"chat_id": self.user_id, "after": message_id - 1})
        return r.raise_for_status().json()["messages"][0]


def _button(message: dict, prefix: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            if button.get("callback_data", "").startswith(prefix):
                return button["callback_data"]
    raise AssertionError(f"no {prefix} button in {message}")


@pytest.fixture
async def bot_app(engine, telegram, monkeypatch) -> AsyncIterator[Application]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    # As bot.app builds it: AIORateLimiter retries the odd per-chat 429.
    app = (ApplicationBuilder().token(TOKEN).base_url(f"{telegram.url}/bot")
           .base_file_url(f"{telegram.url}/file/bot").rate_limiter(AIORateLimiter(max_retries=3)).build())
    for handler in announce.build_handlers():
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    yield app
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


async def test_compose_schedule_list_and_cancel(engine, telegram, bot_app) -> None:  # type: ignore[no-untyped-def]
    populate(engine, telegram, 3)
    with session_scope(engine) as s:
        residents.register(s, STAFF, "담당자")[0].role = Role.staff
    telegram.user(STAFF)
    chat = Chat(telegram, STAFF)

    await chat.send("/announce")
    assert "공지 내용을 보내 주세요" in (await chat.replies())[0]["text"]
    await chat.send("중구 걷기대회에 함께해요!")
    (ask_photo,) = await chat.replies()
    await chat.press(ask_photo, "s|ann|skip|photo")
    (ask_link,) = await chat.replies()
    await chat.send("신청하기 | https://www.junggu.seoul.kr/walk")
    (ask_target,) = await chat.replies()
    await chat.press(ask_target, "s|ann|t|events")
    preview, controls = await chat.replies(2)
    assert preview["text"] == resident_text("중구 걷기대회에 함께해요!", urgent=False)
    assert preview["reply_markup"]["inline_keyboard"][0][0] == {"text": "신청하기",
                                                               "url": "https://www.junggu.seoul.kr/walk"}
    assert "행사·포인트 구독자 (3명)" in controls["text"]

    await chat.press(controls, _button(controls, "s|ann|urg|"))
    urgent_preview, controls = await chat.replies(2)
    assert urgent_preview["text"] == "중구 걷기대회에 함께해요!"           # urgent: no opt-out line
    assert "담당자" in controls["text"]
    with session_scope(engine) as s:
        a = s.scalar(select(Announcement))
        assert a.urgent and a.urgent_by_resident_id == residents.find(s, STAFF).id

    await chat.press(controls, _button(controls, "s|ann|sched|"))
    await chat.replies()
    await chat.send("내일 아침")
    assert (await chat.replies())[0]["text"] == texts.ANNOUNCE_WHEN_FORMAT
    await chat.send("2030-01-02 09:00")
    assert "2030. 1. 2. (수) 09:00" in (await chat.replies())[0]["text"]
    with session_scope(engine) as s:
        assert s.scalar(select(Announcement)).status == AnnouncementStatus.scheduled

    await chat.send("/announcements")
    (listing,) = await chat.replies()
    assert f"#{a.id}" in listing["text"]
    await chat.press(listing, f"s|ann|drop|{a.id}")
    assert "취소했어요" in (await chat.replies())[0]["text"]
    with session_scope(engine) as s:
        assert s.scalar(select(Announcement)).status == AnnouncementStatus.cancelled


async def test_send_now_shows_progress_in_place(engine, telegram, bot_app) -> None:  # type: ignore[no-untyped-def]
    people = populate(engine, telegram, 4)
    with session_scope(engine) as s:
        residents.register(s, STAFF, "담당자")[0].role = Role.staff
    telegram.user(STAFF)
    chat = Chat(telegram, STAFF)
    await chat.send("/announce")
    await chat.replies()
    await chat.send("폭염 대비 무더위 쉼터 안내")
    await chat.press((await chat.replies())[0], "s|ann|skip|photo")
    await chat.press((await chat.replies())[0], "s|ann|skip|link")
    await chat.press((await chat.replies())[0], "s|ann|t|all")
    _, controls = await chat.replies(2)
    await chat.press(controls, _button(controls, "s|ann|urg|"))
    _, controls = await chat.replies(2)
    await chat.press(controls, _button(controls, "s|ann|now|"))
    for _ in range(100):
        with session_scope(engine) as s:
            if len(s.scalars(select(OutboxMessage)).all()) == len(people):
                break
        await asyncio.sleep(0.05)
    edited = await chat.message(controls["message_id"])
    assert edited["text"] == texts.ANNOUNCE_STARTED.format(id=_id(engine), total=4)

    await asyncio.to_thread(run_engine, engine, telegram)      # urgent: quiet hours do not apply
    await report_progress(bot_app.bot, {})
    final = await chat.replies()
    assert "발송을 마쳤어요" in final[-1]["text"] and "전송 4" in final[-1]["text"]
    assert (await chat.message(controls["message_id"]))["text"] == final[-1]["text"]
    with session_scope(engine) as s:
        assert s.scalar(select(Announcement)).status == AnnouncementStatus.done


def _id(engine) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return s.scalar(select(Announcement.id))


async def test_residents_cannot_announce(engine, telegram, bot_app) -> None:  # type: ignore[no-untyped-def]
    populate(engine, telegram, 1, start=801)
    chat = Chat(telegram, 801)
    # The staff gate lets the update fall through to the resident handlers (none
    # are registered here): no usage text, no refusal, no compose conversation.
    for command in ("/announce", "/announcements"):
        await chat.send(command)
        r = await chat.http.get("/test/messages", params={"chat_id": 801, "after": chat.last,
                                                          "wait": 1, "min": 1})
        assert r.json()["messages"] == []
    assert not bot_app.user_data.get(801)
