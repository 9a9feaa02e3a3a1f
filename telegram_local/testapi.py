"""JSON test API under /test/: act as residents (send, press, scan, upload, block).

Used by pytest, the end-to-end harness, benchmarks and the chat page. Error
answers are {"ok": false, "description": "<Korean>"} with status 400 or 404.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any

from aiohttp import web

from telegram_local import demo, testapi_views
from telegram_local.entities import detect_entities, utf16_len
from telegram_local.markup import callback_data_of
from telegram_local.scan import ScanError, decode_png, start_payload
from telegram_local.state import Chat, State, unix_now
from telegram_local.testapi_common import Refusal, chat_of, json_view, number

MAX_TEXT = 4096


def _decode(body: dict[str, Any], name: str) -> bytes:
    try:
        return base64.b64decode(str(body.get(name) or ""), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Refusal(400, f"{name} 값이 올바른 base64가 아니에요.") from exc


def _from_user(state: State, chat: Chat, body: dict[str, Any]) -> dict[str, Any]:
    """Store a message the user wrote and queue its update."""
    if chat.blocked:
        raise Refusal(400, "봇을 차단한 상태에서는 보낼 수 없어요. 먼저 차단을 해제해 주세요.")
    chat.started = True
    message = state.add_message(chat, outgoing=False, body=body)
    update_id = state.updates.push("message", state.message_json(message))
    return {"update_id": update_id, "message_id": message.message_id}


def _text_body(text: str) -> dict[str, Any]:
    if not text.strip():
        raise Refusal(400, "보낼 내용이 비어 있어요.")
    if utf16_len(text) > MAX_TEXT:
        raise Refusal(400, "메시지가 너무 길어요 (4,096자까지).")
    entities = detect_entities(text, [])
    return {"text": text, **({"entities": entities} if entities else {})}


async def users(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """Create or rename a resident; the private chat id equals the user id."""
    user_id = number(body, "user_id")
    if user_id <= 0:
        raise Refusal(400, "user_id는 양의 정수여야 해요.")
    first_name = str(body.get("first_name") or "").strip()
    if not first_name:
        raise Refusal(400, "first_name(이름)이 필요해요.")
    user = state.upsert_user(user_id, first_name, body.get("last_name") or None, body.get("username") or None,
                             started=bool(body.get("started")))
    return user.to_json()


async def send(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """The user sends text; "/command" text carries a bot_command entity."""
    chat = chat_of(state, body)
    return _from_user(state, chat, _text_body(str(body.get("text") or "")))


async def press(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """The user presses an inline button: a callback_query update."""
    chat = chat_of(state, body)
    data = str(body.get("callback_data") or "")
    message = state.find_message(chat, number(body, "message_id"))
    if message is None or not message.outgoing:
        raise Refusal(400, "그 메시지를 찾을 수 없어요.")
    if not body.get("force") and data not in callback_data_of(message.body.get("reply_markup")):
        raise Refusal(400, "그 메시지에는 이 버튼이 없어요.")
    if chat.blocked:
        raise Refusal(400, "봇을 차단한 상태에서는 버튼을 누를 수 없어요.")
    chat.started = True
    query = state.new_callback(chat, message, data)
    update_id = state.updates.push("callback_query", {
        "id": query.id, "from": chat.user.to_json(), "message": state.message_json(message),
        "chat_instance": state.chat_instance(chat.id), "data": data})
    return {"update_id": update_id, "callback_query_id": query.id}


async def scan(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """Scan a QR PNG or open a t.me link: delivers "/start <payload>" like a Telegram client."""
    chat = chat_of(state, body)
    try:
        link = decode_png(_decode(body, "png_base64")) if body.get("png_base64") else str(body.get("link") or "")
        if not link:
            raise ScanError("link 또는 png_base64 중 하나가 필요해요.")
        payload = start_payload(link, state.config.bot_username)
    except ScanError as err:
        raise Refusal(400, str(err)) from err
    text = f"/start {payload}"
    sent = _from_user(state, chat, {"text": text,
                                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}]})
    return {**sent, "payload": payload, "link": link}


def _caption(body: dict[str, Any]) -> dict[str, Any]:
    caption = str(body.get("caption") or "")
    if not caption.strip():
        return {}
    entities = detect_entities(caption, [])
    return {"caption": caption, **({"caption_entities": entities} if entities else {})}


async def photo(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """The user sends a photo (the bot can getFile it)."""
    chat = chat_of(state, body)
    sizes = state.files.add_photo(_decode(body, "png_base64"))
    sent = _from_user(state, chat, {"photo": [s.photo_size() for s in sizes], **_caption(body)})
    return {**sent, "file_id": sizes[-1].file_id}


async def document(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """The user sends a document, e.g. a staff CSV."""
    chat = chat_of(state, body)
    filename = str(body.get("filename") or "").strip()
    if not filename:
        raise Refusal(400, "filename(파일 이름)이 필요해요.")
    stored = state.files.add_document(_decode(body, "content_base64"), filename, body.get("mime_type"))
    sent = _from_user(state, chat, {"document": stored.document(), **_caption(body)})
    return {**sent, "file_id": stored.file_id}


async def block(request: web.Request, state: State, body: dict[str, Any]) -> dict[str, Any]:
    """Block or unblock the bot; Telegram tells the bot with a my_chat_member update."""
    chat = chat_of(state, body)
    blocked = bool(body.get("blocked"))
    if blocked != chat.blocked:
        chat.blocked = blocked
        chat.seq = state.bump(chat)
        bot = state.bot_user()
        old, new = ({"status": "member", "user": bot}, {"status": "kicked", "user": bot, "until_date": 0})
        if not blocked:
            old, new = new, old
        state.updates.push("my_chat_member", {
            "chat": chat.to_json(), "from": chat.user.to_json(), "date": unix_now(),
            "old_chat_member": old, "new_chat_member": new})
    return {"user_id": chat.id, "blocked": chat.blocked}


def register(router: web.UrlDispatcher) -> None:
    """Mount every /test/ route."""
    for path, view in (("users", users), ("send", send), ("press", press), ("scan", scan),
                       ("photo", photo), ("document", document), ("block", block)):
        router.add_post(f"/test/{path}", json_view(view))
    testapi_views.register(router)
    demo.register(router)
