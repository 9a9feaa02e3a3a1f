"""The bot's conversation plumbing: forwarding, rendering, failures, ordering."""
from __future__ import annotations

import asyncio
import base64
import io
import json

import qrcode

from bot import texts
from storage.db import session_scope
from storage.models import OutboxMessage, OutboxStatus
from storage.services import outbox, residents
from tests.bot.conftest import read, say


async def test_text_goes_to_rasa_with_telegram_ids_and_buttons_render(running_bot, tg):
    running_bot.replies["안녕하세요"] = [
        {"text": "안녕하세요!"},
        {"text": "메뉴", "buttons": [{"title": "💰 포인트", "payload": "/points_balance"},
                                     {"title": "교환", "payload": '/exchange_request{"amount":"5000"}'}]},
    ]
    greeting, menu = await say(tg, 3001, "안녕하세요", replies=2)
    sent = running_bot.received[-1]
    assert sent["sender"] == "3001" and sent["message"] == "안녕하세요"
    assert sent["metadata"]["telegram_user_id"] == 3001 and sent["metadata"]["first_name"] == "주민"
    assert greeting["text"] == "안녕하세요!"
    data = [b["callback_data"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert data == ["r|points_balance", "r|exchange_request|amount=5000"]

    await tg.post("/test/press", json={"user_id": 3001, "message_id": menu["message_id"],
                                       "callback_data": data[1]})
    (reply,) = await read(tg, 3001, 1, after=menu["message_id"])
    assert running_bot.received[-1]["message"] == '/exchange_request{"amount":"5000"}'
    assert reply["text"].startswith("받음:")
    messages = (await tg.get("/test/messages", params={"chat_id": 3001, "after": 0})).json()["messages"]
    edited = next(m for m in messages if m["message_id"] == menu["message_id"])
    assert edited["text"].endswith("👉 교환") and not edited.get("reply_markup")


async def test_empty_reply_and_errors_are_told_to_the_resident(running_bot, tg):
    running_bot.replies["빈"] = []
    running_bot.replies["오류"] = 500
    (empty,) = await say(tg, 3002, "빈")
    assert empty["text"] == texts.RASA_EMPTY
    (error,) = await say(tg, 3002, "오류", after=empty["message_id"])
    assert error["text"] == texts.RASA_DOWN


async def test_rasa_down_is_told_to_the_resident(telegram_url, bot_db, tg):
    from bot.app import build_application, post_init
    from bot.settings import BotSettings
    from telegram_local.testing import free_port
    from tests.bot.conftest import TOKEN

    settings = BotSettings(token=TOKEN, base_url=f"{telegram_url}/bot",
                           base_file_url=f"{telegram_url}/file/bot",
                           rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=2,
                           webhook_url=None, webhook_listen="127.0.0.1", webhook_port=0,
                           webhook_secret=None, outbox_interval=5)
    await tg.post("/test/reset", json={"all": True})
    app = build_application(settings)
    async with app:
        await post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        (reply,) = await say(tg, 3003, "안녕")
        await app.updater.stop()
        await app.stop()
    assert reply["text"] == texts.RASA_DOWN


async def test_deep_link_becomes_a_checkin_payload(running_bot, tg):
    await tg.post("/test/users", json={"user_id": 3004, "first_name": "주민"})
    await tg.post("/test/scan", json={"user_id": 3004,
                                      "link": "https://t.me/ontong_junggu_bot?start=eAbC_12-x"})
    await read(tg, 3004, 1)
    assert running_bot.received[-1]["message"] == '/qr_checkin{"qr_payload":"eAbC_12-x"}'
    await tg.post("/test/send", json={"user_id": 3004, "text": "/start"})
    await asyncio.sleep(0.5)
    assert running_bot.received[-1]["message"] == "/start"


async def test_scanning_a_png_poster_delivers_the_same_payload(running_bot, tg):
    image = qrcode.make("https://t.me/ontong_junggu_bot?start=ePosterCode9")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    await tg.post("/test/users", json={"user_id": 3005, "first_name": "주민"})
    await tg.post("/test/scan", json={"user_id": 3005,
                                      "png_base64": base64.b64encode(buffer.getvalue()).decode()})
    await read(tg, 3005, 1)
    assert running_bot.received[-1]["message"] == '/qr_checkin{"qr_payload":"ePosterCode9"}'


async def test_photo_is_forwarded_by_file_id(running_bot, tg):
    image = qrcode.make("사진")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    await tg.post("/test/users", json={"user_id": 3006, "first_name": "주민"})
    await tg.post("/test/photo", json={"user_id": 3006, "caption": "가로등 \"고장\"",
                                       "png_base64": base64.b64encode(buffer.getvalue()).decode()})
    await read(tg, 3006, 1)
    message = running_bot.received[-1]["message"]
    assert message.startswith("/photo_sent{")
    entities = json.loads(message.removeprefix("/photo_sent"))
    assert entities["photo_caption"] == '가로등 "고장"' and entities["photo_file_id"]


async def test_one_chat_stays_in_order_while_others_run(running_bot, tg):
    running_bot.delays["느린 첫 메시지"] = 1.0
    await tg.post("/test/users", json={"user_id": 3007, "first_name": "가"})
    await tg.post("/test/users", json={"user_id": 3008, "first_name": "나"})
    await tg.post("/test/send", json={"user_id": 3007, "text": "느린 첫 메시지"})
    await tg.post("/test/send", json={"user_id": 3007, "text": "두 번째"})
    await tg.post("/test/send", json={"user_id": 3008, "text": "다른 주민"})
    (other,) = await read(tg, 3008, 1)
    first, second = await read(tg, 3007, 2)
    assert [first["text"], second["text"]] == ["받음: 느린 첫 메시지", "받음: 두 번째"]
    # The other resident was not held up behind the slow one.
    assert other["date"] <= second["date"]
    order = [r["message"] for r in running_bot.received]
    assert order.index("다른 주민") < order.index("두 번째")


async def test_outbox_notices_are_delivered_once_and_blocks_recorded(running_bot, tg, bot_db):
    await tg.post("/test/users", json={"user_id": 3009, "first_name": "가", "started": True})
    await tg.post("/test/users", json={"user_id": 3010, "first_name": "나", "started": True})
    await tg.post("/test/block", json={"user_id": 3010, "blocked": True})
    with session_scope(bot_db) as s:
        a, _ = residents.register(s, 3009, "가")
        b, _ = residents.register(s, 3010, "나")
        outbox.notify_resident(s, a, "payout:a", "points_payout_paid", quarter="2026년 3분기", amount=5000)
        outbox.notify_resident(s, b, "payout:b", "points_payout_paid", quarter="2026년 3분기", amount=5000)
    (notice,) = await read(tg, 3009, 1)
    assert "5,000원이 지급되었어요" in notice["text"]
    for _ in range(50):
        with session_scope(bot_db) as s:
            statuses = {m.dedup_key: m.status for m in s.query(OutboxMessage)}
        if statuses.get("payout:b") == OutboxStatus.blocked:
            break
        await asyncio.sleep(0.1)
    assert statuses == {"payout:a": OutboxStatus.sent, "payout:b": OutboxStatus.blocked}
    with session_scope(bot_db) as s:
        assert residents.find(s, 3010).reachable is False


async def test_staff_commands_refuse_residents_without_detail(running_bot, tg):
    (reply,) = await say(tg, 3011, "/payout_close")
    # The staff gate: a resident gets what an unknown command gets (Rasa's answer).
    assert reply["text"] == f"받음: {running_bot.received[-1]['message']}"
    assert reply["text"] != texts.NOT_ALLOWED
