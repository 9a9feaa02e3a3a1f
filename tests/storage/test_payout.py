"""Quarterly payout: closing at the cut-off, the accounting CSV, paying once, notices once."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from points_helpers import SECOND, fund, resident, sums
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import BatchStatus, ExchangeStatus, OutboxMessage, Resident
from storage.services import payout, points
from storage.timeutil import parse_kst

Q3_LAST_SECOND = parse_kst("2026-09-30 23:59") + timedelta(seconds=59)
Q4_FIRST_SECOND = Q3_LAST_SECOND + SECOND
CLOSING = parse_kst("2026-10-05 10:00")


def code(fn, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err:
        fn(*args, **kwargs)
    return err.value


def setup_requests(s) -> tuple[int, int, int, int]:
    """Staff plus three residents: two requests before the Q3 cut-off, one right after."""
    staff = resident(s, 9, "담당자", staff=True)
    a, b, c = resident(s, 1, "김중구"), resident(s, 2, "=HYPERLINK(\"x\")"), resident(s, 3, "박신당")
    for rid in (a, b, c):
        fund(s, rid, 15_000, now=parse_kst("2026-09-01 10:00"))
    points.request_exchange(s, resident_id=a, amount=10_000, now=parse_kst("2026-08-01 09:00"))
    points.request_exchange(s, resident_id=b, amount=5_000, now=Q3_LAST_SECOND)
    points.request_exchange(s, resident_id=c, amount=15_000, now=Q4_FIRST_SECOND)
    return staff, a, b, c


def test_close_quarter_takes_requests_up_to_the_cutoff(engine):
    with session_scope(engine) as s:
        staff, a, b, c = setup_requests(s)
    with session_scope(engine) as s:
        assert code(payout.close_quarter, s, staff_resident_id=a, now=CLOSING).code == "not_allowed"
        batch = payout.close_quarter(s, staff_resident_id=staff, now=CLOSING)
        assert batch.quarter == "2026-Q3" and batch.status == BatchStatus.closed
        assert batch.cutoff_at == Q4_FIRST_SECOND
    with session_scope(engine) as s:
        summary = payout.batch_summary(s, batch.id)
        assert (summary["count"], summary["requests"], summary["total"], summary["quarter"]) == \
            (2, 2, 15_000, "2026년 3분기")
        assert [r.amount for r in points.pending_exchanges(s, c)] == [15_000]
        assert code(points.cancel_exchange, s, resident_id=a,
                    request_id=payout.batch_requests(s, batch.id)[0].id).code == "exchange_not_pending"
        err = code(payout.close_quarter, s, staff_resident_id=staff, now=CLOSING + timedelta(days=1))
        assert err.code == "batch_exists" and err.params["quarter"] == "2026년 3분기"


def test_nothing_to_pay_leaves_no_batch(engine):
    with session_scope(engine) as s:
        staff = resident(s, 9, staff=True)
    with session_scope(engine) as s:
        assert code(payout.close_quarter, s, staff_resident_id=staff, now=CLOSING).code == "nothing_to_pay"
    with session_scope(engine) as s:
        assert code(payout.batch_summary, s, 1).code == "batch_not_found"


def test_export_csv_columns_bom_and_formula_guard(engine):
    with session_scope(engine) as s:
        staff, a, b, _ = setup_requests(s)
        batch = payout.close_quarter(s, staff_resident_id=staff, now=CLOSING)
    with session_scope(engine) as s:
        text = payout.export_batch_csv(s, batch.id)
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["신청번호", "회원번호", "이름(텔레그램)", "지급액(원)", "신청일시(KST)"]
    assert [row[1:] for row in rows[1:]] == [
        [str(a), "김중구", "10000", "2026-08-01 09:00"],
        [str(b), "'=HYPERLINK(\"x\")", "5000", "2026-09-30 23:59"],
    ]
    assert "telegram" not in text.lower() and "9" not in [row[1] for row in rows[1:]]


def test_mark_paid_once_turns_holds_into_payouts_and_notifies_once(engine):
    with session_scope(engine) as s:
        staff, a, b, c = setup_requests(s)
        batch = payout.close_quarter(s, staff_resident_id=staff, now=CLOSING)
    paid_at = CLOSING + timedelta(days=15)
    with session_scope(engine) as s:
        done = payout.mark_batch_paid(s, batch_id=batch.id, staff_resident_id=staff, now=paid_at)
        assert done.status == BatchStatus.paid and done.paid_at == paid_at and done.paid_by == staff
    with session_scope(engine) as s:
        err = code(payout.mark_batch_paid, s, batch_id=batch.id, staff_resident_id=staff, now=paid_at)
        assert err.code == "batch_already_paid"
        assert code(payout.mark_batch_paid, s, batch_id=10**6, staff_resident_id=staff).code == "batch_not_found"
    with session_scope(engine) as s:
        assert sums(s, a) == (5_000, 0) and sums(s, b) == (10_000, 0) and sums(s, c) == (0, 15_000)
        assert points.balance(s, a).paid_total == 10_000
        assert all(r.status == ExchangeStatus.paid and r.paid_at == paid_at
                   for r in payout.batch_requests(s, batch.id))
        notices = s.scalars(select(OutboxMessage).order_by(OutboxMessage.resident_id)).all()
        assert [(n.resident_id, n.template, n.params) for n in notices] == [
            (a, "points_payout_paid", {"amount": 10_000, "quarter": "2026년 3분기"}),
            (b, "points_payout_paid", {"amount": 5_000, "quarter": "2026년 3분기"}),
        ]
        assert points.history(s, a).entries[0].description == "상품권 10,000원 지급 완료 (2026년 3분기)"


def test_notice_template_exists_and_formats():
    from bot.texts import NOTICES

    text = NOTICES[payout.NOTICE_PAID].format(amount=10_000, quarter="2026년 3분기")
    assert "10,000원" in text and "2026년 3분기" in text


def test_claim_reminder_candidates(engine):
    with session_scope(engine) as s:
        rich, poor, waiting = resident(s, 1), resident(s, 2), resident(s, 3)
        blocked = resident(s, 4)
        fund(s, rich, 5_000)
        fund(s, poor, 4_999)
        fund(s, waiting, 20_000)
        fund(s, blocked, 9_000)
        points.request_exchange(s, resident_id=waiting, amount=5_000, now=CLOSING)
        s.get_one(Resident, blocked).reachable = False
    with session_scope(engine) as s:
        assert [r.id for r in payout.residents_due_for_claim_reminder(s, CLOSING)] == [rich]
