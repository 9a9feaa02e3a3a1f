"""Account actions: see, download and correct my data, the policy, my 동, re-consent (issue 13)."""
from __future__ import annotations

import json
from datetime import timedelta

from actions.account import ActionMyData, ActionMyDataCorrect
from actions.consent import ActionConsentAccept
from actions.points import ActionPointsBalance
from storage.db import session_scope
from storage.models import AnnouncementTarget
from storage.rules import CONSENT_VERSION
from storage.services import announcements, residents, subscriptions
from storage.timeutil import utcnow
from tests.actions.conftest import USER_ID, make_tracker, responses, run_action


def _register(name: str = "중구") -> int:
    with session_scope() as s:
        r, _ = residents.register(s, USER_ID, name)
        subscriptions.set_defaults(s, r.id)
        return r.id


def _dong_entity(value: str) -> list[dict]:
    return [{"entity": "dong", "value": value}]


def _field(value: str) -> list[dict]:
    return [{"entity": "my_data_field", "value": value}]


async def test_my_data_summarizes_what_is_stored(app_db):
    _register()
    messages, _ = await run_action(ActionMyData(), make_tracker("my_data", text="내 정보 보기"))
    assert responses(messages) == ["utter_my_data"]
    view = messages[0]
    assert view["name"] == "중구" and view["dong"] == "-" and view["version"] == CONSENT_VERSION
    assert view["points"] == "0" and view["ballots"] == 0 and "중구소식" in view["topics"]
    assert view["retention_years"] == 2


async def test_my_data_download_is_a_json_document_of_my_rows_only(app_db, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIA_DIR", str(tmp_path))
    _register()
    with session_scope() as s:
        other, _ = residents.register(s, USER_ID + 1, "이웃")
    export = [{"entity": "my_data_view", "value": "export"}]
    messages, _ = await run_action(ActionMyData(), make_tracker("my_data", entities=export))
    assert responses(messages) == ["utter_my_data_export"]
    document = json.loads((tmp_path / messages[0]["custom"]["document"]).read_text(encoding="utf-8"))
    assert document["residents"][0]["telegram_user_id"] == USER_ID
    assert {row["topic"] for row in document["subscriptions"]} >= {"news", "surveys"}
    assert "이웃" not in json.dumps(document, ensure_ascii=False)
    # Typed "내 정보 내려받기" (intent my_data) gives the same document.
    messages, _ = await run_action(ActionMyData(), make_tracker("my_data", text="내 정보 내려받기"))
    assert messages[0]["custom"]["document"].startswith("exports/")


async def test_the_full_policy_in_the_chat(app_db):
    policy = [{"entity": "my_data_view", "value": "policy"}]
    messages, _ = await run_action(ActionMyData(), make_tracker("my_data", entities=policy))  # no consent needed
    assert responses(messages) == ["utter_privacy_policy"]
    assert messages[0]["retention_years"] == 2 and messages[0]["version"] == CONSENT_VERSION


async def test_typed_dong_correction_then_change_and_clear(app_db):
    rid = _register()
    tracker = make_tracker("my_data_correct", entities=_dong_entity("신당동"), text="우리 동 신당동으로 바꿔 줘")
    messages, _ = await run_action(ActionMyDataCorrect(), tracker)
    assert responses(messages) == ["utter_dong_saved"] and messages[0]["dong"] == "신당동"
    with session_scope() as s:
        count = announcements.count_recipients(s, AnnouncementTarget.dong, "신당동")
        assert count == 1  # announcements by 동 now reach the resident
    messages, _ = await run_action(ActionMyDataCorrect(),
                                   make_tracker("my_data_correct", entities=_dong_entity("sindang5")))
    assert messages[0]["dong"] == "신당5동"
    messages, _ = await run_action(ActionMyDataCorrect(), make_tracker("my_data_correct", entities=_field("dong_clear")))
    assert responses(messages) == ["utter_dong_cleared"]
    with session_scope() as s:
        assert residents.find(s, USER_ID).dong is None
        assert announcements.count_recipients(s, AnnouncementTarget.dong, "신당5동") == 0
    del rid


async def test_skip_and_unknown_dong(app_db):
    _register()
    messages, _ = await run_action(ActionMyDataCorrect(),
                                   make_tracker("my_data_correct", entities=_dong_entity("skip")))
    assert responses(messages) == ["utter_dong_skipped"]
    messages, _ = await run_action(ActionMyDataCorrect(),
                                   make_tracker("my_data_correct", entities=_dong_entity("강남동")))
    assert responses(messages) == ["utter_err_unknown_dong", "utter_dong_ask"]
    messages, _ = await run_action(ActionMyDataCorrect(), make_tracker("my_data_correct", entities=_field("dong")))
    assert responses(messages) == ["utter_dong_ask"]


async def test_correct_menu_and_name_from_telegram(app_db):
    _register("옛이름")
    messages, _ = await run_action(ActionMyDataCorrect(), make_tracker("my_data_correct"))
    assert responses(messages) == ["utter_my_data_correct"] and messages[0]["name"] == "옛이름"
    messages, _ = await run_action(ActionMyDataCorrect(),
                                   make_tracker("my_data_correct", entities=_field("name"), first_name="새이름"))
    assert messages[0]["name"] == "새이름"
    with session_scope() as s:
        assert residents.find(s, USER_ID).display_name == "새이름"


async def test_a_changed_notice_is_asked_again_before_anything_else(app_db):
    _register()
    with session_scope() as s:
        residents.find(s, USER_ID).consent_version = "2020-01"
    messages, _ = await run_action(ActionPointsBalance(), make_tracker("points_balance"))
    assert responses(messages) == ["utter_reconsent_notice", "utter_consent_notice"]
    await run_action(ActionConsentAccept(), make_tracker("consent_accept"))
    messages, _ = await run_action(ActionPointsBalance(), make_tracker("points_balance"))
    assert responses(messages)[0] == "utter_points_balance"


async def test_activity_is_recorded_at_most_once_a_day(app_db):
    _register()
    long_ago = utcnow() - timedelta(days=400)
    with session_scope() as s:
        residents.find(s, USER_ID).last_active_at = long_ago
    await run_action(ActionPointsBalance(), make_tracker("points_balance"))
    with session_scope() as s:
        first = residents.find(s, USER_ID).last_active_at
        assert first > long_ago + timedelta(days=399)
    await run_action(ActionPointsBalance(), make_tracker("points_balance"))
    with session_scope() as s:
        assert residents.find(s, USER_ID).last_active_at == first
