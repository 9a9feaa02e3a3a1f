"""python -m bot: run the Telegram bot (exits with 2 and a clear reason on unsafe settings)."""
import logging
import sys

from bot.app import run
from bot.logging_setup import setup_logging
from storage.settings import ConfigError

setup_logging()
try:
    run()
except ConfigError as err:
    logging.getLogger("bot").error("refusing to start: %s", err)
    sys.exit(2)
