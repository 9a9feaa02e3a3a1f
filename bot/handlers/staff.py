"""Staff commands: event posters, volunteer points, quarterly payout.

Only staff reach these callbacks (the gate in bot.handlers.staff_common);
storage work runs in a worker thread, one transaction per command.
"""
from __future__ import annotations

import io
import logging
from typing import Any

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import ContextTypes

from bot import keyboards, texts
from bot.handlers.staff_common import args_after_command, run
from storage.models import Resident
from storage.poster import render_poster
from storage.rules import CSV_MAX_BYTES
from storage.services import events, payout, volunteer
from storage.settings import StorageSettings
from storage.timeutil import kst_datetime, parse_kst

log = logging.getLogger(__name__)


async def staff_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/staff: the staff command list."""
    await update.effective_chat.send_message(texts.STAFF_HELP)  # type: ignore[union-attr]


async def event_new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/event_new 이름 | 장소 | 시작 | 종료 | 포인트 | 정원: create an event and send its poster."""
    fields = [part.strip() for part in args_after_command(update).split("|")]
    if len(fields) < 4 or not all(fields[:4]):
        await update.effective_chat.send_message(texts.EVENT_NEW_USAGE)  # type: ignore[union-attr]
        return
    try:
        starts_at, ends_at = parse_kst(fields[2]), parse_kst(fields[3])
        points = int(fields[4].replace(",", "")) if len(fields) > 4 and fields[4] else None
        capacity = int(fields[5].replace(",", "")) if len(fields) > 5 and fields[5] else None
    except ValueError:
        await update.effective_chat.send_message(texts.EVENT_NEW_USAGE)  # type: ignore[union-attr]
        return

    def work(session: Session, staff: Resident) -> tuple[Any, str, bytes]:
        event = events.create_event(
            session, staff_resident_id=staff.id, name=fields[0], place=fields[1],
            starts_at=starts_at, ends_at=ends_at, points=points, capacity=capacity,
        )
        session.flush()
        link = _link(event)
        return event, link, render_poster(event, link)

    result = await run(update, work)
    if result:
        await _send_poster(update, *result)


