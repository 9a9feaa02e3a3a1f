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


async def test_accept_registers_and_shows_menu(app_db):
    messages, events = await run_action(ActionConsentAccept(), make_tracker("consent_accept"))
    assert responses(messages) == ["utter_consent_thanks", "utter_main_menu"]
    assert messages[0]["name"] == "중구"
    with session_scope(app_db) as s:
        assert residents.find(s, USER_ID) is not None
    messages, _ = await run_action(ActionStart(), make_tracker("start"))
    assert responses(messages) == ["utter_welcome_back", "utter_main_menu"]


async def test_decline_stores_nothing(app_db):
    messages, _ = await run_action(ActionConsentDecline(), make_tracker("consent_decline"))
    assert responses(messages) == ["utter_consent_declined"]
    with session_scope(app_db) as s:
        assert residents.find(s, USER_ID) is None


async def test_withdraw_asks_then_deletes(app_db):
    await run_action(ActionConsentAccept(), make_tracker("consent_accept"))
    messages, events = await run_action(ActionWithdrawConsent(), make_tracker("withdraw_consent"))
    assert responses(messages) == ["utter_withdraw_confirm"]
    assert events == [{"event": "slot", "timestamp": None, "name": "withdraw_requested", "value": True}]
    with session_scope(app_db) as s:
        assert residents.find(s, USER_ID) is not None
    messages, _ = await run_action(
        ActionWithdrawConsent(), make_tracker("withdraw_consent", slots={"withdraw_requested": True}))
    assert responses(messages) == ["utter_withdrawn"]
    with session_scope(app_db) as s:
        assert residents.find(s, USER_ID) is None


async def test_points_action_needs_consent(app_db):
    from actions.points import ActionPointsBalance

    messages, _ = await run_action(ActionPointsBalance(), make_tracker("points_balance"))
    assert responses(messages) == ["utter_err_not_registered"]
