"""The one logging setup of every process we start (bot, broadcast, scheduler, actions).

- httpx/httpcore log every request URL at INFO, and a Bot API URL carries the
  token (``…/bot<token>/sendMessage``): they are held at WARNING.
- A filter on every handler redacts ``bot<token>`` anywhere in a record (message,
  arguments, exception text), in case a library logs a URL at WARNING or above.
- Residents' free text is logged at DEBUG at most (see bot/handlers/conversation.py).
"""
from __future__ import annotations

import logging
import os
import re

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LOGGERS = ("httpx", "httpcore", "apscheduler", "telegram.ext.ExtBot", "hpack")
# A Bot API token is "<digits>:<35-ish url-safe chars>"; in URLs it follows "/bot".
_TOKEN_IN_URL = re.compile(r"(/(?:file/)?bot)[0-9]+:[A-Za-z0-9_-]+")
_BARE_TOKEN = re.compile(r"\b[0-9]{5,}:[A-Za-z0-9_-]{30,}\b")
REDACTED = "<token>"


def redact(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """The text with Bot API tokens (and the given secrets) replaced by a marker."""
    text = _TOKEN_IN_URL.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BARE_TOKEN.sub(REDACTED, text)
    for secret in extra_secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record so no token or configured secret reaches a log."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw message
            message = str(record.msg)
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def _secrets_from_env() -> tuple[str, ...]:
    names = ("TELEGRAM_TOKEN", "ACTION_SERVER_SECRET", "WEBHOOK_SECRET", "QR_SECRET")
    return tuple(v for v in (os.environ.get(n) for n in names) if v and len(v) >= 8)


def setup_logging(level: str | int | None = None) -> None:
    """Configure the root logger once: format, level, quiet HTTP loggers, redaction."""
    level = level or os.environ.get("LOG_LEVEL", "INFO")
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format=FORMAT)
    else:
        root.setLevel(level)
    redacting = RedactingFilter(_secrets_from_env())
    for handler in root.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redacting)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
