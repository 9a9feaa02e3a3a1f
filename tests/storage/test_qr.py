"""Signed poster payloads: format, round trip, and every single-character forgery refused."""
from __future__ import annotations

import re
import string
from types import SimpleNamespace

import pytest

from storage import qr
from storage.errors import DomainError
from storage.rules import DEEP_LINK_PAYLOAD_MAX

SECRET = "test-secret"
ALPHABET = string.ascii_letters + string.digits + "_-"


def event(event_id: int = 42, version: int = 1) -> SimpleNamespace:
    return SimpleNamespace(id=event_id, code_version=version)


def refused(payload: object, secret: str = SECRET) -> bool:
    try:
        qr.parse_payload(payload, secret)  # type: ignore[arg-type]
    except DomainError as err:
        assert err.code == "qr_invalid"
        return True
    return False


@pytest.mark.parametrize(("event_id", "version"), [(1, 1), (42, 7), (2**32 - 1, 2**16 - 1)])
def test_round_trip_and_telegram_format(event_id, version):
    payload = qr.make_payload(event(event_id, version), SECRET)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", payload) and len(payload) <= DEEP_LINK_PAYLOAD_MAX
    assert qr.parse_payload(payload, SECRET) == (event_id, version)
    assert qr.looks_like_event_payload(payload)


def test_deep_link():
    link = qr.deep_link(event(), "@ontong_junggu_bot", SECRET)
    assert link == f"https://t.me/ontong_junggu_bot?start={qr.make_payload(event(), SECRET)}"


def test_every_single_character_change_is_refused():
    payload = qr.make_payload(event(), SECRET)
    tried = 0
    for i, original in enumerate(payload):
        for replacement in ALPHABET:
            if replacement != original:
                assert refused(payload[:i] + replacement + payload[i + 1:]), (i, replacement)
                tried += 1
    assert tried == len(payload) * (len(ALPHABET) - 1)


def test_damage_other_secret_and_other_versions_are_refused():
    payload = qr.make_payload(event(), SECRET)
    assert refused(payload, "another-secret")
    for damaged in (payload[:-1], payload + "A", payload[1:], "", "start", payload.upper(),
                    payload[:5] + "=" + payload[6:], payload[:5] + "한" + payload[6:], None, 12345):
        assert refused(damaged)
    # A genuine payload of another version is genuine; the event row decides if it is current.
    assert qr.parse_payload(qr.make_payload(event(version=2), SECRET), SECRET) == (42, 2)


# --- key ids, rotation, legacy posters, 32-bit versions (issue 13) -----------------------
NEW_KEY = "n" * 40
OLD_KEY = "o" * 40


def _legacy_payload(event_id: int, version: int, secret: str) -> str:
    """A poster printed before key ids (layout "e"), as the old code made it."""
    import base64
    import hashlib
    import hmac
    import struct

    body = struct.pack(">IH", event_id, version)
    mac = hmac.new(secret.encode(), b"ontong-junggu:event-qr:v1:" + body, hashlib.sha256).digest()[:12]
    enc = lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")  # noqa: E731
    return "e" + enc(body) + enc(mac)


def test_payload_names_its_key_and_rotation_keeps_configured_old_keys():
    payload = qr.make_payload(event(), OLD_KEY)
    assert qr.parse_payload(payload, NEW_KEY, (OLD_KEY,)) == (42, 1)      # old key still configured
    assert refused(payload, NEW_KEY)                                       # old key dropped


def test_legacy_posters_stay_valid_while_their_key_is_configured():
    legacy = _legacy_payload(42, 3, OLD_KEY)
    assert qr.looks_like_event_payload(legacy)
    assert qr.parse_payload(legacy, OLD_KEY) == (42, 3)
    assert qr.parse_payload(legacy, NEW_KEY, (OLD_KEY,)) == (42, 3)
    assert refused(legacy, NEW_KEY)


@pytest.mark.parametrize("version", [65_535, 65_536, 65_537, 2**31 - 1])
def test_code_versions_beyond_16_bits_round_trip(version):
    payload = qr.make_payload(event(version=version), SECRET)
    assert len(payload) <= DEEP_LINK_PAYLOAD_MAX and re.fullmatch(r"[A-Za-z0-9_-]+", payload)
    assert qr.parse_payload(payload, SECRET) == (42, version)


def test_a_payload_claiming_another_key_id_is_refused():
    payload = qr.make_payload(event(), SECRET)
    assert refused(payload, SECRET + "x")


@pytest.mark.parametrize("env,ok", [
    ({"TELEGRAM_TOKEN": "99:real"}, False),                                            # unset
    ({"TELEGRAM_TOKEN": "99:real", "QR_SECRET": ""}, False),                           # empty
    ({"TELEGRAM_TOKEN": "99:real", "QR_SECRET": "dev-only-qr-secret-change-me"}, False),  # committed default
    ({"TELEGRAM_TOKEN": "99:real", "QR_SECRET": "x" * 31}, False),                     # short
    ({"TELEGRAM_TOKEN": "99:real", "QR_SECRET": "x" * 32}, True),
    ({"TELEGRAM_BASE_URL": "https://tg.example.org/bot", "QR_SECRET": "short"}, False),  # non-local server
    ({"TELEGRAM_TOKEN": "99:real", "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot"}, True),  # local server
    ({}, True),                                                                        # local dev token
])
def test_qr_key_is_checked_against_real_telegram(env, ok):
    from storage.settings import ConfigError, check_qr_secret

    if ok:
        check_qr_secret(env)
    else:
        with pytest.raises(ConfigError):
            check_qr_secret(env)
