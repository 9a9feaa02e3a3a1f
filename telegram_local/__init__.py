"""A local stand-in for the Telegram Bot API, with a chat page and a JSON test API.

The real python-telegram-bot code talks to it through `base_url`; see README.md.
"""
from telegram_local.config import Config, Limits
from telegram_local.server import create_app

__all__ = ["Config", "Limits", "create_app"]
