"""정책제안: browsing, search, 자세히, 공감 and 공감 취소 (the form is in proposal_form.py).

Browsing works before consent (the consent notice promises it); endorsing
needs a registered resident. Every refusal (closed, hidden, own, already
endorsed, an old button after the state changed) is the storage layer's
DomainError, answered by its ``utter_err_<code>``.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction
from actions.proposal_cards import (
    entity, find_code, menu_buttons, message_text, newest_button, page_number, page_params, payload, progress_bar,
    proposal_number, search_button, top_button, utter_card, utter_detail, utter_page,
)
from storage import proposal_rules as rules
from storage.models import Resident
from storage.services import proposals

# Typed words that ask for the most endorsed proposals rather than the newest.
TOP_WORDS = ("공감 많", "공감많", "공감이 많", "많이 공감", "인기", "순위", "베스트", "랭킹")
KEYWORD_SLOT = "proposal_keyword"


def _viewer(resident: Resident | None) -> int | None:
    return resident.id if resident is not None else None


def _category(tracker: Tracker) -> str | None:
    """The category of a button, of the NLU entity, or of a typed word ("환경 분야")."""
    raw = entity(tracker, "proposal_category")
    if raw:
        code = find_code(raw, rules.parse_category)
        if code:
            return code
    text = message_text(tracker)
    return find_code(text, rules.parse_category) if text else None


def _sort(tracker: Tracker) -> str:
    raw = entity(tracker, "proposal_sort")
    if raw in rules.SORTS:
        return raw
    text = message_text(tracker)
    return "most_endorsed" if any(word in text for word in TOP_WORDS) else "newest"


class ActionProposalsMenu(StorageAction):
    needs_resident = False

    def name(self) -> str:
        return "action_proposals_menu"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_proposals_menu",
                                 threshold=rules.load_config().endorsements_for_review, buttons=menu_buttons())
        return []


class ActionProposalList(StorageAction):
    """최신 제안, 공감 많은 제안, or one category's proposals, a page at a time."""

    needs_resident = False

    def name(self) -> str:
        return "action_proposal_list"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        category = _category(tracker)
        sort = "newest" if category else _sort(tracker)
        page = proposals.list_proposals(session, sort=sort, category=category, page=page_number(tracker),
                                        viewer_id=_viewer(resident))
        if category:
            label = rules.CATEGORIES[category]
            if not page.total:
                dispatcher.utter_message(response="utter_proposal_list_category_empty", category=label)
                return [SlotSet("page", None)]
            dispatcher.utter_message(response="utter_proposal_list_category", category=label, **page_params(page))
            utter_page(dispatcher, page, lambda n: payload("proposal_list", proposal_category=category, page=n))
            return [SlotSet("page", None)]
        if not page.total:
            dispatcher.utter_message(response="utter_proposal_list_empty")
            return [SlotSet("page", None)]
        if sort == "most_endorsed":
            dispatcher.utter_message(response="utter_proposal_list_top", **page_params(page))
        else:
            dispatcher.utter_message(response="utter_proposal_list_newest", **page_params(page))
        utter_page(dispatcher, page, lambda n: payload("proposal_list", proposal_sort=sort, page=n))
        return [SlotSet("page", None)]


class ActionProposalCategories(StorageAction):
    needs_resident = False

    def name(self) -> str:
        return "action_proposal_categories"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_proposal_categories", buttons=[
            {"title": label, "payload": payload("proposal_list", proposal_category=code)}
            for code, label in rules.CATEGORIES.items()])
        return []


class ActionProposalMine(StorageAction):
    def name(self) -> str:
        return "action_proposal_mine"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        page = proposals.my_proposals(session, author_id=resident.id, page=page_number(tracker))
        if not page.total:
            dispatcher.utter_message(response="utter_proposal_mine_empty")
        else:
            dispatcher.utter_message(response="utter_proposal_list_mine", **page_params(page))
            utter_page(dispatcher, page, lambda n: payload("proposal_mine", page=n))
        return [SlotSet("page", None)]


class ActionProposalEndorsed(StorageAction):
    def name(self) -> str:
        return "action_proposal_endorsed"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        page = proposals.my_endorsements(session, resident_id=resident.id, page=page_number(tracker))
        if not page.total:
            dispatcher.utter_message(response="utter_proposal_endorsed_empty",
                                     buttons=[newest_button(), top_button()])
        else:
            dispatcher.utter_message(response="utter_proposal_list_endorsed", **page_params(page))
            utter_page(dispatcher, page, lambda n: payload("proposal_endorsed", page=n))
        return [SlotSet("page", None)]


