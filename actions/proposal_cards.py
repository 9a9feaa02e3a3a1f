"""How a proposal looks in the chat (cards, their buttons, pages of cards) and
what the resident's message says (numbers, codes typed in Korean).

Only ids travel in button payloads (``/proposal_endorse{"proposal_number":"3"}``);
the Korean sentences are responses in domain.yml, chosen here by status.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from storage import proposal_rules as rules
from storage.services.proposal_views import Page, ProposalCard
from storage.timeutil import format_day, kst_date

BAR_WIDTH = 10
# Cards of a proposal the viewer may still endorse show 공감; a visitor who has
# not consented sees it too and is asked to join when pressing it.
_MAY_PRESS_ENDORSE = (None, "not_registered")
_BLANK_LINES = re.compile(r"\n\s*\n")
_NUMBER_VALUE = re.compile(r"^\s*#?\s*(\d{1,9})\s*(?:번)?\s*$")


def progress_bar(count: int, threshold: int, width: int = BAR_WIDTH) -> str:
    """▓▓▓░░░ toward the review threshold, from the rules' whole percent."""
    filled = rules.progress_percent(count, threshold) * width // 100
    return "▓" * filled + "░" * (width - filled)


def payload(intent: str, **entities: object) -> str:
    """A Rasa button payload carrying only ids (the bot packs it into callback data)."""
    if not entities:
        return f"/{intent}"
    inner = ",".join(f'"{key}":"{value}"' for key, value in entities.items())
    return f"/{intent}{{{inner}}}"


# Buttons whose payloads carry entities are built here: in domain.yml Rasa would
# take the payload's {...} for a slot to fill in.
def newest_button() -> dict[str, str]:
    return {"title": "🆕 최신 제안", "payload": payload("proposal_list", proposal_sort="newest")}


def top_button() -> dict[str, str]:
    return {"title": "🔥 공감 많은 제안", "payload": payload("proposal_list", proposal_sort="most_endorsed")}


def search_button() -> dict[str, str]:
    return {"title": "🔎 검색", "payload": payload("proposal_search_start")}


def menu_buttons() -> list[dict[str, str]]:
    """The 정책제안 menu."""
    return [
        {"title": "✏️ 제안하기", "payload": payload("proposal_new")}, newest_button(), top_button(),
        {"title": "🏷️ 분야별", "payload": payload("proposal_categories")}, search_button(),
        {"title": "📝 내 제안", "payload": payload("proposal_mine")},
        {"title": "👍 내가 공감한 제안", "payload": payload("proposal_endorsed")},
    ]


def one_message(text: str) -> str:
    """Blank lines become line breaks: Rasa's REST channel splits a reply without
    buttons at every blank line, and a proposal or an answer is one message."""
    return _BLANK_LINES.sub("\n", text)


def dong_suffix(label: str | None) -> str:
    """' · 명동' after the category, nothing for the whole district."""
    return f" · {label}" if label else ""


def entity(tracker: Tracker, name: str) -> str | None:
    """The latest message's value for an entity, as text."""
    value = next(tracker.get_latest_entity_values(name), None)
    return None if value is None else str(value)


def message_text(tracker: Tracker) -> str:
    """What the resident typed; button payloads (``/intent{...}``) count as nothing typed."""
    text = str((tracker.latest_message or {}).get("text") or "").strip()
    return "" if text.startswith("/") else text


def proposal_number(tracker: Tracker) -> int | None:
    """The number from the button's entity, the NLU's entity, or the typed text ("3번 제안")."""
    raw = entity(tracker, "proposal_number")
    if raw is not None:
        match = _NUMBER_VALUE.match(raw)
        if match:
            return int(match.group(1))
    return rules.parse_number(message_text(tracker))


