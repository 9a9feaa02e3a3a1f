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
