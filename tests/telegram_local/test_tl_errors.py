"""Telegram's error answers, and the ptb exceptions they become."""
from __future__ import annotations

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

CHAT = 710001
TOKEN = "123456:TEST-TOKEN"


def button(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("버튼", callback_data=data)]])


async def test_wrong_token_is_unauthorized(make_bot, client):
    body = client.get("/bot999:WRONG/getMe")
    assert body.status_code == 401
    assert body.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    with pytest.raises(InvalidToken, match="(?i)rejected by the server"):
        async with make_bot("999:WRONG"):
            pass


def test_unknown_method_is_not_found(client):
    body = client.get(f"/bot{TOKEN}/sendSticker")
    assert body.status_code == 404 and body.json()["ok"] is False


@pytest.mark.parametrize(("params", "description"), [
    ({}, "Bad Request: chat_id is empty"),
    ({"chat_id": CHAT}, "Bad Request: message text is empty"),
    ({"chat_id": CHAT, "text": "   "}, "Bad Request: message text is empty"),
    ({"chat_id": 424242, "text": "누구세요"}, "Bad Request: chat not found"),
    ({"chat_id": "@nobody", "text": "누구세요"}, "Bad Request: chat not found"),
    ({"chat_id": CHAT, "text": "<b>열린 태그", "parse_mode": "HTML"},
     'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"'),
    ({"chat_id": CHAT, "text": "<br>", "parse_mode": "HTML"},
     'Bad Request: can\'t parse entities: Unsupported start tag "br"'),
    ({"chat_id": CHAT, "text": "x", "parse_mode": "BBCode"}, "Bad Request: unsupported parse_mode"),
    ({"chat_id": CHAT, "text": "x", "reply_markup": "{not json"}, "Bad Request: can't parse reply_markup JSON object"),
    ({"chat_id": CHAT, "text": "x", "disable_web_page_preview": "true"},
     'Bad Request: parameter "disable_web_page_preview" is not accepted by sendMessage'),
])
def test_send_message_bad_requests(client, resident, params, description):
    resident()
    response = client.post(f"/bot{TOKEN}/sendMessage", data=params)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error_code": 400, "description": description}


@pytest.mark.parametrize(("method", "params", "description"), [
    ("sendPhoto", {"chat_id": CHAT}, "Bad Request: there is no photo in the request"),
    ("sendPhoto", {"chat_id": CHAT, "photo": "nonsense"}, "Bad Request: wrong file identifier/HTTP URL specified"),
    ("sendDocument", {"chat_id": CHAT}, "Bad Request: there is no document in the request"),
    ("sendChatAction", {"chat_id": CHAT, "action": "dancing"}, "Bad Request: wrong parameter action in request"),
    ("editMessageText", {"chat_id": CHAT, "text": "x"}, "Bad Request: message identifier is not specified"),
    ("editMessageText", {"chat_id": CHAT, "message_id": 99, "text": "x"}, "Bad Request: message to edit not found"),
    ("deleteMessage", {"chat_id": CHAT}, "Bad Request: message identifier is not specified"),
    ("answerCallbackQuery", {}, "Bad Request: query_id is empty"),
    ("getFile", {"file_id": "nope"}, "Bad Request: invalid file_id"),
    ("setMyCommands", {"commands": '[{"command": "Start", "description": "x"}]'}, "Bad Request: BOT_COMMAND_INVALID"),
    ("setWebhook", {}, "Bad Request: url is empty"),
    ("getUpdates", {"offset": "abc"}, "Bad Request: invalid offset specified"),
])
def test_other_bad_requests(client, resident, method, params, description):
    resident()
    response = client.post(f"/bot{TOKEN}/{method}", data=params)
    assert response.status_code == 400
    assert response.json()["description"] == description


async def test_text_length_boundary(bot, resident):
    resident()
    assert (await bot.send_message(CHAT, "가" * 4096)).text == "가" * 4096
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(CHAT, "가" * 4097)
    # Entities are parsed first: tags do not count towards the limit.
    assert await bot.send_message(CHAT, "<b>" + "가" * 4096 + "</b>", parse_mode="HTML")


