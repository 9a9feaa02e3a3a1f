"""영상회의 for staff (issue 16): a guided /meeting_new form, the list, codes, moves, cancels, follow-up, export.

Every command sits behind the one staff gate (``staff_command``); the storage
work runs in one transaction as the staff member (``run_as_staff``). The form
validates each answer with the same storage checks the service applies, so a
bad answer is asked again with a Korean reason and nothing is lost.
"""
from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from datetime import datetime
from typing import Any

import qrcode
from sqlalchemy.orm import Session
from telegram import InputFile, Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot import texts
from bot.handlers.staff_common import args_after_command, run, run_as_staff, staff_command
from storage import meeting_rules as rules
from storage.errors import DomainError
from storage.models import Resident
from storage.point_policy import load_policy
from storage.services import meetings
from storage.settings import StorageSettings
from storage.timeutil import kst_datetime, parse_kst, to_kst, utcnow

DRAFT = "meeting_draft"
FIELD = 0
FORM_TIMEOUT_SECONDS = 30 * 60
FIELDS = ("title", "description", "category", "department", "starts_at", "ends_at", "url", "capacity",
          "deadline", "points", "dong")
# What staff type to leave a field empty or at its default.
NONE_WORDS = {"-", "없음", "없어요", "전체", "기본", "기본값"}


class _Ask(Exception):
    """An answer to ask again, with the bot's own sentence."""


# --- parsing one answer -----------------------------------------------------------------------
def _when(text: str, same_day_as: datetime | None = None) -> datetime:
    """'2026-12-10 19:00' in KST; after a start, a bare '20:30' means that day."""
    text = text.strip()
    if same_day_as is not None and len(text) <= 5 and ":" in text:
        text = f"{to_kst(same_day_as):%Y-%m-%d} {text}"
    try:
        return parse_kst(text)
    except ValueError:
        raise _Ask(texts.MEETING_BAD_DATETIME) from None


def _number(text: str) -> int:
    cleaned = text.strip().replace(",", "").removesuffix("명").removesuffix("P").strip()
    if not cleaned.isascii() or not cleaned.isdigit() or len(cleaned) > 9:
        raise _Ask(texts.MEETING_BAD_NUMBER)
    return int(cleaned)


def parse_field(field: str, text: str, draft: dict[str, Any], now: datetime) -> Any:
    """The value of one form answer, or DomainError/_Ask with the reason."""
    text = (text or "").strip()
    empty = text in NONE_WORDS
    if field == "title":
        return meetings.clean_text(text, "invalid_meeting_title", rules.TITLE_MAX)
    if field == "description":
        if empty:
            return ""
        if len(text) > rules.DESCRIPTION_MAX:
            raise DomainError("invalid_meeting_description", max=rules.DESCRIPTION_MAX)
        return text
    if field == "category":
        return meetings.clean_text(text, "invalid_meeting_category", rules.CATEGORY_MAX)
    if field == "department":
        return meetings.clean_text(text, "invalid_meeting_department", rules.DEPARTMENT_MAX)
    if field == "starts_at":
        starts = _when(text)
        if starts <= now:
            raise DomainError("meeting_in_past", starts_at=kst_datetime(starts))
        return starts
    if field == "ends_at":
        ends = _when(text, draft["starts_at"])
        meetings.check_times(draft["starts_at"], ends, now)
        return ends
    if field == "url":
        return meetings.check_url(text)
    if field == "capacity":
        return None if empty else meetings.check_capacity(_number(text))
    if field == "deadline":
        return None if empty else meetings.check_deadline(_when(text), draft["starts_at"], now)
    if field == "points":
        return None if empty else meetings.check_points(_number(text))
    if field == "dong":
        return None if empty else meetings.check_dong(text)
    raise ValueError(field)


def question(field: str) -> str:
    rule = load_policy().activity(meetings.ACTIVITY)
    limits = {"title": rules.TITLE_MAX, "description": rules.DESCRIPTION_MAX}
    return texts.MEETING_ASK[field].format(max=limits.get(field, rule.max_points), default=rule.points)


def _when_text(starts: datetime, ends: datetime) -> str:
    return f"{kst_datetime(starts)}~{to_kst(ends):%H:%M}"


def card_link(meeting_id: int) -> str:
    return f"https://t.me/{StorageSettings.from_env().bot_username}?start={rules.CARD_PREFIX}{meeting_id}"


def attend_link(meeting_id: int, code: str) -> str:
    return f"https://t.me/{StorageSettings.from_env().bot_username}?start={rules.attend_payload(meeting_id, code)}"


