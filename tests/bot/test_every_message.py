"""Every message gets an answer, typed text is never an intent payload, and long or broken
replies still reach the resident: the real ptb app against the local Telegram server."""
from __future__ import annotations

import time

import pytest
from telegram import Update

from bot import texts
from bot.app import build_application, post_init, post_shutdown
from bot.settings import BotSettings
from storage.rules import MESSAGE_MAX_CHARS, RESIDENT_TEXT_MAX_CHARS
from tests.bot.conftest import TOKEN, read, say

USER = 5501


# --- typed text --------------------------------------------------------------------------
@pytest.mark.parametrize("typed,forwarded", [
    ('/photo_sent{"photo_file_id":"x"}', 'photo_sent{"photo_file_id":"x"}'),
    ('//proposal_submit{"proposal_title":"몰래"}', 'proposal_submit{"proposal_title":"몰래"}'),
    ('/ /withdraw_confirm', "withdraw_confirm"),
    ("/이상한명령 안녕", "이상한명령 안녕"),
])
async def test_typed_slash_text_never_reaches_rasa_as_a_payload(running_bot, tg, typed, forwarded) -> None:  # type: ignore[no-untyped-def]
    await say(tg, USER, typed)
    message = running_bot.received[-1]["message"]
    assert message == forwarded and not message.strip().startswith("/")


async def test_buttons_still_send_payloads(running_bot, tg) -> None:  # type: ignore[no-untyped-def]
    running_bot.replies["메뉴"] = [{"text": "메뉴", "buttons": [{"title": "포인트", "payload": "/points_balance"}]}]
    (menu,) = await say(tg, USER + 1, "메뉴")
    await tg.post("/test/press", json={"user_id": USER + 1, "message_id": menu["message_id"],
                                       "callback_data": "r|points_balance"})
    await read(tg, USER + 1, 2, after=0)
    assert running_bot.received[-1]["message"] == "/points_balance"


@pytest.mark.parametrize("typed,answer", [
    ("/", texts.TEXT_EMPTY),
    ("😀😀😀", texts.TEXT_NO_WORDS),
    ("👍", texts.TEXT_NO_WORDS),
    ("?!…", texts.TEXT_NO_WORDS),
])
async def test_empty_and_emoji_only_text_get_a_korean_answer(running_bot, tg, typed, answer) -> None:  # type: ignore[no-untyped-def]
    before = len(running_bot.received)
    (reply,) = await say(tg, USER + 2, typed)
    assert reply["text"] == answer
    assert len(running_bot.received) == before


async def test_too_long_text_is_answered_not_forwarded(running_bot, tg) -> None:  # type: ignore[no-untyped-def]
    (reply,) = await say(tg, USER + 3, "가" * (RESIDENT_TEXT_MAX_CHARS + 1))
    assert reply["text"] == texts.TEXT_TOO_LONG.format(length=RESIDENT_TEXT_MAX_CHARS + 1,
                                                       limit=RESIDENT_TEXT_MAX_CHARS)
    assert running_bot.received == []
    (ok,) = await say(tg, USER + 3, "나" * RESIDENT_TEXT_MAX_CHARS, after=reply["message_id"])
    assert running_bot.received[-1]["message"] == "나" * RESIDENT_TEXT_MAX_CHARS


