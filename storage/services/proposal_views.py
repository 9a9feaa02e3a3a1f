"""Read side of proposals: cards, browsing, search, and the shared row queries.

Residents never see hidden proposals, except their author (who should learn
why) and staff. Statuses are shown as residents experience them: an open
proposal past its window reads as expired before the scheduler flips it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from sqlalchemy import Select, and_, desc, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from storage import proposal_rules as rules
from storage.errors import DomainError
from storage.models import Endorsement, Proposal, Resident
from storage.proposal_rules import ProposalStatus
from storage.timeutil import utcnow

T = TypeVar("T")
_SEARCH_CANDIDATES_MAX = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class ProposalCard:
    """Everything a chat card or its 자세히 view shows; ``id`` is the number residents use."""

    id: int
    title: str
    summary: str
    body: str
    category: str
    category_label: str
    dong: str | None
    dong_label: str | None
    photo_file_id: str | None
    count: int
    threshold: int
    progress_percent: int
    status: str
    status_label: str
    opened_at: datetime
    closes_at: datetime
    last_day: date
    days_left: int | None
    review_due_at: datetime | None
    answered_at: datetime | None
    answer_result: str | None
    answer_result_label: str | None
    answer_text: str | None
    viewer_endorsed: bool
    viewer_is_author: bool
    # Why the viewer may not press 공감 (a DomainError code), None when they may.
    endorse_block: str | None
    can_withdraw: bool
    # Only the author (and staff) learn why their proposal was hidden.
    hidden_reason: str | None


# --- Shared queries ----------------------------------------------------------------
def count_endorsements(session: Session, proposal_id: int) -> int:
    """The endorsement count: current endorsers, plus those who withdrew from the bot (counted, not named)."""
    named = session.scalar(
        select(func.count()).select_from(Endorsement).where(Endorsement.proposal_id == proposal_id)
    ) or 0
    withdrawn = session.scalar(select(Proposal.withdrawn_endorsements).where(Proposal.id == proposal_id)) or 0
    return named + withdrawn


def endorser_ids(session: Session, proposal_id: int) -> list[int]:
    """Resident ids of everyone who endorsed, oldest first."""
    return list(session.scalars(
        select(Endorsement.resident_id).where(Endorsement.proposal_id == proposal_id).order_by(Endorsement.id)
    ))


def lock_proposal(session: Session, proposal_id: int) -> Proposal:
    """The proposal row, locked FOR UPDATE on PostgreSQL (SQLite's BEGIN IMMEDIATE serialises writers)."""
    proposal = session.scalar(
        select(Proposal).where(Proposal.id == proposal_id).with_for_update().execution_options(populate_existing=True)
    )
    if proposal is None:
        raise DomainError("proposal_not_found", number=proposal_id)
    return proposal


def _count_column():  # type: ignore[no-untyped-def]
    named = (
        select(func.count(Endorsement.id))
        .where(Endorsement.proposal_id == Proposal.id)
        .correlate(Proposal)
        .scalar_subquery()
    )
    return (named + Proposal.withdrawn_endorsements).label("endorsement_count")


def _endorsed_column(viewer_id: int | None):  # type: ignore[no-untyped-def]
    if viewer_id is None:
        return literal(False).label("viewer_endorsed")
    return exists().where(
        Endorsement.proposal_id == Proposal.id, Endorsement.resident_id == viewer_id
    ).correlate(Proposal).label("viewer_endorsed")


def _card_select(viewer_id: int | None) -> Select:
    return select(Proposal, _count_column(), _endorsed_column(viewer_id))


def _visible(viewer_id: int | None = None) -> object:
    """Hidden proposals are visible only to their author."""
    if viewer_id is None:
        return Proposal.status != ProposalStatus.hidden
    return or_(Proposal.status != ProposalStatus.hidden, Proposal.author_id == viewer_id)


def build_card(proposal: Proposal, count: int, viewer_id: int | None, viewer_endorsed: bool,
               now: datetime, *, viewer_is_staff: bool = False) -> ProposalCard:
    """Assemble a card from a row and its count (pure, no queries)."""
    status = rules.effective_status(proposal.status.value, proposal.closes_at, now)
    is_author = viewer_id is not None and proposal.author_id == viewer_id
    endorse_block: str | None
    if viewer_id is None:
        endorse_block = "not_registered"
    elif viewer_endorsed:
        endorse_block = "already_endorsed"
    else:
        endorse_block = rules.can_endorse(proposal.status.value, now, proposal.closes_at, is_author)
    result = proposal.answer_result.value if proposal.answer_result else None
    return ProposalCard(
        id=proposal.id,
        title=proposal.title,
        summary=rules.summarize(proposal.body),
        body=proposal.body,
        category=proposal.category,
        category_label=rules.CATEGORIES.get(proposal.category, proposal.category),
        dong=proposal.dong,
        dong_label=rules.DONGS.get(proposal.dong) if proposal.dong else None,
        photo_file_id=proposal.photo_file_id,
        count=count,
        threshold=proposal.endorsements_needed,
        progress_percent=rules.progress_percent(count, proposal.endorsements_needed),
        status=status,
        status_label=rules.STATUS_LABELS[status],
        opened_at=proposal.opened_at,
        closes_at=proposal.closes_at,
        last_day=rules.last_day(proposal.closes_at),
        days_left=rules.days_left(proposal.closes_at, now) if status == ProposalStatus.open.value else None,
        review_due_at=proposal.review_due_at,
        answered_at=proposal.answered_at,
        answer_result=result,
        answer_result_label=rules.RESULT_LABELS[result] if result else None,
        answer_text=proposal.answer_text,
        viewer_endorsed=viewer_endorsed,
        viewer_is_author=is_author,
        endorse_block=endorse_block,
        can_withdraw=viewer_endorsed and rules.can_withdraw(
            proposal.status.value, now, proposal.closes_at) is None,
        hidden_reason=proposal.hidden_reason if (is_author or viewer_is_staff) else None,
    )


def _cards(session: Session, stmt: Select, viewer_id: int | None, now: datetime) -> list[ProposalCard]:
    return [build_card(p, count, viewer_id, bool(endorsed), now) for p, count, endorsed in session.execute(stmt)]


def _page(session: Session, stmt: Select, *, order_by: list, page: int, page_size: int,
          viewer_id: int | None, now: datetime) -> Page[ProposalCard]:
    page_size = max(1, min(page_size, rules.PAGE_SIZE_MAX))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = rules.page_count(total, page_size)
    page = max(1, min(page, pages))
    items = _cards(session, stmt.order_by(*order_by).limit(page_size).offset((page - 1) * page_size),
                   viewer_id, now)
    return Page(items=items, page=page, pages=pages, total=total)


def _status_filter(status: str, now: datetime) -> object:
    if status == ProposalStatus.open.value:
        return and_(Proposal.status == ProposalStatus.open, Proposal.closes_at > now)
    if status == ProposalStatus.expired.value:
        return or_(Proposal.status == ProposalStatus.expired,
                   and_(Proposal.status == ProposalStatus.open, Proposal.closes_at <= now))
    if status in (ProposalStatus.under_review.value, ProposalStatus.answered.value):
        return Proposal.status == ProposalStatus(status)
    raise DomainError("unknown_status", status=status)


def _term_filter(term: str) -> object:
    return or_(Proposal.title.icontains(term, autoescape=True), Proposal.body.icontains(term, autoescape=True))


# --- Resident browsing ------------------------------------------------------------
def get_card(session: Session, proposal_id: int, viewer_id: int | None = None,
             now: datetime | None = None) -> ProposalCard:
    """One proposal as the viewer may see it, or ``proposal_not_found``."""
    now = now or utcnow()
    row = session.execute(_card_select(viewer_id).where(Proposal.id == proposal_id)).first()
    if row is None:
        raise DomainError("proposal_not_found", number=proposal_id)
    proposal, count, endorsed = row
    viewer = session.get(Resident, viewer_id) if viewer_id is not None else None
    is_staff = viewer is not None and viewer.is_staff
    if proposal.status == ProposalStatus.hidden and proposal.author_id != viewer_id and not is_staff:
        raise DomainError("proposal_not_found", number=proposal_id)
    return build_card(proposal, count, viewer_id, bool(endorsed), now, viewer_is_staff=is_staff)


def list_proposals(
    session: Session,
    *,
    sort: str = "newest",
    category: str | None = None,
    status: str | None = None,
    keyword: str | None = None,
    page: int = 1,
    page_size: int = rules.PAGE_SIZE_DEFAULT,
    viewer_id: int | None = None,
    now: datetime | None = None,
) -> Page[ProposalCard]:
    """Browse visible proposals: newest or most endorsed, by category, status or keyword."""
    now = now or utcnow()
    if sort not in rules.SORTS:
        raise DomainError("unknown_sort", sort=sort)
    stmt = _card_select(viewer_id).where(Proposal.status != ProposalStatus.hidden)
    if category is not None:
        stmt = stmt.where(Proposal.category == rules.require_category(category))
    if status is not None:
        stmt = stmt.where(_status_filter(status, now))
    for term in rules.search_terms(keyword):
        stmt = stmt.where(_term_filter(term))
    order = [Proposal.opened_at.desc(), Proposal.id.desc()] if sort == "newest" else [
        desc("endorsement_count"), Proposal.id.desc()]
    return _page(session, stmt, order_by=order, page=page, page_size=page_size, viewer_id=viewer_id, now=now)


def my_proposals(session: Session, *, author_id: int, page: int = 1,
                 page_size: int = rules.PAGE_SIZE_DEFAULT, now: datetime | None = None) -> Page[ProposalCard]:
    """내 제안: the author's own proposals, hidden ones included, newest first."""
    now = now or utcnow()
    stmt = _card_select(author_id).where(Proposal.author_id == author_id)
    return _page(session, stmt, order_by=[Proposal.id.desc()], page=page, page_size=page_size,
                 viewer_id=author_id, now=now)


def my_endorsements(session: Session, *, resident_id: int, page: int = 1,
                    page_size: int = rules.PAGE_SIZE_DEFAULT, now: datetime | None = None) -> Page[ProposalCard]:
    """내가 공감한 제안: visible proposals the resident endorsed, most recent endorsement first."""
    now = now or utcnow()
    stmt = (
        _card_select(resident_id)
        .join(Endorsement, and_(Endorsement.proposal_id == Proposal.id, Endorsement.resident_id == resident_id))
        .where(Proposal.status != ProposalStatus.hidden)
    )
    return _page(session, stmt, order_by=[Endorsement.id.desc()], page=page, page_size=page_size,
                 viewer_id=resident_id, now=now)


def find_by_text(session: Session, text: str | None, *, viewer_id: int | None = None,
                 limit: int = rules.SEARCH_RESULTS_MAX, now: datetime | None = None) -> list[ProposalCard]:
    """'3번 제안', '가로등 제안 보여줘' → matching visible cards, best first (title hits outrank body hits)."""
    now = now or utcnow()
    number = rules.parse_number(text)
    if number is not None:
        try:
            card = get_card(session, number, viewer_id=viewer_id, now=now)
        except DomainError:
            return []
        return [card]
    terms = rules.search_terms(text)
    if not terms:
        return []
    stmt = (
        _card_select(viewer_id)
        .where(_visible(viewer_id), or_(*(_term_filter(term) for term in terms)))
        .order_by(Proposal.id.desc())
        .limit(_SEARCH_CANDIDATES_MAX)
    )
    cards = _cards(session, stmt, viewer_id, now)

    def score(card: ProposalCard) -> tuple[int, int, int]:
        title, body = card.title.lower(), card.body.lower()
        hits = sum(2 * (term in title) + (term in body) for term in terms)
        return hits, card.count, card.id

    return sorted(cards, key=score, reverse=True)[:limit]
