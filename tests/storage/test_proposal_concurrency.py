"""PostgreSQL under real concurrency: the threshold acts once, every notice and award lands once."""
from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from storage.db import session_scope
from storage.errors import DomainError
from storage.models import Endorsement, OutboxMessage, PointEntry, Proposal, ProposalAnswer, Role
from storage.services import proposals, residents

pytestmark = pytest.mark.postgres

UTC = timezone.utc
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
BODY = "밤에 골목이 너무 어두워서 다니기 무서워요. 가로등을 더 설치해 주세요."


def register(engine, tgs: range, role: Role = Role.resident) -> list[int]:
    with session_scope(engine) as s:
        people = [residents.register(s, tg, f"주민{tg}", now=NOW)[0] for tg in tgs]
        for person in people:
            person.role = role
        s.flush()
        return [p.id for p in people]


def run_at_once(engine, calls: list[Callable]) -> list[object]:
    """Run each call in its own thread and transaction, released together; returns results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def worker(i: int, call: Callable) -> None:
        barrier.wait()
        try:
            with session_scope(engine) as s:
                results[i] = call(s)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_sixty_concurrent_endorsements_from_twenty_cross_the_threshold_once(pg_engine):
    [author] = register(pg_engine, range(1, 2))
    staff = register(pg_engine, range(900, 903), role=Role.staff)
    early = register(pg_engine, range(1000, 1020))
    crowd = register(pg_engine, range(2000, 2060))
    with session_scope(pg_engine) as s:
        pid = proposals.submit(s, author_id=author, title="골목길 가로등 설치", body=BODY, category="safety",
                               now=NOW).proposal.id
    for rid in early:
        with session_scope(pg_engine) as s:
            proposals.endorse(s, proposal_id=pid, resident_id=rid, now=NOW)

    results = run_at_once(pg_engine, [
        (lambda s, rid=rid: proposals.endorse(s, proposal_id=pid, resident_id=rid, now=NOW)) for rid in crowd
    ])

    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, DomainError)]
    assert not unexpected, unexpected[:3]
    accepted = [r for r in results if isinstance(r, proposals.EndorseResult)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(accepted) == 30 and len(refused) == 30
    assert {(e.code, e.params["status"]) for e in refused} == {("proposal_not_open", "under_review")}
    assert sorted(r.count for r in accepted) == list(range(21, 51))
    assert [r.count for r in accepted if r.reached_review] == [50]

    with session_scope(pg_engine) as s:
        assert s.scalar(select(func.count()).select_from(Endorsement).where(Endorsement.proposal_id == pid)) == 50
        endorsers = set(s.scalars(select(Endorsement.resident_id).where(Endorsement.proposal_id == pid)))
        proposal = s.get(Proposal, pid)
        assert proposal.status.value == "under_review" and proposal.review_started_at == NOW

        review_notices = Counter(s.scalars(
            select(OutboxMessage.resident_id).where(OutboxMessage.template.like("proposal_under_review_%"))))
        assert set(review_notices) == {author, *staff, *endorsers}
        assert set(review_notices.values()) == {1}

        given = Counter(s.scalars(select(PointEntry.resident_id).where(PointEntry.activity == "endorsement_given")))
        assert set(given) == endorsers and set(given.values()) == {1}
        reached = list(s.scalars(select(PointEntry.resident_id)
                                 .where(PointEntry.activity == "proposal_reached_review")))
        assert reached == [author]


def test_the_same_final_answer_posted_twice_at_once_lands_once(pg_engine, monkeypatch):
    monkeypatch.setenv("PROPOSAL_ENDORSEMENTS_FOR_REVIEW", "2")
    monkeypatch.setenv("PROPOSAL_MILESTONES", "")
    author, a, b = register(pg_engine, range(1, 4))
    [staff] = register(pg_engine, range(900, 901), role=Role.staff)
    with session_scope(pg_engine) as s:
        pid = proposals.submit(s, author_id=author, title="골목길 가로등 설치", body=BODY, category="safety",
                               now=NOW).proposal.id
        for rid in (a, b):
            proposals.endorse(s, proposal_id=pid, resident_id=rid, now=NOW)

    results = run_at_once(pg_engine, [
        lambda s: proposals.post_answer(s, proposal_id=pid, staff_id=staff, text="설치하겠습니다.",
                                        result="accepted", now=NOW)
        for _ in range(4)
    ])
    assert sum(isinstance(r, proposals.AnswerPosted) for r in results) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {"already_answered"}
    with session_scope(pg_engine) as s:
        assert s.scalar(select(func.count()).select_from(ProposalAnswer)) == 1
        answered = Counter(s.scalars(
            select(OutboxMessage.resident_id).where(OutboxMessage.template == "proposal_answered")))
        assert answered == Counter({author: 1, a: 1, b: 1})


def test_a_double_pressed_submit_creates_one_proposal(pg_engine):
    [author] = register(pg_engine, range(1, 2))
    results = run_at_once(pg_engine, [
        lambda s: proposals.submit(s, author_id=author, title="골목길 가로등 설치", body=BODY,
                                   category="safety", now=NOW).proposal.id
        for _ in range(3)
    ])
    assert sum(isinstance(r, int) for r in results) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {"duplicate_proposal"}
    with session_scope(pg_engine) as s:
        assert s.scalar(select(func.count()).select_from(Proposal)) == 1
        assert s.scalar(select(func.count()).select_from(PointEntry)
                        .where(PointEntry.activity == "proposal_submitted")) == 1
