"""Property tests: random sequences of awards, requests, cancels, closes, payouts and reversals.

After every step, on both backends: available = Σ points ≥ 0, held = Σ held =
the open requests' amounts, every hold is settled (released or paid) at most
once and exactly once when its request is cancelled or paid, and the ledger
agrees with a plain Python model of what the successful steps should have done.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from points_helpers import resident
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import Base, EntryKind, ExchangeRequest, ExchangeStatus, PayoutBatch, PointEntry
from storage.point_policy import load_policy
from storage.services import payout, points
from storage.timeutil import parse_kst

POLICY = load_policy()
START = parse_kst("2026-01-05 09:00")
RESIDENTS = 3
ACTIVITIES = ["survey_completed", "contest_win", "offline_checkin", "volunteer_100h", "endorsement_given"]

award = st.tuples(st.just("award"), st.integers(0, RESIDENTS - 1), st.sampled_from(ACTIVITIES), st.integers(0, 6))
request = st.tuples(st.just("request"), st.integers(0, RESIDENTS - 1),
                    st.sampled_from([4_999, 5_000, 5_000, 7_000, 10_000, 15_000]))
# Awards and requests are listed more than once so that sequences reach exchanges and payouts.
steps = st.lists(
    st.tuples(
        st.one_of(
            award, award, award, request, request,
            st.tuples(st.just("cancel"), st.integers(0, RESIDENTS - 1)),
            st.tuples(st.just("close")), st.tuples(st.just("pay")),
            st.tuples(st.just("reverse"), st.integers(0, 40)),
        ),
        st.integers(1, 24 * 40),  # hours to advance before the step
    ),
    min_size=5, max_size=40,
)


def _empty(engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.lists(st.integers(0, 4), min_size=RESIDENTS, max_size=RESIDENTS), plan=steps)
def test_ledger_invariants_hold_for_any_sequence(engine, seed, plan):
    _empty(engine)
    model = Counter()  # expected available per resident
    now = START
    with session_scope(engine) as s:
        staff = resident(s, 900, staff=True)
        ids = [resident(s, 100 + i) for i in range(RESIDENTS)]
        for rid, quarters in zip(ids, seed):  # a head start of 0 … 10,000 points
            model[rid] += points.award(s, resident_id=rid, activity="contest_win", ref="seed",
                                       points=quarters * 2_500, now=now).points
    for op, hours in plan:
        now += timedelta(hours=hours)
        try:
            with session_scope(engine) as s:
                _apply(s, op, ids, staff, now, model)
            event(f"done: {op[0]}")  # shown by --hypothesis-show-statistics
        except DomainError as err:
            event(f"refused: {err.code}")  # a refusal changes nothing; the checks below prove it
        _check(engine, ids, model, now)


def _apply(s, op: tuple, ids: list[int], staff: int, now, model: Counter) -> None:
    kind = op[0]
    if kind == "award":
        _, who, activity, ref = op
        rid = ids[who]
        result = points.award(s, resident_id=rid, activity=activity, ref=f"r{ref}", now=now)
        if result.created:
            model[rid] += result.points
    elif kind == "request":
        _, who, amount = op
        points.request_exchange(s, resident_id=ids[who], amount=amount, now=now)
        model[ids[who]] -= amount
    elif kind == "cancel":
        rid = ids[op[1]]
        pending = points.pending_exchanges(s, rid)
        request_id = pending[0].id if pending else 10**6
        request = points.cancel_exchange(s, resident_id=rid, request_id=request_id, now=now)
        model[rid] += request.amount
    elif kind == "close":
        payout.close_quarter(s, staff_resident_id=staff, now=now)
    elif kind == "pay":
        batch_id = s.scalar(select(func.max(PayoutBatch.id)))
        payout.mark_batch_paid(s, batch_id=batch_id or 10**6, staff_resident_id=staff, now=now)
    elif kind == "reverse":
        awards = s.scalars(select(PointEntry).where(PointEntry.kind == EntryKind.award).order_by(PointEntry.id)).all()
        if not awards:
            return
        target = awards[op[1] % len(awards)]
        points.reverse(s, entry_id=target.id, reason="test", staff_id=staff, now=now)
        model[target.resident_id] -= target.points


def _check(engine, ids: list[int], model: Counter, now) -> None:
    with session_scope(engine) as s:
        for rid in ids:
            bal = points.balance(s, rid, now=now)
            available, held = s.execute(
                select(func.coalesce(func.sum(PointEntry.points), 0), func.coalesce(func.sum(PointEntry.held), 0))
                .where(PointEntry.resident_id == rid)
            ).one()
            assert (bal.available, bal.held) == (available, held)
            assert bal.available == model[rid] and bal.available >= 0 and bal.held >= 0
            assert bal.earned_this_year <= POLICY.annual_cap
            open_amount = s.scalar(
                select(func.coalesce(func.sum(ExchangeRequest.amount), 0)).where(
                    ExchangeRequest.resident_id == rid,
                    ExchangeRequest.status.in_([ExchangeStatus.pending, ExchangeStatus.batched]))
            )
            assert bal.held == open_amount
        settled = {kind: Counter() for kind in EntryKind}
        for request_id, kind in s.execute(select(PointEntry.exchange_request_id, PointEntry.kind)
                                          .where(PointEntry.exchange_request_id.is_not(None))):
            settled[kind][request_id] += 1
        for request in s.scalars(select(ExchangeRequest)):
            assert settled[EntryKind.hold][request.id] == 1
            released, paid = settled[EntryKind.release][request.id], settled[EntryKind.payout][request.id]
            expected = {ExchangeStatus.pending: (0, 0), ExchangeStatus.batched: (0, 0),
                        ExchangeStatus.cancelled: (1, 0), ExchangeStatus.paid: (0, 1)}[request.status]
            assert (released, paid) == expected
            if request.status == ExchangeStatus.batched:
                assert s.get(PayoutBatch, request.batch_id).status.value == "closed"
