"""Bot settings from the environment.

With TELEGRAM_BASE_URL set (the run command points it at telegram_local) the
bot talks to that server; with a real TELEGRAM_TOKEN and no base URL it talks
to Telegram itself. Nothing else changes.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from storage.settings import ConfigError, check_qr_secret

LOCAL_TOKEN = "123456:LOCAL-DEV-TOKEN"
#: Telegram's secret_token: 1–256 characters of A–Z a–z 0–9 _ -; we require at least 32.
WEBHOOK_SECRET_MIN = 32
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{%d,256}$" % WEBHOOK_SECRET_MIN)


def check_webhook_secret(secret: str | None) -> str:
    """The webhook secret, or ConfigError: unset, short or outside Telegram's charset."""
    if not secret:
        raise ConfigError("WEBHOOK_URL is set but WEBHOOK_SECRET is not: webhook mode refuses to start "
                          "without a secret (Telegram sends it in X-Telegram-Bot-Api-Secret-Token). "
                          "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'")
    if not _WEBHOOK_SECRET.match(secret):
        raise ConfigError(f"WEBHOOK_SECRET is too weak: it must be {WEBHOOK_SECRET_MIN}-256 characters "
                          f"of A-Z, a-z, 0-9, '_' and '-' (got {len(secret)} characters)")
    return secret


@dataclass(frozen=True)
class BotSettings:
    token: str
    base_url: str | None
    base_file_url: str | None
    rasa_url: str
    rasa_timeout: float
    webhook_url: str | None
    webhook_listen: str
    webhook_port: int
    webhook_secret: str | None
    outbox_interval: float

    def check(self) -> None:
        """Refuse configurations that must not run (ConfigError with an English reason)."""
        if self.webhook_url:
            check_webhook_secret(self.webhook_secret)
        check_qr_secret()

    @classmethod
    def from_env(cls) -> "BotSettings":
        base_url = os.environ.get("TELEGRAM_BASE_URL") or None
        return cls(
            token=os.environ.get("TELEGRAM_TOKEN", LOCAL_TOKEN),
            base_url=base_url,
            base_file_url=os.environ.get("TELEGRAM_BASE_FILE_URL")
            or (base_url.replace("/bot", "/file/bot") if base_url else None),
            rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            rasa_timeout=float(os.environ.get("RASA_TIMEOUT", "30")),
            webhook_url=os.environ.get("WEBHOOK_URL") or None,
            webhook_listen=os.environ.get("WEBHOOK_LISTEN", "127.0.0.1"),
            webhook_port=int(os.environ.get("WEBHOOK_PORT", "8443")),
            webhook_secret=os.environ.get("WEBHOOK_SECRET") or None,
            outbox_interval=float(os.environ.get("OUTBOX_INTERVAL", "1.0")),
        )