def find_code(text: str, parse: Callable[[str], str | None]) -> str | None:
    """The first word of ``text`` that ``parse`` knows, ignoring the endings Korean adds ("교통이요" → 교통)."""
    code = parse(text)
    if code:
        return code
    for word in re.findall(r"[\w·ㆍ]+", text):
        # Longest first, so 신당5동이요 finds 신당5동 before 신당.
        for end in range(len(word), 0, -1):
            code = parse(word[:end])
            if code:
                return code
    return None


def card_buttons(card: ProposalCard, *, detail: bool = False) -> list[dict[str, str]]:
    """공감 / 공감 취소 / 자세히, as far as the viewer may use them now."""
    buttons = []
    if card.endorse_block in _MAY_PRESS_ENDORSE:
        buttons.append({"title": "👍 공감", "payload": payload("proposal_endorse", proposal_number=card.id)})
    if card.can_withdraw:
        buttons.append({"title": "공감 취소", "payload": payload("proposal_withdraw", proposal_number=card.id)})
    if not detail:
        buttons.append({"title": "자세히", "payload": payload("proposal_detail", proposal_number=card.id)})
    return buttons


def utter_card(dispatcher: CollectingDispatcher, card: ProposalCard, *, detail: bool = False) -> None:
    """One proposal as a chat card (one response per status); 자세히 shows the whole text."""
    common = dict(
        number=card.id, title=card.title, summary=one_message(card.body) if detail else card.summary,
        category=card.category_label, dong=dong_suffix(card.dong_label),
        bar=progress_bar(card.count, card.threshold), count=card.count, threshold=card.threshold,
        status=card.status_label, buttons=card_buttons(card, detail=detail),
    )
    status = rules.ProposalStatus(card.status)
    if status is rules.ProposalStatus.open and card.days_left == 0:
        dispatcher.utter_message(response="utter_proposal_card_last_day", **common)
    elif status is rules.ProposalStatus.open:
        dispatcher.utter_message(response="utter_proposal_card_open", days_left=card.days_left,
                                 last_day=format_day(card.last_day), **common)
    elif status is rules.ProposalStatus.under_review:
        dispatcher.utter_message(response="utter_proposal_card_review",
                                 due=kst_date(card.review_due_at) if card.review_due_at else "", **common)
    elif status is rules.ProposalStatus.answered:
        dispatcher.utter_message(response="utter_proposal_card_answered",
                                 result=card.answer_result_label or "", **common)
    elif status is rules.ProposalStatus.hidden:
        dispatcher.utter_message(response="utter_proposal_card_hidden", reason=card.hidden_reason or "", **common)
    else:
        dispatcher.utter_message(response="utter_proposal_card_expired", last_day=format_day(card.last_day),
                                 **common)


def utter_detail(dispatcher: CollectingDispatcher, card: ProposalCard) -> None:
    """자세히: the photo, the whole proposal with its buttons, and the district's answer once there is one."""
    if card.photo_file_id:
        dispatcher.utter_message(image=card.photo_file_id)
    utter_card(dispatcher, card, detail=True)
    if card.answer_text and card.answered_at is not None:
        dispatcher.utter_message(response="utter_proposal_answer", date=kst_date(card.answered_at),
                                 result=card.answer_result_label or "", answer=one_message(card.answer_text))


def page_params(page: Page[ProposalCard]) -> dict[str, int]:
    """The variables of a list heading ("2/3쪽 · 모두 12건")."""
    return {"page": page.page, "pages": page.pages, "total": page.total}


def utter_page(dispatcher: CollectingDispatcher, page: Page[ProposalCard],
               next_payload: Callable[[int], str]) -> None:
    """One card per proposal (after the caller's heading), and a 다음 쪽 button while pages remain."""
    for card in page.items:
        utter_card(dispatcher, card)
    if page.page < page.pages:
        dispatcher.utter_message(response="utter_proposal_list_more", buttons=[
            {"title": f"다음 쪽 ({page.page + 1}/{page.pages})", "payload": next_payload(page.page + 1)}])


def page_number(tracker: Tracker) -> int:
    """The page a 다음 쪽 button asked for; typed requests start at page 1."""
    raw = entity(tracker, "page")
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else 1
