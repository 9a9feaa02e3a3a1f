"""Signed QR payloads for event posters (Telegram deep links, ``/start <payload>``).

Layout (25 characters of ``[A-Za-z0-9_-]``, within Telegram's 64):

    "e" + base64url(event_id: 4 bytes, code_version: 2 bytes)   8 characters
        + base64url(HMAC-SHA256(secret, domain ‖ those 6 bytes)[:12])   16 characters

Both parts are whole multiples of 3 bytes, so base64url has no padding and no
spare bits: every character carries signed information and any single-character
change is refused. The payload only references the event; its validity window is
the event row's, and rotating the code bumps ``code_version`` so older posters fail.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from typing import Protocol
from urllib.parse import quote

from storage.errors import DomainError
from storage.rules import DEEP_LINK_PAYLOAD_MAX

PREFIX = "e"
_BODY = struct.Struct(">IH")  # event id, code version
_MAC_BYTES = 12  # 96 bits: forging by guessing is hopeless
_DOMAIN = b"ontong-junggu:event-qr:v1:"
_PAYLOAD_LEN = len(PREFIX) + 4 * _BODY.size // 3 + 4 * _MAC_BYTES // 3
_PATTERN = re.compile(rf"^{PREFIX}[A-Za-z0-9_-]{{{_PAYLOAD_LEN - len(PREFIX)}}}$")
assert _PAYLOAD_LEN <= DEEP_LINK_PAYLOAD_MAX


class HasCode(Protocol):
    id: int
    code_version: int


def make_payload(event: HasCode, secret: str) -> str:
    """The signed start payload of an event's current code."""
    body = _BODY.pack(event.id, event.code_version)
    return PREFIX + _b64(body) + _b64(_mac(body, secret))


def parse_payload(payload: str, secret: str) -> tuple[int, int]:
    """(event_id, code_version) of a genuine payload; ``qr_invalid`` for anything else."""
    if not isinstance(payload, str) or not _PATTERN.match(payload):
        raise DomainError("qr_invalid")
    try:
        body = base64.urlsafe_b64decode(payload[1:9])
        mac = base64.urlsafe_b64decode(payload[9:])
    except (binascii.Error, ValueError):
        raise DomainError("qr_invalid") from None
    if not hmac.compare_digest(mac, _mac(body, secret)):
        raise DomainError("qr_invalid")
    event_id, version = _BODY.unpack(body)
    return event_id, version


def looks_like_event_payload(payload: str | None) -> bool:
    """Cheap routing test for /start payloads (no signature check)."""
    return bool(payload) and bool(_PATTERN.match(payload or ""))


def deep_link(event: HasCode, bot_username: str, secret: str) -> str:
    """https://t.me/<bot>?start=<payload>"""
    return f"https://t.me/{quote(bot_username.lstrip('@'))}?start={make_payload(event, secret)}"


def _mac(body: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), _DOMAIN + body, hashlib.sha256).digest()[:_MAC_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
