from __future__ import annotations

from actions.consent import (
    ActionConsentAccept,
    ActionConsentDecline,
    ActionStart,
    ActionWithdrawConsent,
)
from storage.db import session_scope
from storage.services import residents
from tests.actions.conftest import USER_ID, make_tracker, responses, run_action


async def test_start_asks_consent_from_a_newcomer(app_db):
    messages, _ = await run_action(ActionStart(), make_tracker("start"))
    assert responses(messages) == ["utter_welcome", "utter_consent_notice"]
    assert messages[1]["retention_years"] == 2


async def test_accept_registers_and_asks_the_optional_dong(app_db):
    messages, events = await run_action(ActionConsentAccept(), make_tracker("consent_accept"))
    assert responses(messages) == ["utter_consent_thanks", "utter_dong_ask"]
    titles = [b["title"] for b in messages[1]["buttons"]]
    assert len(titles) == 16 and titles[-1] == "건너뛰기" and "신당5동" in titles
    assert messages[0]["name"] == "중구"
    with session_scope(app_db) as s:
        assert residents.find(s, USER_ID) is not None
    messages, _ = await run_action(ActionStart(), make_tracker("start"))
    assert responses(messages) == ["utter_welcome_back", "utter_main_menu"]


async def test_decline_stores_nothing(app_db):
    messages, _ = await run_action(ActionConsentDecline(), make_tracker("consent_decline"))
    assert responses(messages) == ["utter_consent_declined", None]
    with session_scope(app_db) as s:
        assert residents.find(s, USER_ID) is None


def _turns(*steps: tuple[str, str]) -> list[dict]:
    """Tracker events: ("user", intent) / ("action", name) / ("session", "")."""
    events: list[dict] = []
    for kind, name in steps:
        if kind == "user":
            events.append({"event": "user", "text": f"/{name}", "parse_data": {"intent": {"name": name}}})
        elif kind == "action":
            events += [{"event": "action", "name": name}, {"event": "action", "name": "action_listen"}]
        else:
            events += [{"event": "action", "name": "action_session_start"}, {"event": "session_started"},
                       {"event": "action", "name": "action_listen"}]
    return events


def _withdraw_tracker(intent: str, *history: tuple[str, str]):
    tracker = make_tracker(intent)
    tracker.events = _turns(*history, ("user", intent))
    return tracker


def _registered() -> None:
    from storage.db import session_scope as scope
    with scope() as s:
        residents.register(s, USER_ID, "중구")


async def test_withdraw_asks_then_deletes_on_the_button(app_db):
    _registered()
    messages, _ = await run_action(ActionWithdrawConsent(), _withdraw_tracker("withdraw_consent"))
    assert responses(messages) == ["utter_withdraw_confirm"]
    with session_scope(app_db) as s:
        assert residents.find(s, USER_ID) is not None
    # The "탈퇴 확인" button sends withdraw_consent again, right after the question.
    tracker = _withdraw_tracker("withdraw_consent", ("user", "withdraw_consent"),
                                ("action", "action_withdraw_consent"))
    messages, _ = await run_action(ActionWithdrawConsent(), tracker)
    assert responses(messages) == ["utter_withdrawn", None]
    assert messages[1]["custom"] == {"privacy": "forget_conversation"}
    with session_scope(app_db) as s:
        assert residents.find(s, USER_ID) is None


async def test_a_plain_yes_right_after_the_question_confirms(app_db):
    _registered()
    tracker = _withdraw_tracker("affirm", ("user", "withdraw_consent"), ("action", "action_withdraw_consent"))
    messages, _ = await run_action(ActionWithdrawConsent(), tracker)
    assert responses(messages)[0] == "utter_withdrawn"


async def test_the_confirmation_expires_after_anything_else(app_db):
    _registered()
    tracker = _withdraw_tracker("withdraw_consent", ("user", "withdraw_consent"),
                                ("action", "action_withdraw_consent"),
                                ("user", "points_balance"), ("action", "action_points_balance"))
    messages, _ = await run_action(ActionWithdrawConsent(), tracker)
    assert responses(messages) == ["utter_withdraw_confirm"]
    with session_scope(app_db) as s:
        assert residents.find(s, USER_ID) is not None


async def test_the_confirmation_does_not_survive_a_new_session(app_db):
    """A stale slot used to carry over: a later single "탈퇴" deleted at once."""
    _registered()
    tracker = _withdraw_tracker("withdraw_consent", ("user", "withdraw_consent"),
                                ("action", "action_withdraw_consent"), ("session", ""))
    tracker.slots["withdraw_requested"] = True
    messages, _ = await run_action(ActionWithdrawConsent(), tracker)
    assert responses(messages) == ["utter_withdraw_confirm"]
    with session_scope(app_db) as s:
        assert residents.find(s, USER_ID) is not None


async def test_a_stale_confirm_button_asks_again(app_db):
    _registered()
    messages, _ = await run_action(ActionWithdrawConsent(), _withdraw_tracker("withdraw_consent"))
    assert responses(messages) == ["utter_withdraw_confirm"]
    with session_scope(app_db) as s:
        assert residents.find(s, USER_ID) is not None


async def test_decline_asks_the_bot_to_forget_the_conversation(app_db):
    messages, _ = await run_action(ActionConsentDecline(), make_tracker("consent_decline"))
    assert messages[-1]["custom"] == {"privacy": "forget_conversation"}


async def test_points_action_needs_consent(app_db):
    from actions.points import ActionPointsBalance

    messages, _ = await run_action(ActionPointsBalance(), make_tracker("points_balance"))
    assert responses(messages) == ["utter_err_not_registered"]
