"""The ledger on both backends: awards, caps, balance, history, exchange, reversal, expiry."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from points_helpers import NOW, SECOND, fund, policy_variant, resident, sums
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import EntryKind, ExchangeStatus, PointEntry
from storage.point_policy import load_policy
from storage.services import points, residents
from storage.timeutil import parse_kst

POLICY = load_policy()


def codes(fn, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as err:
        fn(*args, **kwargs)
    return err.value.code


def test_award_lands_once_per_key(engine):
    with session_scope(engine) as s:
        rid = resident(s, 1)
        first = points.award(s, resident_id=rid, activity="survey_completed", ref="survey-7", now=NOW,
                             description="2026 만족도 조사")
        assert first.created and first.points == 500 and not first.capped and first.entry_id
    with session_scope(engine) as s:
        again = points.award(s, resident_id=rid, activity="survey_completed", ref="survey-7", now=NOW)
        assert (again.created, again.points, again.entry_id) == (False, 500, first.entry_id)
        (key,) = s.scalars(select(PointEntry.idempotency_key)).all()
        assert key == f"survey_completed:survey-7:resident:{rid}"
        assert points.balance(s, rid, now=NOW).available == 500


def test_award_refuses_unknown_activity_and_out_of_bounds_points(session):
    rid = resident(session, 1)
    with pytest.raises(ValueError):
        points.award(session, resident_id=rid, activity="lottery", ref="1", now=NOW)
    with pytest.raises(ValueError):
        points.award(session, resident_id=rid, activity="offline_checkin", ref="1", now=NOW,
                     points=POLICY.activity("offline_checkin").max_points + 1)
    with pytest.raises(ValueError):
        points.award(session, resident_id=rid, activity="survey_completed", ref="x" * 200, now=NOW)
    assert codes(points.award, session, resident_id=999, activity="survey_completed", ref="1", now=NOW) == "not_registered"


def test_annual_cap_records_what_fits_then_zero(engine):
    with session_scope(engine) as s:
        rid = resident(s, 1)
        fund(s, rid, POLICY.annual_cap - 300)
        partial = points.award(s, resident_id=rid, activity="survey_completed", ref="a", now=NOW)
        assert (partial.created, partial.points, partial.capped) == (True, 300, True)
        zero = points.award(s, resident_id=rid, activity="survey_completed", ref="b", now=NOW)
        assert (zero.created, zero.points, zero.capped) == (True, 0, True)
    with session_scope(engine) as s:
        retry = points.award(s, resident_id=rid, activity="survey_completed", ref="b", now=NOW)
        assert (retry.created, retry.points, retry.capped) == (False, 0, True)
        bal = points.balance(s, rid, now=NOW)
        assert bal.earned_this_year == bal.annual_cap == bal.available
        assert "한도 적용: 500 P 중 300 P" in points.history(s, rid).entries[1].description
    with session_scope(engine) as s:  # a new KST year opens a new cap
        fresh = points.award(s, resident_id=rid, activity="survey_completed", ref="c", now=parse_kst("2027-01-01 00:00"))
        assert fresh.points == 500 and not fresh.capped


def test_daily_cap_boundary_is_midnight_kst_which_is_15_utc(engine):
    last_second = parse_kst("2026-11-24 23:59") + timedelta(seconds=59)
    midnight = last_second + SECOND
    assert (midnight.hour, midnight.minute) == (15, 0)
    with session_scope(engine) as s:
        rid = resident(s, 1)
        got = [points.award(s, resident_id=rid, activity="endorsement_given", ref=f"p{i}", now=last_second).points
               for i in range(6)]
        assert got == [100] * 5 + [0]  # daily cap 500
        next_day = points.award(s, resident_id=rid, activity="endorsement_given", ref="p6", now=midnight)
        assert next_day.points == 100 and not next_day.capped
        other = points.award(s, resident_id=rid, activity="survey_completed", ref="s", now=last_second)
        assert other.points == 500  # the daily cap is per activity


def test_balance_and_history_pages(engine):
    with session_scope(engine) as s:
        rid = resident(s, 1)
        for i in range(12):
            points.award(s, resident_id=rid, activity="attendance_checkin", ref=f"d{i}",
                         now=NOW + timedelta(days=i), description=f"{i + 1}일차")
        fund(s, rid, 5_000, now=NOW + timedelta(days=20))
        points.request_exchange(s, resident_id=rid, amount=5_000, now=NOW + timedelta(days=21))
    with session_scope(engine) as s:
        bal = points.balance(s, rid, now=NOW + timedelta(days=21))
        assert (bal.available, bal.held, bal.earned_this_year, bal.paid_total) == (1_200, 5_000, 6_200, 0)
        page1 = points.history(s, rid, page=1, page_size=10)
        assert (page1.total, page1.pages, page1.page) == (14, 2, 1)
        newest = page1.entries[0]
        assert newest.kind == "hold" and newest.points == -5_000 and "지급 대기" in newest.description
        page2 = points.history(s, rid, page=9, page_size=10)  # clamped to the last page
        assert page2.page == 2 and len(page2.entries) == 4
        assert page2.entries[-1].description == "출석체크 · 1일차" and page2.entries[-1].at == NOW
        empty = points.history(s, resident(s, 2))
        assert (empty.total, empty.pages, empty.entries) == (0, 1, [])


def test_exchange_boundaries_4999_and_5000(engine):
    with session_scope(engine) as s:
        rid = resident(s, 1)
        fund(s, rid, 4_999)
        assert points.exchange_options(s, rid) == []
        assert codes(points.request_exchange, s, resident_id=rid, amount=5_000, now=NOW) == "insufficient_points"
        fund(s, rid, 1)
        assert points.exchange_options(s, rid) == [5_000]
        assert codes(points.request_exchange, s, resident_id=rid, amount=4_999, now=NOW) == "below_minimum"
        assert codes(points.request_exchange, s, resident_id=rid, amount=6_000, now=NOW) == "not_exchange_unit"
        points.check_exchange(s, resident_id=rid, amount=5_000)
        req = points.request_exchange(s, resident_id=rid, amount=5_000, now=NOW)
        assert req.status == ExchangeStatus.pending and sums(s, rid) == (0, 5_000)
        assert codes(points.check_exchange, s, resident_id=rid, amount=5_000) == "exchange_pending_exists"
        assert codes(points.exchange_options, s, rid) == "exchange_pending_exists"


def test_one_pending_request_per_resident(engine):
    with session_scope(engine) as s:
        rid = resident(s, 1)
        fund(s, rid, 20_000)
        points.request_exchange(s, resident_id=rid, amount=5_000, now=NOW)
        assert codes(points.request_exchange, s, resident_id=rid, amount=5_000, now=NOW) == "exchange_pending_exists"
        assert [r.amount for r in points.pending_exchanges(s, rid)] == [5_000]


def test_cancel_releases_once(engine):
    with session_scope(engine) as s:
        rid, other = resident(s, 1), resident(s, 2)
        fund(s, rid, 10_000)
        req = points.request_exchange(s, resident_id=rid, amount=10_000, now=NOW)
    with session_scope(engine) as s:
        assert codes(points.cancel_exchange, s, resident_id=other, request_id=req.id) == "exchange_not_found"
        assert codes(points.cancel_exchange, s, resident_id=rid, request_id=req.id + 99) == "exchange_not_found"
        done = points.cancel_exchange(s, resident_id=rid, request_id=req.id, now=NOW + SECOND)
        assert done.status == ExchangeStatus.cancelled and done.cancelled_at == NOW + SECOND
    with session_scope(engine) as s:
        assert codes(points.cancel_exchange, s, resident_id=rid, request_id=req.id) == "exchange_not_pending"
        assert sums(s, rid) == (10_000, 0)
        assert points.history(s, rid).entries[0].description == "상품권 교환 신청 취소 10,000 P"
        assert points.pending_exchanges(s, rid) == []


def test_pending_exchange_is_backed_by_a_partial_unique_index(engine):
    with session_scope(engine) as s:
        rid = resident(s, 1)
        fund(s, rid, 20_000)
        first = points.request_exchange(s, resident_id=rid, amount=5_000, now=NOW)
        points.cancel_exchange(s, resident_id=rid, request_id=first.id, now=NOW)
        second = points.request_exchange(s, resident_id=rid, amount=5_000, now=NOW)  # allowed after cancelling
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.execute(update(type(first)).where(type(first).id == first.id).values(status=ExchangeStatus.pending))
    assert second.id != first.id


def test_ledger_shapes_are_enforced_by_the_database(engine):
    with session_scope(engine) as s:
        rid = resident(s, 1)
    bad = [
        dict(kind=EntryKind.award, points=-5, held=0),
        dict(kind=EntryKind.hold, points=-5, held=4),
        dict(kind=EntryKind.payout, points=-5, held=-5),
    ]
    for i, values in enumerate(bad):
        with pytest.raises(IntegrityError), session_scope(engine) as s:
            points.insert_entry(s, resident_id=rid, idempotency_key=f"bad:{i}", **values)


def test_reverse_is_a_new_entry_and_frees_the_cap(engine):
    with session_scope(engine) as s:
        rid, staff = resident(s, 1), resident(s, 9, staff=True)
        award = points.award(s, resident_id=rid, activity="survey_completed", ref="dup", now=NOW)
    with session_scope(engine) as s:
        assert codes(points.reverse, s, entry_id=award.entry_id, reason="x", staff_id=rid) == "not_allowed"
        assert codes(points.reverse, s, entry_id=10**6, reason="x", staff_id=staff) == "entry_not_found"
        entry = points.reverse(s, entry_id=award.entry_id, reason="중복 응답", staff_id=staff, now=NOW)
        assert entry.kind == EntryKind.reversal and entry.points == -500 and entry.reverses_entry_id == award.entry_id
    with session_scope(engine) as s:
        assert codes(points.reverse, s, entry_id=award.entry_id, reason="x", staff_id=staff) == "already_reversed"
        assert codes(points.reverse, s, entry_id=entry.id, reason="x", staff_id=staff) == "not_reversible"
        bal = points.balance(s, rid, now=NOW)
        assert (bal.available, bal.earned_this_year) == (0, 0)
        assert s.scalar(select(func.count()).select_from(PointEntry)) == 2  # nothing edited
        assert points.history(s, rid).entries[0].description == "적립 취소: 설문 참여 (중복 응답)"
        # The freed daily room can be used again.
        assert points.award(s, resident_id=rid, activity="survey_completed", ref="x", now=NOW).points == 500


def test_reverse_refuses_points_already_exchanged(engine):
    with session_scope(engine) as s:
        rid, staff = resident(s, 1), resident(s, 9, staff=True)
        prize = points.award(s, resident_id=rid, activity="contest_win", ref="c", now=NOW, points=5_000)
        points.request_exchange(s, resident_id=rid, amount=5_000, now=NOW)
    with session_scope(engine) as s:
        assert codes(points.reverse, s, entry_id=prize.entry_id, reason="x", staff_id=staff) == "reversal_exceeds_available"
        assert sums(s, rid) == (0, 5_000)


def test_expiry_is_off_by_default(engine):
    with session_scope(engine) as s:
        rid = resident(s, 1)
        fund(s, rid, 5_000, now=NOW - timedelta(days=3_000))
        assert points.expire(s, now=NOW) == 0 and sums(s, rid) == (5_000, 0)


def test_expiry_fifo_when_enabled(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("POINT_POLICY", str(policy_variant(tmp_path, {"expiry_months": 12})))
    old, recent = parse_kst("2025-01-10 10:00"), parse_kst("2026-06-01 10:00")
    with session_scope(engine) as s:
        rid = resident(s, 1)
        fund(s, rid, 8_000, now=old)
        fund(s, rid, 3_000, now=recent)
        points.request_exchange(s, resident_id=rid, amount=5_000, now=recent)  # spends old points first
    with session_scope(engine) as s:
        assert points.expire(s, now=NOW) == 1
        assert sums(s, rid) == (3_000, 5_000)  # 8,000 old − 5,000 spent = 3,000 expired
        assert points.history(s, rid).entries[0].description == "적립 후 12개월이 지나 소멸"
    with session_scope(engine) as s:
        assert points.expire(s, now=NOW) == 0 and points.expire(s, now=NOW + timedelta(days=1)) == 0
        assert sums(s, rid) == (3_000, 5_000)


def test_next_payout_date_uses_the_policy():
    assert points.next_payout_date(NOW).month == 1 and points.next_payout_date(NOW).year == 2027


def test_withdrawal_deletes_the_residents_ledger(engine):
    with session_scope(engine) as s:
        rid, keep = resident(s, 1), resident(s, 2)
        fund(s, rid, 10_000)
        fund(s, keep, 5_000)
        points.request_exchange(s, resident_id=rid, amount=5_000, now=NOW)
    with session_scope(engine) as s:
        assert residents.withdraw(s, 1)
    with session_scope(engine) as s:
        assert s.scalars(select(PointEntry.resident_id).distinct()).all() == [keep]
        assert s.scalar(select(func.count()).select_from(PointEntry).where(PointEntry.resident_id == rid)) == 0
