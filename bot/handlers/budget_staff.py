"""Staff commands for 주민참여예산: create a cycle, screen projects, move phases,
publish results, export CSV.

They act on the cycle going on (or the next one, or the latest); the role
check, one transaction per command and the Korean error replies come from
bot.handlers.staff_common (the staff gate and run). The scheduler moves phases on time by itself; these
commands move them by hand.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from telegram import InputFile, Update
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers.staff_common import args_after_command, run
from bot.render import media_path
from storage import budget_rules as rules
from storage.models import Resident
from storage.rules import MESSAGE_MAX_CHARS
from storage.services import budget
from storage.timeutil import kst_datetime, parse_kst

# What staff may type for a phase (Korean words or the stored names).
PHASE_WORDS = {
    "준비": rules.Phase.upcoming, "접수": rules.Phase.intake, "제안": rules.Phase.intake,
    "심사": rules.Phase.screening, "투표": rules.Phase.voting, "결과": rules.Phase.results,
    "발표": rules.Phase.results, "종료": rules.Phase.closed, "마감": rules.Phase.closed,
    **{phase.value: phase for phase in rules.Phase},
}
ACCEPT_WORDS = ("accept", "선정", "승인", "통과")
REJECT_WORDS = ("reject", "제외", "반려", "탈락")
ALLOW_CHANGE_WORDS = ("변경허용", "변경가능", "allow", "yes", "예")
CYCLE_FIELDS = 8


class _NoCycle(Exception):
    """There is no cycle to act on."""


@dataclass(frozen=True)
class CycleSpec:
    """A /budget_cycle_new line, parsed (amount checks happen in storage)."""

    name: str
    budget_text: str
    rule: rules.BallotRule
    max_picks: int | None
    min_share: int | None
    times: rules.PhaseTimes
    allow_change: bool


def parse_rule(text: str) -> tuple[rules.BallotRule, int | None, int | None]:
    """'approval:3' → (approval, 3, None); 'budget' / 'budget:50' → (budget_limited, None, 50)."""
    kind, _, number = text.strip().lower().replace(" ", "").partition(":")
    value = int(number.rstrip("%개")) if number else None
    if kind in ("approval", "찬성"):
        if value is None:
            raise ValueError("approval needs a number of picks")
        return rules.BallotRule.approval, value, None
    if kind in ("budget", "예산"):
        return rules.BallotRule.budget_limited, None, value
    raise ValueError(f"unknown ballot rule {text!r}")


def parse_cycle_line(args: str) -> CycleSpec:
    """The '|'-separated fields of /budget_cycle_new; ValueError if the shape is wrong."""
    fields = [part.strip() for part in args.split("|")]
    if len(fields) not in (CYCLE_FIELDS, CYCLE_FIELDS + 1) or not all(fields[:CYCLE_FIELDS]):
        raise ValueError("wrong number of fields")
    rule, max_picks, min_share = parse_rule(fields[2])
    times = rules.PhaseTimes(*(parse_kst(f) for f in fields[3:CYCLE_FIELDS]))
    allow = len(fields) > CYCLE_FIELDS and fields[CYCLE_FIELDS].replace(" ", "").lower() in ALLOW_CHANGE_WORDS
    return CycleSpec(fields[0], fields[1], rule, max_picks, min_share, times, allow)


def cycle_summary(view: budget.CycleView) -> str:
    """Name, phase, budget, ballot rule and the schedule, for staff."""
    if view.ballot_rule is rules.BallotRule.approval:
        rule = texts.BUDGET_RULE_APPROVAL.format(max_picks=view.max_picks)
    elif view.min_share_percent:
        rule = texts.BUDGET_RULE_MIN_SHARE.format(percent=view.min_share_percent)
    else:
        rule = texts.BUDGET_RULE_BUDGET
    times = "\n".join(texts.BUDGET_PHASE_LINE.format(phase=phase.label, at=kst_datetime(at))
                      for phase, at in view.times.starts())
    return texts.BUDGET_CYCLE_SUMMARY.format(
        name=view.name, phase=view.phase_label, budget=view.budget_label, rule=rule, times=times,
        change=texts.BUDGET_CHANGE_ALLOWED if view.allow_ballot_change else "",
    )


def _staff_cycle(session: Session) -> budget.CycleView:
    """The cycle going on, else the next one, else the latest (for exports after closing)."""
    cycle = budget.current_cycle(session, include_upcoming=True)
    if cycle is None:
        cycle = next(iter(budget.recent_cycles(session, limit=1)), None)
    if cycle is None:
        raise _NoCycle
    return cycle


async def _run_on_cycle(update: Update, work: Any) -> Any:
    """run, with "no cycle yet" answered by its own hint."""
    def guarded(session: Session, staff: Resident) -> Any:
        try:
            return work(session, staff)
        except _NoCycle:
            return _NoCycle

    result = await run(update, guarded)
    if result is _NoCycle:
        await _say(update, texts.BUDGET_NO_CYCLE)
        return None
    return result


async def _say(update: Update, text: str) -> None:
    """Send text, split at line breaks into Telegram-sized messages."""
    chat = update.effective_chat
    assert chat is not None
    chunk = ""
    for line in text.split("\n"):
        if chunk and len(chunk) + len(line) + 1 > MESSAGE_MAX_CHARS:
            await chat.send_message(chunk)
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    if chunk:
        await chat.send_message(chunk)


async def budget_cycle_new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/budget_cycle_new 이름 | 총예산 | 방식 | 접수 | 심사 | 투표 | 결과 | 종료 [| 변경허용]."""
    try:
        spec = parse_cycle_line(args_after_command(update))
    except ValueError:
        await _say(update, texts.BUDGET_CYCLE_USAGE)
        return

    def work(session: Session, staff: Resident) -> str:
        total = rules.parse_won(spec.budget_text, minimum=rules.CYCLE_BUDGET_MIN_WON,
                                maximum=rules.CYCLE_BUDGET_MAX_WON)
        view = budget.create_cycle(
            session, staff_id=staff.id, name=spec.name, total_budget=total, ballot_rule=spec.rule,
            phase_times=spec.times, max_picks=spec.max_picks, min_share_percent=spec.min_share,
            allow_ballot_change=spec.allow_change,
        )
        return texts.BUDGET_CYCLE_CREATED.format(id=view.id, summary=cycle_summary(view))

    reply = await run(update, work)
    if reply:
        await _say(update, reply)


