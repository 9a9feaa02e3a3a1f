from __future__ import annotations

from datetime import timedelta

import pytest

from actions.consent import ActionConsentAccept
from actions.points import (
    ActionExchangeCancel,
    ActionExchangeConfirm,
    ActionExchangeRequest,
    ActionExchangeStatus,
    ActionPointsBalance,
    ActionPointsHistory,
    ActionPointsHowto,
    ActionQrCheckin,
    parse_amount,
)
from storage.db import session_scope
from storage.models import Role
from storage.services import events, points, residents
from storage.timeutil import utcnow
from tests.actions.conftest import USER_ID, make_tracker, responses, run_action


def _register(engine, user_id=USER_ID, role=Role.resident):
    with session_scope(engine) as s:
        resident, _ = residents.register(s, user_id, "중구")
        resident.role = role
        return resident.id


def _award(engine, resident_id, amount, ref="t"):
    with session_scope(engine) as s:
        points.award(s, resident_id=resident_id, activity="volunteer_100h", ref=ref, points=amount)


def _event(engine, staff_id, **kw):
    now = utcnow()
    with session_scope(engine) as s:
        event = events.create_event(s, staff_resident_id=staff_id, name="정동야행", place="정동길",
                                    starts_at=kw.get("starts_at", now - timedelta(hours=1)),
                                    ends_at=kw.get("ends_at", now + timedelta(hours=2)), points=500)
        return events.deep_link(event).rsplit("=", 1)[1]


@pytest.mark.parametrize("text,amount", [("5000", 5000), ("5,000", 5000), ("1만", 10000),
                                          ("만", 10000), ("오천", 5000), ("10000P", 10000),
                                          ("5천", 5000), ("많이", None), (None, None)])
def test_parse_amount(text, amount):
    assert parse_amount(text) == amount


async def test_balance_shows_available_held_and_hint(app_db):
    rid = _register(app_db)
    _award(app_db, rid, 6000)
    messages, _ = await run_action(ActionPointsBalance(), make_tracker("points_balance"))
    assert responses(messages) == ["utter_points_balance"]
    assert messages[0]["available"] == "6,000" and messages[0]["held"] == "0"
    assert "교환을 신청할 수 있어요" in messages[0]["exchange_hint"]


async def test_history_pages_and_empty(app_db):
    rid = _register(app_db)
    messages, _ = await run_action(ActionPointsHistory(), make_tracker("points_history"))
    assert responses(messages) == ["utter_points_history_empty"]
    for i in range(12):
        with session_scope(app_db) as s:
            points.award(s, resident_id=rid, activity="contest_win", ref=f"c{i}", points=100)
    messages, _ = await run_action(ActionPointsHistory(), make_tracker("points_history"))
    assert messages[0]["page"] == 1 and messages[0]["pages"] == 2
    assert messages[0]["buttons"][0]["payload"] == '/points_history_more{"page":"2"}'
    messages, _ = await run_action(ActionPointsHistory(), make_tracker(
        "points_history_more", entities=[{"entity": "page", "value": "2"}]))
    assert messages[0]["page"] == 2 and not messages[0]["buttons"]


async def test_howto_lists_the_policy(app_db):
    messages, _ = await run_action(ActionPointsHowto(), make_tracker("points_howto"))
    assert "설문" in messages[0]["lines"] and "5,000" in messages[0]["rules"]