async def event_poster(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/event_poster <번호>: send an event's poster again."""
    event_id = _int_arg(update)
    if event_id is None:
        await update.effective_chat.send_message(texts.EVENT_ID_USAGE)  # type: ignore[union-attr]
        return

    def work(session: Session, staff: Resident) -> tuple[Any, str, bytes]:
        event = events.get_event(session, event_id)
        link = _link(event)
        return event, link, render_poster(event, link)

    result = await run(update, work)
    if result:
        await _send_poster(update, *result)


async def event_rotate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/event_rotate <번호>: new QR code; old posters stop working."""
    event_id = _int_arg(update)
    if event_id is None:
        await update.effective_chat.send_message(texts.EVENT_ID_USAGE)  # type: ignore[union-attr]
        return

    def work(session: Session, staff: Resident) -> tuple[Any, str, bytes]:
        event = events.rotate_code(session, event_id=event_id, staff_resident_id=staff.id)
        link = _link(event)
        return event, link, render_poster(event, link)

    result = await run(update, work)
    if result:
        await update.effective_chat.send_message(texts.EVENT_ROTATED)  # type: ignore[union-attr]
        await _send_poster(update, *result)


async def event_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/events: events with their times and check-in counts."""
    def work(session: Session, staff: Resident) -> str:
        rows = events.list_events(session)
        if not rows:
            return texts.EVENTS_EMPTY
        return "\n".join(
            texts.EVENT_LINE.format(id=e.id, name=e.name, place=e.place,
                                    starts=kst_datetime(e.starts_at), ends=kst_datetime(e.ends_at),
                                    points=e.points, checkins=events.checkin_count(session, e.id))
            for e in rows
        )

    result = await run(update, work)
    if result:
        await update.effective_chat.send_message(result)  # type: ignore[union-attr]


async def volunteer_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/volunteer without a file: how to import volunteer hours."""
    await update.effective_chat.send_message(texts.VOLUNTEER_USAGE)  # type: ignore[union-attr]


async def volunteer_import(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A CSV document captioned /volunteer: award volunteer points once per resident and year."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    if message.document.file_size and message.document.file_size > CSV_MAX_BYTES:
        await message.reply_text(texts.CSV_TOO_LARGE)
        return
    file = await message.document.get_file()
    raw = bytes(await file.download_as_bytearray())
    try:
        csv_text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        csv_text = raw.decode("cp949", errors="replace")

    def work(session: Session, staff: Resident) -> Any:
        return volunteer.import_volunteer_csv(session, csv_text, staff_resident_id=staff.id)

    report = await run(update, work)
    if report is not None:
        await message.reply_text(texts.volunteer_report(report))


async def payout_close(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/payout_close: close the quarter into a payout batch."""
    def work(session: Session, staff: Resident) -> Any:
        batch = payout.close_quarter(session, staff_resident_id=staff.id)
        session.flush()
        return payout.batch_summary(session, batch.id)

    summary = await run(update, work)
    if summary is not None:
        await update.effective_chat.send_message(  # type: ignore[union-attr]
            texts.PAYOUT_CLOSED.format(**summary),
            reply_markup=InlineKeyboardMarkup([[
                InlineKeyboardButton(texts.PAYOUT_CSV_BUTTON,
                                     callback_data=keyboards.staff_data("payout_csv", summary["batch_id"])),
            ]]),
        )


async def payout_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/payout_export <배치번호>: the batch as CSV for accounting."""
    batch_id = _int_arg(update)
    if batch_id is None:
        await update.effective_chat.send_message(texts.BATCH_ID_USAGE)  # type: ignore[union-attr]
        return
    await _send_batch_csv(update, batch_id)


async def payout_paid(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/payout_paid <배치번호>: ask to confirm that the batch was paid."""
    batch_id = _int_arg(update)
    if batch_id is None:
        await update.effective_chat.send_message(texts.BATCH_ID_USAGE)  # type: ignore[union-attr]
        return
    summary = await run(update, lambda s, staff: payout.batch_summary(s, batch_id))
    if summary is not None:
        await update.effective_chat.send_message(  # type: ignore[union-attr]
            texts.PAYOUT_CONFIRM.format(**summary),
            reply_markup=InlineKeyboardMarkup([[
                InlineKeyboardButton(texts.PAYOUT_PAID_BUTTON,
                                     callback_data=keyboards.staff_data("payout_paid", batch_id)),
            ]]),
        )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Staff inline buttons (s|verb|id)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, verb, raw_id = (query.data.split("|") + ["", ""])[:3]
    await query.answer()
    if not raw_id.isdigit():
        return
    if verb == "payout_csv":
        await _send_batch_csv(update, int(raw_id))
    elif verb == "payout_paid":
        def work(session: Session, staff: Resident) -> Any:
            payout.mark_batch_paid(session, batch_id=int(raw_id), staff_resident_id=staff.id)
            return payout.batch_summary(session, int(raw_id))

        summary = await run(update, work)
        if summary is not None:
            await query.edit_message_text(texts.PAYOUT_DONE.format(**summary))


async def _send_batch_csv(update: Update, batch_id: int) -> None:
    result = await run(update, lambda s, staff: (payout.batch_summary(s, batch_id),
                                                  payout.export_batch_csv(s, batch_id)))
    if result is not None:
        summary, csv_text = result
        await update.effective_chat.send_document(  # type: ignore[union-attr]
            InputFile(io.BytesIO(csv_text.encode("utf-8")), filename=f"payout_{summary['label']}.csv"),
            caption=texts.PAYOUT_CSV_CAPTION.format(**summary),
        )


async def _send_poster(update: Update, event: Any, link: str, png: bytes) -> None:
    chat = update.effective_chat
    assert chat is not None
    caption = texts.EVENT_POSTER.format(id=event.id, name=event.name, link=link,
                                        starts=kst_datetime(event.starts_at),
                                        ends=kst_datetime(event.ends_at), points=event.points)
    await chat.send_photo(InputFile(io.BytesIO(png), filename=f"event_{event.id}.png"), caption=caption)
    await chat.send_document(InputFile(io.BytesIO(png), filename=f"poster_event_{event.id}.png"),
                             caption=texts.EVENT_POSTER_PRINT)


def _link(event: Any) -> str:
    settings = StorageSettings.from_env()
    return events.deep_link(event, settings.bot_username, settings.qr_secret)


def _int_arg(update: Update) -> int | None:
    raw = args_after_command(update).replace("#", "")
    return int(raw) if raw.isdigit() else None


# Command name → callback, registered in this order by bot.handlers.register.
COMMANDS = {
    "staff": staff_help,
    "event_new": event_new,
    "events": event_list,
    "event_poster": event_poster,
    "event_rotate": event_rotate,
    "volunteer": volunteer_help,
    "payout_close": payout_close,
    "payout_export": payout_export,
    "payout_paid": payout_paid,
}
