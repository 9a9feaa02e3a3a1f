"""Offline events: creation rules, the check-in window, repeats, capacity and code rotation."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from points_helpers import NOW, SECOND, fund, resident
from storage import qr
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import EventCheckin, PointEntry
from storage.point_policy import load_policy
from storage.services import events, points

SECRET = "events-test-secret"
POLICY = load_policy()
STARTS, ENDS = NOW + timedelta(hours=2), NOW + timedelta(hours=5)
OPENS = STARTS - POLICY.checkin_opens_before
CLOSES = ENDS + POLICY.checkin_closes_after


def code(fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err:
        fn(*args, **kwargs)
    return err.value


def new_event(s, staff: int, **overrides):
    values = dict(staff_resident_id=staff, name="중구 걷기대회", place="남산공원 북측순환로",
                  starts_at=STARTS, ends_at=ENDS, now=NOW)
    values.update(overrides)
    return events.create_event(s, **values)


def scan(s, rid: int, event, at=STARTS, payload: str | None = None):
    return events.check_in(s, resident_id=rid, payload=payload or qr.make_payload(event, SECRET),
                           now=at, secret=SECRET)


def test_create_event_validation(session):
    staff, someone = resident(session, 9, staff=True), resident(session, 1)
    event = new_event(session, staff, name="  중구   걷기대회 ")
    assert event.id and event.name == "중구 걷기대회" and event.points == POLICY.activity("offline_checkin").points
    assert event.code_version == 1 and event.capacity is None
    max_points = POLICY.activity("offline_checkin").max_points
    assert new_event(session, staff, points=0).points == 0
    assert new_event(session, staff, points=max_points, capacity=1).points == max_points
    cases = [
        (dict(staff_resident_id=someone), "not_allowed"),
        (dict(name=" "), "invalid_event_name"),
        (dict(name="가" * 61), "invalid_event_name"),
        (dict(place=""), "invalid_event_place"),
        (dict(ends_at=STARTS), "invalid_event_time"),
        (dict(starts_at=NOW - timedelta(hours=3), ends_at=NOW), "event_in_past"),
        (dict(points=-1), "invalid_event_points"),
        (dict(points=max_points + 1), "invalid_event_points"),
        (dict(capacity=0), "invalid_event_capacity"),
    ]
    for overrides, expected in cases:
        assert code(new_event, session, staff, **overrides).code == expected, overrides
    assert new_event(session, staff, name="가" * 60).name == "가" * 60


def test_check_in_credits_once_and_reports_balance(engine):
    with session_scope(engine) as s:
        staff, rid = resident(s, 9, staff=True), resident(s, 1)
        event = new_event(s, staff, points=1_500)
    with session_scope(engine) as s:
        result = scan(s, rid, event)
        assert (result.created, result.points, result.balance_available, result.event_name) == \
            (True, 1_500, 1_500, "중구 걷기대회")
    with session_scope(engine) as s:
        again = scan(s, rid, event, at=CLOSES + timedelta(days=1))  # even after closing: "already"
        assert (again.created, again.points, again.balance_available) == (False, 1_500, 1_500)
        assert events.checkin_count(s, event.id) == 1
        (entry,) = s.scalars(select(PointEntry)).all()
        assert entry.idempotency_key == f"offline_checkin:{event.id}:resident:{rid}"
        assert points.history(s, rid).entries[0].description == "행사 현장 참여 · 중구 걷기대회"


def test_check_in_window_boundaries(engine):
    with session_scope(engine) as s:
        staff = resident(s, 9, staff=True)
        ids = [resident(s, i) for i in (1, 2, 3, 4)]
        event = new_event(s, staff)
    with session_scope(engine) as s:
        err = code(scan, s, ids[0], event, at=OPENS - SECOND)
        assert err.code == "event_not_open" and "(" in err.params["starts_at"] and err.params["opens_at"]
        assert scan(s, ids[0], event, at=OPENS).created
        assert scan(s, ids[1], event, at=CLOSES).created
        assert code(scan, s, ids[2], event, at=CLOSES + SECOND).code == "event_closed"


def test_capacity_and_repeat_when_full(engine):
    with session_scope(engine) as s:
        staff, a, b = resident(s, 9, staff=True), resident(s, 1), resident(s, 2)
        event = new_event(s, staff, capacity=1)
        assert scan(s, a, event).created
    with session_scope(engine) as s:
        assert code(scan, s, b, event).code == "event_full"
        assert not scan(s, a, event).created  # the one inside is told "already", not "full"


def test_rotation_invalidates_old_posters(engine):
    with session_scope(engine) as s:
        staff, a, b = resident(s, 9, staff=True), resident(s, 1), resident(s, 2)
        event = new_event(s, staff)
        old = qr.make_payload(event, SECRET)
        assert code(events.rotate_code, s, event_id=event.id, staff_resident_id=a).code == "not_allowed"
        assert code(events.rotate_code, s, event_id=10**6, staff_resident_id=staff).code == "event_not_found"
        rotated = events.rotate_code(s, event_id=event.id, staff_resident_id=staff, now=NOW)
        assert rotated.code_version == 2 and rotated.code_rotated_at == NOW
    with session_scope(engine) as s:
        assert code(scan, s, a, event, payload=old).code == "qr_invalid"
        fresh = qr.make_payload(events.get_event(s, event.id), SECRET)
        assert fresh != old and scan(s, b, event, payload=fresh).created


def test_forged_unknown_or_unregistered(engine):
    with session_scope(engine) as s:
        staff, rid = resident(s, 9, staff=True), resident(s, 1)
        event = new_event(s, staff)
    with session_scope(engine) as s:
        payload = qr.make_payload(event, SECRET)
        forged = payload[:-1] + ("A" if payload[-1] != "A" else "B")
        assert code(scan, s, rid, event, payload=forged).code == "qr_invalid"
        ghost = type("E", (), {"id": event.id + 1000, "code_version": 1})()
        assert code(scan, s, rid, event, payload=qr.make_payload(ghost, SECRET)).code == "qr_invalid"
        assert code(scan, s, 10**6, event).code == "not_registered"
        assert s.scalar(select(func.count()).select_from(EventCheckin)) == 0


def test_check_in_respects_the_annual_cap(engine):
    with session_scope(engine) as s:
        staff, rid = resident(s, 9, staff=True), resident(s, 1)
        event = new_event(s, staff)
        fund(s, rid, POLICY.annual_cap)
        result = scan(s, rid, event)
        assert (result.created, result.points, result.capped) == (True, 0, True)
        assert events.checkin_count(s, event.id) == 1


def test_list_get_and_links(engine, monkeypatch):
    monkeypatch.setenv("QR_SECRET", SECRET)
    monkeypatch.setenv("BOT_USERNAME", "junggu_test_bot")
    with session_scope(engine) as s:
        staff = resident(s, 9, staff=True)
        later = new_event(s, staff, name="정동야행", starts_at=STARTS + timedelta(days=1), ends_at=ENDS + timedelta(days=1))
        sooner = new_event(s, staff)
        assert [e.id for e in events.list_events(s)] == [sooner.id, later.id]
        assert [e.id for e in events.list_events(s, now=CLOSES + SECOND)] == [later.id]
        assert code(events.get_event, s, 10**6).code == "event_not_found"
        link = events.deep_link(sooner)
        assert link.startswith("https://t.me/junggu_test_bot?start=k")
        assert events.parse_payload(link.split("=", 1)[1]) == (sooner.id, 1)


def test_rotation_past_65536_and_key_rotation_keep_check_ins_working(engine, monkeypatch):
    """code_version has 32 bits end to end; a poster signed with a key now in QR_SECRETS_OLD still works."""
    monkeypatch.setenv("QR_SECRET", SECRET)
    with session_scope(engine) as s:
        staff, rid = resident(s, 9, staff=True), resident(s, 1)
        event = new_event(s, staff)
        event.code_version = 65_535
        s.flush()
        events.rotate_code(s, event_id=event.id, staff_resident_id=staff, now=NOW)
        assert event.code_version == 65_536
        old_key_poster = events.deep_link(event).split("=", 1)[1]
        assert events.parse_payload(old_key_poster) == (event.id, 65_536)
    monkeypatch.setenv("QR_SECRET", "a-brand-new-key-" + "x" * 32)
    monkeypatch.setenv("QR_SECRETS_OLD", SECRET)
    with session_scope(engine) as s:
        result = events.check_in(s, resident_id=rid, payload=old_key_poster, now=STARTS)
        assert result.created
    monkeypatch.setenv("QR_SECRETS_OLD", "")
    with session_scope(engine) as s:
        assert code(events.check_in, s, resident_id=rid, payload=old_key_poster, now=STARTS).code == "qr_invalid"
