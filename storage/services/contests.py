"""Contests (공모): open, enter once, withdraw before the deadline, pick winners once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import engagement_rules as er
from storage.errors import DomainError
from storage.models import Resident
from storage.models.contests import Contest, ContestEntry, ContestStatus, EntryForm
from storage.rules import require_file_id
from storage.services import outbox
from storage.services.engagement_common import (
    insert_ignore,
    policy_points,
    require_resident,
    require_staff_id,
)
from storage.timeutil import kst_datetime, utcnow

CONTEST_ENTRY = "contest_entry"
CONTEST_WIN = "contest_win"


@dataclass(frozen=True)
class EntryView:
    entry_id: int
    contest_id: int
    contest_title: str
    deadline: datetime
    text: str | None
    photo_file_id: str | None
    won: bool
    can_withdraw: bool


@dataclass(frozen=True)
class SubmitEntryResult:
    entry: ContestEntry
    points_awarded: int


@dataclass(frozen=True)
class WinnersResult:
    contest_id: int
    winners: int
    others_notified: int


def _clean_text(text: str | None, limit: int, code: str) -> str:
    value = (text or "").strip()
    if not value:
        raise DomainError(code)
    if len(value) > limit:
        raise DomainError("text_too_long", max=limit, length=len(value))
    return value


def open_contest(session: Session, *, title: str, rules: str, deadline: datetime,
                 entry_form: EntryForm | str, entry_points: int | None = None,
                 win_points: int | None = None, staff_id: int | None,
                 now: datetime | None = None) -> Contest:
    """Open a contest; points default to the point policy's amounts."""
    now = now or utcnow()
    require_staff_id(session, staff_id)
    title = _clean_text(title, er.CONTEST_TITLE_MAX, "title_required")
    rules = _clean_text(rules, er.CONTEST_RULES_MAX, "rules_required")
    try:
        form = EntryForm(entry_form)
    except ValueError:
        raise DomainError("invalid_entry_form", entry_form=str(entry_form)) from None
    if not er.contest_accepts_entries(deadline, now):
        raise DomainError("deadline_in_past", deadline=kst_datetime(deadline))
    contest = Contest(
        title=title, rules=rules, deadline=deadline, entry_form=form,
        entry_points=policy_points(CONTEST_ENTRY, entry_points),
        win_points=policy_points(CONTEST_WIN, win_points),
        status=ContestStatus.open, created_by=staff_id, created_at=now,
    )
    session.add(contest)
    session.flush()
    return contest


def get_contest(session: Session, contest_id: int, *, lock: bool = False) -> Contest:
    stmt = select(Contest).where(Contest.id == contest_id)
    if lock:
        stmt = stmt.with_for_update()
    contest = session.scalar(stmt)
    if contest is None:
        raise DomainError("contest_not_found", contest_id=contest_id)
    return contest


def open_contests(session: Session, now: datetime | None = None) -> list[Contest]:
    """Contests taking entries now, nearest deadline first."""
    now = now or utcnow()
    return list(session.scalars(
        select(Contest).where(Contest.status == ContestStatus.open, Contest.deadline > now)
        .order_by(Contest.deadline, Contest.id)
    ))


