"""Signed QR payloads for event posters (Telegram deep links, ``/start <payload>``).

Current layout, "k" (29 characters of ``[A-Za-z0-9_-]``, within Telegram's 64):

    "k" + base64url(key_id: 1 byte, event_id: 4 bytes, code_version: 4 bytes)   12 characters
        + base64url(HMAC-SHA256(key, domain ‖ those 9 bytes)[:12])               16 characters

The key id is derived from the key (first byte of a hash of it), so rotating the
key needs no numbering: put the old key into ``QR_SECRETS_OLD`` and set a new
``QR_SECRET``; posters signed with any configured key keep working, and dropping
a key from the list retires its posters. ``code_version`` has 32 bits here (the
column is a 32-bit integer; rotation stops at ``CODE_VERSION_MAX``).

The first layout, "e" (25 characters: 4-byte event id, 2-byte version, no key id),
is still accepted for posters printed before, checked against every configured key.

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

PREFIX = "k"
LEGACY_PREFIX = "e"
_BODY = struct.Struct(">BII")  # key id, event id, code version
_LEGACY_BODY = struct.Struct(">IH")  # event id, code version (no key id)
_MAC_BYTES = 12  # 96 bits: forging by guessing is hopeless
_DOMAIN = b"ontong-junggu:event-qr:v2:"
_LEGACY_DOMAIN = b"ontong-junggu:event-qr:v1:"
_BODY_CHARS = 4 * _BODY.size // 3
_LEGACY_BODY_CHARS = 4 * _LEGACY_BODY.size // 3
_PAYLOAD_LEN = len(PREFIX) + _BODY_CHARS + 4 * _MAC_BYTES // 3
_LEGACY_LEN = len(LEGACY_PREFIX) + _LEGACY_BODY_CHARS + 4 * _MAC_BYTES // 3
_PATTERN = re.compile(rf"^{PREFIX}[A-Za-z0-9_-]{{{_PAYLOAD_LEN - 1}}}$")
_LEGACY_PATTERN = re.compile(rf"^{LEGACY_PREFIX}[A-Za-z0-9_-]{{{_LEGACY_LEN - 1}}}$")
#: The largest code version a payload and the events.code_version column both hold.
CODE_VERSION_MAX = 2**31 - 1
assert _PAYLOAD_LEN <= DEEP_LINK_PAYLOAD_MAX and _BODY.size % 3 == 0 and _LEGACY_BODY.size % 3 == 0


class HasCode(Protocol):
    id: int
    code_version: int


def key_id(secret: str) -> int:
    """The one-byte id of a key (derived, so keys need no numbering)."""
    return hashlib.sha256(b"ontong-junggu:qr-key-id:" + secret.encode("utf-8")).digest()[0]


def make_payload(event: HasCode, secret: str) -> str:
    """The signed start payload of an event's current code, under the current key."""
    if not 1 <= event.code_version <= CODE_VERSION_MAX:
        raise ValueError(f"code_version out of range: {event.code_version}")
    body = _BODY.pack(key_id(secret), event.id, event.code_version)
    return PREFIX + _b64(body) + _b64(_mac(_DOMAIN, body, secret))


def parse_payload(payload: str, secret: str, old_secrets: tuple[str, ...] = ()) -> tuple[int, int]:
    """(event_id, code_version) of a genuine payload under any configured key; ``qr_invalid`` else."""
    keys = (secret, *old_secrets)
    if isinstance(payload, str) and _PATTERN.match(payload):
        body, mac = _decode(payload, _BODY_CHARS)
        kid, event_id, version = _BODY.unpack(body)
        if any(hmac.compare_digest(mac, _mac(_DOMAIN, body, key)) for key in keys if key_id(key) == kid):
            return event_id, version
    elif isinstance(payload, str) and _LEGACY_PATTERN.match(payload):
        body, mac = _decode(payload, _LEGACY_BODY_CHARS)
        if any(hmac.compare_digest(mac, _mac(_LEGACY_DOMAIN, body, key)) for key in keys):
            event_id, version = _LEGACY_BODY.unpack(body)
            return event_id, version
    raise DomainError("qr_invalid")


def looks_like_event_payload(payload: str | None) -> bool:
    """Cheap routing test for /start payloads (no signature check)."""
    return bool(payload) and bool(_PATTERN.match(payload or "") or _LEGACY_PATTERN.match(payload or ""))


def _decode(payload: str, body_chars: int) -> tuple[bytes, bytes]:
    try:
        return (base64.urlsafe_b64decode(payload[1:1 + body_chars]),
                base64.urlsafe_b64decode(payload[1 + body_chars:]))
    except (binascii.Error, ValueError):
        raise DomainError("qr_invalid") from None


def deep_link(event: HasCode, bot_username: str, secret: str) -> str:
    """https://t.me/<bot>?start=<payload>"""
    return f"https://t.me/{quote(bot_username.lstrip('@'))}?start={make_payload(event, secret)}"


def _mac(domain: bytes, body: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), domain + body, hashlib.sha256).digest()[:_MAC_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
