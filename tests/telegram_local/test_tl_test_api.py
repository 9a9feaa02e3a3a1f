"""The JSON test API that pytest, the e2e harness, benchmarks and the chat page act through."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest
from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup

CHAT = 710001
TOKEN = "123456:TEST-TOKEN"


def send_bot(client, text: str, **extra):  # type: ignore[no-untyped-def]
    response = client.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": CHAT, "text": text, **extra})
    assert response.status_code == 200, response.text
    return response.json()["result"]


def test_users_creates_and_renames(client):
    user = client.post("/test/users", json={"user_id": CHAT, "first_name": "김중구", "last_name": None}).json()
    assert user == {"id": CHAT, "is_bot": False, "first_name": "김중구", "language_code": "ko"}
    renamed = client.post("/test/users", json={"user_id": CHAT, "first_name": "중구", "last_name": "김",
                                               "username": "kim_junggu"}).json()
    assert renamed["last_name"] == "김" and renamed["username"] == "kim_junggu"
    bad = client.post("/test/users", json={"user_id": "abc", "first_name": "x"})
    assert bad.status_code == 400 and bad.json()["ok"] is False and "숫자" in bad.json()["description"]


def test_send_returns_ids_and_carries_a_command_entity(client, resident):
    resident()
    first = client.post("/test/send", json={"user_id": CHAT, "text": "/start ev_12-abc"}).json()
    second = client.post("/test/send", json={"user_id": CHAT, "text": "안녕하세요"}).json()
    assert second["update_id"] == first["update_id"] + 1 and second["message_id"] == first["message_id"] + 1
    updates = client.get(f"/bot{TOKEN}/getUpdates").json()["result"]
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert "entities" not in updates[1]["message"]


def test_send_to_unknown_user_is_404_in_korean(client):
    response = client.post("/test/send", json={"user_id": 5, "text": "안녕"})
    assert response.status_code == 404 and "POST /test/users" in response.json()["description"]


def test_press_refuses_buttons_not_on_the_message_unless_forced(client, resident):
    resident()
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("예", callback_data="c:y")]]).to_dict()
    message = send_bot(client, "동의?", reply_markup=markup)
    wrong = client.post("/test/press", json={"user_id": CHAT, "message_id": message["message_id"],
                                             "callback_data": "c:n"})
    assert wrong.status_code == 400 and "버튼" in wrong.json()["description"]
    forced = client.post("/test/press", json={"user_id": CHAT, "message_id": message["message_id"],
                                              "callback_data": "c:n", "force": True})
    assert forced.status_code == 200 and set(forced.json()) == {"update_id", "callback_query_id"}
    missing = client.post("/test/press", json={"user_id": CHAT, "message_id": 999, "callback_data": "c:y"})
    assert missing.status_code == 400


def test_messages_long_poll_waits_for_min_messages(client, resident):
    resident()
    seen = send_bot(client, "처음")["message_id"]

    def reply_later() -> None:
        time.sleep(0.3)
        send_bot(client, "둘")
        time.sleep(0.2)
        send_bot(client, "셋")

    thread = threading.Thread(target=reply_later)
    thread.start()
    body = client.get("/test/messages", params={"chat_id": CHAT, "after": seen, "wait": 10, "min": 2}).json()
    thread.join()
    assert [m["text"] for m in body["messages"]] == ["둘", "셋"]
    assert client.get("/test/messages", params={"chat_id": CHAT, "after": 0}).json()["messages"][0]["text"] == "처음"


def test_messages_wait_returns_what_there_is_after_the_timeout(client, resident):
    resident()
    body = client.get("/test/messages", params={"chat_id": CHAT, "after": 0, "wait": 0.3, "min": 1}).json()
    assert body == {"messages": []}


def test_block_queues_my_chat_member_updates(client, resident):
    resident()
    blocked = client.post("/test/block", json={"user_id": CHAT, "blocked": True}).json()
    assert blocked == {"user_id": CHAT, "blocked": True}
    client.post("/test/block", json={"user_id": CHAT, "blocked": True})  # no change, no update
    client.post("/test/block", json={"user_id": CHAT, "blocked": False})
    updates = client.get(f"/bot{TOKEN}/getUpdates").json()["result"]
    statuses = [(u["my_chat_member"]["old_chat_member"]["status"], u["my_chat_member"]["new_chat_member"]["status"])
                for u in updates]
    assert statuses == [("member", "kicked"), ("kicked", "member")]


def test_blocked_user_cannot_send(client, resident):
    resident()
    client.post("/test/block", json={"user_id": CHAT, "blocked": True})
    response = client.post("/test/send", json={"user_id": CHAT, "text": "안녕"})
    assert response.status_code == 400 and "차단" in response.json()["description"]


def test_user_photo_and_document_reach_the_bot_and_can_be_downloaded(client, resident, png, b64):
    resident()
    photo = client.post("/test/photo", json={"user_id": CHAT, "png_base64": b64(png), "caption": "민원 사진"}).json()
    csv = "user_id,hours\n710001,120\n".encode()
    doc = client.post("/test/document", json={"user_id": CHAT, "filename": "volunteers.csv",
                                              "content_base64": b64(csv), "caption": "봉사 시간"}).json()
    updates = client.get(f"/bot{TOKEN}/getUpdates").json()["result"]
    message = updates[0]["message"]
    assert message["caption"] == "민원 사진" and message["photo"][-1]["file_id"] == photo["file_id"]
    document = updates[1]["message"]["document"]
    assert document["file_name"] == "volunteers.csv" and document["mime_type"] == "text/csv"
    info = client.get(f"/bot{TOKEN}/getFile", params={"file_id": doc["file_id"]}).json()["result"]
    assert client.get(f"/file/bot{TOKEN}/{info['file_path']}").content == csv
    assert client.get(f"/file/botWRONG/{info['file_path']}").status_code == 401
    assert client.get(f"/file/bot{TOKEN}/documents/nothing.csv").status_code == 404
    assert client.get(f"/test/files/{photo['file_id']}").content == png


def test_bad_uploads_are_refused(client, resident, b64):
    resident()
    assert client.post("/test/photo", json={"user_id": CHAT, "png_base64": "***"}).status_code == 400
    not_an_image = client.post("/test/photo", json={"user_id": CHAT, "png_base64": b64(b"hello")})
    assert not_an_image.status_code == 400
    no_name = client.post("/test/document", json={"user_id": CHAT, "content_base64": b64(b"x")})
    assert no_name.status_code == 400 and "filename" in no_name.json()["description"]


def test_callback_answers_and_counters_shape(client, resident):
    resident()
    markup = {"inline_keyboard": [[{"text": "포인트", "callback_data": "menu:points"}]]}
    message = send_bot(client, "메뉴", reply_markup=markup)
    pressed = client.post("/test/press", json={"user_id": CHAT, "message_id": message["message_id"],
                                               "callback_data": "menu:points"}).json()
    client.post(f"/bot{TOKEN}/answerCallbackQuery",
                json={"callback_query_id": pressed["callback_query_id"], "text": "잔액 0 P", "show_alert": True})
    answers = client.get("/test/callback_answers", params={"chat_id": CHAT}).json()["answers"]
    assert answers == [{"callback_query_id": pressed["callback_query_id"], "message_id": message["message_id"],
                        "data": "menu:points", "text": "잔액 0 P", "show_alert": True}]
    counters = client.get("/test/counters").json()
    assert set(counters) == {"delivered", "edited", "rate_limited", "forbidden", "bad_request", "chats"}


def test_reset_keeps_the_bot_menu_and_update_ids_grow(client, resident):
    resident()
    client.post(f"/bot{TOKEN}/setMyCommands", json={"commands": [BotCommand("start", "시작").to_dict()]})
    before = client.post("/test/send", json={"user_id": CHAT, "text": "a"}).json()["update_id"]
    client.post("/test/reset", json={})
    assert client.get(f"/bot{TOKEN}/getMyCommands").json()["result"] == [{"command": "start", "description": "시작"}]
    assert client.get("/test/counters").json()["delivered"] == 0
    resident()
    after = client.post("/test/send", json={"user_id": CHAT, "text": "b"}).json()["update_id"]
    assert after > before  # a polling bot's offset stays valid across a reset
    client.post("/test/reset", json={"all": True})
    assert client.get(f"/bot{TOKEN}/getMyCommands").json()["result"] == []


def test_commands_endpoint_prefers_language_then_falls_back(client, resident):
    resident()
    client.post(f"/bot{TOKEN}/setMyCommands", json={"commands": [{"command": "help", "description": "도움말"}],
                                                    "scope": {"type": "all_private_chats"}, "language_code": "ko"})
    client.post(f"/bot{TOKEN}/setMyCommands", json={"commands": [{"command": "start", "description": "시작"}]})
    assert client.get("/test/commands", params={"chat_id": CHAT}).json() == {
        "scope": "all_private_chats", "commands": [{"command": "help", "description": "도움말"}]}


def test_changes_feed_for_the_chat_page(client, resident):
    resident()
    client.post("/test/send", json={"user_id": CHAT, "text": "안녕하세요"})
    sent = send_bot(client, "반가워요")
    first = client.get("/test/changes", params={"chat_id": CHAT, "since": 0}).json()
    chat = first["chats"][str(CHAT)]
    assert [(e["outgoing"], e["message"]["text"]) for e in chat["messages"]] == [(False, "안녕하세요"), (True, "반가워요")]
    assert chat["blocked"] is False and chat["action"] is None and first["epoch"]
    client.post(f"/bot{TOKEN}/deleteMessage", json={"chat_id": CHAT, "message_id": sent["message_id"]})
    later = client.get("/test/changes", params={"chat_id": CHAT, "since": first["seq"], "wait": 5}).json()
    (entry,) = later["chats"][str(CHAT)]["messages"]
    assert entry["deleted"] is True and later["seq"] > first["seq"]
    client.post("/test/reset", json={})
    assert client.get("/test/changes", params={"chat_id": CHAT}).json()["epoch"] != first["epoch"]


def test_bot_info_for_the_page(client):
    assert client.get("/test/bot").json()["username"] == "ontong_junggu_bot"


async def test_webhook_delivery_with_secret_and_retry(client, resident, bot, server_url):
    from aiohttp import web

    received: list[tuple[str | None, dict]] = []
    fail_first = [True]

    async def hook(request: web.Request) -> web.Response:
        if fail_first.pop() if fail_first else False:
            return web.Response(status=500)
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        resident()
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="local-secret")
        client.post("/test/send", json={"user_id": CHAT, "text": "웹훅으로"})
        for _ in range(100):
            if received:
                break
            await asyncio.sleep(0.05)
        ((secret, update),) = received
        assert secret == "local-secret" and update["message"]["text"] == "웹훅으로"
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0 and "500" in info.last_error_message
    finally:
        await bot.delete_webhook()
        await runner.cleanup()


@pytest.mark.parametrize("path", ["/test/users", "/test/send", "/test/press", "/test/scan", "/test/block"])
def test_non_json_body_is_refused(client, path):
    response = client.post(path, content=b"not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["ok"] is False
