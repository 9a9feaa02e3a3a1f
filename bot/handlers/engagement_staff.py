"""Staff commands for surveys, contests, news and attendance events.

A survey is loaded from a YAML/JSON document captioned /survey_load: the file
is checked before anything is stored, and every mistake is answered with its
line. The role check, one transaction per command and the Korean error replies
come from bot.handlers.staff_common (the staff gate and run), like the other staff commands.
"""
from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import texts
from bot.handlers.staff_common import args_after_command, run
from storage.models import Resident
from storage.models.contests import EntryForm
from storage.rules import MESSAGE_MAX_CHARS
from storage.services import attendance, contests, news, surveys
from storage.services.survey_loader import SURVEY_TEXT_MAX_CHARS, SurveyValidationError, load_survey_isolated
from storage.timeutil import format_day, kst_datetime, parse_kst, to_kst

# A survey of 50 questions with 15 options each stays far below this.
SURVEY_FILE_MAX_BYTES = SURVEY_TEXT_MAX_CHARS
# Errors listed in the chat; more than this means the wrong file was sent.
SURVEY_ERRORS_SHOWN = 40
ENTRY_PHOTOS_SHOWN = 10


@dataclass(frozen=True)
class SurveyLoaded:
    id: int
    title: str
    count: int
    conditional: int
    anonymous: bool
    opens: str
    closes: str
    points: int


def chunks(text: str, limit: int = MESSAGE_MAX_CHARS) -> list[str]:
    """Split a long report at line breaks into Telegram-sized messages."""
    parts: list[str] = []
    current = ""
    for line in text.splitlines():
        while len(line) > limit:
            parts.append(line[:limit])
            line = line[limit:]
        if current and len(current) + 1 + len(line) > limit:
            parts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        parts.append(current)
    return parts


def _fields(update: Update) -> list[str]:
    return [part.strip() for part in args_after_command(update).split("|")]


def _number(text: str) -> int | None:
    raw = text.replace(",", "").replace("P", "").replace("#", "").strip()
    return int(raw) if raw.isdigit() else None


async def _say(update: Update, text: str) -> None:
    assert update.effective_chat is not None
    for part in chunks(text):
        await update.effective_chat.send_message(part)


# --- surveys --------------------------------------------------------------------------

async def survey_load_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/survey_load without a file: how to send one."""
    await _say(update, texts.SURVEY_LOAD_USAGE)


async def survey_load(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A YAML/JSON document captioned /survey_load: check it line by line, then publish it."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    if message.document.file_size and message.document.file_size > SURVEY_FILE_MAX_BYTES:
        await _say(update, texts.SURVEY_FILE_TOO_LARGE.format(max_kb=SURVEY_FILE_MAX_BYTES // 1024))
        return
    file = await message.document.get_file()
    raw = bytes(await file.download_as_bytearray())
    if len(raw) > SURVEY_FILE_MAX_BYTES:
        await _say(update, texts.SURVEY_FILE_TOO_LARGE.format(max_kb=SURVEY_FILE_MAX_BYTES // 1024))
        return
    try:
        # Newlines make the loader read the text itself, never a path.
        text = raw.decode("utf-8-sig").replace("\r\n", "\n") + "\n"
    except UnicodeDecodeError:
        await _say(update, texts.SURVEY_FILE_NOT_TEXT)
        return
    try:
        # Parsed in a separate process with a time limit, off the event loop (alias bombs, deep nesting).
        spec = await asyncio.to_thread(load_survey_isolated, text)
    except SurveyValidationError as err:
        lines = [texts.SURVEY_INVALID_HEAD.format(count=len(err.errors))]
        lines += [f"• {line}" for line in err.lines()[:SURVEY_ERRORS_SHOWN]]
        await _say(update, "\n".join(lines))
        return

    def work(session: Session, staff: Resident) -> SurveyLoaded:
        survey = surveys.publish_survey(session, spec, staff_id=staff.id)
        session.flush()
        return SurveyLoaded(
            id=survey.id, title=survey.title, count=len(spec.questions),
            conditional=sum(1 for q in spec.questions if q.show_if is not None), anonymous=survey.anonymous,
            opens=kst_datetime(survey.opens_at), closes=kst_datetime(survey.closes_at), points=survey.points)

    loaded = await run(update, work)
    if loaded is not None:
        await _say(update, texts.SURVEY_LOADED.format(
            id=loaded.id, title=loaded.title, count=loaded.count, conditional=loaded.conditional,
            privacy=texts.SURVEY_PRIVACY[loaded.anonymous], opens=loaded.opens, closes=loaded.closes,
            points=loaded.points))


async def survey_results(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/survey_results <번호>: the chat summary, the CSV export and the chart."""
    survey_id = _number(args_after_command(update))
    if survey_id is None:
        await _say(update, texts.SURVEY_ID_USAGE)
        return

    def work(session: Session, staff: Resident) -> tuple[Any, str, bytes]:
        res = surveys.results(session, survey_id)
        return res, surveys.results_csv(session, survey_id), surveys.render_results_chart(res)

    result = await run(update, work)
    if result is None:
        return
    res, csv_text, png = result
    chat = update.effective_chat
    assert chat is not None
    await _say(update, surveys.results_text(res))
    # utf-8-sig: spreadsheet programs then read the Korean headers correctly.
    await chat.send_document(InputFile(io.BytesIO(csv_text.encode("utf-8-sig")),
                                       filename=f"survey_{survey_id}_results.csv"),
                             caption=texts.SURVEY_CSV_CAPTION.format(id=survey_id, count=res.respondents))
    await chat.send_photo(InputFile(io.BytesIO(png), filename=f"survey_{survey_id}_chart.png"),
                          caption=texts.SURVEY_CHART_CAPTION.format(id=survey_id, title=res.title))


