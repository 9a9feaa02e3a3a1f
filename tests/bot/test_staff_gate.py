"""The one staff gate: residents see nothing of staff commands (no usage text, no
refusal line, no file download); staff still get everything."""
from __future__ import annotations

import base64

import pytest

from bot import texts
from bot.handlers import announce, budget_staff, engagement_staff, meetings_staff, proposals_staff, staff
from storage.db import session_scope
from storage.models import Role
from storage.services import residents
from tests.bot.conftest import read, say

RESIDENT, STAFF_ID = 5301, 5302
STAFF_COMMANDS = sorted({*staff.COMMANDS, *budget_staff.COMMANDS, *engagement_staff.COMMANDS,
                         *proposals_staff.COMMANDS, "announce", "announcements",
                         *meetings_staff.COMMANDS, "meeting_new"})
# What each command answers without arguments when staff types it (the leak a resident saw).
USAGE_TEXTS = [texts.EVENT_NEW_USAGE, texts.EVENT_ID_USAGE, texts.BATCH_ID_USAGE, texts.VOLUNTEER_USAGE,
               texts.STAFF_HELP, texts.BUDGET_CYCLE_USAGE, texts.SURVEY_LOAD_USAGE, texts.NOT_ALLOWED]


@pytest.fixture
async def people(running_bot, tg, bot_db):  # type: ignore[no-untyped-def]
    for user_id in (RESIDENT, STAFF_ID):
        await tg.post("/test/users", json={"user_id": user_id, "first_name": "주민", "started": True})
    with session_scope(bot_db) as s:
        residents.register(s, RESIDENT, "주민")
        member, _ = residents.register(s, STAFF_ID, "직원")
        member.role = Role.staff
    return running_bot


def _unknown_answer(received: str) -> str:
    """What the scripted Rasa answers a forwarded text with."""
    return f"받음: {received}"


@pytest.mark.parametrize("command", STAFF_COMMANDS)
async def test_a_resident_gets_what_an_unknown_command_gets(people, tg, command) -> None:  # type: ignore[no-untyped-def]
    script = people
    unknown = await say(tg, RESIDENT, "/no_such_command 1 | 2")
    unknown_forwarded = script.received[-1]["message"]
    after = unknown[-1]["message_id"]
    replies = await say(tg, RESIDENT, f"/{command} 1 | 2", after=after)
    forwarded = script.received[-1]["message"]
    # Forwarded to Rasa exactly like the unknown command, and answered by Rasa alone.
    assert forwarded == unknown_forwarded.replace("no_such_command", command)
    assert [m["text"] for m in replies] == [_unknown_answer(forwarded)]
    assert not any(usage in m["text"] for m in replies for usage in USAGE_TEXTS)


async def test_a_residents_volunteer_file_is_never_downloaded(people, tg, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import telegram

    downloads: list[str] = []
    original = telegram.File.download_as_bytearray

    async def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        downloads.append(self.file_id)
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(telegram.File, "download_as_bytearray", spy)
    csv = base64.b64encode("telegram_user_id,hours\n5301,999\n".encode()).decode()
    plain = await tg.post("/test/document", json={"user_id": RESIDENT, "filename": "a.csv",
                                                  "content_base64": csv})
    plain.raise_for_status()
    any_document = await read(tg, RESIDENT, 1)
    await tg.post("/test/document", json={"user_id": RESIDENT, "filename": "hours.csv",
                                          "content_base64": csv, "caption": "/volunteer"})
    captioned = await read(tg, RESIDENT, 1, after=any_document[-1]["message_id"])
    assert [m["text"] for m in captioned] == [m["text"] for m in any_document]
    assert downloads == []


async def test_staff_still_get_usage_and_results(people, tg) -> None:  # type: ignore[no-untyped-def]
    replies = await say(tg, STAFF_ID, "/event_new")
    assert replies[-1]["text"] == texts.EVENT_NEW_USAGE
    replies = await say(tg, STAFF_ID, "/staff", after=replies[-1]["message_id"])
    assert replies[-1]["text"] == texts.STAFF_HELP


async def test_staff_buttons_pressed_by_a_resident_do_nothing(people, tg) -> None:  # type: ignore[no-untyped-def]
    message = (await say(tg, RESIDENT, "안녕"))[-1]
    await tg.post("/test/press", json={"user_id": RESIDENT, "message_id": message["message_id"],
                                       "callback_data": "s|payout_paid|1", "force": True})
    answers = (await tg.get("/test/callback_answers", params={"chat_id": RESIDENT, "wait": 5})).json()
    for _ in range(50):
        if answers["answers"]:
            break
        import asyncio
        await asyncio.sleep(0.1)
        answers = (await tg.get("/test/callback_answers", params={"chat_id": RESIDENT})).json()
    assert answers["answers"][-1]["text"] == texts.STALE_BUTTON
    later = await read(tg, RESIDENT, 0, after=message["message_id"])
    assert not any(texts.NOT_ALLOWED == m.get("text") for m in later)


def test_every_staff_handler_uses_the_one_gate() -> None:
    from telegram.ext import Application

    from bot.handlers import register
    from bot.handlers.staff_common import STAFF, StaffCallbackQueryHandler

    app = Application.builder().token("1:x").build()
    register(app)
    gated = set()
    for handler in app.handlers[0]:
        inner = handler.entry_points if isinstance(handler, announce.ConversationHandler) else [handler]  # also /meeting_new
        for h in inner:
            commands = getattr(h, "commands", set())
            if commands & set(STAFF_COMMANDS):
                assert STAFF in _leaves(h.filters), commands
                gated |= commands
            if isinstance(h, StaffCallbackQueryHandler) or "Caption" in repr(getattr(h, "filters", "")):
                if not isinstance(h, StaffCallbackQueryHandler):
                    assert STAFF in _leaves(h.filters)
    assert gated == set(STAFF_COMMANDS)


def _leaves(f):  # type: ignore[no-untyped-def]
    found = [f]
    for attr in ("base_filter", "and_filter", "or_filter", "f"):
        child = getattr(f, attr, None)
        if child is not None:
            found += _leaves(child)
    return found
