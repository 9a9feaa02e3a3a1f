"""In-memory world of the local Telegram: users, private chats, messages, callback queries.

Nothing here touches a database; a restart (or POST /test/reset) forgets it all.
"""
from __future__ import annotations

import dataclasses
import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from telegram_local.config import Config
from telegram_local.errors import CHAT_NOT_FOUND, bad_request
from telegram_local.files import FileStore
from telegram_local.limits import Counters, Limiter
from telegram_local.notifier import Notifier
from telegram_local.updates import UpdateQueue

# sendChatAction shows for 5 seconds or until the bot's next message.
CHAT_ACTION_SECONDS = 5.0


def unix_now() -> int:
    """Message dates are Unix seconds, as in the Bot API."""
    return int(time.time())


@dataclass
class User:
    """A resident (or staff member) acting through the test API."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str = "ko"

    def to_json(self) -> dict[str, Any]:
        """The Bot API object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["language_code"] = self.language_code
        return data


@dataclass
class Message:
    """One message in a private chat; `body` holds text/photo/document/reply_markup fields."""

    message_id: int
    chat_id: int
    outgoing: bool  # sent by the bot
    date: int
    body: dict[str, Any]
    seq: int = 0
    deleted: bool = False


@dataclass
class Chat:
    """The private chat between one user and the bot (chat id == user id)."""

    user: User
    blocked: bool = False
    started: bool = False  # the user has written to the bot at least once
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1
    action: str | None = None
    action_until: float = 0.0
    keyboard: dict[str, Any] | None = None  # a ReplyKeyboardMarkup the bot set, shown under the input
    seq: int = 0  # last change of chat-level state (action, blocked)
    last_change: int = 0  # last change of anything in the chat (for the chat page's long poll)

    @property
    def id(self) -> int:
        """Private chats share the user id."""
        return self.user.id

    def to_json(self) -> dict[str, Any]:
        """The Bot API object."""
        data = {"id": self.user.id, "type": "private", "first_name": self.user.first_name}
        if self.user.last_name:
            data["last_name"] = self.user.last_name
        if self.user.username:
            data["username"] = self.user.username
        return data


@dataclass
class CallbackQuery:
    """A button press and, once the bot answers, its answer."""

    id: str
    chat_id: int
    message_id: int
    data: str
    seq: int = 0
    answer: dict[str, Any] | None = None


class State:
    """All mutable state of one server; every mutation bumps `seq` and wakes waiters."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.notifier = Notifier()
        self.updates = UpdateQueue(self.notifier)
        self.counters = Counters()
        self.initial_limits = dataclasses.replace(config.limits)
        self.limiter = Limiter(config.limits, config.clock)
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        # Change numbers keep growing across resets, so the chat page notices a reset.
        self.seq_counter = itertools.count(1)
        self.seq = 0
        self._boot = secrets.token_hex(4)
        self._resets = itertools.count()
        self.reset()

    def reset(self) -> None:
        """Forget users, chats, files, pending updates and counters; update ids and change numbers keep growing."""
        # The chat page starts over when this changes (a restart or a reset).
        self.epoch = f"{self._boot}-{next(self._resets)}"
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.callbacks: dict[str, CallbackQuery] = {}
        self.files = FileStore()
        self.updates.clear()
        self.counters.clear()
        self.limiter.reset()
        # Demo users exist from the start, so the bot can write to them before the page opens.
        for user in self.config.demo.users:
            self.upsert_user(user.id, user.first_name, started=True)

    # --- change tracking -------------------------------------------------
    def bump(self, chat: Chat | None = None) -> int:
        """A new change number (remembered by the chat it touches); wakes everyone waiting for changes."""
        self.seq = next(self.seq_counter)
        if chat is not None:
            chat.last_change = self.seq
        self.notifier.notify()
        return self.seq

    # --- bot identity ----------------------------------------------------
    def bot_user(self) -> dict[str, Any]:
        """The bot's User object as it appears in `from`."""
        return {"id": self.config.bot_id, "is_bot": True, "first_name": self.config.bot_name,
                "username": self.config.bot_username}

    # --- users and chats ---------------------------------------------------
    def upsert_user(self, user_id: int, first_name: str, last_name: str | None = None,
                    username: str | None = None, started: bool = False) -> User:
        """Create or rename a user; the private chat's id equals the user id."""
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = User(user_id, first_name, last_name, username)
            self.chats[user_id] = Chat(user)
        else:
            user.first_name, user.last_name, user.username = first_name, last_name, username
        if started:
            self.chats[user_id].started = True
        self.chats[user_id].seq = self.bump(self.chats[user_id])
        return user

    def chat(self, chat_id: Any) -> Chat:
        """The chat with this id, or Telegram's "chat not found"."""
        try:
            chat = self.chats.get(int(chat_id))
        except (TypeError, ValueError):
            chat = None
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        return chat

    # --- messages ----------------------------------------------------------
    def add_message(self, chat: Chat, outgoing: bool, body: dict[str, Any]) -> Message:
        """Store a new message; a bot message ends the chat action, as in Telegram."""
        message = Message(chat.next_message_id, chat.id, outgoing, unix_now(), body)
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        if outgoing and chat.action:
            chat.action = None
            chat.seq = self.bump(chat)
        message.seq = self.bump(chat)
        return message

    def message_json(self, message: Message) -> dict[str, Any]:
        """The Bot API Message object."""
        chat = self.chats[message.chat_id]
        sender = self.bot_user() if message.outgoing else chat.user.to_json()
        data: dict[str, Any] = {"message_id": message.message_id, "from": sender,
                                "chat": chat.to_json(), "date": message.date}
        data.update(message.body)
        return data

    def find_message(self, chat: Chat, message_id: Any) -> Message | None:
        """A message of the chat that was not deleted, or None."""
        try:
            message = chat.messages.get(int(message_id))
        except (TypeError, ValueError):
            return None
        return None if message is None or message.deleted else message

    def set_action(self, chat: Chat, action: str) -> None:
        """Show a chat action ("typing"…) for a few seconds."""
        chat.action = action
        chat.action_until = time.monotonic() + CHAT_ACTION_SECONDS
        chat.seq = self.bump(chat)

    def current_action(self, chat: Chat) -> str | None:
        """The chat action still showing, if any."""
        if chat.action and time.monotonic() < chat.action_until:
            return chat.action
        return None

    # --- callback queries --------------------------------------------------
    def new_callback(self, chat: Chat, message: Message, data: str) -> CallbackQuery:
        """Record a button press; the bot answers it by id."""
        query = CallbackQuery(str(secrets.randbits(62)), chat.id, message.message_id, data)
        query.seq = self.bump(chat)
        self.callbacks[query.id] = query
        return query

    def chat_instance(self, chat_id: int) -> str:
        """Stable per chat, opaque like Telegram's."""
        return str((chat_id * 2654435761 + self.config.bot_id) % (2**63))

    def answers(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's callback answers in a chat, oldest first."""
        answered = [q for q in self.callbacks.values() if q.chat_id == chat_id and q.answer is not None]
        return [{"callback_query_id": q.id, "message_id": q.message_id, "data": q.data, "seq": q.seq, **q.answer}
                for q in sorted(answered, key=lambda q: q.seq)]


STATE_KEY = web.AppKey("state", State)