def submit_entry(session: Session, *, contest_id: int, resident_id: int, text: str | None = None,
                 photo_file_id: str | None = None, photo_size: int | None = None,
                 now: datetime | None = None) -> SubmitEntryResult:
    """Enter a contest (photo + caption, or text, as its form asks); one entry per resident."""
    now = now or utcnow()
    contest = get_contest(session, contest_id)
    require_resident(session, resident_id)
    if contest.status is not ContestStatus.open or not er.contest_accepts_entries(contest.deadline, now):
        raise DomainError("contest_closed", contest_id=contest_id)
    text = (text or "").strip() or None
    if text is not None and len(text) > er.CONTEST_TEXT_MAX:
        raise DomainError("text_too_long", max=er.CONTEST_TEXT_MAX, length=len(text))
    if photo_file_id is not None:
        if contest.entry_form is EntryForm.text:
            raise DomainError("photo_not_accepted", contest_id=contest_id)
        if photo_size is not None and photo_size > er.CONTEST_PHOTO_MAX_BYTES:
            raise DomainError("photo_too_large", max_mb=er.CONTEST_PHOTO_MAX_BYTES // (1024 * 1024))
        photo_file_id = require_file_id(photo_file_id)
    if contest.entry_form in (EntryForm.photo, EntryForm.both) and photo_file_id is None:
        raise DomainError("entry_photo_required", contest_id=contest_id)
    if contest.entry_form in (EntryForm.text, EntryForm.both) and text is None:
        raise DomainError("entry_text_required", contest_id=contest_id)
    if not insert_ignore(session, ContestEntry, dict(
            contest_id=contest_id, resident_id=resident_id, text=text, photo_file_id=photo_file_id,
            photo_size=photo_size, won=False, submitted_at=now), ["contest_id", "resident_id"]):
        raise DomainError("already_entered", contest_id=contest_id)
    entry = session.scalar(select(ContestEntry).where(
        ContestEntry.contest_id == contest_id, ContestEntry.resident_id == resident_id))
    assert entry is not None
    awarded = 0
    if contest.entry_points > 0:
        from storage.services import points

        # ref is the contest: withdrawing and entering again earns the points once.
        result = points.award(session, resident_id=resident_id, activity=CONTEST_ENTRY,
                              ref=f"contest:{contest_id}", now=now, points=contest.entry_points,
                              description=contest.title)
        awarded = result.points if result.created else 0
    return SubmitEntryResult(entry=entry, points_awarded=awarded)


def my_entries(session: Session, *, resident_id: int, now: datetime | None = None) -> list[EntryView]:
    """The resident's entries, newest contest deadline first."""
    now = now or utcnow()
    rows = session.execute(
        select(ContestEntry, Contest).join(Contest, Contest.id == ContestEntry.contest_id)
        .where(ContestEntry.resident_id == resident_id).order_by(Contest.deadline.desc(), Contest.id.desc())
    ).all()
    return [
        EntryView(entry_id=e.id, contest_id=c.id, contest_title=c.title, deadline=c.deadline,
                  text=e.text, photo_file_id=e.photo_file_id, won=e.won,
                  can_withdraw=c.status is ContestStatus.open and er.contest_accepts_entries(c.deadline, now))
        for e, c in rows
    ]


def withdraw_entry(session: Session, *, contest_id: int, resident_id: int,
                   now: datetime | None = None) -> None:
    """Withdraw (delete) one's entry before the deadline; entry points already earned stay."""
    now = now or utcnow()
    contest = get_contest(session, contest_id)
    if contest.status is not ContestStatus.open or not er.contest_accepts_entries(contest.deadline, now):
        raise DomainError("contest_closed", contest_id=contest_id)
    entry = session.scalar(select(ContestEntry).where(
        ContestEntry.contest_id == contest_id, ContestEntry.resident_id == resident_id).with_for_update())
    if entry is None:
        raise DomainError("contest_entry_not_found", contest_id=contest_id)
    session.delete(entry)


def list_entries(session: Session, contest_id: int, *, staff_id: int | None) -> list[ContestEntry]:
    """Staff: every entry of a contest in the order received."""
    require_staff_id(session, staff_id)
    get_contest(session, contest_id)
    return list(session.scalars(
        select(ContestEntry).where(ContestEntry.contest_id == contest_id)
        .order_by(ContestEntry.submitted_at, ContestEntry.id)
    ))


def pick_winners(session: Session, *, contest_id: int, entry_ids: list[int], staff_id: int | None,
                 now: datetime | None = None) -> WinnersResult:
    """After the deadline, once: mark winners, award them, and notify winners and other entrants."""
    now = now or utcnow()
    require_staff_id(session, staff_id)
    contest = get_contest(session, contest_id, lock=True)
    if contest.status is ContestStatus.judged:
        raise DomainError("winners_already_picked", contest_id=contest_id)
    if er.contest_accepts_entries(contest.deadline, now):
        raise DomainError("contest_still_open", deadline=kst_datetime(contest.deadline))
    if not entry_ids:
        raise DomainError("no_winners")
    entries = list(session.scalars(select(ContestEntry).where(ContestEntry.contest_id == contest_id)))
    by_id = {e.id: e for e in entries}
    unknown = sorted(set(entry_ids) - set(by_id))
    if unknown:
        raise DomainError("contest_entry_not_found", contest_id=contest_id, entry_ids=unknown)
    contest.status = ContestStatus.judged
    contest.judged_at = now
    winners = set(entry_ids)
    residents = {r.id: r for r in session.scalars(
        select(Resident).where(Resident.id.in_([e.resident_id for e in entries])))}
    others = 0
    for entry in entries:
        resident = residents[entry.resident_id]
        if entry.id in winners:
            entry.won = True
            awarded = _award_win(session, contest, entry.resident_id, now)
            # A capped or point-less win is still announced, without a "0 P" line.
            template = "contest_won" if awarded > 0 else "contest_won_no_points"
            outbox.notify_resident(session, resident, f"contest:{contest.id}:result:{resident.id}",
                                   template, title=contest.title, points=awarded)
        else:
            others += 1
            outbox.notify_resident(session, resident, f"contest:{contest.id}:result:{resident.id}",
                                   "contest_result", title=contest.title, winners=len(winners))
    return WinnersResult(contest_id=contest_id, winners=len(winners), others_notified=others)


def _award_win(session: Session, contest: Contest, resident_id: int, now: datetime) -> int:
    if contest.win_points <= 0:
        return 0
    from storage.services import points

    result = points.award(session, resident_id=resident_id, activity=CONTEST_WIN,
                          ref=f"contest:{contest.id}", now=now, points=contest.win_points,
                          description=contest.title)
    return result.points
