"""Counting, publishing and exporting a cycle's results.

Live tallies are for staff only while the cycle runs; publishing freezes the
official ranking on the projects (what residents see from then on), draws the
chart and tells every voter once.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.budget_chart import render_results_chart
from storage.budget_rules import FundingReason, Phase, ProjectVotes, format_won, fund
from storage.errors import DomainError
from storage.models import Ballot, BallotPick, BallotStatus, BudgetCycle, BudgetProject, ProjectStatus, Resident
from storage.notify_rules import CAPTION_MAX_CHARS, next_allowed_send
from storage.rules import csv_cell
from storage.services import outbox
from storage.services.budget_common import cycle_view, load_cycle, require_staff
from storage.services.budget_cycles import enter_scheduled_phases
from storage.settings import StorageSettings
from storage.timeutil import kst_datetime, utcnow

# Phases after voting: only then may ballots and results leave the database.
AFTER_VOTING = (Phase.results, Phase.closed)
CHART_DIR = "budget"  # under MEDIA_DIR, where bot.render.media_path looks
FUNDED_TITLES_SHOWN = 10
@dataclass(frozen=True)
class ResultLine:
    rank: int
    project_id: int
    title: str
    dong: str
    votes: int
    cost: int
    funded: bool
    reason: FundingReason

    @property
    def cost_label(self) -> str:
        return format_won(self.cost)


@dataclass(frozen=True)
class Results:
    cycle_id: int
    cycle_name: str
    budget: int
    ballots_counted: int
    lines: list[ResultLine]
    published_at: datetime | None  # None: a live count shown to staff

    @property
    def funded_total(self) -> int:
        return sum(line.cost for line in self.lines if line.funded)

    @property
    def funded_lines(self) -> list[ResultLine]:
        return [line for line in self.lines if line.funded]

    @property
    def summary(self) -> str:
        """One line for the chart and messages: 예산 10억원 중 9억 5,000만원 선정 · 투표 123명."""
        return (f"예산 {format_won(self.budget)} 중 {format_won(self.funded_total)} 선정 · "
                f"투표 {self.ballots_counted:,}명")


def tally(session: Session, cycle_id: int, *, staff_id: int | None = None, now: datetime | None = None) -> Results:
    """The results: residents see them once published (``results_not_published``
    before); staff (``staff_id``) may see a live count at any time."""
    cycle = load_cycle(session, cycle_id)
    if cycle.results_published_at is not None:
        return _frozen(session, cycle)
    if staff_id is None:
        raise DomainError("results_not_published")
    require_staff(session, staff_id)
    return _count(session, cycle)


def _votes(session: Session, cycle_id: int) -> dict[int, int]:
    rows = session.execute(
        select(BallotPick.project_id, func.count())
        .join(Ballot, Ballot.id == BallotPick.ballot_id)
        .where(Ballot.cycle_id == cycle_id, Ballot.status == BallotStatus.submitted)
        .group_by(BallotPick.project_id)
    ).all()
    return {project_id: count for project_id, count in rows}


def _ballots_counted(session: Session, cycle_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Ballot)
        .where(Ballot.cycle_id == cycle_id, Ballot.status == BallotStatus.submitted)
    ) or 0


def _accepted(session: Session, cycle_id: int) -> dict[int, BudgetProject]:
    projects = session.scalars(
        select(BudgetProject).where(BudgetProject.cycle_id == cycle_id, BudgetProject.status == ProjectStatus.accepted)
    )
    return {p.id: p for p in projects}


def _count(session: Session, cycle: BudgetCycle) -> Results:
    projects = _accepted(session, cycle.id)
    votes = _votes(session, cycle.id)
    funding = fund([ProjectVotes(p.id, votes.get(p.id, 0), p.cost) for p in projects.values()], cycle.total_budget)
    lines = [
        ResultLine(f.rank, f.project_id, projects[f.project_id].title, projects[f.project_id].dong,
                   f.votes, f.cost, f.funded, f.reason)
        for f in funding
    ]
    return Results(cycle.id, cycle.name, cycle.total_budget, _ballots_counted(session, cycle.id), lines, None)


def _frozen(session: Session, cycle: BudgetCycle) -> Results:
    projects = sorted(_accepted(session, cycle.id).values(), key=lambda p: p.result_rank or 0)
    lines = [
        ResultLine(p.result_rank or 0, p.id, p.title, p.dong, p.result_votes or 0, p.cost, bool(p.funded),
                   p.funding_reason or FundingReason.no_votes)
        for p in projects
    ]
    return Results(cycle.id, cycle.name, cycle.total_budget, _ballots_counted(session, cycle.id), lines,
                   cycle.results_published_at)


def publish_results(
    session: Session, *, cycle_id: int, staff_id: int, now: datetime | None = None, media_dir: Path | None = None
) -> Results:
    """Staff publish once voting is over: freeze the ranking, draw the chart, tell every voter once."""
    now = now or utcnow()
    require_staff(session, staff_id)
    cycle = load_cycle(session, cycle_id, lock="update")
    if cycle_view(cycle, now).phase not in AFTER_VOTING:
        raise DomainError("voting_not_finished")
    if cycle.results_published_at is not None:
        raise DomainError("results_already_published")
    # Record the schedule's move out of voting if the scheduler lagged; staff
    # need no "time to publish" notice while publishing.
    enter_scheduled_phases(session, cycle, now, announce=False)
    results = _count(session, cycle)
    projects = _accepted(session, cycle.id)
    for line in results.lines:
        project = projects[line.project_id]
        project.result_votes, project.result_rank = line.votes, line.rank
        project.funded, project.funding_reason = line.funded, line.reason
    cycle.results_published_at = now
    session.flush()
    published = Results(results.cycle_id, results.cycle_name, results.budget, results.ballots_counted,
                        results.lines, now)
    chart = write_results_chart(published, media_dir)
    _tell_voters(session, cycle, published, chart, now)
    return published


def write_results_chart(results: Results, media_dir: Path | None = None) -> str:
    """Draw the chart into MEDIA_DIR and return its path relative to it (for the bot)."""
    root = media_dir or StorageSettings.from_env().media_dir
    relative = f"{CHART_DIR}/results_cycle_{results.cycle_id}.png"
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_results_chart(results.lines, f"{results.cycle_name} 결과", results.summary))
    return relative


def results_chart_path(session: Session, cycle_id: int, *, media_dir: Path | None = None) -> str:
    """The published chart's path relative to MEDIA_DIR, drawn again if the file is gone."""
    results = tally(session, cycle_id)
    root = media_dir or StorageSettings.from_env().media_dir
    relative = f"{CHART_DIR}/results_cycle_{cycle_id}.png"
    return relative if (root / relative).exists() else write_results_chart(results, media_dir)


