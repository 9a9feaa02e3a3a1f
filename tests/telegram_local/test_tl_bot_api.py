"""ptb's real Bot round-trips every method the local server implements."""
from __future__ import annotations

import asyncio

import pytest
from telegram import (BotCommand, BotCommandScopeChat, BotCommandScopeDefault, InlineKeyboardButton,
                      InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message, Update)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict

from telegram_local.methods import HANDLERS, METHODS

CHAT = 710001


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows])


def test_every_method_in_the_table_has_a_handler():
    assert set(HANDLERS) == set(METHODS)


async def test_get_me(bot):
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot and me.username == "ontong_junggu_bot"
    assert me.first_name == "온통중구"


async def test_send_message_html_keyboard_and_link_preview(bot, resident, client):
    resident()
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("동의합니다", callback_data="consent:yes")],
                                   [InlineKeyboardButton("온통중구 누리집", url="https://www.junggu.seoul.kr")]])
    sent = await bot.send_message(CHAT, "<b>안녕하세요</b> 😀 <a href='https://x.kr'>링크</a>", parse_mode=ParseMode.HTML,
                                  reply_markup=markup, link_preview_options=LinkPreviewOptions(is_disabled=True))
    assert isinstance(sent, Message)
    assert sent.text == "안녕하세요 😀 링크"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 5), ("text_link", 9, 2)]
    assert sent.reply_markup == markup
    assert sent.link_preview_options.is_disabled
    assert sent.from_user.is_bot and sent.chat.id == CHAT and sent.chat.type == "private"
    (stored,) = client.get("/test/messages", params={"chat_id": CHAT}).json()["messages"]
    assert stored["message_id"] == sent.message_id and stored["text"] == sent.text


async def test_send_message_detects_commands_and_links_like_telegram(bot, resident):
    resident()
    sent = await bot.send_message(CHAT, "  /menu 을 누르거나 https://t.me/ontong_junggu_bot 을 여세요\n")
    assert sent.text == "/menu 을 누르거나 https://t.me/ontong_junggu_bot 을 여세요"  # trimmed, as Telegram does
    assert [(e.type, e.offset) for e in sent.entities] == [("bot_command", 0), ("url", 13)]


async def test_send_photo_upload_and_file_id_reuse(bot, resident, png):
    resident()
    first = await bot.send_photo(CHAT, InputFile(png, filename="poster.png"), caption="행사 포스터")
    assert first.caption == "행사 포스터"
    sizes = first.photo
    assert [(p.width, p.height) for p in sizes] == [(320, 240), (400, 300)]
    again = await bot.send_photo(CHAT, sizes[-1].file_id)
    assert again.photo[-1].file_id == sizes[-1].file_id and again.caption is None
    data = await (await bot.get_file(sizes[-1].file_id)).download_as_bytearray()
    assert bytes(data) == png  # the full size keeps the original bytes (QR codes stay sharp)


async def test_send_document_upload_reuse_and_download(bot, resident):
    resident()
    csv = "이름,포인트\n김중구,500\n".encode()
    sent = await bot.send_document(CHAT, InputFile(csv, filename="payout_2025Q2.csv"), caption="지급 명단")
    doc = sent.document
    assert doc.file_name == "payout_2025Q2.csv" and doc.mime_type == "text/csv" and doc.file_size == len(csv)
    again = await bot.send_document(CHAT, doc.file_id)
    assert again.document.file_unique_id == doc.file_unique_id
    file = await bot.get_file(doc.file_id)
    assert file.file_path.endswith(".csv") and file.file_size == len(csv)
    assert bytes(await file.download_as_bytearray()) == csv


async def test_send_photo_by_url_from_a_reachable_server(bot, resident, server_url, png, b64, client):
    resident()
    user_photo = client.post("/test/photo", json={"user_id": CHAT, "png_base64": b64(png)}).json()
    sent = await bot.send_photo(CHAT, f"{server_url}/test/files/{user_photo['file_id']}")
    assert sent.photo[-1].width == 400


async def test_chat_action_shows_typing_until_the_next_message(bot, resident, client):
    resident()
    assert await bot.send_chat_action(CHAT, ChatAction.TYPING) is True
    changes = client.get("/test/changes", params={"chat_id": CHAT}).json()
    assert changes["chats"][str(CHAT)]["action"] == "typing"
    await bot.send_message(CHAT, "답장")
    changes = client.get("/test/changes", params={"chat_id": CHAT}).json()
    assert changes["chats"][str(CHAT)]["action"] is None


async def test_edit_text_markup_and_caption_in_place(bot, resident, client, png):
    resident()
    sent = await bot.send_message(CHAT, "동의하시겠어요?", reply_markup=keyboard([("예", "c:y"), ("아니요", "c:n")]))
    edited = await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=keyboard([("예", "c:y")]))
    assert edited.reply_markup == keyboard([("예", "c:y")]) and edited.edit_date is not None
    edited = await bot.edit_message_text("👉 예", chat_id=CHAT, message_id=sent.message_id)
    assert edited.text == "👉 예" and edited.reply_markup is None  # no markup given: the keyboard goes
    photo = await bot.send_photo(CHAT, InputFile(png), caption="전")
    captioned = await bot.edit_message_caption(CHAT, photo.message_id, caption="후")
    assert captioned.caption == "후"
    messages = client.get("/test/messages", params={"chat_id": CHAT}).json()["messages"]
    assert [m["message_id"] for m in messages] == [sent.message_id, photo.message_id]
    assert messages[0]["text"] == "👉 예" and "reply_markup" not in messages[0] and messages[0]["edit_date"]


async def test_delete_message(bot, resident, client):
    resident()
    sent = await bot.send_message(CHAT, "곧 지워져요")
    assert await bot.delete_message(CHAT, sent.message_id) is True
    assert client.get("/test/messages", params={"chat_id": CHAT}).json()["messages"] == []
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)


