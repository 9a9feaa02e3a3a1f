from __future__ import annotations

from actions.notifications import (
    ActionNotificationSettings,
    ActionNotificationsOff,
    ActionNotificationsOn,
    ActionNotificationToggle,
)
from storage.db import session_scope
from storage.notify_rules import Topic
from storage.services import residents, subscriptions
from tests.actions.conftest import USER_ID, make_tracker, responses, run_action


def _register(engine) -> int:
    with session_scope(engine) as s:
        return residents.register(s, USER_ID, "중구")[0].id


async def test_new_resident_hears_nothing_until_they_choose(app_db):
    rid = _register(app_db)
    messages, _ = await run_action(ActionNotificationSettings(), make_tracker("notifications_menu"))
    assert responses(messages) == ["utter_notifications_settings"]
    assert "✅" not in messages[0]["lines"]
    assert messages[0]["buttons"][1]["payload"] == '/notifications_toggle{"topic":"surveys"}'
    with session_scope(app_db) as s:
        assert subscriptions.enabled_topics(s, rid) == set()


async def test_all_on_toggle_one_then_all_off(app_db):
    rid = _register(app_db)
    await run_action(ActionNotificationsOn(), make_tracker("notifications_on"))
    messages, _ = await run_action(ActionNotificationToggle(), make_tracker(
        "notifications_toggle", entities=[{"entity": "topic", "value": "news"}]))
    assert responses(messages) == ["utter_notifications_toggled", "utter_notifications_settings"]
    assert messages[0]["label"] == "중구소식" and messages[0]["state"] == "껐어요"
    with session_scope(app_db) as s:
        assert subscriptions.enabled_topics(s, rid) == set(Topic) - {Topic.news}
    messages, _ = await run_action(ActionNotificationsOff(), make_tracker("notifications_off"))
    assert responses(messages) == ["utter_notifications_all_off"]
    with session_scope(app_db) as s:
        assert subscriptions.enabled_topics(s, rid) == set()


async def test_unknown_topic_changes_nothing(app_db):
    rid = _register(app_db)
    messages, _ = await run_action(ActionNotificationToggle(), make_tracker(
        "notifications_toggle", entities=[{"entity": "topic", "value": "lotto"}]))
    assert responses(messages) == ["utter_err_unknown_topic"]
    with session_scope(app_db) as s:
        assert subscriptions.enabled_topics(s, rid) == set()
