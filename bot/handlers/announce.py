"""Staff compose announcements in the chat: /announce and /announcements.

/announce → text → optional photo → optional link button → target → preview
(sent exactly as residents will receive it) → send now, schedule (KST) or
cancel; the urgent toggle records who chose it. /announcements lists scheduled
and sending announcements with cancel buttons. Callback data is
``s|ann|<verb>|<id>`` (ids only). Conversation callbacks return the next state,
as ptb's ConversationHandler requires.
"""
from __future__ import annotations

import asyncio
import warnings
from typing import Any

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import keyboards, texts
from bot.broadcast import deliver, fan_out
from bot.handlers.staff_common import StaffCallbackQueryHandler, run_as_staff, staff_command
from storage.db import default_engine
from storage.errors import DomainError
from storage.models import Announcement, AnnouncementTarget, Resident
from storage.notify_rules import ALL_TOPICS, DONG_CODES, TOPIC_LABELS, body_limit
from storage.services import announcements
from storage.timeutil import kst_datetime, parse_kst

# Conversation states.
TEXT, PHOTO, LINK, TARGET, PREVIEW, WHEN = range(6)
DRAFT = "announce_draft"
COMPOSE_TIMEOUT_SECONDS = 30 * 60
PATTERN = r"^s\|ann\|"


def _data(verb: str, arg: str | int) -> str:
    return keyboards.staff_data("ann", verb, arg)


def _arg(update: Update) -> str:
    data = update.callback_query.data if update.callback_query else ""
    return (data or "").split("|")[3] if (data or "").count("|") >= 3 else ""


def _draft(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    return context.user_data.setdefault(DRAFT, {})  # type: ignore[union-attr]


async def _answer(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()


def _skip_markup(step: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(texts.ANNOUNCE_BUTTONS["skip"], callback_data=_data("skip", step)),
        InlineKeyboardButton(texts.ANNOUNCE_BUTTONS["cancel"], callback_data=_data("stop", 0)),
    ]])


def _target_markup() -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(texts.ANNOUNCE_TARGET_ALL, callback_data=_data("t", "all"))]]
    topics = [InlineKeyboardButton(TOPIC_LABELS[t.value], callback_data=_data("t", t.value)) for t in ALL_TOPICS]
    rows += [topics[i:i + 3] for i in range(0, len(topics), 3)]
    rows.append([InlineKeyboardButton(texts.ANNOUNCE_BUTTONS["dong"], callback_data=_data("t", "dong")),
                 InlineKeyboardButton(texts.ANNOUNCE_BUTTONS["cancel"], callback_data=_data("stop", 0))])
    return InlineKeyboardMarkup(rows)


def _dong_markup() -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(name, callback_data=_data("d", code)) for code, name in DONG_CODES.items()]
    return InlineKeyboardMarkup([buttons[i:i + 3] for i in range(0, len(buttons), 3)])


def target_label(announcement: Announcement) -> str:
    """전체 구독자 / 참여예산 구독자 / 명동 구독자"""
    if announcement.target_kind == AnnouncementTarget.topic:
        return texts.ANNOUNCE_TARGET_TOPIC.format(label=TOPIC_LABELS[announcement.target_value or ""])
    if announcement.target_kind == AnnouncementTarget.dong:
        return texts.ANNOUNCE_TARGET_DONG.format(dong=DONG_CODES.get(announcement.target_value or "", "?"))
    return texts.ANNOUNCE_TARGET_ALL


def _controls(announcement: Announcement, count: int, urgent_by: str | None) -> tuple[str, InlineKeyboardMarkup]:
    urgent = (texts.ANNOUNCE_URGENT_ON.format(who=urgent_by or "-", when=kst_datetime(announcement.urgent_marked_at))
              if announcement.urgent and announcement.urgent_marked_at else texts.ANNOUNCE_URGENT_OFF)
    text = texts.ANNOUNCE_CONTROLS.format(id=announcement.id, target=target_label(announcement), count=count,
                                          urgent=urgent)
    b = texts.ANNOUNCE_BUTTONS
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton(b["now"], callback_data=_data("now", announcement.id)),
         InlineKeyboardButton(b["schedule"], callback_data=_data("sched", announcement.id))],
        [InlineKeyboardButton(b["urgent_off"] if announcement.urgent else b["urgent_on"],
                              callback_data=_data("urg", announcement.id)),
         InlineKeyboardButton(b["cancel"], callback_data=_data("stop", announcement.id))],
    ])
    return text, markup