async def test_callback_query_round_trip_and_answer(bot, resident, client):
    resident()
    sent = await bot.send_message(CHAT, "메뉴", reply_markup=keyboard([("포인트", "menu:points")]))
    pressed = client.post("/test/press", json={"user_id": CHAT, "message_id": sent.message_id,
                                               "callback_data": "menu:points"}).json()
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert update.update_id == pressed["update_id"] and query.id == pressed["callback_query_id"]
    assert query.data == "menu:points" and query.message.message_id == sent.message_id
    assert query.from_user.id == CHAT and query.chat_instance
    assert await query.answer("처리 중이에요") is True
    answers = client.get("/test/callback_answers", params={"chat_id": CHAT}).json()["answers"]
    assert answers == [{"callback_query_id": query.id, "message_id": sent.message_id, "data": "menu:points",
                        "text": "처리 중이에요", "show_alert": False}]
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await query.answer("두 번째")


async def test_get_updates_long_polling_with_offset(bot, resident, api):
    resident()
    waiter = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    assert not waiter.done()  # nothing yet: the call waits
    await api.post("/test/send", json={"user_id": CHAT, "text": "안녕하세요"})
    (first,) = await asyncio.wait_for(waiter, 5)
    assert first.message.text == "안녕하세요" and first.message.from_user.first_name == "김중구"
    await api.post("/test/send", json={"user_id": CHAT, "text": "두 번째"})
    again = await bot.get_updates(timeout=0)
    assert [u.message.text for u in again] == ["안녕하세요", "두 번째"]  # not confirmed yet
    after = await bot.get_updates(offset=first.update_id + 1, timeout=0)
    assert [u.message.text for u in after] == ["두 번째"]
    assert await bot.get_updates(offset=after[0].update_id + 1, timeout=0) == ()


async def test_get_updates_limit_and_negative_offset(bot, resident, api):
    resident()
    for text in ("하나", "둘", "셋"):
        await api.post("/test/send", json={"user_id": CHAT, "text": text})
    assert [u.message.text for u in await bot.get_updates(limit=2, timeout=0)] == ["하나", "둘"]
    assert [u.message.text for u in await bot.get_updates(offset=-1, timeout=0)] == ["셋"]
    assert [u.message.text for u in await bot.get_updates(timeout=0)] == ["셋"]


async def test_allowed_updates_filters_new_updates(bot, resident, api):
    resident()
    await bot.get_updates(timeout=0, allowed_updates=[Update.CALLBACK_QUERY])
    await api.post("/test/send", json={"user_id": CHAT, "text": "걸러져요"})
    assert await bot.get_updates(timeout=0) == ()
    await bot.get_updates(timeout=0, allowed_updates=[])
    await api.post("/test/send", json={"user_id": CHAT, "text": "이제 와요"})
    assert [u.message.text for u in await bot.get_updates(timeout=0)] == ["이제 와요"]


async def test_second_get_updates_caller_ends_the_first_with_conflict(bot, make_bot):
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    async with make_bot() as other:
        second = asyncio.create_task(other.get_updates(timeout=1))
        with pytest.raises(Conflict, match="(?i)terminated by other getUpdates request"):
            await asyncio.wait_for(first, 5)
        assert await second == ()


async def test_commands_by_scope_staff_gets_own_menu(bot, resident, client):
    resident(900001, "중구청 직원")
    resident(710001, "김중구")
    base = [BotCommand("start", "시작하기"), BotCommand("menu", "메뉴")]
    staff = base + [BotCommand("event_new", "행사 만들기")]
    assert await bot.set_my_commands(base) is True
    assert await bot.set_my_commands(staff, scope=BotCommandScopeChat(900001)) is True
    assert await bot.get_my_commands() == tuple(base)
    assert await bot.get_my_commands(scope=BotCommandScopeChat(900001)) == tuple(staff)
    assert await bot.get_my_commands(language_code="ko") == ()  # exact scope and language only
    staff_menu = client.get("/test/commands", params={"chat_id": 900001}).json()
    resident_menu = client.get("/test/commands", params={"chat_id": 710001}).json()
    assert staff_menu["scope"] == "chat:900001" and len(staff_menu["commands"]) == 3
    assert resident_menu == {"scope": "default", "commands": [c.to_dict() for c in base]}
    assert await bot.delete_my_commands(scope=BotCommandScopeChat(900001)) is True
    assert client.get("/test/commands", params={"chat_id": 900001}).json()["scope"] == "default"
    assert await bot.delete_my_commands(scope=BotCommandScopeDefault()) is True
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.set_my_commands(base, scope=BotCommandScopeChat(424242))


async def test_webhook_info_and_conflict_with_get_updates(bot):
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0
    assert await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="s3cret_-", max_connections=5) is True
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook" and info.max_connections == 5
    with pytest.raises(Conflict, match="(?i)webhook is active"):
        await bot.get_updates(timeout=0)
    with pytest.raises(BadRequest, match="(?i)secret token"):
        await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="nö")
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert (await bot.get_webhook_info()).url == ""


async def test_method_names_are_case_insensitive_and_get_works(client):
    body = client.get("/bot123456:TEST-TOKEN/GETME").json()
    assert body["ok"] and body["result"]["username"] == "ontong_junggu_bot"


async def test_json_body_is_accepted(client, resident):
    resident()
    body = client.post("/bot123456:TEST-TOKEN/sendMessage",
                       json={"chat_id": CHAT, "text": "JSON 본문",
                             "reply_markup": {"inline_keyboard": [[{"text": "가", "callback_data": "a"}]]}}).json()
    assert body["ok"] and body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
