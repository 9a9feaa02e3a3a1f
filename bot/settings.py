"""Bot settings from the environment.

With TELEGRAM_BASE_URL set (the run command points it at telegram_local) the
bot talks to that server; with a real TELEGRAM_TOKEN and no base URL it talks
to Telegram itself. Nothing else changes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

LOCAL_TOKEN = "123456:LOCAL-DEV-TOKEN"


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
