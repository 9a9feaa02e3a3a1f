"""Actions pass the particles Rasa's responses need: 「{title}」{title_eul}, {receipt_code}{receipt_code_euro}."""
from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.base import utter_error
from storage.errors import DomainError


def test_error_replies_get_every_particle_of_their_values():
    dispatcher = CollectingDispatcher()
    utter_error(dispatcher, DomainError("ballot_already_submitted", receipt_code="K7Q2"))
    message = dispatcher.messages[0]
    assert message["response"] == "utter_err_ballot_already_submitted"
    assert message["receipt_code"] == "K7Q2" and message["receipt_code_euro"] == "로"


def test_error_replies_read_numbers_as_said():
    dispatcher = CollectingDispatcher()
    utter_error(dispatcher, DomainError("over_budget", title="공원 정비", cost="3,000만원", remaining="10만원"))
    message = dispatcher.messages[0]
    assert message["title_eul"] == "를" and message["cost_i"] == "이"