def _project_line(p: budget.ProjectView) -> str:
    return texts.BUDGET_PROJECT_LINE.format(
        id=p.id, status=texts.BUDGET_STATUS_LABELS[p.status.value], title=p.title, dong=p.dong,
        estimated=rules.format_won(p.estimated_cost), short=p.short_description,
        screened=texts.BUDGET_PROJECT_SCREENED.format(cost=p.cost_label) if p.status.value == "accepted" else "",
        reason=texts.BUDGET_PROJECT_REASON.format(reason=p.screening_reason) if p.screening_reason else "",
    )


async def budget_projects(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/budget_projects: the cycle's projects with their screening status."""
    def work(session: Session, staff: Resident) -> str:
        cycle = _staff_cycle(session)
        projects = budget.list_projects(session, cycle.id)
        if not projects:
            return texts.BUDGET_PROJECTS_EMPTY.format(cycle=cycle.name, phase=cycle.phase_label)
        counts = {status: sum(p.status.value == status for p in projects)
                  for status in texts.BUDGET_STATUS_LABELS}
        head = texts.BUDGET_PROJECTS_HEAD.format(cycle=cycle.name, phase=cycle.phase_label,
                                                 count=len(projects), **counts)
        return "\n".join([head, *map(_project_line, projects), texts.BUDGET_PROJECTS_HINT])

    reply = await _run_on_cycle(update, work)
    if reply:
        await _say(update, reply)


async def budget_screen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/budget_screen <번호> accept [사업비] | reject <사유>."""
    number, _, rest = args_after_command(update).replace("#", "").partition(" ")
    decision, _, detail = rest.strip().partition(" ")
    decision = decision.lower()
    if not number.isdigit() or decision not in ACCEPT_WORDS + REJECT_WORDS:
        await _say(update, texts.BUDGET_SCREEN_USAGE)
        return
    accept = decision in ACCEPT_WORDS

    def work(session: Session, staff: Resident) -> str:
        cost = rules.parse_won(detail) if accept and detail.strip() else None
        project = budget.screen_project(session, project_id=int(number), staff_id=staff.id, accept=accept,
                                        cost=cost, reason="" if accept else detail)
        template = texts.BUDGET_SCREENED_ACCEPTED if accept else texts.BUDGET_SCREENED_REJECTED
        return template.format(id=project.id, title=project.title, cost=project.cost_label)

    reply = await run(update, work)
    if reply:
        await _say(update, reply)


async def budget_phase(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/budget_phase <단계>: move the cycle's phase by hand."""
    phase = PHASE_WORDS.get(args_after_command(update).strip().lower())
    if phase is None:
        await _say(update, texts.BUDGET_PHASE_USAGE)
        return

    def work(session: Session, staff: Resident) -> str:
        cycle = _staff_cycle(session)
        view = budget.set_phase(session, cycle_id=cycle.id, phase=phase, staff_id=staff.id)
        return texts.BUDGET_PHASE_SET.format(id=view.id, name=view.name, phase=view.phase_label)

    reply = await _run_on_cycle(update, work)
    if reply:
        await _say(update, reply)


async def budget_publish(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/budget_publish: freeze the ranking, tell every voter, send staff the chart."""
    def work(session: Session, staff: Resident) -> tuple[str, str, str]:
        cycle = _staff_cycle(session)
        results = budget.publish_results(session, cycle_id=cycle.id, staff_id=staff.id)
        lines = "\n".join(
            texts.BUDGET_RESULT_LINE.format(mark="✅" if line.funded else "▫️", rank=line.rank, title=line.title,
                                            votes=line.votes, cost=line.cost_label, reason=line.reason.label)
            for line in results.lines
        )
        text = texts.BUDGET_PUBLISHED.format(name=results.cycle_name, summary=results.summary, lines=lines,
                                             voters=results.ballots_counted)
        return text, budget.results_chart_path(session, cycle.id), results.cycle_name

    result = await _run_on_cycle(update, work)
    if result:
        text, chart, name = result
        await _say(update, text)
        with media_path(chart).open("rb") as fh:
            await update.effective_chat.send_photo(  # type: ignore[union-attr]
                InputFile(fh, filename="results.png"), caption=texts.BUDGET_CHART_CAPTION.format(name=name))


async def budget_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/budget_export: ballots and results as CSV documents (after voting)."""
    def work(session: Session, staff: Resident) -> tuple[budget.CycleView, bytes, bytes]:
        cycle = _staff_cycle(session)
        return (cycle, budget.export_ballots_csv(session, cycle_id=cycle.id, staff_id=staff.id),
                budget.export_results_csv(session, cycle_id=cycle.id, staff_id=staff.id))

    result = await _run_on_cycle(update, work)
    if result:
        cycle, ballots, results = result
        chat = update.effective_chat
        assert chat is not None
        await chat.send_document(InputFile(io.BytesIO(ballots), filename=f"budget_{cycle.id}_ballots.csv"),
                                 caption=texts.BUDGET_EXPORT_BALLOTS.format(name=cycle.name))
        await chat.send_document(InputFile(io.BytesIO(results), filename=f"budget_{cycle.id}_results.csv"),
                                 caption=texts.BUDGET_EXPORT_RESULTS.format(name=cycle.name))


# Command name → callback, registered by bot.handlers.register.
COMMANDS = {
    "budget_cycle_new": budget_cycle_new,
    "budget_projects": budget_projects,
    "budget_screen": budget_screen,
    "budget_phase": budget_phase,
    "budget_publish": budget_publish,
    "budget_export": budget_export,
}
