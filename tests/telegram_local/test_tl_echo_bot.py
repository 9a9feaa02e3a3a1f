"""The full loop: a real ptb Application polls the local server while the test acts as a resident."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          ContextTypes, MessageHandler, filters)

CHAT = 710001
TOKEN = "123456:TEST-TOKEN"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [payload]: greet, echoing a deep-link payload."""
    payload = " ".join(context.args or [])
    await update.effective_chat.send_message(f"환영해요! {payload}".strip())


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo with two buttons."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("좋아요", callback_data="like"),
                                    InlineKeyboardButton("별로예요", callback_data="dislike")]])
    await update.effective_chat.send_message(f"메아리: {update.effective_message.text}", reply_markup=markup)


async def burst(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/burst: six bubbles at once (more than the per-chat burst)."""
    for i in range(6):
        await update.effective_chat.send_message(f"말풍선 {i + 1}")


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and edit the message in place."""
    query = update.callback_query
    await query.answer("고마워요")
    await query.edit_message_text(f"👉 {query.data}")


@pytest.fixture
async def echo_bot(server_url: str, client) -> AsyncIterator[Application]:  # type: ignore[no-untyped-def]
    app = (ApplicationBuilder().token(TOKEN).base_url(f"{server_url}/bot").base_file_url(f"{server_url}/file/bot")
           .rate_limiter(AIORateLimiter(max_retries=3)).build())
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("burst", burst))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


async def read(api, after: int, count: int) -> list[dict]:  # type: ignore[no-untyped-def]
    response = await api.get("/test/messages", params={"chat_id": CHAT, "after": after, "wait": 20, "min": count})
    messages = response.json()["messages"]
    assert len(messages) >= count, messages
    return messages


async def test_echo_press_and_edit(echo_bot, api):
    await api.post("/test/users", json={"user_id": CHAT, "first_name": "김중구"})
    await api.post("/test/send", json={"user_id": CHAT, "text": "안녕하세요"})
    (reply,) = await read(api, 0, 1)
    assert reply["text"] == "메아리: 안녕하세요"
    labels = [b["text"] for b in reply["reply_markup"]["inline_keyboard"][0]]
    assert labels == ["좋아요", "별로예요"]
    await api.post("/test/press", json={"user_id": CHAT, "message_id": reply["message_id"], "callback_data": "like"})
    for _ in range(40):
        response = await api.get("/test/messages", params={"chat_id": CHAT, "after": 0, "wait": 0.25})
        (edited,) = response.json()["messages"]
        if edited.get("edit_date"):
            break
    assert edited["text"] == "👉 like" and "reply_markup" not in edited
    answers = (await api.get("/test/callback_answers", params={"chat_id": CHAT})).json()["answers"]
    assert [a["text"] for a in answers] == ["고마워요"]


async def test_deep_link_scan_reaches_the_start_handler(echo_bot, api):
    await api.post("/test/users", json={"user_id": CHAT, "first_name": "김중구"})
    await api.post("/test/scan", json={"user_id": CHAT, "link": "https://t.me/ontong_junggu_bot?start=ev_3-x"})
    (reply,) = await read(api, 0, 1)
    assert reply["text"] == "환영해요! ev_3-x"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # AIORateLimiter reads retry_after
async def test_rate_limiter_recovers_from_429(echo_bot, api):
    await api.post("/test/users", json={"user_id": CHAT, "first_name": "김중구"})
    await api.post("/test/send", json={"user_id": CHAT, "text": "/burst"})
    messages = await read(api, 0, 6)
    assert [m["text"] for m in messages] == [f"말풍선 {i}" for i in range(1, 7)]
    counters = (await api.get("/test/counters")).json()
    assert counters["delivered"] == 6 and counters["rate_limited"] >= 1  # ptb waited retry_after and retried
