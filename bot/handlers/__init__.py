"""All handlers, registered in one place. The order matters: ptb tries them top
to bottom within a group and the first match wins."""
from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.handlers import (
    announce,
    budget_staff,
    conversation,
    engagement_staff,
    privacy_staff,
    proposals_staff,
    staff,
)
from bot.handlers import meetings_staff  # meetings (issue 16)
from bot.handlers.staff_common import StaffCallbackQueryHandler, staff_command, staff_document


async def ignore_non_private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Drop updates from groups and channels (and button presses there) before any handler runs.

    Every feature is a one-to-one conversation, so the bot answers private chats only
    (what ``filters.ChatType.PRIVATE`` checks for messages, here for every update type).
    """
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        raise ApplicationHandlerStop


def register(app: Application) -> None:
    # Group -1 runs first: nothing below ever answers a group, supergroup or channel.
    app.add_handler(TypeHandler(Update, ignore_non_private), group=-1)
    # The deep-link /start <payload> must come before the plain /start.
    app.add_handler(CommandHandler("start", conversation.start_deep_link, filters.Regex(r"^/start\s+\S")))
    app.add_handler(CommandHandler("start", conversation.start))
    # The staff compose conversation must see /cancel, its buttons and its text
    # before the resident handlers below do.
    for handler in announce.build_handlers():
        app.add_handler(handler)
    # meetings (issue 16): the /meeting_new form, before /cancel and the text handlers
    for handler in meetings_staff.build_handlers():
        app.add_handler(handler)
    app.add_handler(CommandHandler("help", conversation.help_command))
    app.add_handler(CommandHandler("menu", conversation.menu_command))
    app.add_handler(CommandHandler("cancel", conversation.cancel_command))
    # Staff handlers match only staff (the one gate, bot.handlers.staff_common.STAFF);
    # anyone else falls through to the resident handlers below, as an unknown command would.
    for commands in (staff.COMMANDS, budget_staff.COMMANDS, engagement_staff.COMMANDS,
                     proposals_staff.COMMANDS, privacy_staff.COMMANDS, meetings_staff.COMMANDS):
        app.add_handlers([staff_command(c, cb) for c, cb in commands.items()])
    app.add_handler(staff_document(r"^/volunteer", staff.volunteer_import))
    app.add_handler(staff_document(r"^/survey_load", engagement_staff.survey_load))
    app.add_handler(StaffCallbackQueryHandler(staff.button, pattern=r"^s\|"))
    app.add_handler(CallbackQueryHandler(conversation.button))
    app.add_handler(MessageHandler(filters.PHOTO, conversation.photo_message))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, conversation.text_message))
    app.add_handler(MessageHandler(filters.COMMAND, conversation.text_message))
    app.add_handler(MessageHandler(filters.ALL & ~filters.UpdateType.EDITED, conversation.unsupported))