async def test_exchange_choose_confirm_status_cancel(app_db):
    rid = _register(app_db)
    _award(app_db, rid, 10000)
    messages, _ = await run_action(ActionExchangeRequest(), make_tracker("exchange_request"))
    assert responses(messages) == ["utter_exchange_choose"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        '/exchange_request{"amount":"5000"}', '/exchange_request{"amount":"10000"}']

    amount = [{"entity": "amount", "value": "5000"}]
    messages, _ = await run_action(ActionExchangeRequest(), make_tracker("exchange_request", entities=amount))
    assert responses(messages) == ["utter_exchange_confirm"]
    assert messages[0]["payout_date_ieyo"] in ("이에요", "예요")  # "2026. 12. 31. (목)이에요": chosen, not fixed
    with session_scope(app_db) as s:
        assert points.balance(s, rid).held == 0  # asking to confirm holds nothing

    messages, _ = await run_action(ActionExchangeConfirm(), make_tracker("exchange_confirm", entities=amount))
    assert responses(messages) == ["utter_exchange_requested"] and messages[0]["available"] == "5,000"
    messages, _ = await run_action(ActionExchangeConfirm(), make_tracker("exchange_confirm", entities=amount))
    assert responses(messages) == ["utter_err_exchange_pending_exists"]

    messages, _ = await run_action(ActionExchangeStatus(), make_tracker("exchange_status"))
    assert responses(messages) == ["utter_exchange_pending_list"]
    cancel_payload = messages[0]["buttons"][0]["payload"]
    request_id = cancel_payload.split('"')[3]
    messages, _ = await run_action(ActionExchangeCancel(), make_tracker(
        "exchange_cancel", entities=[{"entity": "request_id", "value": request_id}]))
    assert responses(messages) == ["utter_exchange_cancelled"] and messages[0]["available"] == "10,000"


async def test_exchange_refusals_change_nothing(app_db):
    rid = _register(app_db)
    _award(app_db, rid, 4999)
    messages, _ = await run_action(ActionExchangeRequest(), make_tracker("exchange_request"))
    assert responses(messages) == ["utter_exchange_not_enough"]
    messages, _ = await run_action(ActionExchangeConfirm(), make_tracker(
        "exchange_confirm", entities=[{"entity": "amount", "value": "5000"}]))
    assert responses(messages) == ["utter_err_insufficient_points"]
    messages, _ = await run_action(ActionExchangeRequest(), make_tracker(
        "exchange_request", entities=[{"entity": "amount", "value": "많이"}]))
    assert responses(messages) == ["utter_err_amount_invalid"]
    with session_scope(app_db) as s:
        assert points.balance(s, rid).available == 4999 and not points.pending_exchanges(s, rid)


async def test_qr_checkin_once(app_db):
    staff = _register(app_db, 1, Role.staff)
    _register(app_db)
    payload = _event(app_db, staff)
    qr = [{"entity": "qr_payload", "value": payload}]
    messages, _ = await run_action(ActionQrCheckin(), make_tracker("qr_checkin", entities=qr))
    assert responses(messages) == ["utter_checkin_done"] and messages[0]["points"] == "500"
    messages, _ = await run_action(ActionQrCheckin(), make_tracker("qr_checkin", entities=qr))
    assert responses(messages) == ["utter_err_already_checked_in"]


async def test_qr_forged_or_missing(app_db):
    _register(app_db)
    messages, _ = await run_action(ActionQrCheckin(), make_tracker(
        "qr_checkin", entities=[{"entity": "qr_payload", "value": "eFORGEDxxxxxxxxxxxxxxxxxx"}]))
    assert responses(messages) == ["utter_err_qr_invalid"]
    messages, _ = await run_action(ActionQrCheckin(), make_tracker("qr_checkin"))
    assert responses(messages) == ["utter_err_qr_invalid"]


async def test_qr_before_consent_completes_after_consent(app_db):
    staff = _register(app_db, 1, Role.staff)
    payload = _event(app_db, staff)
    messages, events_ = await run_action(ActionQrCheckin(), make_tracker(
        "qr_checkin", entities=[{"entity": "qr_payload", "value": payload}]))
    assert responses(messages) == ["utter_checkin_after_consent", "utter_consent_notice"]
    assert events_[0]["name"] == "pending_checkin" and events_[0]["value"] == payload
    messages, events_ = await run_action(ActionConsentAccept(), make_tracker(
        "consent_accept", slots={"pending_checkin": payload}))
    assert responses(messages) == ["utter_consent_thanks", "utter_checkin_done"]
    assert events_ == [{"event": "slot", "timestamp": None, "name": "pending_checkin", "value": None}]