def _search(dispatcher: CollectingDispatcher, session: Session, text: str, viewer_id: int | None) -> None:
    """A number shows that proposal; words show the best matches; neither asks for words."""
    number = rules.parse_number(text)
    if number is not None:
        utter_detail(dispatcher, proposals.get_card(session, number, viewer_id=viewer_id))
        return
    terms = rules.search_terms(text)
    if not terms:
        dispatcher.utter_message(response="utter_proposal_search_hint")
        return
    cards = proposals.find_by_text(session, text, viewer_id=viewer_id)
    keyword = " ".join(terms)
    if not cards:
        dispatcher.utter_message(response="utter_proposal_search_empty", keyword=keyword)
        return
    dispatcher.utter_message(response="utter_proposal_list_search", keyword=keyword, total=len(cards))
    for card in cards:
        utter_card(dispatcher, card)


class ActionProposalSearch(StorageAction):
    """"가로등 제안 보여줘", or the word typed after the 검색 button."""

    needs_resident = False

    def name(self) -> str:
        return "action_proposal_search"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        text = tracker.get_slot(KEYWORD_SLOT) or message_text(tracker)
        _search(dispatcher, session, text, _viewer(resident))
        return [SlotSet(KEYWORD_SLOT, None)]


class ActionProposalDetail(StorageAction):
    """자세히: the whole proposal, its photo and the answer; without a number, a search."""

    needs_resident = False

    def name(self) -> str:
        return "action_proposal_detail"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        number = proposal_number(tracker)
        if number is None:
            _search(dispatcher, session, message_text(tracker), _viewer(resident))
        else:
            utter_detail(dispatcher, proposals.get_card(session, number, viewer_id=_viewer(resident)))
        return []


def _which(dispatcher: CollectingDispatcher, session: Session, tracker: Tracker, resident: Resident) -> None:
    """No number given ("가로등 제안에 공감할래"): show the matches to press, or ask for the number."""
    cards = proposals.find_by_text(session, message_text(tracker), viewer_id=resident.id)
    if not cards:
        dispatcher.utter_message(response="utter_proposal_ask_number", buttons=[newest_button(), search_button()])
        return
    dispatcher.utter_message(response="utter_proposal_pick")
    for card in cards:
        utter_card(dispatcher, card)


class ActionProposalEndorse(StorageAction):
    """공감: once, not one's own, only while open (the service decides and says why not)."""

    def name(self) -> str:
        return "action_proposal_endorse"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        number = proposal_number(tracker)
        if number is None:
            _which(dispatcher, session, tracker, resident)
            return []
        result = proposals.endorse(session, proposal_id=number, resident_id=resident.id)
        card = proposals.get_card(session, number, viewer_id=resident.id)
        params = dict(number=number, title=card.title, count=result.count, threshold=result.threshold,
                      bar=progress_bar(result.count, result.threshold),
                      remaining=max(0, result.threshold - result.count), points=f"{result.points:,}")
        if result.reached_review and result.points:
            dispatcher.utter_message(response="utter_proposal_endorsed_review", **params)
        elif result.reached_review:
            dispatcher.utter_message(response="utter_proposal_endorsed_review_no_points", **params)
        elif result.points:
            dispatcher.utter_message(response="utter_proposal_endorsed", **params)
        else:
            dispatcher.utter_message(response="utter_proposal_endorsed_no_points", **params)
        return []


class ActionProposalWithdraw(StorageAction):
    """공감 취소 while the proposal is still collecting endorsements."""

    def name(self) -> str:
        return "action_proposal_withdraw"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        assert resident is not None
        number = proposal_number(tracker)
        if number is None:
            dispatcher.utter_message(response="utter_proposal_ask_number", buttons=[newest_button(), search_button()])
            return []
        result = proposals.withdraw_endorsement(session, proposal_id=number, resident_id=resident.id)
        card = proposals.get_card(session, number, viewer_id=resident.id)
        dispatcher.utter_message(response="utter_proposal_withdrawn", number=number, title=card.title,
                                 count=result.count, threshold=result.threshold,
                                 bar=progress_bar(result.count, result.threshold), buttons=[
                                     {"title": "👍 다시 공감", "payload": payload("proposal_endorse",
                                                                               proposal_number=number)}])
        return []
