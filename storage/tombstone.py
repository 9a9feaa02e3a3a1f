"""A tombstone: a keyed hash of a Telegram user id, holding no personal data.

Once-only rules (one ballot per cycle, one answer per anonymous survey, one
award per activity and period) are keyed on it as well as on the resident row,
so they survive 탈퇴 and re-consent by the same Telegram account. Without the
server's key nobody can tell whose tombstone it is, or test a guessed id.
"""
from __future__ import annotations

import hashlib
import hmac
import os

TOMBSTONE_SECRET_ENV = "TOMBSTONE_SECRET"
# Fine offline and in tests; production sets its own key (and never changes it:
# a new key forgets every earlier ballot and award).
DEV_TOMBSTONE_SECRET = "dev-only-tombstone-secret-change-me"
TOMBSTONE_LENGTH = 64  # hex characters of HMAC-SHA256


def tombstone_secret() -> bytes:
    return (os.environ.get(TOMBSTONE_SECRET_ENV) or DEV_TOMBSTONE_SECRET).encode()


def tombstone_of(telegram_user_id: int, secret: bytes | None = None) -> str:
    """HMAC-SHA256(secret, "telegram:<id>") as hex."""
    message = f"telegram:{int(telegram_user_id)}".encode()
    return hmac.new(secret or tombstone_secret(), message, hashlib.sha256).hexdigest()
