"""Settings read from the environment (never at import time of other modules)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'ontong.db'}"


class ConfigError(RuntimeError):
    """A process must not start with this configuration; the English message says why."""


@dataclass(frozen=True)
class StorageSettings:
    database_url: str
    media_dir: Path
    qr_secret: str
    bot_username: str
    point_policy_path: Path

    @classmethod
    def from_env(cls) -> "StorageSettings":
        return cls(
            database_url=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            media_dir=Path(os.environ.get("MEDIA_DIR", PROJECT_ROOT / "var" / "media")),
            # The default secret is fine offline; production must set its own.
            qr_secret=os.environ.get("QR_SECRET", "dev-only-qr-secret-change-me"),
            bot_username=os.environ.get("BOT_USERNAME", "ontong_junggu_bot"),
            point_policy_path=Path(
                os.environ.get("POINT_POLICY", PROJECT_ROOT / "storage" / "point_policy.yml")
            ),
        )
