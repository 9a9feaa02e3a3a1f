"""Rotating check-in codes through the real bot: staff get the on-screen QR and six digits,
a resident's "출석 123456" reaches Rasa as a check-in payload, and the code checks in."""
from __future__ import annotations

import re
from datetime import timedelta

from bot import texts
from storage.db import session_scope
from storage.models import Role
from storage.services import events, residents
from storage.timeutil import utcnow
from tests.bot.conftest import read, say

STAFF, RESIDENT = 5601, 5602


async def test_staff_code_and_resident_typed_code(running_bot, tg, bot_db) -> None:  # type: ignore[no-untyped-def]
    for user_id in (STAFF, RESIDENT):
        await tg.post("/test/users", json={"user_id": user_id, "first_name": "주민", "started": True})
    with session_scope(bot_db) as s:
        member, _ = residents.register(s, STAFF, "직원")
        member.role = Role.staff
        s.flush()
        resident_id = residents.register(s, RESIDENT, "주민")[0].id
        now = utcnow()
        event_id = events.create_event(s, staff_resident_id=member.id, name="정동야행", place="정동길",
                                       starts_at=now + timedelta(minutes=10), ends_at=now + timedelta(hours=2),
                                       now=now).id
    (usage,) = await say(tg, STAFF, "/event_code")
    assert usage["text"].startswith("현장 출석 코드는")
    (shown,) = await say(tg, STAFF, f"/event_code {event_id} 10", after=usage["message_id"])
    assert shown.get("photo") and f"[#{event_id} 정동야행]" in shown["caption"]
    digits = re.search(r"「출석 ([0-9]{6})」", shown["caption"]).group(1)

    await say(tg, RESIDENT, f"출석 {digits}")
    assert running_bot.received[-1]["message"] == f'/qr_checkin{{"qr_payload":"c{digits}"}}'
    with session_scope(bot_db) as s:
        assert events.check_in(s, resident_id=resident_id, payload=f"c{digits}").created

    (off,) = await say(tg, STAFF, f"/event_code {event_id} 끄기", after=shown["message_id"])
    assert off["text"] == texts.EVENT_CODE_OFF.format(id=event_id)
    await read(tg, RESIDENT, 0)