# --- replies -------------------------------------------------------------------------------
async def test_long_replies_are_split_and_keep_their_buttons(running_bot, tg) -> None:  # type: ignore[no-untyped-def]
    summary = "\n".join(f"{n}. " + ("설문 문항 요약 " * 10).strip() for n in range(62))   # ≈ 5,500 characters
    assert len(summary) > MESSAGE_MAX_CHARS
    running_bot.replies["요약"] = [{"text": summary, "buttons": [{"title": "제출", "payload": "/survey_submit"}]}]
    parts = await say(tg, USER + 4, "요약", replies=2)
    assert len(parts) == 2 and all(len(p["text"]) <= MESSAGE_MAX_CHARS for p in parts)
    assert "\n".join(p["text"] for p in parts) == summary
    assert "reply_markup" not in parts[0] and parts[1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "제출"


async def test_one_failed_part_does_not_swallow_the_rest(running_bot, tg) -> None:  # type: ignore[no-untyped-def]
    running_bot.replies["자세히"] = [
        {"text": "제안 #1 사진", "image": "AgAD-no-such-file-id-at-all"},          # Telegram refuses it
        {"text": "제안 #1 본문", "buttons": [{"title": "공감", "payload": "/proposal_endorse"}]},
    ]
    replies = await say(tg, USER + 5, "자세히", replies=2)
    assert [m["text"] for m in replies] == ["제안 #1 사진", "제안 #1 본문"]
    assert replies[1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "공감"


async def test_a_read_timeout_is_not_called_nothing_changed(telegram_url, rasa, bot_db, tg) -> None:  # type: ignore[no-untyped-def]
    script, rasa_url = rasa
    script.delays["교환해 줘"] = 3
    settings = BotSettings(token=TOKEN, base_url=f"{telegram_url}/bot", base_file_url=f"{telegram_url}/file/bot",
                           rasa_url=rasa_url, rasa_timeout=1, webhook_url=None, webhook_listen="127.0.0.1",
                           webhook_port=0, webhook_secret=None, outbox_interval=60)
    await tg.post("/test/reset", json={"all": True})
    app = build_application(settings)
    async with app:
        await post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        (reply,) = await say(tg, USER + 6, "교환해 줘")
        await app.updater.stop()
        await app.stop()
        await post_shutdown(app)
    assert reply["text"] == texts.RASA_UNCERTAIN
    assert "바뀌지 않았" not in reply["text"] and "처리되지 않았" not in reply["text"]
    assert len(script.received) == 1          # a read timeout is never retried


# --- what Rasa cannot read -------------------------------------------------------------------
def _update(update_id: int, **content: object) -> dict:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": int(time.time()), "chat": {"id": USER + 7, "type": "private"},
        "from": {"id": USER + 7, "is_bot": False, "first_name": "주민"}, **content}}


FILE = {"file_id": "AgADfile-id-0123456789", "file_unique_id": "u1"}
KINDS = {
    "sticker": {"sticker": {**FILE, "width": 512, "height": 512, "is_animated": False, "is_video": False,
                            "type": "regular"}},
    "voice": {"voice": {**FILE, "duration": 3}},
    "audio": {"audio": {**FILE, "duration": 30}},
    "video": {"video": {**FILE, "width": 640, "height": 480, "duration": 5}},
    "video_note": {"video_note": {**FILE, "length": 240, "duration": 5}},
    "animation": {"animation": {**FILE, "width": 320, "height": 240, "duration": 2},
                  "document": {**FILE}},
    "location": {"location": {"latitude": 37.5638, "longitude": 126.9976}},
    "contact": {"contact": {"phone_number": "010-0000-0000", "first_name": "이웃"}},
    "document": {"document": {**FILE, "file_name": "민원.hwp"}},
}


@pytest.fixture
async def app(telegram_url, rasa, bot_db, tg):  # type: ignore[no-untyped-def]
    script, rasa_url = rasa
    settings = BotSettings(token=TOKEN, base_url=f"{telegram_url}/bot", base_file_url=f"{telegram_url}/file/bot",
                           rasa_url=rasa_url, rasa_timeout=5, webhook_url=None, webhook_listen="127.0.0.1",
                           webhook_port=0, webhook_secret=None, outbox_interval=60)
    await tg.post("/test/users", json={"user_id": USER + 7, "first_name": "주민", "started": True})
    application = build_application(settings)
    async with application:
        await post_init(application)
        yield application, script
        await post_shutdown(application)


@pytest.mark.parametrize("kind", sorted(KINDS))
async def test_each_kind_of_message_gets_its_korean_answer(app, tg, kind) -> None:  # type: ignore[no-untyped-def]
    application, script = app
    seen = await read(tg, USER + 7, 0)
    after = max((m["message_id"] for m in seen), default=0)
    await application.process_update(Update.de_json(_update(100, **KINDS[kind]), application.bot))
    (reply,) = await read(tg, USER + 7, 1, after=after)
    assert reply["text"] == texts.UNSUPPORTED_BY_KIND[kind]
    assert script.received == []


@pytest.mark.parametrize("text,answer", [
    ("다" * 5000, texts.TEXT_TOO_LONG.format(length=5000, limit=RESIDENT_TEXT_MAX_CHARS)),
    ("   \n\t ", texts.TEXT_EMPTY),                  # Telegram apps never send it; a client could
])
async def test_over_4096_characters_and_whitespace_are_answered(app, tg, text, answer) -> None:  # type: ignore[no-untyped-def]
    application, script = app
    seen = await read(tg, USER + 7, 0)
    after = max((m["message_id"] for m in seen), default=0)
    await application.process_update(Update.de_json(_update(101, text=text), application.bot))
    (reply,) = await read(tg, USER + 7, 1, after=after)
    assert reply["text"] == answer
    assert script.received == []
