"""The local server against the Bot API description (`../shared/telegram/api.json`).

The method table must list exactly the spec's parameters (names, types,
required) of every implemented method; a call missing a required parameter is
refused with 400; every object the server returns uses only the spec's field
names, carries its required fields, and has the spec's value types.
"""
from __future__ import annotations

import pytest

from telegram_local.methods import MISSING
from telegram_local.method_table import METHOD_PARAMS
from telegram_local.spec import check_object, check_value, load_spec, method_params, spec_path

SPEC = load_spec()
pytestmark = pytest.mark.skipif(
    SPEC is None, reason=f"Bot API description not found at {spec_path()} (set TELEGRAM_API_SPEC to its path)")
CHAT = 710001
TOKEN = "123456:TEST-TOKEN"


@pytest.mark.parametrize("method", sorted(METHOD_PARAMS))
def test_method_table_equals_the_spec(method):
    assert method in SPEC["methods"], f"{method} is not a Bot API method"
    ours = {name: (tuple(types.split("|")), required) for name, types, required in METHOD_PARAMS[method]}
    assert ours == method_params(SPEC, method)


def _dummy(types: str) -> str:
    if "Integer" in types:
        return str(CHAT)
    if types.startswith("Array of"):
        return "[]"
    if types in ("String", "InputFile|String"):
        return "x"
    return "{}"


REQUIRED = [(m, name) for m, rows in sorted(METHOD_PARAMS.items()) for name, _, required in rows if required]


@pytest.mark.parametrize(("method", "missing"), REQUIRED)
def test_each_missing_required_parameter_is_refused(client, method, missing):
    client.post("/test/users", json={"user_id": CHAT, "first_name": "김중구", "started": True})
    data = {name: _dummy(types) for name, types, required in METHOD_PARAMS[method] if required and name != missing}
    response = client.post(f"/bot{TOKEN}/{method}", data=data)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error_code": 400,
                               "description": f"Bad Request: {MISSING.get(missing, f'{missing} is empty')}"}


def test_checker_catches_unknown_and_missing_fields():
    assert check_object(SPEC, "User", {"id": 1, "is_bot": False, "first_name": "a"}) == []
    problems = check_object(SPEC, "User", {"id": "1", "is_bot": False, "nickname": "a"})
    assert len(problems) == 3  # wrong type, unknown field, missing first_name
    bot = {"id": 1, "is_bot": True, "first_name": "b"}
    # A union member is told apart by its fixed field: "kicked" is ChatMemberBanned, which needs until_date.
    assert check_object(SPEC, "ChatMember", {"status": "kicked", "user": bot, "until_date": 0}) == []
    assert check_object(SPEC, "ChatMember", {"status": "kicked", "user": bot}) != []


class Recorder:
    """Calls Bot API methods over HTTP and checks every result against the method's return type."""

    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.checked: set[str] = set()

    def __call__(self, method: str, **kwargs):  # type: ignore[no-untyped-def]
        response = self.client.post(f"/bot{TOKEN}/{method}", **kwargs)
        body = response.json()
        assert body["ok"], body
        returns = tuple(SPEC["methods"][method]["returns"])
        assert check_value(SPEC, returns, body["result"], method) == []
        self.checked.add(method)
        return body["result"]


def test_every_returned_object_follows_the_spec(client, png, b64):
    call = Recorder(client)
    client.post("/test/users", json={"user_id": CHAT, "first_name": "중구", "last_name": "김", "username": "kim_jg"})
    client.post("/test/send", json={"user_id": CHAT, "text": "/start ev_1 https://x.kr #중구 @some_user"})
    client.post("/test/photo", json={"user_id": CHAT, "png_base64": b64(png), "caption": "사진"})
    client.post("/test/document", json={"user_id": CHAT, "filename": "a.csv", "content_base64": b64(b"a,b\n")})
    call("getMe")
    call("setMyCommands", json={"commands": [{"command": "start", "description": "시작"}],
                                "scope": {"type": "chat", "chat_id": CHAT}})
    call("getMyCommands", json={"scope": {"type": "chat", "chat_id": CHAT}})
    call("deleteMyCommands")
    keyboard = {"inline_keyboard": [[{"text": "예", "callback_data": "y"}, {"text": "누리집", "url": "https://x.kr"}]]}
    text = call("sendMessage", json={
        "chat_id": CHAT, "text": "<b>굵게</b> <i>기울임</i> <code>코드</code> <a href='https://x.kr'>링크</a> /menu",
        "parse_mode": "HTML", "reply_markup": keyboard, "link_preview_options": {"is_disabled": True},
        "reply_parameters": {"message_id": 1}, "protect_content": True})
    call("sendChatAction", data={"chat_id": CHAT, "action": "upload_photo"})
    photo = call("sendPhoto", data={"chat_id": CHAT, "caption": "포스터", "has_spoiler": "true",
                                    "show_caption_above_media": "true"}, files={"photo": ("p.png", png)})
    document = call("sendDocument", data={"chat_id": CHAT, "caption": "명단"}, files={"document": ("a.csv", b"x,y\n")})
    call("editMessageText", json={"chat_id": CHAT, "message_id": text["message_id"], "text": "바뀜",
                                  "reply_markup": keyboard})
    call("editMessageReplyMarkup", json={"chat_id": CHAT, "message_id": text["message_id"]})
    call("editMessageCaption", json={"chat_id": CHAT, "message_id": photo["message_id"], "caption": "새 설명"})
    pressed = client.post("/test/press", json={"user_id": CHAT, "message_id": document["message_id"],
                                               "callback_data": "z", "force": True}).json()
    call("answerCallbackQuery", json={"callback_query_id": pressed["callback_query_id"], "text": "확인"})
    client.post("/test/block", json={"user_id": CHAT, "blocked": True})
    client.post("/test/block", json={"user_id": CHAT, "blocked": False})
    updates = call("getUpdates", json={"timeout": 0})
    kinds = {kind for u in updates for kind in u if kind != "update_id"}
    assert kinds == {"message", "callback_query", "my_chat_member"}
    call("getFile", json={"file_id": photo["photo"][-1]["file_id"]})
    call("deleteMessage", json={"chat_id": CHAT, "message_id": photo["message_id"]})
    call("setWebhook", json={"url": "http://127.0.0.1:9/hook", "secret_token": "abc"})
    client.post("/test/send", json={"user_id": CHAT, "text": "웹훅 대기"})
    call("getWebhookInfo")
    call("deleteWebhook", json={"drop_pending_updates": True})
    assert call.checked == set(METHOD_PARAMS)
    # The test API hands out the same Message objects.
    for message in client.get("/test/messages", params={"chat_id": CHAT}).json()["messages"]:
        assert check_object(SPEC, "Message", message) == []
    for entry in client.get("/test/changes", params={"chat_id": CHAT}).json()["chats"][str(CHAT)]["messages"]:
        assert check_object(SPEC, "Message", entry["message"]) == []
