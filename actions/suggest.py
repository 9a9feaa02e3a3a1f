"""When unsure, offer: the two-stage fallback of Rasa, in Korean.

Below the FallbackClassifier threshold the NLU answers `nlu_fallback` but keeps
its ranking. If the ranking holds plausible typed intents (TAXONOMY.md), the
resident gets "혹시 이걸 찾으셨어요?" with the best 2–3 features as buttons (each
button sends that feature's own payload, like the menu does) plus 메뉴. When the
best guess is out_of_scope, or nothing is plausible, the usual answers stay.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

# A guess below this confidence is noise, not a candidate.
MIN_CANDIDATE_CONFIDENCE = 0.08
MAX_CANDIDATES = 3
# typed intent → (feature, button title, payload). Intents that need content
# (an amount, a number, a text) offer their feature's menu instead; conversation
# intents, faq and out_of_scope are never offered.
CANDIDATES: dict[str, tuple[str, str, str]] = {
    "points_balance": ("points", "💰 내 포인트", "/points_balance"),
    "points_history": ("points", "📜 포인트 내역", "/points_history"),
    "exchange_request": ("points", "🎁 상품권 교환", "/exchange_request"),
    "exchange_status": ("points", "🎁 교환 신청 확인", "/exchange_status"),
    "proposals_menu": ("proposals", "💡 정책제안", "/proposals_menu"),
    "proposal_new": ("proposals", "✍️ 정책 제안하기", "/proposal_new"),
    "proposal_list": ("proposals", "💡 제안 둘러보기", "/proposal_list"),
    "proposal_endorse": ("proposals", "💡 제안 둘러보기", "/proposal_list"),
    "proposal_mine": ("proposals", "💡 내가 쓴 제안", "/proposal_mine"),
    "budget_menu": ("budget", "🏗️ 참여예산", "/budget_menu"),
    "budget_propose": ("budget", "🏗️ 참여예산 사업 제안", "/budget_propose"),
    "budget_vote": ("budget", "🗳️ 참여예산 투표", "/budget_vote"),
    "budget_results": ("budget", "📊 참여예산 결과", "/budget_results"),
    "survey_start": ("surveys", "📝 설문 참여", "/survey_start"),
    "contest_list": ("surveys", "🏆 공모전", "/contest_list"),
    "news_menu": ("news", "📰 중구소식", "/news_menu"),
    "attendance_check": ("attendance", "✅ 출석체크", "/attendance_check"),
    "notifications_menu": ("notifications", "🔔 알림설정", "/notifications_menu"),
    "notifications_on": ("notifications", "🔔 알림 켜기", "/notifications_on"),
    "notifications_off": ("notifications", "🔕 알림 끄기", "/notifications_off"),
    "withdraw_consent": ("account", "👤 탈퇴 안내", "/withdraw_consent"),
    "my_data": ("account", "👤 내 정보 보기", "/my_data"),
    "my_data_correct": ("account", "👤 내 정보 고치기", "/my_data_correct"),
    "help": ("help", "❓ 도움말", "/help"),
}
MENU_BUTTON = {"title": "메뉴", "payload": "/menu"}


def candidates(ranking: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The buttons for the best distinct features of an intent ranking ([] when none is plausible)."""
    buttons: list[dict[str, str]] = []
    features: set[str] = set()
    for item in ranking:
        name = str(item.get("name") or "").split("/")[0]
        if name == "nlu_fallback":
            continue
        if name == "out_of_scope" and not buttons:
            return []  # the best guess is "not ours": the out-of-scope answer fits better
        if float(item.get("confidence") or 0.0) < MIN_CANDIDATE_CONFIDENCE:
            break
        entry = CANDIDATES.get(name)
        if entry is None or entry[0] in features:
            continue
        features.add(entry[0])
        buttons.append({"title": entry[1], "payload": entry[2]})
        if len(buttons) == MAX_CANDIDATES:
            break
    return buttons


class ActionSuggestFallback(Action):
    """nlu_fallback: offer the likely features as buttons, or say politely what this bot does."""

    def name(self) -> str:
        return "action_suggest_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        ranking = list((tracker.latest_message or {}).get("intent_ranking") or [])
        top = next((r for r in ranking if r.get("name") != "nlu_fallback"), None)
        if top is not None and top.get("name") == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        buttons = candidates(ranking)
        if not buttons:
            dispatcher.utter_message(response="utter_fallback")
            return []
        dispatcher.utter_message(response="utter_suggest", buttons=[*buttons, MENU_BUTTON])
        return []
