"""Staff: the retention purge's dry-run report in the chat (/purge_report)."""
from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers.staff_common import run
from storage.rules import RETENTION_YEARS
from storage.services import privacy
from storage.timeutil import kst_date

# Lines shown in the chat; the CLI lists everyone.
REPORT_LINES_MAX = 30


def report_text(report: privacy.PurgeReport) -> str:
    """The dry-run report: who would be deleted (internal ids and last activity, no names)."""
    lines = [texts.PURGE_LINE.format(id=c.resident_id, last=kst_date(c.last_active_at))
             for c in report.candidates[:REPORT_LINES_MAX]]
    if len(report.candidates) > REPORT_LINES_MAX:
        lines.append(texts.PURGE_MORE.format(more=len(report.candidates) - REPORT_LINES_MAX))
    return texts.PURGE_REPORT.format(cutoff=kst_date(report.cutoff), count=len(report.candidates),
                                     years=RETENTION_YEARS, lines="\n".join(lines) or texts.PURGE_NONE)


async def purge_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/purge_report: who the next retention purge would delete (nothing is deleted)."""
    report = await run(update, lambda session, staff: privacy.purge(session, dry_run=True))
    if report is not None and update.effective_chat is not None:
        await update.effective_chat.send_message(report_text(report))


COMMANDS = {"purge_report": purge_report}
