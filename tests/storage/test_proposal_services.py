"""Proposal use cases on both backends: submit, endorse, the threshold, withdraw, expiry, browsing."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from storage import proposal_rules as rules
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import Endorsement, OutboxMessage, PointEntry, Proposal, Role
from storage.services import proposals, residents

UTC = timezone.utc
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 2026-11-02 10:00 KST
CLOSES = rules.closes_at_for(NOW)
BODY = "밤에 골목이 너무 어두워서 다니기 무서워요. 가로등을 더 설치해 주세요."


def make_residents(engine, count: int, start: int = 1000, role: Role = Role.resident) -> list[int]:
    ids = []
    with session_scope(engine) as s:
        for tg in range(start, start + count):
            resident, _ = residents.register(s, tg, f"주민{tg}", now=NOW)
            resident.role = role
            s.flush()
            ids.append(resident.id)
    return ids


def submit(engine, author: int, title: str = "골목길 가로등 설치", body: str = BODY, category: str = "safety",
           dong: str | None = "myeong", now: datetime = NOW) -> int:
    with session_scope(engine) as s:
        return proposals.submit(s, author_id=author, title=title, body=body, category=category, dong=dong,
                                now=now).proposal.id


def endorse(engine, pid: int, rid: int, now: datetime = NOW):
    with session_scope(engine) as s:
        return proposals.endorse(s, proposal_id=pid, resident_id=rid, now=now)


def error_of(engine, fn, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as err, session_scope(engine) as s:
        fn(s, **kwargs)
    return err.value


def notices(engine, template: str | None = None) -> list[tuple[int, str, str]]:
    with session_scope(engine) as s:
        stmt = select(OutboxMessage.resident_id, OutboxMessage.template, OutboxMessage.dedup_key)
        if template:
            stmt = stmt.where(OutboxMessage.template == template)
        return [tuple(row) for row in s.execute(stmt.order_by(OutboxMessage.id))]


def awards(engine, activity: str) -> list[tuple[int, str]]:
    with session_scope(engine) as s:
        return [tuple(row) for row in s.execute(
            select(PointEntry.resident_id, PointEntry.ref).where(PointEntry.activity == activity)
            .order_by(PointEntry.id))]


def proposal_row(engine, pid: int) -> Proposal:
    with session_scope(engine) as s:
        return s.get(Proposal, pid)


def stored_count(engine, pid: int) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(Endorsement).where(Endorsement.proposal_id == pid))


# --- submit ----------------------------------------------------------------------------
def test_submit_opens_a_proposal_and_awards_once(engine):
    [author] = make_residents(engine, 1)
    with session_scope(engine) as s:
        result = proposals.submit(s, author_id=author, title="  골목길   가로등 설치 ", body=BODY,
                                  category="safety", dong="myeong", photo_file_id="AgACAgUAAx0", now=NOW)
        p = result.proposal
        assert result.points == 1000
        assert (p.title, p.status.value, p.endorsements_needed) == ("골목길 가로등 설치", "open", 50)
        assert p.closes_at == CLOSES and p.photo_file_id == "AgACAgUAAx0"
    assert awards(engine, "proposal_submitted") == [(author, f"proposal:{p.id}")]


@pytest.mark.parametrize("field, value, code", [
    ("title", "", "title_empty"),
    ("title", "   ", "title_empty"),
    ("title", "🚦🚦🚦🚦🚦", "title_emoji_only"),
    ("title", "가로등", "title_too_short"),
    ("title", "가" * 61, "title_too_long"),
    ("body", "짧아요", "body_too_short"),
    ("body", "🙏" * 25, "body_emoji_only"),
    ("body", "가" * 2001, "body_too_long"),
    ("category", "교통", "unknown_category"),
    ("dong", "gangnam", "unknown_dong"),
])
def test_submit_rejects_bad_fields_and_saves_nothing(engine, field, value, code):
    [author] = make_residents(engine, 1)
    fields = dict(author_id=author, title="골목길 가로등 설치", body=BODY, category="safety", dong=None, now=NOW)
    fields[field] = value
    assert error_of(engine, proposals.submit, **fields).code == code
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Proposal)) == 0
        assert s.scalar(select(func.count()).select_from(PointEntry)) == 0


def test_submit_twice_is_refused_while_the_first_is_open(engine):
    [author] = make_residents(engine, 1)
    pid = submit(engine, author)
    err = error_of(engine, proposals.submit, author_id=author, title="골목길 가로등 설치", body=BODY,
                   category="safety", now=NOW)
    assert (err.code, err.params["number"]) == ("duplicate_proposal", pid)
    assert error_of(engine, proposals.submit, author_id=9999, title="골목길 가로등 설치", body=BODY,
                    category="safety").code == "not_registered"


# --- endorse ----------------------------------------------------------------------------
def test_endorse_once_not_own_not_missing(engine):
    author, a, b = make_residents(engine, 3)
    pid = submit(engine, author)
    result = endorse(engine, pid, a)
    assert (result.count, result.threshold, result.reached_review, result.milestone, result.points) == (
        1, 50, False, None, 100)
    assert error_of(engine, proposals.endorse, proposal_id=pid, resident_id=a, now=NOW).code == "already_endorsed"
    assert error_of(engine, proposals.endorse, proposal_id=pid, resident_id=author, now=NOW).code == "own_proposal"
    assert error_of(engine, proposals.endorse, proposal_id=404, resident_id=b, now=NOW).code == "proposal_not_found"
    assert stored_count(engine, pid) == 1
    assert awards(engine, "endorsement_given") == [(a, f"proposal:{pid}")]


def test_milestones_notify_the_author_once(engine):
    author, *people = make_residents(engine, 12)
    pid = submit(engine, author)
    results = [endorse(engine, pid, rid) for rid in people[:10]]
    assert [r.milestone for r in results] == [None] * 9 + [10]
    with session_scope(engine) as s:
        proposals.withdraw_endorsement(s, proposal_id=pid, resident_id=people[0], now=NOW)
    assert endorse(engine, pid, people[10]).milestone is None  # 10 again: the author already heard
    assert notices(engine, "proposal_milestone") == [(author, "proposal_milestone", f"proposal:{pid}:milestone:10")]


def test_the_fiftieth_endorsement_sends_the_proposal_to_review_exactly_once(engine):
    [author] = make_residents(engine, 1)
    staff = make_residents(engine, 2, start=5000, role=Role.staff)
    people = make_residents(engine, 51, start=2000)
    pid = submit(engine, author)
    for rid in people[:48]:
        endorse(engine, pid, rid)
    forty_ninth = endorse(engine, pid, people[48])
    assert (forty_ninth.count, forty_ninth.reached_review) == (49, False)
    assert proposal_row(engine, pid).status.value == "open"
    fiftieth = endorse(engine, pid, people[49], now=NOW + timedelta(hours=1))
    assert (fiftieth.count, fiftieth.reached_review, fiftieth.milestone) == (50, True, None)
    row = proposal_row(engine, pid)
    assert row.status.value == "under_review"
    assert row.review_started_at == NOW + timedelta(hours=1)
    assert row.review_due_at == rules.review_due_for(NOW + timedelta(hours=1))

    err = error_of(engine, proposals.endorse, proposal_id=pid, resident_id=people[50], now=NOW)
    assert (err.code, err.params["status"]) == ("proposal_not_open", "under_review")
    assert stored_count(engine, pid) == 50

    sent = notices(engine)
    review = [n for n in sent if n[1].startswith("proposal_under_review")]
    assert sorted(r for r, _, _ in review) == sorted([author, *staff, *people[:50]])
    assert {r: t for r, t, _ in review}[author] == "proposal_under_review_author"
    assert all({r: t for r, t, _ in review}[s] == "proposal_under_review_staff" for s in staff)
    assert awards(engine, "proposal_reached_review") == [(author, f"proposal:{pid}")]
    assert len(awards(engine, "endorsement_given")) == 50


def test_threshold_is_snapshotted_when_the_proposal_opens(engine, monkeypatch):
    author, a, b = make_residents(engine, 3)
    monkeypatch.setenv("PROPOSAL_ENDORSEMENTS_FOR_REVIEW", "2")
    monkeypatch.setenv("PROPOSAL_MILESTONES", "")
    pid = submit(engine, author)
    monkeypatch.setenv("PROPOSAL_ENDORSEMENTS_FOR_REVIEW", "50")
    assert endorse(engine, pid, a).reached_review is False
    assert endorse(engine, pid, b).reached_review is True


# --- withdraw --------------------------------------------------------------------------
def test_withdraw_while_open_keeps_the_single_award(engine):
    author, a = make_residents(engine, 2)
    pid = submit(engine, author)
    endorse(engine, pid, a)
    with session_scope(engine) as s:
        result = proposals.withdraw_endorsement(s, proposal_id=pid, resident_id=a, now=NOW)
        assert (result.count, result.threshold) == (0, 50)
    assert error_of(engine, proposals.withdraw_endorsement, proposal_id=pid, resident_id=a,
                    now=NOW).code == "not_endorsed"
    again = endorse(engine, pid, a)
    assert (again.count, again.points) == (1, 0)
    assert awards(engine, "endorsement_given") == [(a, f"proposal:{pid}")]


def test_withdraw_refused_once_review_started_or_window_closed(engine, monkeypatch):
    monkeypatch.setenv("PROPOSAL_ENDORSEMENTS_FOR_REVIEW", "1")
    monkeypatch.setenv("PROPOSAL_MILESTONES", "")
    author, a, b = make_residents(engine, 3)
    reviewed = submit(engine, author)
    endorse(engine, reviewed, a)
    err = error_of(engine, proposals.withdraw_endorsement, proposal_id=reviewed, resident_id=a, now=NOW)
    assert (err.code, err.params["status"]) == ("proposal_not_open", "under_review")
    monkeypatch.setenv("PROPOSAL_ENDORSEMENTS_FOR_REVIEW", "50")
    other = submit(engine, b, title="공원 벤치 교체 요청")
    endorse(engine, other, a)
    assert error_of(engine, proposals.withdraw_endorsement, proposal_id=other, resident_id=a,
                    now=CLOSES).code == "proposal_expired"
    assert stored_count(engine, other) == 1


# --- expiry -----------------------------------------------------------------------------
def test_expiry_at_the_window_end_notifies_the_author_once(engine):
    author, a = make_residents(engine, 2)
    pid = submit(engine, author)
    endorse(engine, pid, a, now=CLOSES - timedelta(seconds=1))
    assert error_of(engine, proposals.endorse, proposal_id=pid, resident_id=a,
                    now=CLOSES).code == "proposal_expired"
    with session_scope(engine) as s:
        assert proposals.expire_due(s, now=CLOSES - timedelta(seconds=1)) == []
    with session_scope(engine) as s:
        assert proposals.expire_due(s, now=CLOSES) == [pid]
    with session_scope(engine) as s:
        assert proposals.expire_due(s, now=CLOSES + timedelta(days=1)) == []
    assert proposal_row(engine, pid).status.value == "expired"
    assert notices(engine, "proposal_expired") == [(author, "proposal_expired", f"proposal:{pid}:expired")]


def test_endorsing_after_the_window_before_the_scheduler_runs(engine):
    author, a = make_residents(engine, 2)
    pid = submit(engine, author)
    err = error_of(engine, proposals.endorse, proposal_id=pid, resident_id=a, now=CLOSES)
    assert (err.code, err.params["status"], err.params["status_label"]) == ("proposal_expired", "expired", "기간 만료")
    assert stored_count(engine, pid) == 0


# --- browsing ---------------------------------------------------------------------------
def _three_proposals(engine):
    author, other, *people = make_residents(engine, 6)
    lamp = submit(engine, author, title="골목길 가로등 설치", category="safety")
    park = submit(engine, other, title="공원 벤치 교체", body="공원 벤치가 낡아서 앉기 불편해요. 교체해 주세요.",
                  category="environment", dong=None, now=NOW + timedelta(hours=1))
    bus = submit(engine, author, title="마을버스 배차 간격 단축", category="traffic",
                 body="출근 시간 마을버스를 너무 오래 기다려요. 가로등 옆 정류장 포함.", now=NOW + timedelta(hours=2))
    for rid in people[:3]:
        endorse(engine, park, rid)
    endorse(engine, lamp, people[0])
    return author, other, people, lamp, park, bus


def test_list_newest_most_endorsed_and_filters(engine):
    author, other, people, lamp, park, bus = _three_proposals(engine)
    with session_scope(engine) as s:
        assert [c.id for c in proposals.list_proposals(s, now=NOW).items] == [bus, park, lamp]
        assert [c.id for c in proposals.list_proposals(s, sort="most_endorsed", now=NOW).items] == [park, lamp, bus]
        assert [c.id for c in proposals.list_proposals(s, category="traffic", now=NOW).items] == [bus]
        assert [c.id for c in proposals.list_proposals(s, keyword="가로등", now=NOW).items] == [bus, lamp]
        assert proposals.list_proposals(s, status="open", now=CLOSES).total == 0
        assert proposals.list_proposals(s, status="expired", now=CLOSES).total == 3
        page = proposals.list_proposals(s, page=2, page_size=2, now=NOW)
        assert ([c.id for c in page.items], page.page, page.pages, page.total) == ([lamp], 2, 2, 3)
        assert proposals.list_proposals(s, page=99, page_size=2, now=NOW).page == 2
        with pytest.raises(DomainError) as err:
            proposals.list_proposals(s, status="hidden", now=NOW)
        assert err.value.code == "unknown_status"


def test_card_shows_progress_days_left_and_the_viewers_buttons(engine):
    author, other, people, lamp, park, bus = _three_proposals(engine)
    with session_scope(engine) as s:
        card = proposals.get_card(s, park, viewer_id=people[0], now=NOW)
        assert (card.count, card.threshold, card.progress_percent) == (3, 50, 6)
        assert (card.status, card.status_label, card.days_left) == ("open", "공감 모집 중", 30)
        assert (card.category_label, card.dong_label) == ("환경·청소", None)
        assert (card.viewer_endorsed, card.viewer_is_author, card.endorse_block, card.can_withdraw) == (
            True, False, "already_endorsed", True)
        mine = proposals.get_card(s, park, viewer_id=other, now=NOW)
        assert (mine.viewer_is_author, mine.endorse_block, mine.can_withdraw) == (True, "own_proposal", False)
        fresh = proposals.get_card(s, lamp, viewer_id=people[3], now=NOW)
        assert (fresh.endorse_block, fresh.dong_label, fresh.category_label) == (None, "명동", "안전")
        late = proposals.get_card(s, lamp, viewer_id=people[3], now=CLOSES)
        assert (late.status, late.days_left, late.endorse_block) == ("expired", None, "proposal_expired")
        anonymous = proposals.get_card(s, lamp, now=NOW)
        assert anonymous.endorse_block == "not_registered"
        assert len(proposals.get_card(s, lamp, now=NOW).summary) <= 80


def test_my_proposals_and_my_endorsements(engine):
    author, other, people, lamp, park, bus = _three_proposals(engine)
    with session_scope(engine) as s:
        assert [c.id for c in proposals.my_proposals(s, author_id=author, now=NOW).items] == [bus, lamp]
        mine = proposals.my_endorsements(s, resident_id=people[0], now=NOW)
        assert [c.id for c in mine.items] == [lamp, park]
        assert all(c.viewer_endorsed for c in mine.items)
        assert proposals.my_endorsements(s, resident_id=people[3], now=NOW).total == 0


def test_find_by_text(engine):
    author, other, people, lamp, park, bus = _three_proposals(engine)
    with session_scope(engine) as s:
        # Title hits outrank body hits.
        assert [c.id for c in proposals.find_by_text(s, "가로등 제안 보여줘", now=NOW)] == [lamp, bus]
        assert [c.id for c in proposals.find_by_text(s, f"{park}번 제안 보여줘", now=NOW)] == [park]
        assert proposals.find_by_text(s, "404번 제안", now=NOW) == []
        assert proposals.find_by_text(s, "제안 보여줘", now=NOW) == []
        assert [c.id for c in proposals.find_by_text(s, "벤치에 관한 제안", now=NOW)] == [park]


def test_count_stays_exact_when_an_endorser_withdraws_consent(engine):
    author, other, people, lamp, park, bus = _three_proposals(engine)
    with session_scope(engine) as s:
        residents.withdraw(s, 1002)  # people[0]
    with session_scope(engine) as s:
        counts = [proposals.get_card(s, pid, now=NOW).count for pid in (park, lamp)]
    assert counts == [2, 0] == [stored_count(engine, park), stored_count(engine, lamp)]


def test_the_database_backs_the_invariants(engine):
    from sqlalchemy.exc import IntegrityError

    from storage.models import ProposalAnswer
    from storage.models.proposals import AnswerKind
    from storage.proposal_rules import AnswerResult

    author, a = make_residents(engine, 2)
    pid = submit(engine, author)
    endorse(engine, pid, a)
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add(Endorsement(proposal_id=pid, resident_id=a, created_at=NOW))
    final = dict(proposal_id=pid, kind=AnswerKind.final, result=AnswerResult.accepted, text="답변", created_at=NOW)
    with session_scope(engine) as s:
        s.add(ProposalAnswer(**final))
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add(ProposalAnswer(**final))
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add(ProposalAnswer(proposal_id=pid, kind=AnswerKind.interim, result=AnswerResult.accepted,
                             text="중간", created_at=NOW))


@pytest.mark.parametrize("forged", ["x", "AgAD", "a b c d e f g h", "AgACAgUAAx0\"}", "가나다라마바사아자차카", "A" * 201])
def test_forged_file_ids_are_refused_before_they_are_stored(engine, forged):
    [author] = make_residents(engine, 1)
    with session_scope(engine) as s:
        with pytest.raises(DomainError) as err:
            proposals.submit(s, author_id=author, title="골목길 가로등 설치", body=BODY,
                             category="safety", dong="myeong", photo_file_id=forged, now=NOW)
        assert err.value.code == "photo_invalid"
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Proposal)) == 0