# --- contests -----------------------------------------------------------------------------

async def contest_new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/contest_new 제목 | 안내 | 마감 | 형식 | 응모 포인트 | 당선 포인트: open a contest."""
    fields = _fields(update) + [""] * 6
    form = texts.CONTEST_FORMS.get(fields[3]) or texts.CONTEST_FORMS.get(fields[3].replace(" ", ""))
    try:
        deadline = parse_kst(fields[2])
    except ValueError:
        deadline = None
    entry_points, win_points = _number(fields[4]), _number(fields[5])
    bad_points = (fields[4] and entry_points is None) or (fields[5] and win_points is None)
    if not fields[0] or not fields[1] or deadline is None or form is None or bad_points:
        await _say(update, texts.CONTEST_NEW_USAGE)
        return

    def work(session: Session, staff: Resident) -> str:
        contest = contests.open_contest(session, title=fields[0], rules=fields[1], deadline=deadline,
                                        entry_form=EntryForm(form), entry_points=entry_points,
                                        win_points=win_points, staff_id=staff.id)
        return texts.CONTEST_OPENED.format(
            id=contest.id, title=contest.title, deadline=kst_datetime(contest.deadline),
            form=texts.CONTEST_FORM_LABELS[contest.entry_form.value], entry_points=contest.entry_points,
            win_points=contest.win_points)

    reply = await run(update, work)
    if reply:
        await _say(update, reply)


async def contest_entries(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/contest_entries <번호>: every entry, then the photos."""
    contest_id = _number(args_after_command(update))
    if contest_id is None:
        await _say(update, texts.CONTEST_ID_USAGE)
        return

    def work(session: Session, staff: Resident) -> list[dict[str, Any]]:
        return [{"entry_id": e.id, "when": kst_datetime(e.submitted_at), "photo_file_id": e.photo_file_id,
                 "text": e.text or "", "won": e.won}
                for e in contests.list_entries(session, contest_id, staff_id=staff.id)]

    entries = await run(update, work)
    if entries is None:
        return
    if not entries:
        await _say(update, texts.CONTEST_ENTRIES_EMPTY.format(id=contest_id))
        return
    lines = [texts.CONTEST_ENTRIES_HEAD.format(id=contest_id, count=len(entries))]
    lines += [texts.CONTEST_ENTRY_LINE.format(
        entry_id=e["entry_id"], when=e["when"], text=" ".join(e["text"].split())[:200],
        photo=texts.CONTEST_ENTRY_HAS_PHOTO if e["photo_file_id"] else "",
        won=texts.CONTEST_ENTRY_WON if e["won"] else "") for e in entries]
    await _say(update, "\n".join(lines))
    with_photo = [e for e in entries if e["photo_file_id"]]
    chat = update.effective_chat
    assert chat is not None
    for e in with_photo[:ENTRY_PHOTOS_SHOWN]:
        try:
            await chat.send_photo(e["photo_file_id"],
                                  caption=texts.CONTEST_ENTRY_PHOTO_CAPTION.format(entry_id=e["entry_id"]))
        except TelegramError:
            # A file id from another bot token or an expired file: the list above still names it.
            continue
    if len(with_photo) > ENTRY_PHOTOS_SHOWN:
        await _say(update, texts.CONTEST_PHOTOS_MORE.format(count=len(with_photo) - ENTRY_PHOTOS_SHOWN))


