"""Change of mind inside a form: the offer, the kept draft, the way back."""
from __future__ import annotations

import asyncio
from pathlib import Path

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.switch import SWITCH_INTENTS, ActionResumeForm, ActionSwitchOffer, wants_other_feature

ROOT = Path(__file__).resolve().parents[2]


def tracker(text: str, intent: str, confidence: float, loop: str | None = "proposal_form",
            slots: dict | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    return Tracker("u1", {"requested_slot": "proposal_draft_body", **(slots or {})}, message, [], False, None,
                   {"name": loop} if loop else {}, "action_listen")


def test_rules_list_the_same_intents_as_the_actions() -> None:
    rules = yaml.safe_load((ROOT / "nlu" / "data" / "rules" / "switch.yml").read_text(encoding="utf-8"))["rules"]
    for rule in rules[:-1]:
        form = rule["condition"][0]["active_loop"]
        assert [step["intent"] for step in rule["steps"][0]["or"]] == SWITCH_INTENTS[form]


def test_confident_typed_request_is_a_change_of_mind() -> None:
    assert wants_other_feature(tracker("참여예산 투표할래요", "budget_vote", 0.93), "proposal_form", True)
    # A button payload is never a change of mind, nor an unsure guess on a valid answer.
    assert not wants_other_feature(tracker("/budget_vote", "budget_vote", 1.0), "proposal_form", True)
    assert not wants_other_feature(tracker("투표소 앞 도로를 넓혀 주세요", "budget_vote", 0.6), "proposal_form", True)
    assert wants_other_feature(tracker("투표할래", "budget_vote", 0.6), "proposal_form", False)
    # The form's own feature does not interrupt it.
    assert not wants_other_feature(tracker("새 제안 쓸래", "proposal_new", 0.99), "proposal_form", False)


def test_offer_sets_the_form_aside_and_keeps_the_draft() -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSwitchOffer().run(
        dispatcher, tracker("참여예산 투표할래요", "budget_vote", 0.93, slots={"proposal_draft_title": "가로등"}), {}))
    message = dispatcher.messages[0]
    assert message["response"] == "utter_switch_offer"
    assert message["form"] == "작성 중인 제안은" and message["feature"] == "참여예산으로"
    assert [b["payload"] for b in message["buttons"]] == ["/budget_vote", "/resume_form", "/cancel"]
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert not any(e.get("name") == "proposal_draft_title" for e in events)
    assert any(e.get("name") == "paused_form" and e.get("value") == "proposal_form" for e in events)


def test_resume_goes_back_into_the_paused_form() -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionResumeForm().run(
        dispatcher, tracker("/resume_form", "resume_form", 1.0, loop=None, slots={"paused_form": "proposal_form"}), {}))
    assert {"event": "followup", "name": "proposal_form"} in [
        {"event": e["event"], "name": e.get("name")} for e in events if e["event"] == "followup"]
    events = asyncio.run(ActionResumeForm().run(
        CollectingDispatcher(), tracker("/resume_form", "resume_form", 1.0, loop=None), {}))
    assert events == []
