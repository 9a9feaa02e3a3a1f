"""Changing one's mind inside a form: "작성 중인 제안은 잠시 두고 참여예산으로 갈까요?".

A form's validation calls `wants_other_feature`; when the answer is a confident typed
request for another feature (or a plausible one that also fails the step's check), the
validation rejects the form's turn and the rule of nlu/data/rules/switch.yml runs
`action_switch_offer`: the form is set aside with its draft kept (its slots stay), and the
resident chooses 그쪽으로 가기 (that feature's payload), 계속 쓰기 (`/resume_form`) or 취소.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.suggest import CANDIDATES

# A typed request for another feature this sure is taken as a change of mind.
SWITCH_CONFIDENCE = 0.8
# Plausible enough when the text also fails the step's own check.
SWITCH_CONFIDENCE_INVALID = 0.5
PAUSED_SLOT = "paused_form"
# What each form is writing (Korean, with its particle) and where each intent leads.
FORM_LABELS = {"proposal_form": "작성 중인 제안은", "budget_project_form": "작성 중인 참여예산 사업 제안은"}
FEATURE_LABELS = {"points": "포인트로", "proposals": "정책제안으로", "budget": "참여예산으로", "surveys": "설문·공모로",
                  "news": "중구소식으로", "attendance": "출석체크로", "notifications": "알림설정으로",
                  "account": "내 정보로", "help": "메뉴로"}
# The typed intents that can interrupt each form (nlu/data/rules/switch.yml lists the same).
SWITCH_INTENTS = {
    "proposal_form": [i for i in CANDIDATES if i not in ("proposal_new", "proposal_endorse", "help", "withdraw_consent")],
    "budget_project_form": [i for i in CANDIDATES if i not in ("budget_propose", "help", "withdraw_consent")],
}


def _typed(tracker: Tracker) -> bool:
    return not str((tracker.latest_message or {}).get("text") or "").lstrip().startswith("/")


def wants_other_feature(tracker: Tracker, form: str, answer_is_valid: bool) -> bool:
    """A typed message, inside `form`, that asks for another feature rather than answering."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    name, confidence = str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)
    if not _typed(tracker) or name not in SWITCH_INTENTS.get(form, ()):
        return False
    return confidence >= SWITCH_CONFIDENCE or (not answer_is_valid and confidence >= SWITCH_CONFIDENCE_INVALID)


class ActionSwitchOffer(Action):
    """Sets the form aside (draft kept) and asks whether to go to the requested feature."""

    def name(self) -> str:
        return "action_switch_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        form = (tracker.active_loop or {}).get("name") or tracker.get_slot(PAUSED_SLOT) or "proposal_form"
        intent = str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")
        feature, _title, target = CANDIDATES.get(intent, ("help", "", "/menu"))
        buttons = [{"title": "그쪽으로 가기", "payload": target},
                   {"title": "계속 쓰기", "payload": "/resume_form"},
                   {"title": "취소", "payload": "/cancel"}]
        dispatcher.utter_message(response="utter_switch_offer", form=FORM_LABELS.get(form, "작성 중인 내용은"),
                                 feature=FEATURE_LABELS.get(feature, "그쪽으로"), buttons=buttons)
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(PAUSED_SLOT, form)]


class ActionResumeForm(Action):
    """계속 쓰기: back into the form that was set aside, where it stopped."""

    def name(self) -> str:
        return "action_resume_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        form = tracker.get_slot(PAUSED_SLOT)
        if form not in FORM_LABELS:
            dispatcher.utter_message(response="utter_switch_nothing_paused")
            return []
        dispatcher.utter_message(response="utter_switch_resumed")
        return [SlotSet(PAUSED_SLOT, None), FollowupAction(form)]