def qr_png(link: str) -> bytes:
    """A plain QR code of the link, as PNG."""
    buffer = io.BytesIO()
    qrcode.make(link, box_size=8, border=4).save(buffer, format="PNG")
    return buffer.getvalue()


# --- the /meeting_new form ---------------------------------------------------------------------
async def new_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/meeting_new: staff only; asks for the title."""
    ok, _ = await run_as_staff(update, lambda s, staff: staff.id)
    if not ok:
        return ConversationHandler.END
    context.user_data[DRAFT] = {"step": 0}  # type: ignore[index]
    await update.effective_chat.send_message(question(FIELDS[0]))  # type: ignore[union-attr]
    return FIELD


async def new_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """One answer of the form: validate, then the next question or create the meeting."""
    chat = update.effective_chat
    draft = context.user_data.get(DRAFT)  # type: ignore[union-attr]
    if chat is None or draft is None or update.effective_message is None:
        return ConversationHandler.END
    field = FIELDS[draft["step"]]
    try:
        draft[field] = parse_field(field, update.effective_message.text or "", draft, utcnow())
    except DomainError as err:
        await chat.send_message(texts.error_text(err.code, **err.params))
        return FIELD
    except _Ask as ask:
        await chat.send_message(str(ask))
        return FIELD
    draft["step"] += 1
    if draft["step"] < len(FIELDS):
        await chat.send_message(question(FIELDS[draft["step"]]))
        return FIELD

    def work(session: Session, staff: Resident) -> tuple[int, str, str]:
        m = meetings.create_meeting(
            session, staff_resident_id=staff.id, title=draft["title"], description=draft["description"],
            category=draft["category"], department=draft["department"], starts_at=draft["starts_at"],
            ends_at=draft["ends_at"], url=draft["url"], capacity=draft["capacity"],
            registration_deadline=draft["deadline"], points=draft["points"], dong=draft["dong"])
        return m.id, m.title, m.code

    ok, made = await run_as_staff(update, work)
    context.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    if ok and made is not None:
        meeting_id, title, code = made
        await chat.send_message(texts.MEETING_CREATED.format(
            id=meeting_id, title=title, when=_when_text(draft["starts_at"], draft["ends_at"]), code=code,
            link=card_link(meeting_id)))
    return ConversationHandler.END


async def new_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/cancel inside the form: nothing is saved."""
    context.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    if update.effective_chat is not None:
        await update.effective_chat.send_message(texts.MEETING_CANCELLED_FORM)
    return ConversationHandler.END


# --- one-line commands ---------------------------------------------------------------------------
async def _usage(update: Update, command: str) -> None:
    await update.effective_chat.send_message(texts.MEETING_USAGE[command])  # type: ignore[union-attr]


def _args(update: Update) -> tuple[int | None, list[str]]:
    """(meeting id, the other '|'-separated or spaced parts) of '/cmd N | a | b' or '/cmd N word'."""
    raw = args_after_command(update)
    head, _, rest = raw.partition("|")
    words = head.split()
    meeting_id = int(words[0]) if words and words[0].isascii() and words[0].isdigit() else None
    parts = [p.strip() for p in rest.split("|")] if rest else words[1:]
    return meeting_id, parts


async def meeting_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/meetings: the latest meetings with registrations, waiting list and attendance."""
    def work(session: Session, staff: Resident) -> list[str]:
        return [texts.MEETING_LIST_LINE.format(
            id=st.meeting.id, when=_when_text(st.meeting.starts_at, st.meeting.ends_at), title=st.meeting.title,
            state=texts.MEETING_STATE_CANCELLED if st.meeting.status.value == "cancelled" else "",
            registered=st.registered, capacity=st.meeting.capacity or texts.MEETING_NO_CAPACITY,
            waiting=st.waiting, attended=st.attended) for st in meetings.list_with_stats(session)]

    lines = await run(update, work)
    if lines is None:
        return
    text = "\n".join([texts.MEETING_LIST_HEAD, *lines]) if lines else texts.MEETING_LIST_EMPTY
    await update.effective_chat.send_message(text)  # type: ignore[union-attr]


async def meeting_code(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/meeting_code N [교체]: the attendance code and its QR; with 교체 a new code."""
    meeting_id, parts = _args(update)
    if meeting_id is None:
        return await _usage(update, "meeting_code")
    rotate = bool(parts) and parts[0] in ("교체", "new", "rotate")

    def work(session: Session, staff: Resident) -> dict[str, Any]:
        m = (meetings.rotate_code(session, meeting_id=meeting_id, staff_resident_id=staff.id) if rotate
             else meetings.get_meeting(session, meeting_id))
        return dict(id=m.id, title=m.title, code=m.code,
                    opens=kst_datetime(rules.attendance_opens(m.starts_at)),
                    closes=kst_datetime(rules.attendance_closes(m.ends_at)))

    info = await run(update, work)
    if info is None:
        return
    chat = update.effective_chat
    assert chat is not None
    if rotate:
        await chat.send_message(texts.MEETING_CODE_ROTATED.format(**info))
    await chat.send_photo(InputFile(io.BytesIO(qr_png(attend_link(info["id"], info["code"]))),
                                    filename=f"meeting_{info['id']}_code.png"),
                          caption=texts.MEETING_CODE.format(**info))


