"""Bot API: sending, editing and deleting messages."""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlparse

import aiohttp

from telegram_local import markup as markups
from telegram_local.entities import format_text, utf16_len
from telegram_local.errors import bad_request, forbidden
from telegram_local.files import StoredFile
from telegram_local.methods import Upload, method
from telegram_local.state import Chat, Message, State, unix_now

# Bot API: message text 1–4096 characters, captions up to 1024, after entity parsing.
MAX_TEXT = 4096
MAX_CAPTION = 1024
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message")


def check_can_write(state: State, chat: Chat) -> None:
    """403 when the user blocked the bot or never started it."""
    if chat.blocked:
        raise forbidden("bot was blocked by the user")
    if not chat.started:
        raise forbidden("bot can't initiate conversation with a user")


def _caption(p: dict[str, Any]) -> dict[str, Any]:
    if "caption" not in p:
        return {}
    text, entities = format_text(p["caption"], p.get("parse_mode"), p.get("caption_entities"))
    if utf16_len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    body: dict[str, Any] = {"caption": text} if text else {}
    if entities and text:
        body["caption_entities"] = entities
    if text and p.get("show_caption_above_media"):
        body["show_caption_above_media"] = True
    return body


def _extras(state: State, chat: Chat, p: dict[str, Any]) -> dict[str, Any]:
    """reply_to_message, reply_markup and protect_content of a new message."""
    body: dict[str, Any] = {}
    reply = p.get("reply_parameters")
    if reply:
        target = state.find_message(chat, reply.get("message_id"))
        if target is not None:
            body["reply_to_message"] = state.message_json(target)
        elif not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
    if p.get("protect_content"):
        body["has_protected_content"] = True
    keyboard = markups.inline_keyboard(p.get("reply_markup"))
    if keyboard:
        body["reply_markup"] = keyboard
    return body


