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

Rotating codes (an event in rotating mode, shown on a screen and changing every
N minutes): "r" + base64url(key_id: 1, event_id: 4, code_version: 4, window: 3
bytes) + the same 12-byte MAC (33 characters), where window is the 24-bit index
of the N-minute time window; and the spoken form, six digits derived from the
same inputs by HMAC, typed by residents as "출석 123456" and sent to Rasa as
"c123456". Both are valid for the current and the previous window only.

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


ROTATING_PREFIX = "r"
SPOKEN_PREFIX = "c"
SPOKEN_DIGITS = 6
_ROTATING_BODY = struct.Struct(">BII3s")  # key id, event id, code version, window (24 bits)
_ROTATING_DOMAIN = b"ontong-junggu:event-qr:rotating:"
_SPOKEN_DOMAIN = b"ontong-junggu:event-code:spoken:"
_ROTATING_BODY_CHARS = 4 * _ROTATING_BODY.size // 3
_ROTATING_LEN = 1 + _ROTATING_BODY_CHARS + 4 * _MAC_BYTES // 3
_ROTATING_PATTERN = re.compile(rf"^{ROTATING_PREFIX}[A-Za-z0-9_-]{{{_ROTATING_LEN - 1}}}$")
SPOKEN_PATTERN = re.compile(rf"^{SPOKEN_PREFIX}([0-9]{{{SPOKEN_DIGITS}}})$")
WINDOW_MODULUS = 2**24
assert _ROTATING_LEN <= DEEP_LINK_PAYLOAD_MAX and _ROTATING_BODY.size % 3 == 0


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
    text = payload or ""
    return bool(_PATTERN.match(text) or _LEGACY_PATTERN.match(text) or _ROTATING_PATTERN.match(text))


def is_rotating_payload(payload: str) -> bool:
    return isinstance(payload, str) and bool(_ROTATING_PATTERN.match(payload))


def make_rotating_payload(event: HasCode, window: int, secret: str) -> str:
    """The signed payload of an event's rotating QR for one time window."""
    body = _ROTATING_BODY.pack(key_id(secret), event.id, event.code_version,
                               (window % WINDOW_MODULUS).to_bytes(3, "big"))
    return ROTATING_PREFIX + _b64(body) + _b64(_mac(_ROTATING_DOMAIN, body, secret))


def parse_rotating_payload(payload: str, secret: str,
                           old_secrets: tuple[str, ...] = ()) -> tuple[int, int, int]:
    """(event_id, code_version, window mod 2**24) of a genuine rotating payload; ``qr_invalid`` else."""
    if not is_rotating_payload(payload):
        raise DomainError("qr_invalid")
    body, mac = _decode(payload, _ROTATING_BODY_CHARS)
    kid, event_id, version, window = _ROTATING_BODY.unpack(body)
    if not any(hmac.compare_digest(mac, _mac(_ROTATING_DOMAIN, body, key))
               for key in (secret, *old_secrets) if key_id(key) == kid):
        raise DomainError("qr_invalid")
    return event_id, version, int.from_bytes(window, "big")


def spoken_code(event: HasCode, window: int, secret: str) -> str:
    """The six digits staff read out for one event and time window."""
    body = struct.pack(">IIi", event.id, event.code_version, window % WINDOW_MODULUS)
    digest = hmac.new(secret.encode("utf-8"), _SPOKEN_DOMAIN + body, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**SPOKEN_DIGITS:0{SPOKEN_DIGITS}d}"


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