async def test_caption_length_boundary(bot, resident, png):
    resident()
    assert (await bot.send_photo(CHAT, InputFile(png), caption="나" * 1024)).caption == "나" * 1024
    with pytest.raises(BadRequest, match="(?i)message caption is too long"):
        await bot.send_photo(CHAT, InputFile(png), caption="나" * 1025)


async def test_callback_data_byte_boundary(bot, resident):
    resident()
    assert await bot.send_message(CHAT, "64바이트", reply_markup=button("x" * 64))
    # 22 Hangul syllables are 66 bytes in UTF-8, though only 22 characters.
    for data in ("x" * 65, "가" * 22):
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(CHAT, "65바이트", reply_markup=button(data))


async def test_url_button_needs_a_valid_url(bot, resident):
    resident()
    bad = InlineKeyboardMarkup([[InlineKeyboardButton("열기", url="javascript:alert(1)")]])
    with pytest.raises(BadRequest, match="(?i)url .* is invalid"):
        await bot.send_message(CHAT, "링크", reply_markup=bad)


async def test_blocked_user_is_forbidden_and_unblocking_restores(bot, resident, client):
    resident()
    client.post("/test/block", json={"user_id": CHAT, "blocked": True}).raise_for_status()
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(CHAT, "안녕하세요")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(CHAT, "typing")
    raw = client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": CHAT, "text": "x"})
    assert raw.status_code == 403
    assert raw.json() == {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    client.post("/test/block", json={"user_id": CHAT, "blocked": False}).raise_for_status()
    assert await bot.send_message(CHAT, "다시 왔어요")


async def test_bot_cannot_write_first(bot, client):
    client.post("/test/users", json={"user_id": CHAT, "first_name": "김중구"}).raise_for_status()
    with pytest.raises(Forbidden, match="(?i)bot can't initiate conversation with a user"):
        await bot.send_message(CHAT, "먼저 말 걸기")
    client.post("/test/send", json={"user_id": CHAT, "text": "/start"}).raise_for_status()
    assert await bot.send_message(CHAT, "이제 답장할 수 있어요")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # ptb's own retry_after access
async def test_rate_limit_maps_to_retry_after(bot, resident, client):
    resident()
    client.post("/test/config", json={"chat_rate": 0.1, "chat_burst": 2}).raise_for_status()
    await bot.send_message(CHAT, "하나")
    await bot.send_message(CHAT, "둘")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(CHAT, "셋")
    # ptb words it "Flood control exceeded. Retry in 10 seconds": one token at 0.1/s.
    assert "Retry in 10 seconds" in str(caught.value)
    raw = client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": CHAT, "text": "넷"}).json()
    assert raw == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 10",
                   "parameters": {"retry_after": 10}}


async def test_edit_that_changes_nothing_is_refused(bot, resident, client):
    resident()
    sent = await bot.send_message(CHAT, "그대로", reply_markup=button("a"))
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("그대로", chat_id=CHAT, message_id=sent.message_id, reply_markup=button("a"))
    client.post("/test/send", json={"user_id": CHAT, "text": "주민 메시지"})
    with pytest.raises(BadRequest, match="(?i)message can't be edited"):
        await bot.edit_message_text("바꾸기", chat_id=CHAT, message_id=sent.message_id + 1)
    with pytest.raises(BadRequest, match="(?i)there is no caption in the message to edit"):
        await bot.edit_message_caption(CHAT, sent.message_id, caption="설명")


def test_errors_are_counted(client, resident):
    resident()
    client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": CHAT})
    client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": CHAT, "text": "ok"})
    client.post("/test/block", json={"user_id": CHAT, "blocked": True})
    client.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": CHAT, "text": "막힘"})
    counters = client.get("/test/counters").json()
    totals = [counters[k] for k in ("delivered", "bad_request", "forbidden", "rate_limited")]
    assert totals == [1, 1, 1, 0]
    assert counters["chats"][str(CHAT)] == {"delivered": 1, "edited": 0, "rate_limited": 0, "forbidden": 1,
                                            "bad_request": 1}
