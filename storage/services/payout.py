"""Quarterly payout: close a quarter into a batch, export it for accounting, mark it paid."""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.errors import DomainError
from storage.models import (
    BatchStatus, EntryKind, ExchangeRequest, ExchangeStatus, PayoutBatch, PointEntry, Resident,
)
from storage.point_policy import last_closed_quarter, load_policy, quarter_ko, quarter_label
from storage.rules import csv_cell
from storage.services.outbox import notify_resident
from storage.services.points import insert_entry, require_staff_resident
from storage.timeutil import kst_datetime, to_kst, utcnow

NOTICE_PAID = "points_payout_paid"
# Only what residents consented to (회원번호 = our own resident id, and the Telegram name).
CSV_HEADER = ["신청번호", "회원번호", "이름(텔레그램)", "지급액(원)", "신청일시(KST)"]
def close_quarter(session: Session, *, staff_resident_id: int, now: datetime | None = None) -> PayoutBatch:
    """Batch every pending request made before the current KST quarter began.

    The batch is labelled with the latest quarter that has ended (e.g. closing
    on 2026-10-05 makes "2026-Q3" from requests made up to 2026-09-30 23:59:59
    KST; leftovers of earlier, never-closed quarters join it). Requests made
    after the cut-off stay pending for the next quarter.
    Codes: not_allowed, batch_exists (quarter), nothing_to_pay (quarter).
    """
    now = now or utcnow()
    staff = require_staff_resident(session, staff_resident_id)
    year, quarter, cutoff = last_closed_quarter(now)
    label = quarter_label(year, quarter)
    if session.scalar(select(PayoutBatch.id).where(PayoutBatch.quarter == label)) is not None:
        raise DomainError("batch_exists", quarter=quarter_ko(label))
    batch = PayoutBatch(quarter=label, status=BatchStatus.closed, cutoff_at=cutoff,
                        closed_by=staff.id, closed_at=now)
    # One savepoint, so a refusal leaves nothing behind even if the caller goes on.
    try:
        with session.begin_nested():
            session.add(batch)
            session.flush()
            # Conditional update: a cancel racing this close either wins (and is
            # not batched) or finds the request no longer pending.
            moved = session.execute(
                update(ExchangeRequest)
                .where(ExchangeRequest.status == ExchangeStatus.pending, ExchangeRequest.created_at < cutoff)
                .values(status=ExchangeStatus.batched, batch_id=batch.id)
                .execution_options(synchronize_session=False)
            ).rowcount
            if moved == 0:
                raise DomainError("nothing_to_pay", quarter=quarter_ko(label))
    except IntegrityError:
        raise DomainError("batch_exists", quarter=quarter_ko(label)) from None
    return batch


def get_batch(session: Session, batch_id: int) -> PayoutBatch:
    batch = session.get(PayoutBatch, batch_id)
    if batch is None:
        raise DomainError("batch_not_found", batch_id=batch_id)
    return batch


def batch_requests(session: Session, batch_id: int) -> list[ExchangeRequest]:
    return list(session.scalars(
        select(ExchangeRequest).where(ExchangeRequest.batch_id == batch_id)
        .order_by(ExchangeRequest.created_at, ExchangeRequest.id)
    ))


def batch_summary(session: Session, batch_id: int) -> dict[str, Any]:
    """Numbers for staff messages: batch_id, quarter ("2026년 3분기"), label, count, requests, total, status."""
    batch = get_batch(session, batch_id)
    count, requests, total = session.execute(
        select(func.count(func.distinct(ExchangeRequest.resident_id)), func.count(),
               func.coalesce(func.sum(ExchangeRequest.amount), 0))
        .where(ExchangeRequest.batch_id == batch_id)
    ).one()
    return {
        "batch_id": batch.id, "quarter": quarter_ko(batch.quarter), "label": batch.quarter,
        "count": int(count), "requests": int(requests), "total": int(total),
        "status": batch.status.value, "closed_at": kst_datetime(batch.closed_at),
        "paid_at": kst_datetime(batch.paid_at) if batch.paid_at else None,
    }


def export_batch_csv(session: Session, batch_id: int) -> str:
    """The batch for the accounting team: UTF-8 with BOM (Excel), Korean headers, amounts as plain numbers."""
    get_batch(session, batch_id)
    rows = session.execute(
        select(ExchangeRequest, Resident.display_name)
        .join(Resident, Resident.id == ExchangeRequest.resident_id)
        .where(ExchangeRequest.batch_id == batch_id)
        .order_by(ExchangeRequest.created_at, ExchangeRequest.id)
    ).all()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for request, name in rows:
        writer.writerow([request.id, request.resident_id, csv_cell(name), request.amount,
                         to_kst(request.created_at).strftime("%Y-%m-%d %H:%M")])
    return "\ufeff" + out.getvalue()


def mark_batch_paid(session: Session, *, batch_id: int, staff_resident_id: int,
                    now: datetime | None = None) -> PayoutBatch:
    """Turn the batch's holds into payouts and tell each resident once.

    Codes: not_allowed, batch_not_found, batch_already_paid. The status flip
    is a conditional update, so two staff pressing at once pay once.
    """
    now = now or utcnow()
    require_staff_resident(session, staff_resident_id)
    batch = get_batch(session, batch_id)
    flipped = session.execute(
        update(PayoutBatch)
        .where(PayoutBatch.id == batch_id, PayoutBatch.status == BatchStatus.closed)
        .values(status=BatchStatus.paid, paid_at=now, paid_by=staff_resident_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if flipped != 1:
        raise DomainError("batch_already_paid", quarter=quarter_ko(batch.quarter))
    session.refresh(batch)
    per_resident: dict[int, int] = defaultdict(int)
    for request in batch_requests(session, batch_id):
        if request.status != ExchangeStatus.batched:
            continue
        insert_entry(
            session, resident_id=request.resident_id, kind=EntryKind.payout, points=0, held=-request.amount,
            idempotency_key=f"settle:exchange:{request.id}", exchange_request_id=request.id,
            params={"amount": request.amount, "quarter": batch.quarter}, created_at=now,
        )
        request.status, request.paid_at = ExchangeStatus.paid, now
        per_resident[request.resident_id] += request.amount
    for resident_id, amount in per_resident.items():
        resident = session.get(Resident, resident_id)
        if resident is not None:
            notify_resident(session, resident, f"{NOTICE_PAID}:{batch.id}:{resident_id}", NOTICE_PAID,
                            amount=amount, quarter=quarter_ko(batch.quarter))
    session.flush()
    return batch


def residents_due_for_claim_reminder(session: Session, now: datetime | None = None) -> list[Resident]:
    """Reachable residents with at least the minimum exchange available and no pending request."""
    minimum = load_policy().min_exchange
    pending = select(ExchangeRequest.id).where(
        ExchangeRequest.resident_id == Resident.id, ExchangeRequest.status == ExchangeStatus.pending
    ).exists()
    available = (
        select(PointEntry.resident_id).group_by(PointEntry.resident_id)
        .having(func.sum(PointEntry.points) >= minimum)
    )
    return list(session.scalars(
        select(Resident).where(Resident.id.in_(available), ~pending, Resident.reachable.is_(True))
        .order_by(Resident.id)
    ))

