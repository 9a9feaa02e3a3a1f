"""Attendance check: once per KST day (midnight Asia/Seoul = 15:00 UTC), streaks, caps, the period."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from storage import engagement_rules as er
from storage.db import session_scope
from storage.errors import DomainError
from storage.models.attendance import AttendanceCheck
from storage.services import attendance, points, residents
from storage.timeutil import parse_kst

UTC = timezone.utc
OPENED = parse_kst("2026-11-25 10:00")
SECOND = timedelta(seconds=1)


def utc(y: int, m: int, d: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=UTC)


def _resident(s, tg: int) -> int:  # type: ignore[no-untyped-def]
    r, _ = residents.register(s, tg, "주민", now=OPENED)
    s.flush()
    return r.id


def _event(s, **kw) -> int:  # type: ignore[no-untyped-def]
    args = dict(title="12월 출석체크", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 7),
                points_per_day=100, max_days=3, staff_id=None, now=OPENED) | kw
    return attendance.open_attendance(s, **args).id


def code_of(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    return err.value.code


def test_kst_day_turns_at_15_utc():
    assert er.kst_day(utc(2026, 12, 1, 14, 59, 59)) == date(2026, 12, 1)
    assert er.kst_day(utc(2026, 12, 1, 15, 0, 0)) == date(2026, 12, 2)


def test_midnight_seoul_starts_a_new_day(engine):
    with session_scope(engine) as s:
        _event(s)
        rid = _resident(s, 1)
    with session_scope(engine) as s:
        first = attendance.check(s, resident_id=rid, now=utc(2026, 12, 1, 14, 59, 59))  # 23:59:59 KST
        assert (first.day, first.created, first.streak, first.days_checked, first.points_awarded) == (
            date(2026, 12, 1), True, 1, 1, 100)
    with session_scope(engine) as s:
        # 23:59:59 and 00:00:00 KST the same UTC evening are two different days.
        second = attendance.check(s, resident_id=rid, now=utc(2026, 12, 1, 15, 0, 0))
        assert (second.day, second.streak, second.days_checked) == (date(2026, 12, 2), 2, 2)
    with session_scope(engine) as s, pytest.raises(DomainError) as err:
        attendance.check(s, resident_id=rid, now=utc(2026, 12, 2, 14, 59, 59))  # still 12. 2. in Seoul
    assert err.value.code == "already_checked_today"
    assert err.value.params == {"streak": 2, "days_checked": 2}
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(AttendanceCheck)) == 2
        status = attendance.status(s, resident_id=rid, now=utc(2026, 12, 2, 3))
        assert (status.created, status.checked_today, status.streak) == (False, True, 2)


def test_period_boundaries_in_kst(session):
    _event(session)
    rid = _resident(session, 1)
    # 11. 30. 23:59:59 KST: not yet.
    assert code_of(attendance.check, session, resident_id=rid,
                   now=utc(2026, 11, 30, 14, 59, 59)) == "attendance_not_running"
    assert attendance.check(session, resident_id=rid, now=utc(2026, 11, 30, 15)).day == date(2026, 12, 1)
    # 12. 7. 23:59:59 KST is the last moment; 12. 8. 00:00 KST is over.
    assert attendance.check(session, resident_id=rid, now=utc(2026, 12, 7, 14, 59, 59)).day == date(2026, 12, 7)
    assert code_of(attendance.check, session, resident_id=rid, now=utc(2026, 12, 7, 15)) == "attendance_not_running"
    assert code_of(attendance.status, session, resident_id=rid, now=utc(2026, 12, 7, 15)) == "attendance_not_running"


def test_streak_breaks_and_points_stop_at_the_cap(engine):
    with session_scope(engine) as s:
        _event(s)
        rid = _resident(s, 1)
    days = [1, 2, 3, 5, 6]  # 12. 4. missed
    results = []
    for d in days:
        with session_scope(engine) as s:
            results.append(attendance.check(s, resident_id=rid, now=parse_kst(f"2026-12-{d:02d} 09:00")))
    assert [r.streak for r in results] == [1, 2, 3, 1, 2]
    assert [r.days_checked for r in results] == [1, 2, 3, 4, 5]
    # max_days = 3: the 4th and 5th days still count, without points.
    assert [r.points_awarded for r in results] == [100, 100, 100, 0, 0]
    with session_scope(engine) as s:
        assert points.balance(s, rid, now=parse_kst("2026-12-06 10:00")).available == 300


@pytest.mark.parametrize("before, points", [(0, 100), (2, 100), (3, 0), (4, 0)])
def test_cap_rule(before, points):
    assert er.checkin_points(100, 3, before) == points


def test_open_rules(session):
    _event(session)
    assert code_of(_event, session, starts_on=date(2026, 12, 7), ends_on=date(2026, 12, 10)) == "attendance_overlap"
    assert code_of(_event, session, starts_on=date(2026, 12, 9), ends_on=date(2026, 12, 8)) == "invalid_period"
    assert code_of(_event, session, starts_on=date(2026, 9, 4), ends_on=date(2026, 9, 30)) == "period_in_past"
    assert code_of(_event, session, starts_on=date(2026, 12, 8), ends_on=date(2026, 12, 9),
                   max_days=3) == "invalid_max_days"
    assert code_of(_event, session, starts_on=date(2026, 12, 8), ends_on=date(2026, 12, 9),
                   points_per_day=101, max_days=2) == "points_out_of_range"
    assert code_of(_event, session, starts_on=date(2027, 1, 1),
                   ends_on=date(2027, 1, 1) + timedelta(days=er.ATTENDANCE_MAX_PERIOD_DAYS)) == "period_too_long"
    rid = _resident(session, 1)
    assert code_of(_event, session, starts_on=date(2026, 12, 8), ends_on=date(2026, 12, 9), max_days=2,
                   staff_id=rid) == "not_allowed"
    # Defaults: the policy's points per day and the whole period as the cap.
    event = attendance.open_attendance(session, title="9일", starts_on=date(2026, 12, 8),
                                       ends_on=date(2026, 12, 9), staff_id=None, now=OPENED)
    assert (event.points_per_day, event.max_days) == (100, 2)


def test_simultaneous_checks_count_once(pg_engine):
    with session_scope(pg_engine) as s:
        _event(s)
        rid = _resident(s, 1)
    barrier = threading.Barrier(6)
    now = parse_kst("2026-12-03 12:00")

    def press(_: int) -> str:
        barrier.wait()
        try:
            with session_scope(pg_engine) as s:
                attendance.check(s, resident_id=rid, now=now)
            return "ok"
        except DomainError as err:
            return err.code

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(press, range(6)))
    assert outcomes.count("ok") == 1 and set(outcomes) - {"ok"} == {"already_checked_today"}
    with session_scope(pg_engine) as s:
        assert s.scalar(select(func.count()).select_from(AttendanceCheck)) == 1
        assert points.balance(s, rid, now=now).available == 100
