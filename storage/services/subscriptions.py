"""Residents choose which topics they hear about; unreachable residents hear nothing.

Opt-in: a resident receives announcements of a topic only while a row for it
says ``enabled``. Consent sets the defaults (every topic unless the resident
chose otherwise); "알림 설정" toggles one topic or all; "알림 꺼줘" turns all off.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.errors import DomainError
from storage.models import AnnouncementTarget, Resident, Subscription
from storage.notify_rules import ALL, ALL_TOPICS, TOPIC_LABELS, Topic, dong_code, parse_topic
from storage.timeutil import utcnow


@dataclass(frozen=True)
class TopicSetting:
    topic: str          # a Topic value, or "all"
    label: str          # 설문·공모 … / 전체
    enabled: bool


@dataclass(frozen=True)
class SettingsView:
    """What the "알림 설정" buttons show: "all" first, then each topic."""

    items: list[TopicSetting]

    @property
    def any_enabled(self) -> bool:
        return any(item.enabled for item in self.items if item.topic != ALL)


def _resident(session: Session, resident_id: int) -> Resident:
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise DomainError("not_registered")
    return resident


def _topic(value: Topic | str) -> Topic:
    if isinstance(value, Topic):
        return value
    try:
        return parse_topic(value)
    except ValueError:
        raise DomainError("unknown_topic", topic=value) from None


def _upsert(session: Session, resident_id: int, enabled_by_topic: dict[Topic, bool], now: datetime) -> None:
    if not enabled_by_topic:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(Subscription).values([
        dict(resident_id=resident_id, topic=topic, enabled=enabled, updated_at=now)
        for topic, enabled in enabled_by_topic.items()
    ])
    stmt = stmt.on_conflict_do_update(
        index_elements=["resident_id", "topic"],
        set_={"enabled": stmt.excluded.enabled, "updated_at": stmt.excluded.updated_at},
    )
    session.execute(stmt)


def enabled_topics(session: Session, resident_id: int) -> set[Topic]:
    """The topics a resident currently receives."""
    return set(session.scalars(
        select(Subscription.topic).where(Subscription.resident_id == resident_id,
                                         Subscription.enabled.is_(True))
    ))


def set_defaults(
    session: Session, resident_id: int, topics: Iterable[Topic | str] | None = None,
    *, now: datetime | None = None,
) -> set[Topic]:
    """At consent: the chosen topics on, the others off (None = every topic on)."""
    _resident(session, resident_id)
    given = None if topics is None else list(topics)
    if given is None or ALL in given:
        chosen = set(ALL_TOPICS)
    else:
        chosen = {_topic(t) for t in given}
    _upsert(session, resident_id, {t: t in chosen for t in ALL_TOPICS}, now or utcnow())
    return chosen


def set_topic(
    session: Session, resident_id: int, topic: Topic | str, enabled: bool, *, now: datetime | None = None
) -> None:
    """Switch one topic (or "all") on or off."""
    _resident(session, resident_id)
    targets = ALL_TOPICS if topic == ALL else (_topic(topic),)
    _upsert(session, resident_id, {t: enabled for t in targets}, now or utcnow())


def toggle(session: Session, resident_id: int, topic: Topic | str, *, now: datetime | None = None) -> bool:
    """Flip one topic; "all" turns everything on unless everything is on. Returns the new state."""
    resident = _resident(session, resident_id)
    if session.get_bind().dialect.name == "postgresql":
        # Serialise two presses of the same resident so each flips what the other left.
        session.execute(select(Resident.id).where(Resident.id == resident.id).with_for_update())
    current = enabled_topics(session, resident_id)
    if topic == ALL:
        new_state = current != set(ALL_TOPICS)
    else:
        new_state = _topic(topic) not in current
    set_topic(session, resident_id, topic, new_state, now=now)
    return new_state


def unsubscribe_all(session: Session, resident_id: int, *, now: datetime | None = None) -> int:
    """"알림 꺼줘"/"구독 취소": every topic off; returns how many were on."""
    _resident(session, resident_id)
    result = session.execute(
        update(Subscription)
        .where(Subscription.resident_id == resident_id, Subscription.enabled.is_(True))
        .values(enabled=False, updated_at=now or utcnow())
    )
    return result.rowcount or 0


def settings_view(session: Session, resident_id: int) -> SettingsView:
    """The toggles for "알림 설정": all, then each topic with its state."""
    _resident(session, resident_id)
    on = enabled_topics(session, resident_id)
    items = [TopicSetting(ALL, TOPIC_LABELS[ALL], on == set(ALL_TOPICS))]
    items += [TopicSetting(t.value, TOPIC_LABELS[t.value], t in on) for t in ALL_TOPICS]
    return SettingsView(items)


def mark_unreachable(session: Session, resident_id: int, *, now: datetime | None = None) -> None:
    """Telegram answered 403: the resident blocked the bot, so stop sending anything promotional."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        return
    resident.reachable = False
    session.execute(
        update(Subscription)
        .where(Subscription.resident_id == resident_id, Subscription.enabled.is_(True))
        .values(enabled=False, updated_at=now or utcnow())
    )


def set_dong(session: Session, resident_id: int, dong: str | None) -> None:
    """The resident's 동 by code or name, stored as its code (announcements to one 동); None forgets it."""
    resident = _resident(session, resident_id)
    if dong is not None:
        try:
            dong = dong_code(dong)
        except ValueError:
            raise DomainError("unknown_dong", dong=dong) from None
    resident.dong = dong


def recipients(target_kind: AnnouncementTarget, target_value: str | None) -> Select[tuple[int, int]]:
    """(resident id, chat id) of reachable residents an announcement to this target goes to."""
    stmt = select(Resident.id, Resident.telegram_user_id).where(Resident.reachable.is_(True))
    subscribed = select(Subscription.id).where(
        Subscription.resident_id == Resident.id, Subscription.enabled.is_(True))
    if target_kind == AnnouncementTarget.topic:
        subscribed = subscribed.where(Subscription.topic == _topic(target_value or ""))
    elif target_kind == AnnouncementTarget.dong:
        try:
            stmt = stmt.where(Resident.dong == dong_code(target_value or ""))
        except ValueError:
            raise DomainError("unknown_dong", dong=target_value or "") from None
    return stmt.where(exists(subscribed))
