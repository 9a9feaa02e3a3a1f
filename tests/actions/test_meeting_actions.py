"""영상회의 actions against the real database: cards, register/waiting list, my registrations, attendance."""
from __future__ import annotations

from datetime import timedelta

from actions.meetings import (
    ActionMeetingAttend,
    ActionMeetingDetail,
    ActionMeetingMy,
    ActionMeetingRegister,
    ActionMeetingsList,
    ActionMeetingUnregister,
)
from bot import keyboards
from storage.db import session_scope
from storage.services import meetings, residents
from storage.timeutil import utcnow
from tests.actions.conftest import USER_ID, make_tracker, responses, run_action


def _resident(engine, user_id=USER_ID):
    with session_scope(engine) as s:
        r, _ = residents.register(s, user_id, "중구")
        return r.id


def _meeting(engine, *, starts_in=timedelta(days=2), capacity=None, **extra):
    starts = utcnow() + starts_in
    with session_scope(engine) as s:
        m = meetings.create_meeting(s, staff_resident_id=None, title="도시재생 주민설명회", category="도시재생",
                                    department="도시재생과", starts_at=starts, ends_at=starts + timedelta(hours=1),
                                    url="https://zoom.us/j/123456789", capacity=capacity,
                                    now=utcnow() - timedelta(hours=1) if starts_in < timedelta(0) else None,
                                    **extra)
        return m.id, m.code


def _ent(meeting_id, **more):
    return [{"entity": "meeting_id", "value": str(meeting_id)}] + [
        {"entity": k, "value": v} for k, v in more.items()]


async def test_list_shows_cards_with_buttons_that_fit_callback_data(app_db):
    m1, _ = _meeting(app_db)
    _meeting(app_db, capacity=30)
    messages, _ = await run_action(ActionMeetingsList(), make_tracker("meetings_list"))
    assert responses(messages) == ["utter_meetings_list_head", "utter_meeting_card_unlimited", "utter_meeting_card"]
    buttons = messages[1]["buttons"]
    assert [b["title"] for b in buttons] == ["자세히", "신청"]
    assert buttons[0]["payload"] == f'/meeting_detail{{"meeting_id":"{m1}"}}'
    for b in buttons:
        assert keyboards.unpack(keyboards.pack(b["payload"])) == b["payload"]


async def test_empty_list(app_db):
    messages, _ = await run_action(ActionMeetingsList(), make_tracker("meetings_list"))
    assert responses(messages) == ["utter_meetings_list_empty"]


async def test_register_then_waiting_then_my_then_cancel(app_db):
    m, _ = _meeting(app_db, capacity=1)
    _resident(app_db, 1)
    _resident(app_db)
    first = make_tracker("meeting_register", entities=_ent(m), user_id=1)
    assert responses((await run_action(ActionMeetingRegister(), first))[0]) == ["utter_meeting_registered"]
    messages, _ = await run_action(ActionMeetingRegister(), make_tracker("meeting_register", entities=_ent(m)))
    assert responses(messages) == ["utter_meeting_waiting"] and messages[0]["position"] == 1
    messages, _ = await run_action(ActionMeetingRegister(), make_tracker("meeting_register", entities=_ent(m)))
    assert responses(messages) == ["utter_meeting_already_waiting"]
    messages, _ = await run_action(ActionMeetingMy(), make_tracker("meeting_my"))
    assert responses(messages) == ["utter_meeting_my_head", "utter_meeting_my_item_waiting"]
    # The first resident leaves: we move up.
    await run_action(ActionMeetingUnregister(), make_tracker("meeting_unregister", entities=_ent(m), user_id=1))
    messages, _ = await run_action(ActionMeetingMy(), make_tracker("meeting_my"))
    assert responses(messages) == ["utter_meeting_my_head", "utter_meeting_my_item"]
    messages, _ = await run_action(ActionMeetingDetail(), make_tracker("meeting_detail", entities=_ent(m)))
    assert responses(messages) == ["utter_meeting_detail"]
    assert messages[0]["buttons"][0] == {"title": "입장하기", "payload": "https://zoom.us/j/123456789"}
    messages, _ = await run_action(ActionMeetingUnregister(), make_tracker("meeting_unregister", entities=_ent(m)))
    assert responses(messages) == ["utter_meeting_unregistered"]
    messages, _ = await run_action(ActionMeetingUnregister(), make_tracker("meeting_unregister", entities=_ent(m)))
    assert responses(messages) == ["utter_meeting_nothing_to_cancel"]
    messages, _ = await run_action(ActionMeetingMy(), make_tracker("meeting_my"))
    assert responses(messages) == ["utter_meeting_my_empty"]


async def test_register_needs_consent(app_db):
    m, _ = _meeting(app_db)
    messages, _ = await run_action(ActionMeetingRegister(), make_tracker("meeting_register", entities=_ent(m)))
    assert responses(messages) == ["utter_err_not_registered"]


async def test_detail_of_unknown_meeting(app_db):
    messages, _ = await run_action(ActionMeetingDetail(), make_tracker("meeting_detail", entities=_ent(999)))
    assert responses(messages) == ["utter_err_meeting_not_found"]


async def test_attend_typed_code_once_and_clear_errors(app_db):
    _resident(app_db)
    running, code = _meeting(app_db, starts_in=timedelta(minutes=-5))
    later, later_code = _meeting(app_db)
    wrong = "000000" if code != "000000" and later_code != "000000" else "111111"

    async def say(text, **kw):
        return await run_action(ActionMeetingAttend(), make_tracker("meeting_attend", text=text, **kw))

    assert responses((await say("출석 코드"))[0]) == ["utter_meeting_attend_ask"]
    assert responses((await say(f"코드 {wrong}"))[0]) == ["utter_err_meeting_code_wrong"]
    assert responses((await say(f"출석 {later_code}"))[0]) == ["utter_err_meeting_not_open"]
    messages, _ = await say(f"출석 코드 {code[:3]} {code[3:]}")
    assert responses(messages) == ["utter_meeting_attended"]
    with session_scope(app_db) as s:
        points = meetings.get_meeting(s, running).points
    assert messages[0]["points"] == f"{points:,}" and messages[0]["balance"] == f"{points:,}"
    # Scanned QR for the same meeting: already credited.
    messages, _ = await say("/meeting_attend", entities=_ent(running, meeting_code=code))
    assert responses(messages) == ["utter_err_meeting_already_attended"] and messages[0]["title"]


async def test_a_typed_code_the_bot_reads_as_a_spoken_event_code_reaches_the_meeting(app_db):
    """The bot turns a typed "출석 123456" into a spoken event code; a meeting's code is credited there too."""
    from actions.points import ActionQrCheckin
    from storage.qr import SPOKEN_PREFIX

    _resident(app_db)
    _, code = _meeting(app_db, starts_in=timedelta(minutes=-5))
    messages, _ = await run_action(ActionQrCheckin(), make_tracker(
        "qr_checkin", text="출석", entities=[{"entity": "qr_payload", "value": f"{SPOKEN_PREFIX}{code}"}]))
    assert responses(messages) == ["utter_meeting_attended"]
