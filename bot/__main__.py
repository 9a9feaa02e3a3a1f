"""python -m bot: run the Telegram bot."""
from bot.app import run
from bot.logging_setup import setup_logging

setup_logging()
run()
