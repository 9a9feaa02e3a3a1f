"""Reminders the scheduler queues: quarterly point claims and items about to close.

Each reminder is an outbox row with a dedup key per item (or quarter) and
resident, so running a job twice, or late after a restart, reminds nobody
twice. Reminders are promotional: they wait out quiet hours and go only to
residents subscribed to the item's topic. Features are imported inside the
functions, so the scheduler runs whichever of them exist.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storage.models import Resident
from storage.notify_rules import (
    CLOSING_REMINDER_WINDOW,
    PushKind,
    Topic,
    claim_reminder_dedup_key,
    closing_reminder_dedup_key,
    in_claim_reminder_window,
)
from storage.services import push
from storage.timeutil import kst_date, kst_datetime, utcnow

CLAIM_REMINDER = "claim_reminder"


@dataclass(frozen=True)
class Closing:
    """An open item closing soon, and the residents who already took part."""

    kind: str                       # survey | contest | budget_vote (NOTICES key closing_<kind>)
    item_id: int
    title: str
    closes_at: datetime
    topic: Topic
    took_part: Select[tuple[int]]   # resident ids


def _queue(session: Session, resident: Resident, kind: PushKind, key: str, template: str, now: datetime,
           topic: Topic | None = None, **params: object) -> bool:
    """Through the one opt-in rule (storage.services.push)."""
    return push.push(session, resident, kind, dedup_key=key, template=template, params=dict(params),
                     topic=topic, now=now)


def claim_reminders(session: Session, now: datetime | None = None) -> int:
    """In the last days before the quarter's payout cut-off, remind residents who could claim; returns rows queued."""
    from storage.point_policy import load_policy, quarter_ko, quarter_label, quarter_of, quarter_start
    from storage.services.payout import residents_due_for_claim_reminder

    now = now or utcnow()
    year, quarter = quarter_of(now)
    cutoff = quarter_start(*((year + 1, 1) if quarter == 4 else (year, quarter + 1)))
    if not in_claim_reminder_window(now, cutoff):
        return 0
    label = quarter_label(year, quarter)
    # Points are the 행사·포인트 topic: residents who turned it off are not reminded (push rule).
    queued = 0
    for resident in residents_due_for_claim_reminder(session, now):
        queued += _queue(session, resident, PushKind.claim_reminder, claim_reminder_dedup_key(label, resident.id),
                         CLAIM_REMINDER, now,
                         quarter=quarter_ko(label), deadline=kst_date(cutoff - timedelta(seconds=1)),
                         minimum=load_policy().min_exchange)
    return queued


def _closing_surveys(session: Session, now: datetime, until: datetime) -> list[Closing]:
    from storage.models.surveys import Survey, SurveyParticipation, SurveyStatus

    return [
        Closing("survey", s.id, s.title, s.closes_at, Topic.surveys,
                select(SurveyParticipation.resident_id).where(SurveyParticipation.survey_id == s.id))
        for s in session.scalars(select(Survey).where(
            Survey.status == SurveyStatus.published, Survey.opens_at <= now,
            Survey.closes_at > now, Survey.closes_at <= until))
    ]


def _closing_contests(session: Session, now: datetime, until: datetime) -> list[Closing]:
    from storage.models.contests import Contest, ContestEntry, ContestStatus

    return [
        Closing("contest", c.id, c.title, c.deadline, Topic.surveys,
                select(ContestEntry.resident_id).where(ContestEntry.contest_id == c.id))
        for c in session.scalars(select(Contest).where(
            Contest.status == ContestStatus.open, Contest.deadline > now, Contest.deadline <= until))
    ]


def _closing_budget_votes(session: Session, now: datetime, until: datetime) -> list[Closing]:
    from storage.budget_rules import Phase
    from storage.models.budget import Ballot, BudgetCycle

    # Voting ends when the results phase starts. Anyone with a ballot, even a
    # draft, is left to the budget feature's own draft-ballot reminder.
    return [
        Closing("budget_vote", c.id, c.name, c.results_at, Topic.budget,
                select(Ballot.resident_id).where(Ballot.cycle_id == c.id, Ballot.resident_id.is_not(None)))
        for c in session.scalars(select(BudgetCycle).where(
            BudgetCycle.current_phase == Phase.voting, BudgetCycle.results_at > now,
            BudgetCycle.results_at <= until))
    ]


def closing_items(session: Session, now: datetime | None = None) -> list[Closing]:
    """Open surveys, contests and budget votes closing within CLOSING_REMINDER_WINDOW (features present only)."""
    now = now or utcnow()
    until = now + CLOSING_REMINDER_WINDOW
    providers: list[Callable[[Session, datetime, datetime], list[Closing]]] = [
        _closing_surveys, _closing_contests, _closing_budget_votes]
    found: list[Closing] = []
    for provider in providers:
        try:
            found += provider(session, now, until)
        except ImportError:
            continue
    return found


def closing_reminders(session: Session, now: datetime | None = None) -> int:
    """Remind subscribers who have not taken part in items closing soon; returns rows queued."""
    now = now or utcnow()
    queued = 0
    for item in closing_items(session, now):
        residents = session.scalars(push.audience(PushKind.closing_reminder, item.topic)
                                    .where(Resident.id.not_in(item.took_part)))
        for resident in residents:
            queued += _queue(session, resident, PushKind.closing_reminder,
                             closing_reminder_dedup_key(item.kind, item.item_id, resident.id),
                             f"closing_{item.kind}", now, topic=item.topic, title=item.title,
                             closes=kst_datetime(item.closes_at))
    return queued
