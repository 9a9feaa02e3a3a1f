"""Staff commands for 정책제안: the review queue, answers, hiding and unhiding.

Each command is one transaction as the staff member (bot.handlers.staff_common (the staff gate and run)),
so the storage services record who did it and when in the proposal audit, and
queue the notices to the author and every endorser.
"""
from __future__ import annotations

import re

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers.staff_common import args_after_command, run
from storage import proposal_rules as rules
from storage.models import Resident
from storage.rules import MESSAGE_MAX_CHARS
from storage.services import proposals
from storage.services.proposal_staff import StaffRow
from storage.timeutil import format_day, kst_date

INTERIM = "interim"
# What staff may type for the answer's kind → the storage result (None: interim).
ANSWER_KINDS: dict[str, str | None] = {
    "accepted": "accepted", "accept": "accepted", "수용": "accepted",
    "partly": "partly_accepted", "partly_accepted": "partly_accepted", "partial": "partly_accepted",
    "일부수용": "partly_accepted", "일부": "partly_accepted",
    "not": "not_accepted", "not_accepted": "not_accepted", "rejected": "not_accepted", "불수용": "not_accepted",
    "interim": None, "중간": None, "중간답변": None,
}
_ANSWER = re.compile(r"^\s*#?(\d{1,9})\s+(\S+)\s+(.+)$", re.S)
_NUMBER_REASON = re.compile(r"^\s*#?(\d{1,9})(?:\s+(.+))?$", re.S)


def parse_status(raw: str) -> str | None:
    """'under_review', '구청 검토 중', '검토중', '만료' → a status code; '' → None (all); unknown → the raw text."""
    key = "".join(raw.split())
    if not key:
        return None
    matches = [code for code, label in rules.STATUS_LABELS.items()
               if key == code or key in "".join(label.split())]
    # The service refuses what it does not know (or what is ambiguous), with the reply staff need.
    return matches[0] if len(matches) == 1 else key


def row_text(row: StaffRow) -> str:
    """One queue line: overdue flag, status, counts, author and the date that matters."""
    if row.status == "under_review" and row.review_due_at:
        when = texts.PROPOSAL_WHEN_REVIEW.format(due=kst_date(row.review_due_at))
    elif row.status == "open":
        when = texts.PROPOSAL_WHEN_OPEN.format(day=format_day(rules.last_day(row.closes_at)))
    else:
        when = texts.PROPOSAL_WHEN_OPENED.format(day=kst_date(row.opened_at))
    extra = ""
    if row.interim_answers:
        extra += texts.PROPOSAL_EXTRA_INTERIM.format(count=row.interim_answers)
    if row.answer_result_label:
        extra += texts.PROPOSAL_EXTRA_RESULT.format(result=row.answer_result_label)
    if row.hidden_reason:
        extra += texts.PROPOSAL_EXTRA_HIDDEN.format(reason=row.hidden_reason)
    return texts.PROPOSAL_LINE.format(
        flag=texts.PROPOSAL_OVERDUE_FLAG if row.overdue else "", id=row.id, status=row.status_label,
        title=row.title, category=row.category_label, count=row.count, threshold=row.threshold,
        author=row.author_name, when=when, extra=extra,
    )


def queue_text(rows: list[StaffRow], status: str | None) -> str:
    """The queue as one message, cut to Telegram's length with a count of the rest."""
    if not rows:
        return texts.PROPOSALS_EMPTY
    label = rules.STATUS_LABELS.get(status or "", texts.PROPOSALS_ALL)
    overdue = sum(row.overdue for row in rows)
    lines = [texts.PROPOSALS_HEAD.format(label=label, count=len(rows), overdue=overdue)]
    budget = MESSAGE_MAX_CHARS - len(texts.PROPOSALS_MORE) - 20
    for shown, row in enumerate(rows):
        line = row_text(row)
        if sum(len(x) + 1 for x in lines) + len(line) > budget:
            lines.append(texts.PROPOSALS_MORE.format(count=len(rows) - shown))
            break
        lines.append(line)
    return "\n".join(lines)


async def proposal_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/proposals [상태]: every proposal, overdue reviews first."""
    status = parse_status(args_after_command(update))
    text = await run(update, lambda session, staff: queue_text(proposals.staff_list(session, status=status),
                                                                  status))
    if text:
        await update.effective_chat.send_message(text)  # type: ignore[union-attr]


async def proposal_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/proposal_answer <번호> <accepted|partly|not|interim> <답변>: post an answer everyone concerned receives."""
    match = _ANSWER.match(args_after_command(update))
    kind = match and match.group(2).lower()
    if not match or kind not in ANSWER_KINDS:
        await update.effective_chat.send_message(texts.PROPOSAL_ANSWER_USAGE)  # type: ignore[union-attr]
        return
    number, answer, result = int(match.group(1)), match.group(3), ANSWER_KINDS[kind]

    def work(session: Session, staff: Resident) -> str:
        posted = proposals.post_answer(session, proposal_id=number, staff_id=staff.id, text=answer,
                                       result=result, interim=result is None)
        if result is None:
            return texts.PROPOSAL_INTERIM_POSTED.format(id=number, notified=posted.notified)
        return texts.PROPOSAL_ANSWER_POSTED.format(id=number, result=rules.RESULT_LABELS[result],
                                                   notified=posted.notified)

    text = await run(update, work)
    if text:
        await update.effective_chat.send_message(text)  # type: ignore[union-attr]


async def proposal_hide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/proposal_hide <번호> <사유>: hide a proposal for abuse; the author is told why."""
    match = _NUMBER_REASON.match(args_after_command(update))
    if not match or not match.group(2):
        await update.effective_chat.send_message(texts.PROPOSAL_HIDE_USAGE)  # type: ignore[union-attr]
        return
    number, reason = int(match.group(1)), match.group(2)

    def work(session: Session, staff: Resident) -> str:
        proposal = proposals.hide(session, proposal_id=number, staff_id=staff.id, reason=reason)
        return texts.PROPOSAL_HIDDEN.format(id=proposal.id, title=proposal.title)

    text = await run(update, work)
    if text:
        await update.effective_chat.send_message(text)  # type: ignore[union-attr]


async def proposal_unhide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/proposal_unhide <번호> [사유]: show a hidden proposal again, in the status it had."""
    match = _NUMBER_REASON.match(args_after_command(update))
    if not match:
        await update.effective_chat.send_message(texts.PROPOSAL_UNHIDE_USAGE)  # type: ignore[union-attr]
        return
    number, reason = int(match.group(1)), match.group(2)

    def work(session: Session, staff: Resident) -> str:
        proposal = proposals.unhide(session, proposal_id=number, staff_id=staff.id, reason=reason)
        return texts.PROPOSAL_UNHIDDEN.format(id=proposal.id, title=proposal.title,
                                              status=rules.STATUS_LABELS[proposal.status.value])

    text = await run(update, work)
    if text:
        await update.effective_chat.send_message(text)  # type: ignore[union-attr]


# Command name → callback, registered by bot.handlers.register.
COMMANDS = {
    "proposals": proposal_list,
    "proposal_answer": proposal_answer,
    "proposal_hide": proposal_hide,
    "proposal_unhide": proposal_unhide,
}