def _deliver(state: State, chat: Chat, body: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    """Check 403 and 429, store the message, count it; return the Message object."""
    check_can_write(state, chat)
    state.limiter.admit(chat.id)
    changes, keyboard = markups.reply_keyboard(p.get("reply_markup"))
    if changes:
        chat.keyboard = keyboard
    message = state.add_message(chat, outgoing=True, body=body)
    state.counters.count("delivered", chat.id)
    return state.message_json(message)


@method("sendMessage")
async def send_message(state: State, p: dict[str, Any]) -> dict[str, Any]:
    """A text message (parse_mode HTML, entities, inline keyboard, link preview options)."""
    chat = state.chat(p["chat_id"])
    text, entities = format_text(p["text"], p.get("parse_mode"), p.get("entities"))
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    body: dict[str, Any] = {"text": text}
    if entities:
        body["entities"] = entities
    if p.get("link_preview_options"):
        body["link_preview_options"] = p["link_preview_options"]
    body.update(_extras(state, chat, p))
    return _deliver(state, chat, body, p)


async def _fetch(url: str) -> tuple[bytes, str | None]:
    """Telegram fetches HTTP URLs itself; here only reachable (local) URLs work."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            async with http.get(url) as response:
                if response.status != 200:
                    raise bad_request("wrong file identifier/HTTP URL specified")
                return await response.read(), response.headers.get("Content-Type")
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise bad_request("failed to get HTTP URL content") from exc


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


@method("sendPhoto")
async def send_photo(state: State, p: dict[str, Any]) -> dict[str, Any]:
    """A photo: an upload, a known file_id, or a URL the server can fetch."""
    chat = state.chat(p["chat_id"])
    photo = p["photo"]
    body = {**_caption(p), **_extras(state, chat, p)}
    check_can_write(state, chat)
    if isinstance(photo, Upload):
        sizes = state.files.add_photo(photo.data)
    elif photo in state.files.photos:
        sizes = state.files.photos[photo]
    elif photo in state.files.by_id:
        raise bad_request("type of file mismatch")
    elif _is_url(photo):
        sizes = state.files.add_photo((await _fetch(photo))[0])
    else:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if p.get("has_spoiler"):
        body["has_media_spoiler"] = True
    return _deliver(state, chat, {"photo": [s.photo_size() for s in sizes], **body}, p)


async def _document(state: State, value: Any) -> StoredFile:
    if isinstance(value, Upload):
        return state.files.add_document(value.data, value.filename, value.content_type)
    stored = state.files.by_id.get(value)
    if stored is not None:
        if stored.kind != "document":
            raise bad_request("can't use file of type Photo as Document")
        return stored
    if _is_url(value):
        data, mime = await _fetch(value)
        name = unquote(urlparse(value).path.rsplit("/", 1)[-1]) or "file"
        return state.files.add_document(data, name, (mime or "").split(";")[0] or None)
    raise bad_request("wrong file identifier/HTTP URL specified")


@method("sendDocument")
async def send_document(state: State, p: dict[str, Any]) -> dict[str, Any]:
    """A document (CSV export, PDF…): an upload, a known file_id or a fetchable URL."""
    chat = state.chat(p["chat_id"])
    body = {**_caption(p), **_extras(state, chat, p)}
    check_can_write(state, chat)
    stored = await _document(state, p["document"])
    return _deliver(state, chat, {"document": stored.document(), **body}, p)


def _editable(state: State, p: dict[str, Any]) -> tuple[Chat, Message]:
    if p.get("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")  # inline mode is not simulated
    if "chat_id" not in p:
        raise bad_request("chat_id is empty")
    chat = state.chat(p["chat_id"])
    if "message_id" not in p:
        raise bad_request("message identifier is not specified")
    message = state.find_message(chat, p["message_id"])
    if message is None:
        raise bad_request("message to edit not found")
    if not message.outgoing:
        raise bad_request("message can't be edited")
    return chat, message


def _apply_edit(state: State, chat: Chat, message: Message, body: dict[str, Any],
                drop: tuple[str, ...]) -> dict[str, Any]:
    """Replace fields in place; Telegram refuses an edit that changes nothing."""
    check_can_write(state, chat)
    new = {k: v for k, v in message.body.items() if k not in drop and k != "edit_date"}
    new.update(body)
    old = {k: v for k, v in message.body.items() if k != "edit_date"}
    if new == old:
        raise bad_request(NOT_MODIFIED)
    message.body = {**new, "edit_date": unix_now()}
    message.seq = state.bump(chat)
    state.counters.count("edited", chat.id)
    return state.message_json(message)


@method("editMessageText")
async def edit_message_text(state: State, p: dict[str, Any]) -> dict[str, Any]:
    """New text; without reply_markup the inline keyboard goes, as in Telegram."""
    chat, message = _editable(state, p)
    if "text" not in message.body:
        raise bad_request("there is no text in the message to edit")
    text, entities = format_text(p.get("text", ""), p.get("parse_mode"), p.get("entities"))
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    body: dict[str, Any] = {"text": text}
    if entities:
        body["entities"] = entities
    if p.get("link_preview_options"):
        body["link_preview_options"] = p["link_preview_options"]
    keyboard = markups.inline_keyboard(p.get("reply_markup"))
    if keyboard:
        body["reply_markup"] = keyboard
    return _apply_edit(state, chat, message, body, ("text", "entities", "link_preview_options", "reply_markup"))


@method("editMessageCaption")
async def edit_message_caption(state: State, p: dict[str, Any]) -> dict[str, Any]:
    """New caption of a photo or document (none removes it)."""
    chat, message = _editable(state, p)
    if "text" in message.body:
        raise bad_request("there is no caption in the message to edit")
    body = _caption(p)
    keyboard = markups.inline_keyboard(p.get("reply_markup"))
    if keyboard:
        body["reply_markup"] = keyboard
    return _apply_edit(state, chat, message, body,
                       ("caption", "caption_entities", "show_caption_above_media", "reply_markup"))


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(state: State, p: dict[str, Any]) -> dict[str, Any]:
    """New inline keyboard, or none."""
    chat, message = _editable(state, p)
    keyboard = markups.inline_keyboard(p.get("reply_markup"))
    return _apply_edit(state, chat, message, {"reply_markup": keyboard} if keyboard else {}, ("reply_markup",))


@method("deleteMessage")
async def delete_message(state: State, p: dict[str, Any]) -> bool:
    """Delete a bot or user message of the private chat."""
    chat = state.chat(p["chat_id"])
    message = state.find_message(chat, p["message_id"])
    if message is None:
        raise bad_request("message to delete not found")
    message.deleted = True
    message.seq = state.bump(chat)
    return True