async def meeting_move(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/meeting_move N | start | end: new times; every registrant is told once."""
    meeting_id, parts = _args(update)
    if meeting_id is None or len(parts) != 2:
        return await _usage(update, "meeting_move")
    try:
        starts = _when(parts[0])
        ends = _when(parts[1], starts)
    except _Ask as ask:
        await update.effective_chat.send_message(str(ask))  # type: ignore[union-attr]
        return
    count = await run(update, lambda s, staff: meetings.move_meeting(
        s, meeting_id=meeting_id, staff_resident_id=staff.id, starts_at=starts, ends_at=ends))
    if count is not None:
        await update.effective_chat.send_message(texts.MEETING_MOVED.format(  # type: ignore[union-attr]
            id=meeting_id, when=_when_text(starts, ends), count=count))


async def meeting_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/meeting_cancel N: cancel; every registrant is told once."""
    meeting_id, _ = _args(update)
    if meeting_id is None:
        return await _usage(update, "meeting_cancel")
    count = await run(update, lambda s, staff: meetings.cancel_meeting(
        s, meeting_id=meeting_id, staff_resident_id=staff.id))
    if count is not None:
        await update.effective_chat.send_message(texts.MEETING_CANCELLED.format(id=meeting_id, count=count))  # type: ignore[union-attr]


async def meeting_after(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/meeting_after N | link: the recording/summary link and the satisfaction poll to registrants."""
    meeting_id, parts = _args(update)
    if meeting_id is None or len(parts) != 1:
        return await _usage(update, "meeting_after")

    def work(session: Session, staff: Resident) -> tuple[int, int]:
        meetings.check_url(parts[0])
        survey_id = meetings.satisfaction_survey(session, meeting_id=meeting_id, staff_resident_id=staff.id)
        count = meetings.send_after_notes(session, meeting_id=meeting_id, staff_resident_id=staff.id,
                                          recording_url=parts[0], survey_id=survey_id)
        return survey_id, count

    done = await run(update, work)
    if done is not None:
        await update.effective_chat.send_message(texts.MEETING_AFTER_SENT.format(  # type: ignore[union-attr]
            id=meeting_id, survey_id=done[0], count=done[1]))


async def meeting_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/meeting_export N: registrations and attendance as CSV."""
    meeting_id, _ = _args(update)
    if meeting_id is None:
        return await _usage(update, "meeting_export")
    result = await run(update, lambda s, staff: (meetings.get_meeting(s, meeting_id).title,
                                                  meetings.export_csv(s, meeting_id)))
    if result is not None:
        title, csv_text = result
        await update.effective_chat.send_document(  # type: ignore[union-attr]
            InputFile(io.BytesIO(csv_text.encode("utf-8-sig")), filename=f"meeting_{meeting_id}.csv"),
            caption=texts.MEETING_EXPORT_CAPTION.format(id=meeting_id, title=title))


COMMANDS: dict[str, Callable[..., Any]] = {
    "meetings": meeting_list,
    "meeting_code": meeting_code,
    "meeting_move": meeting_move,
    "meeting_cancel": meeting_cancel,
    "meeting_after": meeting_after,
    "meeting_export": meeting_export,
}


def build_handlers() -> list[BaseHandler]:
    """The /meeting_new form (register before the generic /cancel and text handlers)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        form = ConversationHandler(
            entry_points=[staff_command("meeting_new", new_start)],
            states={FIELD: [MessageHandler(filters.TEXT & ~filters.COMMAND, new_answer)]},
            fallbacks=[CommandHandler("cancel", new_cancel)],
            conversation_timeout=FORM_TIMEOUT_SECONDS,
            name="meeting_new",
        )
    return [form]