def _preview_parts(session: Session, announcement: Announcement) -> dict[str, Any]:
    text, buttons = announcements.outbox_content(announcement)
    urgent_by = session.get(Resident, announcement.urgent_by_resident_id) if announcement.urgent_by_resident_id else None
    count = announcements.count_recipients(session, announcement.target_kind, announcement.target_value)
    controls, markup = _controls(announcement, count, urgent_by.display_name if urgent_by else None)
    return {"text": text, "buttons": buttons, "photo_file_id": announcement.photo_file_id,
            "photo_path": announcement.photo_path, "controls": controls, "markup": markup}


async def _show_preview(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: dict[str, Any]) -> int:
    chat = update.effective_chat
    assert chat is not None
    await deliver(context.bot, chat.id, parts["text"], buttons=parts["buttons"],
                  photo_file_id=parts["photo_file_id"], photo_path=parts["photo_path"])
    await chat.send_message(parts["controls"], reply_markup=parts["markup"])
    return PREVIEW


# --- the conversation -------------------------------------------------------------------
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/announce: staff only; asks for the text."""
    ok, _ = await run_as_staff(update, lambda s, staff: staff.id)
    if not ok:
        return ConversationHandler.END
    context.user_data[DRAFT] = {}  # type: ignore[index]
    await update.effective_chat.send_message(texts.ANNOUNCE_ASK_TEXT.format(limit=body_limit(False)))  # type: ignore[union-attr]
    return TEXT


async def text_received(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The announcement's text; then ask for a photo."""
    text = update.effective_message.text or ""  # type: ignore[union-attr]
    try:
        announcements.check_content(text, False, None, None)
    except DomainError as err:
        await update.effective_chat.send_message(texts.error_text(err.code, **err.params))  # type: ignore[union-attr]
        return TEXT
    _draft(context)["text"] = text
    await update.effective_chat.send_message(texts.ANNOUNCE_ASK_PHOTO, reply_markup=_skip_markup("photo"))  # type: ignore[union-attr]
    return PHOTO


