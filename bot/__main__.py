"""python -m bot: run the Telegram bot."""
import logging
import os

from bot.app import run

logging.basicConfig(
    level=os.environ.get("LOG_LEVEL", "INFO"),
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
for noisy in ("httpx", "apscheduler"):
    logging.getLogger(noisy).setLevel(logging.WARNING)
run()
