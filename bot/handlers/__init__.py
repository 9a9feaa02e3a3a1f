"""All handlers, registered in one place. The order matters: ptb tries them top
to bottom within a group and the first match wins."""
from __future__ import annotations

from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
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


def register(app: Application) -> None:
    # The deep-link /start <payload> must come before the plain /start.
    app.add_handler(CommandHandler("start", conversation.start_deep_link, filters.Regex(r"^/start\s+\S")))
    app.add_handler(CommandHandler("start", conversation.start))
    # The staff compose conversation must see /cancel, its buttons and its text
    # before the resident handlers below do.
    for handler in announce.build_handlers():
        app.add_handler(handler)
    app.add_handler(CommandHandler("help", conversation.help_command))
    app.add_handler(CommandHandler("menu", conversation.menu_command))
    app.add_handler(CommandHandler("cancel", conversation.cancel_command))
    # Staff commands check the role themselves and answer others with one neutral line.
    for command, callback in staff.COMMANDS.items():
        app.add_handler(CommandHandler(command, callback))
    app.add_handlers([CommandHandler(c, cb) for c, cb in budget_staff.COMMANDS.items()])
    app.add_handlers([CommandHandler(c, cb) for c, cb in engagement_staff.COMMANDS.items()])
    app.add_handlers([CommandHandler(c, cb) for c, cb in proposals_staff.COMMANDS.items()])
    app.add_handlers([CommandHandler(c, cb) for c, cb in privacy_staff.COMMANDS.items()])
    app.add_handler(MessageHandler(filters.Document.ALL & filters.CaptionRegex(r"^/volunteer"),
                                   staff.volunteer_import))
    app.add_handler(MessageHandler(filters.Document.ALL & filters.CaptionRegex(r"^/survey_load"),
                                   engagement_staff.survey_load))
    app.add_handler(CallbackQueryHandler(staff.button, pattern=r"^s\|"))
    app.add_handler(CallbackQueryHandler(conversation.button))
    app.add_handler(MessageHandler(filters.PHOTO, conversation.photo_message))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, conversation.text_message))
    app.add_handler(MessageHandler(filters.COMMAND, conversation.text_message))
    app.add_handler(MessageHandler(filters.ALL & ~filters.UpdateType.EDITED, conversation.unsupported))
