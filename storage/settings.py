"""Settings read from the environment (never at import time of other modules)."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'ontong.db'}"


#: The committed QR key: fine offline, refused against real Telegram.
DEV_QR_SECRET = "dev-only-qr-secret-change-me"
QR_SECRET_MIN_BYTES = 32
LOCAL_TELEGRAM_TOKEN = "123456:LOCAL-DEV-TOKEN"
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


class ConfigError(RuntimeError):
    """A process must not start with this configuration; the English message says why."""


def talks_to_real_telegram(env: Mapping[str, str] = os.environ) -> bool:
    """Whether the processes face Telegram itself rather than the local Bot API server.

    A loopback TELEGRAM_BASE_URL is the local server (whatever the token); without
    a base URL, any token but the local dev one is real Telegram.
    """
    base_url = env.get("TELEGRAM_BASE_URL") or ""
    if base_url:
        return (urlsplit(base_url).hostname or "") not in _LOOPBACK_HOSTS
    return (env.get("TELEGRAM_TOKEN") or LOCAL_TELEGRAM_TOKEN) != LOCAL_TELEGRAM_TOKEN


def check_qr_secret(env: Mapping[str, str] = os.environ) -> None:
    """Against real Telegram, QR_SECRET must be set, not the committed default, and ≥ 32 bytes."""
    if not talks_to_real_telegram(env):
        return
    secret = env.get("QR_SECRET") or ""
    if not secret:
        raise ConfigError("QR_SECRET is not set (or empty): against real Telegram the event QR key "
                          "must be your own secret of at least 32 bytes")
    if secret == DEV_QR_SECRET:
        raise ConfigError("QR_SECRET is the committed development default: anyone can forge "
                          "check-in codes with it; set your own secret of at least 32 bytes")
    if len(secret.encode("utf-8")) < QR_SECRET_MIN_BYTES:
        raise ConfigError(f"QR_SECRET is too short ({len(secret.encode('utf-8'))} bytes; "
                          f"at least {QR_SECRET_MIN_BYTES} are required against real Telegram)")


@dataclass(frozen=True)
class StorageSettings:
    database_url: str
    media_dir: Path
    qr_secret: str
    qr_old_secrets: tuple[str, ...]
    bot_username: str
    point_policy_path: Path

    @classmethod
    def from_env(cls) -> "StorageSettings":
        return cls(
            database_url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            media_dir=Path(os.environ.get("MEDIA_DIR", PROJECT_ROOT / "var" / "media")),
            # The default secret is fine offline; production must set its own
            # (check_qr_secret refuses to start against real Telegram otherwise).
            qr_secret=os.environ.get("QR_SECRET") or DEV_QR_SECRET,
            # Earlier keys, comma-separated: posters signed with them stay valid.
            qr_old_secrets=tuple(k.strip() for k in os.environ.get("QR_SECRETS_OLD", "").split(",")
                                 if k.strip()),
            bot_username=os.environ.get("BOT_USERNAME", "ontong_junggu_bot"),
            point_policy_path=Path(
                os.environ.get("POINT_POLICY", PROJECT_ROOT / "storage" / "point_policy.yml")
            ),
        )