def _tell_voters(session: Session, cycle: BudgetCycle, results: Results, chart: str, now: datetime) -> None:
    funded = results.funded_lines
    titles = "\n".join(f"• {line.title} ({line.cost_label})" for line in funded[:FUNDED_TITLES_SHOWN])
    if len(funded) > FUNDED_TITLES_SHOWN:
        titles += f"\n… 외 {len(funded) - FUNDED_TITLES_SHOWN}개"
    # The caption under the chart is limited; the full list is one tap away in the chat.
    titles = titles[: CAPTION_MAX_CHARS // 2]
    voters = session.execute(
        select(Resident).join(Ballot, Ballot.resident_id == Resident.id)
        .where(Ballot.cycle_id == cycle.id, Ballot.status == BallotStatus.submitted)
        .order_by(Resident.id)
    ).scalars()
    # Results are news, not an emergency: at night they wait for the morning.
    send_after = next_allowed_send(now, urgent=False)
    for resident in voters:
        outbox.enqueue(
            session, dedup_key=f"budget:results:{cycle.id}:{resident.id}", chat_id=resident.telegram_user_id,
            resident_id=resident.id, template="budget_results_published",
            params={"cycle": cycle.name, "cycle_id": cycle.id, "funded_count": len(funded),
                    "funded_total": format_won(results.funded_total), "voters": results.ballots_counted,
                    "titles": titles or "-"},
            photo_path=chart, send_after=send_after,
        )


def _require_after_voting(session: Session, cycle_id: int, staff_id: int, now: datetime | None) -> BudgetCycle:
    require_staff(session, staff_id)
    cycle = load_cycle(session, cycle_id)
    if cycle_view(cycle, now or utcnow()).phase not in AFTER_VOTING:
        # Ballots exported during voting would be a live tally.
        raise DomainError("voting_not_finished")
    return cycle


def _csv(header: list[str], rows: list[list[object]]) -> bytes:
    """UTF-8 with BOM (Excel opens Hangul correctly), cells safe from formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(c) for c in row])
    return buffer.getvalue().encode("utf-8-sig")


def export_ballots_csv(session: Session, *, cycle_id: int, staff_id: int, now: datetime | None = None) -> bytes:
    """Every counted ballot, one row per pick, for an independent recount.

    No resident identities, receipt codes or submission times: the file leaves
    the database (auditors, a public recount), and any of these would let a
    reader link a ballot to a person. The ballot number only groups the picks;
    residents never see it, so it cannot be traced back to them.
    """
    _require_after_voting(session, cycle_id, staff_id, now)
    rows = session.execute(
        select(Ballot.id, BudgetProject.id, BudgetProject.title)
        .join(BallotPick, BallotPick.ballot_id == Ballot.id)
        .join(BudgetProject, BudgetProject.id == BallotPick.project_id)
        .where(Ballot.cycle_id == cycle_id, Ballot.status == BallotStatus.submitted)
        .order_by(Ballot.id, BudgetProject.id)
    ).all()
    return _csv(["투표지 번호", "사업 번호", "사업명"], [list(r) for r in rows])


def export_results_csv(session: Session, *, cycle_id: int, staff_id: int, now: datetime | None = None) -> bytes:
    """The ranking with votes, costs and funding (published results, or the count after voting)."""
    cycle = _require_after_voting(session, cycle_id, staff_id, now)
    results = _frozen(session, cycle) if cycle.results_published_at else _count(session, cycle)
    rows = [
        [line.rank, line.project_id, line.title, line.dong, line.votes, line.cost,
         "선정" if line.funded else "미선정", line.reason.label]
        for line in results.lines
    ]
    return _csv(["순위", "사업 번호", "사업명", "동", "득표수", "사업비(원)", "선정 여부", "사유"], rows)


def published_at_label(results: Results) -> str:
    """'2027. 6. 1. (화) 10:00' or '집계 중' for a live count."""
    return kst_datetime(results.published_at) if results.published_at else "집계 중"
