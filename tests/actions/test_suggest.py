"""The suggestion fallback: likely features as buttons, out-of-scope and noise keep their answers."""
from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.suggest import ActionSuggestFallback, candidates


def tracker(ranking: list[dict]) -> Tracker:
    message = {"text": "음 그거", "intent": {"name": "nlu_fallback", "confidence": 0.55},
               "intent_ranking": ranking}
    return Tracker("u1", {}, message, [], False, None, {}, "action_listen")


def run(ranking: list[dict]) -> list[dict]:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSuggestFallback().run(dispatcher, tracker(ranking), {}))
    return dispatcher.messages


def test_top_distinct_features_are_offered_with_the_menu() -> None:
    messages = run([
        {"name": "nlu_fallback", "confidence": 0.55},
        {"name": "budget_vote", "confidence": 0.41},
        {"name": "budget_results", "confidence": 0.30},  # same feature: skipped
        {"name": "survey_start", "confidence": 0.12},
        {"name": "points_balance", "confidence": 0.09},
        {"name": "news_menu", "confidence": 0.08},
    ])
    assert messages[0]["response"] == "utter_suggest"
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert payloads == ["/budget_vote", "/survey_start", "/points_balance", "/menu"]


def test_intents_that_need_content_offer_their_feature() -> None:
    buttons = candidates([{"name": "proposal_endorse", "confidence": 0.4}, {"name": "greet", "confidence": 0.3}])
    assert [b["payload"] for b in buttons] == ["/proposal_list"]


def test_out_of_scope_guess_keeps_the_polite_answer() -> None:
    messages = run([{"name": "nlu_fallback", "confidence": 0.55}, {"name": "out_of_scope", "confidence": 0.5},
                    {"name": "points_balance", "confidence": 0.3}])
    assert messages[0]["response"] == "utter_out_of_scope"


def test_nothing_plausible_keeps_the_plain_fallback() -> None:
    messages = run([{"name": "nlu_fallback", "confidence": 0.55}, {"name": "greet", "confidence": 0.3},
                    {"name": "points_balance", "confidence": 0.02}])
    assert messages[0]["response"] == "utter_fallback"