async def contest_winners(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/contest_winners <번호> <응모번호…>: after the deadline, once; entrants are told."""
    numbers = [_number(part) for part in args_after_command(update).replace(",", " ").split()]
    if len(numbers) < 2 or any(n is None for n in numbers):
        await _say(update, texts.CONTEST_WINNERS_USAGE)
        return
    contest_id, entry_ids = int(numbers[0]), [int(n) for n in numbers[1:] if n is not None]

    def work(session: Session, staff: Resident) -> Any:
        return contests.pick_winners(session, contest_id=contest_id, entry_ids=entry_ids, staff_id=staff.id)

    result = await run(update, work)
    if result is not None:
        await _say(update, texts.CONTEST_WINNERS_DONE.format(id=contest_id, winners=result.winners,
                                                             others=result.others_notified))


# --- news and attendance ------------------------------------------------------------------

async def news_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/news_post 분류 | 제목 | 요약 | 링크(선택): post an item; recipients are told through the outbox."""
    fields = _fields(update) + [""] * 4
    if not fields[0] or not fields[1] or not fields[2]:
        await _say(update, texts.NEWS_POST_USAGE)
        return

    def work(session: Session, staff: Resident) -> str:
        posted = news.post_news(session, category=fields[0], title=fields[1], summary=fields[2],
                                link=fields[3] or None, staff_id=staff.id)
        return texts.NEWS_POSTED.format(id=posted.item.id, category=news.category_label(posted.item.category),
                                        notified=posted.notified)

    reply = await run(update, work)
    if reply:
        await _say(update, reply)


async def attendance_new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/attendance_new 이름 | 시작일 | 종료일 | 하루 포인트 | 최대 일수: open an attendance event."""
    fields = _fields(update) + [""] * 5
    try:
        starts_on = to_kst(parse_kst(fields[1])).date()
        ends_on = to_kst(parse_kst(fields[2])).date()
    except ValueError:
        starts_on = ends_on = None
    per_day, max_days = _number(fields[3]), _number(fields[4])
    bad_numbers = (fields[3] and per_day is None) or (fields[4] and max_days is None)
    if not fields[0] or starts_on is None or ends_on is None or bad_numbers:
        await _say(update, texts.ATTENDANCE_NEW_USAGE)
        return

    def work(session: Session, staff: Resident) -> str:
        event = attendance.open_attendance(session, title=fields[0], starts_on=starts_on, ends_on=ends_on,
                                           points_per_day=per_day, max_days=max_days, staff_id=staff.id)
        return texts.ATTENDANCE_OPENED.format(id=event.id, title=event.title, starts=format_day(event.starts_on),
                                              ends=format_day(event.ends_on), points=event.points_per_day,
                                              max_days=event.max_days)

    reply = await run(update, work)
    if reply:
        await _say(update, reply)


async def engagement_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/engagement: the survey, contest, news and attendance commands."""
    await _say(update, texts.ENGAGEMENT_STAFF_HELP)


# Command name → callback, registered in this order by bot.handlers.register.
COMMANDS = {
    "engagement": engagement_help,
    "survey_load": survey_load_help,
    "survey_results": survey_results,
    "contest_new": contest_new,
    "contest_entries": contest_entries,
    "contest_winners": contest_winners,
    "news_post": news_post,
    "attendance_new": attendance_new,
}
