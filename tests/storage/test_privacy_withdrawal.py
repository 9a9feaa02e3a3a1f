"""탈퇴 keeps what the district must keep, without the person (issue 13)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from points_helpers import fund, resident
from storage.db import session_scope
from storage.models import Endorsement, ExchangeRequest, ExchangeStatus, Proposal, Resident
from storage.proposal_rules import ProposalStatus
from storage.rules import WITHDRAWN_DISPLAY_NAME
from storage.services import payout, points, proposals, residents
from storage.timeutil import parse_kst
from storage.tombstone import tombstone_of
from test_proposal_services import BODY, NOW as P_NOW, endorse, make_residents, submit

REQUESTED = parse_kst("2026-08-01 09:00")
CLOSING = parse_kst("2026-10-05 10:00")


def test_paid_exchange_requests_are_pseudonymized_not_deleted(engine):
    with session_scope(engine) as s:
        staff = resident(s, 9, "담당자", staff=True)
        paid, pending = resident(s, 1, "김중구"), resident(s, 2, "박신당")
        for rid in (paid, pending):
            fund(s, rid, 10_000, now=parse_kst("2026-07-01 10:00"))
        points.request_exchange(s, resident_id=paid, amount=5_000, now=REQUESTED)
        batch = payout.close_quarter(s, staff_resident_id=staff, now=CLOSING)
        payout.mark_batch_paid(s, batch_id=batch.id, staff_resident_id=staff, now=CLOSING + timedelta(days=1))
        points.request_exchange(s, resident_id=pending, amount=5_000, now=CLOSING + timedelta(days=2))
    with session_scope(engine) as s:
        assert residents.withdraw(s, 1) and residents.withdraw(s, 2)
    with session_scope(engine) as s:
        kept = s.scalars(select(ExchangeRequest)).all()
        assert len(kept) == 1  # the pending one went with its resident
        (record,) = kept
        assert record.status == ExchangeStatus.paid and record.amount == 5_000 and record.batch_id == batch.id
        assert record.pseudonym == tombstone_of(1)
        owner = s.get(Resident, record.resident_id)
        assert owner.display_name == WITHDRAWN_DISPLAY_NAME and owner.telegram_user_id == 0
        assert not owner.reachable
        assert residents.find(s, 1) is None and residents.find(s, 2) is None


def test_reviewed_proposals_stay_public_and_endorsements_are_counted(engine):
    [author, other_author] = make_residents(engine, 2, start=100)
    fans = make_residents(engine, 3, start=200)
    reviewed = submit(engine, author)
    still_open = submit(engine, other_author, title="공원 벤치 추가")
    for rid in fans:
        endorse(engine, reviewed, rid)
        endorse(engine, still_open, rid)
    with session_scope(engine) as s:
        s.get(Proposal, reviewed).status = ProposalStatus.under_review
    with session_scope(engine) as s:
        assert residents.withdraw(s, 100)   # author of the reviewed proposal
        assert residents.withdraw(s, 101)   # author of the open proposal
        assert residents.withdraw(s, 200)   # one endorser of both
    with session_scope(engine) as s:
        row = s.get(Proposal, reviewed)
        assert row is not None and s.get(Resident, row.author_id).display_name == WITHDRAWN_DISPLAY_NAME
        assert s.get(Proposal, still_open) is None  # open proposals go with their author
        assert proposals.count_endorsements(s, reviewed) == 3  # counted …
        named = s.scalar(select(func.count()).select_from(Endorsement).where(Endorsement.proposal_id == reviewed))
        assert named == 2  # … not named
        card = proposals.get_card(s, reviewed, viewer_id=None, now=P_NOW)
        assert card.count == 3


def test_the_system_row_never_withdraws_or_registers(engine):
    with session_scope(engine) as s:
        residents.register(s, 5, "a")
        residents.withdraw(s, 5)
    with session_scope(engine) as s:
        assert not residents.withdraw(s, 0)
