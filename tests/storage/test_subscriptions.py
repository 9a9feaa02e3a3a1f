"""Topic subscriptions: defaults at consent, toggles, opting out, unreachable residents."""
from __future__ import annotations

import threading

import pytest

from storage.db import session_scope
from storage.errors import DomainError
from storage.models import AnnouncementTarget
from storage.notify_rules import ALL_TOPICS, Topic
from storage.services import residents, subscriptions


def _resident(session, telegram_user_id: int, name: str = "주민", topics=None) -> int:  # type: ignore[no-untyped-def]
    resident, _ = residents.register(session, telegram_user_id, name)
    session.flush()
    subscriptions.set_defaults(session, resident.id, topics)
    return resident.id


def _recipients(session, kind, value=None) -> set[int]:  # type: ignore[no-untyped-def]
    return {rid for rid, _chat in session.execute(subscriptions.recipients(kind, value))}


def test_defaults_are_every_topic_unless_chosen(session) -> None:  # type: ignore[no-untyped-def]
    everyone = _resident(session, 1)
    chooser = _resident(session, 2, topics=["surveys", "참여예산"])
    assert subscriptions.enabled_topics(session, everyone) == set(ALL_TOPICS)
    assert subscriptions.enabled_topics(session, chooser) == {Topic.surveys, Topic.budget}
    view = subscriptions.settings_view(session, chooser)
    assert [(i.topic, i.label, i.enabled) for i in view.items] == [
        ("all", "전체", False), ("surveys", "설문·공모", True), ("proposals", "정책제안", False),
        ("budget", "참여예산", True), ("news", "중구소식", False), ("events", "행사·포인트", False),
    ]
    assert subscriptions.settings_view(session, everyone).items[0].enabled is True


def test_toggle_one_topic_and_all(session) -> None:  # type: ignore[no-untyped-def]
    rid = _resident(session, 3, topics=["news"])
    assert subscriptions.toggle(session, rid, "news") is False
    assert subscriptions.toggle(session, rid, Topic.events) is True
    assert subscriptions.enabled_topics(session, rid) == {Topic.events}
    # "all" with some off turns all on; with all on turns all off.
    assert subscriptions.toggle(session, rid, "all") is True
    assert subscriptions.enabled_topics(session, rid) == set(ALL_TOPICS)
    assert subscriptions.toggle(session, rid, "all") is False
    assert subscriptions.enabled_topics(session, rid) == set()


def test_unsubscribe_all_and_opted_out_residents_get_nothing(session) -> None:  # type: ignore[no-untyped-def]
    rid = _resident(session, 4)
    other = _resident(session, 5)
    assert subscriptions.unsubscribe_all(session, rid) == 5
    assert subscriptions.unsubscribe_all(session, rid) == 0
    assert not subscriptions.settings_view(session, rid).any_enabled
    assert _recipients(session, AnnouncementTarget.all) == {other}


def test_unreachable_resident_is_unsubscribed_and_excluded(session) -> None:  # type: ignore[no-untyped-def]
    rid = _resident(session, 6)
    subscriptions.mark_unreachable(session, rid)
    assert residents.find(session, 6).reachable is False
    assert subscriptions.enabled_topics(session, rid) == set()
    assert _recipients(session, AnnouncementTarget.all) == set()


def test_recipients_by_topic_and_dong(session) -> None:  # type: ignore[no-untyped-def]
    budget_fan = _resident(session, 7, topics=["budget"])
    news_fan = _resident(session, 8, topics=["news"])
    nobody = _resident(session, 9, topics=[])
    subscriptions.set_dong(session, budget_fan, "명동")
    subscriptions.set_dong(session, nobody, "명동")
    assert _recipients(session, AnnouncementTarget.topic, "budget") == {budget_fan}
    assert _recipients(session, AnnouncementTarget.topic, "중구소식") == {news_fan}
    # A 동 announcement still needs the resident to receive announcements at all.
    assert _recipients(session, AnnouncementTarget.dong, "명동") == {budget_fan}
    assert _recipients(session, AnnouncementTarget.dong, "myeong") == {budget_fan}
    assert residents.find(session, 7).dong == "myeong"                   # stored as the code
    assert _recipients(session, AnnouncementTarget.all) == {budget_fan, news_fan}


def test_refusals(session) -> None:  # type: ignore[no-untyped-def]
    rid = _resident(session, 10)
    with pytest.raises(DomainError) as err:
        subscriptions.toggle(session, rid, "weather")
    assert err.value.code == "unknown_topic"
    with pytest.raises(DomainError) as err:
        subscriptions.set_dong(session, rid, "강남동")
    assert err.value.code == "unknown_dong"
    with pytest.raises(DomainError) as err:
        subscriptions.settings_view(session, 999_999)
    assert err.value.code == "not_registered"


def test_concurrent_toggles_each_flip_once(pg_engine) -> None:  # type: ignore[no-untyped-def]
    with session_scope(pg_engine) as s:
        rid = _resident(s, 11, topics=["news"])
    barrier = threading.Barrier(4)

    def press() -> None:
        barrier.wait()
        with session_scope(pg_engine) as s:
            subscriptions.toggle(s, rid, "news")

    threads = [threading.Thread(target=press) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with session_scope(pg_engine) as s:
        # Four flips from "on": on again (no lost update).
        assert subscriptions.enabled_topics(s, rid) == {Topic.news}
