"""Meetings under real concurrency on PostgreSQL: capacity, the waiting list order and one award."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.db import session_scope
from storage.errors import DomainError
from storage.models import MeetingAttendance, MeetingRegistration, PointEntry, RegistrationStatus
from storage.services import meetings
from tests.storage.meeting_helpers import NOW, STARTS, make_meeting, person

pytestmark = pytest.mark.postgres


def race(engine, n: int, work: Callable[[Session, int], Any]) -> list[Any]:
    barrier = threading.Barrier(n)

    def one(i: int) -> Any:
        barrier.wait()
        try:
            with session_scope(engine) as s:
                return work(s, i)
        except DomainError as err:
            return err.code

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def test_200_parallel_registrations_for_30_places(pg_engine):
    with session_scope(pg_engine) as s:
        meeting_id = make_meeting(s, capacity=30).id
        ids = [person(s, 1000 + i) for i in range(200)]
    results = race(pg_engine, 200, lambda s, i: meetings.register(s, meeting_id=meeting_id, resident_id=ids[i], now=NOW))
    assert sum(r.status == "registered" for r in results) == 30
    waiting = sorted(r.position for r in results if r.status == "waiting")
    assert waiting == list(range(1, 171))
    with session_scope(pg_engine) as s:
        assert meetings.registered_count(s, meeting_id) == 30
        line = meetings.waiting_list(s, meeting_id)
        assert len(line) == 170 and len(set(line)) == 170
        # Cancelling a place promotes exactly the first in line.
        first = line[0]
        registered = s.scalars(select(MeetingRegistration.resident_id).where(
            MeetingRegistration.meeting_id == meeting_id,
            MeetingRegistration.status == RegistrationStatus.registered)).first()
        meetings.unregister(s, meeting_id=meeting_id, resident_id=registered, now=NOW)
    with session_scope(pg_engine) as s:
        assert meetings.registration_of(s, meeting_id, first).status == RegistrationStatus.registered
        assert meetings.registered_count(s, meeting_id) == 30
        assert meetings.waiting_list(s, meeting_id) == line[1:]


def test_parallel_cancellations_keep_capacity(pg_engine):
    with session_scope(pg_engine) as s:
        meeting_id = make_meeting(s, capacity=10).id
        ids = [person(s, 3000 + i) for i in range(40)]
        for r in ids:
            meetings.register(s, meeting_id=meeting_id, resident_id=r, now=NOW)
    race(pg_engine, 10, lambda s, i: meetings.unregister(s, meeting_id=meeting_id, resident_id=ids[i], now=NOW))
    with session_scope(pg_engine) as s:
        assert meetings.registered_count(s, meeting_id) == 10
        assert meetings.waiting_list(s, meeting_id) == ids[20:]


def test_parallel_attendance_awards_once(pg_engine):
    with session_scope(pg_engine) as s:
        meeting = make_meeting(s)
        meeting_id, code = meeting.id, meeting.code
        rid = person(s, 2000)
    results = race(pg_engine, 50, lambda s, i: meetings.attend(s, resident_id=rid, code=code, now=STARTS))
    assert sum(r.created for r in results) == 1
    assert {r.points for r in results} == {meeting.points}
    with session_scope(pg_engine) as s:
        assert s.scalar(select(func.count()).select_from(PointEntry)) == 1
        assert s.scalar(select(func.count()).select_from(MeetingAttendance)) == 1
