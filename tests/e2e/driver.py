"""Acts as residents through telegram_local's JSON test API."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Chat:
    """One resident's chat with the bot, as seen on the chat page."""

    driver: "TelegramDriver"
    user_id: int
    seen: int = 0  # highest message_id already read

    def send(self, text: str, *, replies: int = 1, timeout: float = 60) -> list[dict[str, Any]]:
        self.driver.post("/test/send", {"user_id": self.user_id, "text": text})
        return self.read(replies, timeout)

    def press(self, message: dict[str, Any], label: str, *, replies: int = 1,
              timeout: float = 60) -> list[dict[str, Any]]:
        data = button_data(message, label)
        self.driver.post("/test/press", {"user_id": self.user_id,
                                         "message_id": message["message_id"], "callback_data": data})
        return self.read(replies, timeout)

    def scan(self, *, link: str | None = None, png: bytes | None = None, replies: int = 1,
             timeout: float = 60) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"user_id": self.user_id}
        if link:
            body["link"] = link
        if png:
            body["png_base64"] = base64.b64encode(png).decode()
        self.driver.post("/test/scan", body)
        return self.read(replies, timeout)

    def document(self, filename: str, content: bytes, caption: str, *, replies: int = 1,
                 timeout: float = 60) -> list[dict[str, Any]]:
        self.driver.post("/test/document", {
            "user_id": self.user_id, "filename": filename, "caption": caption,
            "content_base64": base64.b64encode(content).decode(), "mime_type": "text/csv"})
        return self.read(replies, timeout)

    def read(self, count: int, timeout: float = 60) -> list[dict[str, Any]]:
        """Wait for ``count`` new bot messages (then a short grace for stragglers)."""
        messages = self.driver.messages(self.user_id, self.seen, wait=timeout, minimum=count)
        if len(messages) < count:
            raise AssertionError(f"expected {count} replies, got {[m.get('text') for m in messages]}")
        self.seen = max(m["message_id"] for m in messages)
        return messages

    def all_messages(self) -> list[dict[str, Any]]:
        return self.driver.messages(self.user_id, 0)


def button_data(message: dict[str, Any], label: str) -> str:
    """callback_data of the button whose text contains ``label``."""
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if label in button["text"] and "callback_data" in button:
                return button["callback_data"]
    raise AssertionError(f"no button {label!r} in {message.get('text')!r}")


def texts_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join((m.get("text") or m.get("caption") or "") for m in messages)


class TelegramDriver:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.token = token
        self.http = httpx.Client(base_url=base_url, timeout=90)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.http.post(path, json=body)
        if response.status_code >= 400:
            raise AssertionError(f"{path} → {response.status_code}: {response.text}")
        return response.json()

    def resident(self, user_id: int, first_name: str, last_name: str | None = None) -> Chat:
        self.post("/test/users", {"user_id": user_id, "first_name": first_name, "last_name": last_name})
        return Chat(self, user_id)

    def messages(self, chat_id: int, after: int, wait: float = 0, minimum: int = 1) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"chat_id": chat_id, "after": after}
        if wait:
            params.update(wait=wait, min=minimum)
        response = self.http.get("/test/messages", params=params, timeout=wait + 30)
        response.raise_for_status()
        return response.json()["messages"]

    def download(self, file_id: str) -> bytes:
        info = self.http.get(f"/bot{self.token}/getFile", params={"file_id": file_id}).json()["result"]
        return self.http.get(f"/file/bot{self.token}/{info['file_path']}").content

    def counters(self) -> dict[str, Any]:
        return self.http.get("/test/counters").json()
