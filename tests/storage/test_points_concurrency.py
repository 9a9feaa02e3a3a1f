"""PostgreSQL under real concurrency: threads, each with its own transaction, released together."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from points_helpers import NOW, fund, resident, sums
from storage import qr
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import EntryKind, EventCheckin, ExchangeRequest, OutboxMessage, PayoutBatch, PointEntry
from storage.point_policy import load_policy
from storage.services import events, payout, points
from storage.timeutil import parse_kst

pytestmark = pytest.mark.postgres
SECRET = "concurrency-secret"
POLICY = load_policy()


def race(engine, n: int, work: Callable[[Session, int], Any]) -> list[Any]:
    """Run ``work(session, i)`` in ``n`` threads that start together; results or DomainError codes."""
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


def count(engine, model, *where) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)))


def make_event(engine, **extra):
    with session_scope(engine) as s:
        staff = resident(s, 9, staff=True)
        return events.create_event(s, staff_resident_id=staff, name="정동야행", place="정동길",
                                   starts_at=NOW, ends_at=NOW + timedelta(hours=4), now=NOW, **extra)


def test_50_identical_check_ins_award_once(pg_engine):
    event = make_event(pg_engine)
    with session_scope(pg_engine) as s:
        rid = resident(s, 1)
    payload = qr.make_payload(event, SECRET)
    results = race(pg_engine, 50, lambda s, i: events.check_in(
        s, resident_id=rid, payload=payload, now=NOW + timedelta(minutes=5), secret=SECRET))
    assert sum(r.created for r in results) == 1
    assert {r.points for r in results} == {event.points}
    assert count(pg_engine, EventCheckin) == 1
    assert count(pg_engine, PointEntry, PointEntry.kind == EntryKind.award) == 1
    with session_scope(pg_engine) as s:
        assert sums(s, rid) == (event.points, 0)


def test_capacity_holds_under_concurrency(pg_engine):
    event = make_event(pg_engine, capacity=5)
    with session_scope(pg_engine) as s:
        ids = [resident(s, 100 + i) for i in range(20)]
    payload = qr.make_payload(event, SECRET)
    results = race(pg_engine, 20, lambda s, i: events.check_in(
        s, resident_id=ids[i], payload=payload, now=NOW, secret=SECRET))
    assert Counter(r if isinstance(r, str) else "ok" for r in results) == {"ok": 5, "event_full": 15}
    assert count(pg_engine, EventCheckin) == 5


def test_20_exchange_requests_against_exactly_5000_hold_once(pg_engine):
    with session_scope(pg_engine) as s:
        rid = resident(s, 1)
        fund(s, rid, 5_000)
    results = race(pg_engine, 20, lambda s, i: points.request_exchange(
        s, resident_id=rid, amount=5_000, now=NOW).id)
    assert sum(isinstance(r, int) for r in results) == 1
    assert set(r for r in results if isinstance(r, str)) <= {"exchange_pending_exists", "insufficient_points"}
    assert count(pg_engine, PointEntry, PointEntry.kind == EntryKind.hold) == 1
    with session_scope(pg_engine) as s:
        assert sums(s, rid) == (0, 5_000)


def test_identical_awards_land_once(pg_engine):
    with session_scope(pg_engine) as s:
        rid = resident(s, 1)
    results = race(pg_engine, 20, lambda s, i: points.award(
        s, resident_id=rid, activity="proposal_submitted", ref="p-1", now=NOW))
    assert sum(r.created for r in results) == 1 and {r.points for r in results} == {1_000}
    assert count(pg_engine, PointEntry) == 1


def test_concurrent_awards_never_exceed_the_annual_cap(pg_engine):
    with session_scope(pg_engine) as s:
        rid = resident(s, 1)
        fund(s, rid, POLICY.annual_cap - 1_000)
    results = race(pg_engine, 10, lambda s, i: points.award(
        s, resident_id=rid, activity="contest_win", ref=f"c{i}", points=500, now=NOW))
    assert sum(r.points for r in results) == 1_000 and sum(r.capped for r in results) == 8
    with session_scope(pg_engine) as s:
        assert points.balance(s, rid, now=NOW).earned_this_year == POLICY.annual_cap


def test_awards_and_reversals_racing_an_exchange_never_go_negative(pg_engine):
    with session_scope(pg_engine) as s:
        staff, rid = resident(s, 9, staff=True), resident(s, 1)
        prize = points.award(s, resident_id=rid, activity="contest_win", ref="prize", points=5_000, now=NOW)

    def work(s: Session, i: int) -> Any:
        if i < 10:
            return points.request_exchange(s, resident_id=rid, amount=5_000, now=NOW).id
        if i < 20:
            return points.reverse(s, entry_id=prize.entry_id, reason="중복", staff_id=staff, now=NOW).id
        return points.award(s, resident_id=rid, activity="endorsement_given", ref=f"e{i}", now=NOW).points

    results = race(pg_engine, 25, work)
    holds = count(pg_engine, PointEntry, PointEntry.kind == EntryKind.hold)
    reversals = count(pg_engine, PointEntry, PointEntry.kind == EntryKind.reversal)
    assert holds + reversals == 1  # the 5,000 points went one way only
    assert "reversal_exceeds_available" in results or "insufficient_points" in results
    with session_scope(pg_engine) as s:
        available, held = sums(s, rid)
        assert available >= 0 and held == 5_000 * holds
        assert available == 5_000 * (1 - holds - reversals) + 500  # five endorsements of 100


def test_close_and_cancel_race_settles_each_request_once(pg_engine):
    with session_scope(pg_engine) as s:
        staff = resident(s, 9, staff=True)
        ids = [resident(s, 100 + i) for i in range(9)]  # the ninth never cancels: a batch is certain
        requests = []
        for rid in ids:
            fund(s, rid, 5_000, now=parse_kst("2026-09-01 10:00"))
            requests.append(points.request_exchange(s, resident_id=rid, amount=5_000,
                                                    now=parse_kst("2026-09-02 10:00")).id)
    closing = parse_kst("2026-10-02 10:00")

    def work(s: Session, i: int) -> Any:
        if i < 8:
            return points.cancel_exchange(s, resident_id=ids[i], request_id=requests[i], now=closing).status.value
        return payout.close_quarter(s, staff_resident_id=staff, now=closing).id

    results = race(pg_engine, 11, work)
    assert count(pg_engine, PayoutBatch) == 1
    assert Counter(r for r in results[8:] if isinstance(r, str)) == {"batch_exists": 2}
    with session_scope(pg_engine) as s:
        for rid, request_id in zip(ids, requests):
            request = s.get(ExchangeRequest, request_id)
            released = s.scalar(select(func.count()).select_from(PointEntry).where(
                PointEntry.exchange_request_id == request_id, PointEntry.kind == EntryKind.release))
            if request.status.value == "cancelled":
                assert released == 1 and sums(s, rid) == (5_000, 0)
            else:
                assert request.status.value == "batched" and released == 0 and sums(s, rid) == (0, 5_000)


def test_batch_is_paid_once_under_concurrency(pg_engine):
    with session_scope(pg_engine) as s:
        staff = resident(s, 9, staff=True)
        ids = [resident(s, 100 + i) for i in range(3)]
        for rid in ids:
            fund(s, rid, 5_000, now=parse_kst("2026-09-01 10:00"))
            points.request_exchange(s, resident_id=rid, amount=5_000, now=parse_kst("2026-09-02 10:00"))
        batch = payout.close_quarter(s, staff_resident_id=staff, now=parse_kst("2026-10-02 10:00"))
    results = race(pg_engine, 10, lambda s, i: payout.mark_batch_paid(
        s, batch_id=batch.id, staff_resident_id=staff, now=parse_kst("2026-10-20 10:00")).id)
    assert Counter(isinstance(r, int) for r in results) == {True: 1, False: 9}
    assert set(r for r in results if isinstance(r, str)) == {"batch_already_paid"}
    assert count(pg_engine, PointEntry, PointEntry.kind == EntryKind.payout) == 3
    assert count(pg_engine, OutboxMessage) == 3