async def photo_received(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """A photo for the announcement (its text becomes the caption); then ask for a link."""
    draft = _draft(context)
    try:
        announcements.check_content(draft["text"], True, None, None)
    except DomainError as err:
        await update.effective_chat.send_message(  # type: ignore[union-attr]
            texts.error_text(err.code, **err.params), reply_markup=_skip_markup("photo"))
        return PHOTO
    draft["photo_file_id"] = update.effective_message.photo[-1].file_id  # type: ignore[union-attr]
    await update.effective_chat.send_message(texts.ANNOUNCE_ASK_LINK, reply_markup=_skip_markup("link"))  # type: ignore[union-attr]
    return LINK


async def photo_skipped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """No photo; ask for a link."""
    await _answer(update)
    await update.effective_chat.send_message(texts.ANNOUNCE_ASK_LINK, reply_markup=_skip_markup("link"))  # type: ignore[union-attr]
    return LINK


async def link_received(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """"버튼 이름 | https://…"; then ask for the target."""
    draft = _draft(context)
    name, sep, url = (update.effective_message.text or "").partition("|")  # type: ignore[union-attr]
    if not sep:
        await update.effective_chat.send_message(texts.ANNOUNCE_LINK_FORMAT, reply_markup=_skip_markup("link"))  # type: ignore[union-attr]
        return LINK
    try:
        announcements.check_content(draft["text"], bool(draft.get("photo_file_id")), name.strip(), url.strip())
    except DomainError as err:
        await update.effective_chat.send_message(  # type: ignore[union-attr]
            texts.error_text(err.code, **err.params), reply_markup=_skip_markup("link"))
        return LINK
    draft["button_text"], draft["button_url"] = name.strip(), url.strip()
    await update.effective_chat.send_message(texts.ANNOUNCE_ASK_TARGET, reply_markup=_target_markup())  # type: ignore[union-attr]
    return TARGET


async def link_skipped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """No link button; ask for the target."""
    await _answer(update)
    await update.effective_chat.send_message(texts.ANNOUNCE_ASK_TARGET, reply_markup=_target_markup())  # type: ignore[union-attr]
    return TARGET


async def _create_and_preview(update: Update, context: ContextTypes.DEFAULT_TYPE, kind: str, value: str | None) -> int:
    draft = _draft(context)

    def work(session: Session, staff: Resident) -> dict[str, Any]:
        announcement = announcements.create(
            session, text=draft["text"], created_by_resident_id=staff.id,
            photo_file_id=draft.get("photo_file_id"), button_text=draft.get("button_text"),
            button_url=draft.get("button_url"), target_kind=kind, target_value=value)
        return {"id": announcement.id, **_preview_parts(session, announcement)}

    ok, parts = await run_as_staff(update, work)
    if not ok or parts is None:
        return ConversationHandler.END
    draft["announcement_id"] = parts["id"]
    return await _show_preview(update, context, parts)


async def target_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """전체 / a topic (→ preview) or 동 (→ the 동 list)."""
    await _answer(update)
    choice = _arg(update)
    if choice == "dong":
        await update.effective_chat.send_message(texts.ANNOUNCE_ASK_DONG, reply_markup=_dong_markup())  # type: ignore[union-attr]
        return TARGET
    if choice == "all":
        return await _create_and_preview(update, context, AnnouncementTarget.all.value, None)
    return await _create_and_preview(update, context, AnnouncementTarget.topic.value, choice)


async def dong_chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """One 동 as the target; then the preview."""
    await _answer(update)
    code = _arg(update)
    if code not in DONG_CODES:
        return TARGET
    return await _create_and_preview(update, context, AnnouncementTarget.dong.value, code)


def _announcement_id(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int | None:
    raw = _arg(update)
    expected = _draft(context).get("announcement_id")
    return expected if raw.isdigit() and int(raw) == expected else None


async def urgent_toggled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Mark or unmark an urgent public notice (records who and when); shows the new preview."""
    await _answer(update)
    announcement_id = _announcement_id(update, context)
    if announcement_id is None:
        return PREVIEW

    def work(session: Session, staff: Resident) -> dict[str, Any]:
        current = announcements.get(session, announcement_id)
        announcement = announcements.set_urgent(session, announcement_id, not current.urgent,
                                                by_resident_id=staff.id)
        return _preview_parts(session, announcement)

    ok, parts = await run_as_staff(update, work)
    if not ok or parts is None:
        return PREVIEW
    return await _show_preview(update, context, parts)


async def send_now(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Start sending: fan out now; this message becomes the live progress message."""
    await _answer(update)
    announcement_id = _announcement_id(update, context)
    query = update.callback_query
    if announcement_id is None or query is None or query.message is None:
        return PREVIEW
    chat_id, message_id = query.message.chat.id, query.message.message_id

    def work(session: Session, staff: Resident) -> int:
        announcements.start_sending(session, announcement_id)
        announcements.set_progress_message(session, announcement_id, chat_id, message_id)
        return announcements.count_recipients(session, *_target_of(session, announcement_id))

    ok, total = await run_as_staff(update, work)
    if not ok:
        return PREVIEW
    await query.edit_message_text(texts.ANNOUNCE_STARTED.format(id=announcement_id, total=total or 0))
    await asyncio.to_thread(fan_out, default_engine(), announcement_id)
    context.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    return ConversationHandler.END


def _target_of(session: Session, announcement_id: int) -> tuple[AnnouncementTarget, str | None]:
    announcement = announcements.get(session, announcement_id)
    return announcement.target_kind, announcement.target_value


async def schedule_asked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Ask for the KST date and time to send at."""
    await _answer(update)
    if _announcement_id(update, context) is None:
        return PREVIEW
    await update.effective_chat.send_message(texts.ANNOUNCE_ASK_WHEN)  # type: ignore[union-attr]
    return WHEN


async def when_received(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """"2026-12-01 09:00" (KST): schedule it; the scheduler process sends it then."""
    announcement_id = _draft(context).get("announcement_id")
    try:
        when = parse_kst(update.effective_message.text or "")  # type: ignore[union-attr]
    except ValueError:
        await update.effective_chat.send_message(texts.ANNOUNCE_WHEN_FORMAT)  # type: ignore[union-attr]
        return WHEN
    chat_id = update.effective_chat.id  # type: ignore[union-attr]

    def work(session: Session, staff: Resident) -> str:
        announcement = announcements.schedule(session, announcement_id, when)
        announcements.set_progress_message(session, announcement_id, chat_id, None)
        return texts.ANNOUNCE_SCHEDULED.format(id=announcement_id, when=kst_datetime(when),
                                               target=target_label(announcement))

    ok, reply = await run_as_staff(update, work)
    if not ok or reply is None:
        return WHEN
    await update.effective_chat.send_message(reply)  # type: ignore[union-attr]
    context.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    return ConversationHandler.END


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """/cancel or [취소]: drop the draft; nothing is sent."""
    await _answer(update)
    announcement_id = (context.user_data or {}).get(DRAFT, {}).get("announcement_id")
    if announcement_id is not None:
        await run_as_staff(update, lambda s, staff: announcements.cancel(s, announcement_id, by_resident_id=staff.id))
    context.user_data.pop(DRAFT, None)  # type: ignore[union-attr]
    await update.effective_chat.send_message(texts.ANNOUNCE_CANCELLED)  # type: ignore[union-attr]
    return ConversationHandler.END


# --- /announcements ---------------------------------------------------------------------
def _listing(session: Session) -> tuple[str, InlineKeyboardMarkup | None]:
    rows = announcements.list_scheduled(session) + announcements.in_progress(session)
    if not rows:
        return texts.ANNOUNCE_LIST_EMPTY, None
    lines = [texts.ANNOUNCE_LIST_HEAD]
    buttons = []
    for a in rows:
        when = kst_datetime(a.scheduled_for) if a.scheduled_for else kst_datetime(a.started_at or a.created_at)
        preview = a.text.replace("\n", " ")[:40]
        lines.append(texts.ANNOUNCE_LIST_LINE.format(
            id=a.id, when=when, target=target_label(a),
            urgent=texts.ANNOUNCE_URGENT_MARK if a.urgent else "", preview=preview))
        buttons.append([InlineKeyboardButton(f"{texts.ANNOUNCE_BUTTONS['drop']} #{a.id}",
                                             callback_data=_data("drop", a.id))])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


async def list_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/announcements: scheduled and sending announcements, each with a cancel button."""
    ok, listing = await run_as_staff(update, lambda s, staff: _listing(s))
    if ok and listing is not None:
        await update.effective_chat.send_message(listing[0], reply_markup=listing[1])  # type: ignore[union-attr]


async def drop_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """[예약 취소 #n]: cancel a scheduled announcement (or the rest of one being sent)."""
    await _answer(update)
    raw = _arg(update)
    if not raw.isdigit():
        return
    announcement_id = int(raw)
    ok, count = await run_as_staff(update, lambda s, staff: announcements.cancel(s, announcement_id,
                                                                          by_resident_id=staff.id))
    if ok:
        await update.effective_chat.send_message(  # type: ignore[union-attr]
            texts.ANNOUNCE_CANCEL_DONE.format(id=announcement_id, count=count or 0))


def build_handlers() -> list[BaseHandler]:
    """The compose conversation, /announcements and its cancel buttons (register before the generic ones)."""
    with warnings.catch_warnings():
        # One compose per staff chat is what we want: buttons are tracked per
        # chat, not per message (ptb warns about the latter).
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[staff_command("announce", start)],
            states={
                TEXT: [MessageHandler(filters.TEXT & ~filters.COMMAND, text_received)],
                PHOTO: [MessageHandler(filters.PHOTO, photo_received),
                        CallbackQueryHandler(photo_skipped, pattern=r"^s\|ann\|skip\|photo$")],
                LINK: [MessageHandler(filters.TEXT & ~filters.COMMAND, link_received),
                       CallbackQueryHandler(link_skipped, pattern=r"^s\|ann\|skip\|link$")],
                TARGET: [CallbackQueryHandler(target_chosen, pattern=r"^s\|ann\|t\|"),
                         CallbackQueryHandler(dong_chosen, pattern=r"^s\|ann\|d\|")],
                PREVIEW: [CallbackQueryHandler(send_now, pattern=r"^s\|ann\|now\|"),
                          CallbackQueryHandler(schedule_asked, pattern=r"^s\|ann\|sched\|"),
                          CallbackQueryHandler(urgent_toggled, pattern=r"^s\|ann\|urg\|")],
                WHEN: [MessageHandler(filters.TEXT & ~filters.COMMAND, when_received)],
            },
            fallbacks=[CommandHandler("cancel", cancel),
                       CallbackQueryHandler(cancel, pattern=r"^s\|ann\|stop\|")],
            conversation_timeout=COMPOSE_TIMEOUT_SECONDS,
            name="announce",
        )
    return [
        conversation,
        staff_command("announcements", list_command),
        StaffCallbackQueryHandler(drop_pressed, pattern=r"^s\|ann\|drop\|"),
    ]
