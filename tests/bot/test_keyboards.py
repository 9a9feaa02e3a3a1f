from __future__ import annotations

import pytest
import yaml

from bot import keyboards
from storage.settings import PROJECT_ROOT


@pytest.mark.parametrize("payload", [
    "/menu",
    '/exchange_request{"amount":"5000"}',
    '/exchange_cancel{"request_id":"12"}',
    '/points_history_more{"page":"3"}',
])
def test_pack_unpack_round_trip(payload):
    data = keyboards.pack(payload)
    assert len(data.encode()) <= 64
    assert keyboards.unpack(data) == payload


@pytest.mark.parametrize("payload", [
    "메뉴",                                   # not an intent payload
    '/x{"title":"가로등"}',                    # Korean never travels as callback data
    '/qr_checkin{"qr_payload":"' + "a" * 60 + '"}',  # over 64 bytes
])
def test_pack_refuses(payload):
    with pytest.raises(keyboards.PayloadError):
        keyboards.pack(payload)


@pytest.mark.parametrize("data", ["", "r", "s|payout_paid|1", "r|menu|a=가", "r|me nu"])
def test_unpack_refuses_foreign_or_forged_data(data):
    with pytest.raises(keyboards.PayloadError):
        keyboards.unpack(data)


def test_every_button_in_domain_fits_callback_data():
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variants in domain["responses"].items():
        for variant in variants:
            for button in variant.get("buttons", []):
                assert keyboards.pack(button["payload"]), name


def test_menu_keyboard_has_two_columns():
    markup = keyboards.from_rasa_buttons([{"title": f"메뉴{i}", "payload": "/menu"} for i in range(7)])
    assert [len(row) for row in markup.inline_keyboard] == [2, 2, 2, 1]


def test_scale_keyboard_fits_in_two_rows():
    markup = keyboards.from_rasa_buttons([{"title": str(i), "payload": "/menu"} for i in range(11)])
    assert [len(row) for row in markup.inline_keyboard] == [6, 5]
