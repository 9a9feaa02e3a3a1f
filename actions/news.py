"""중구 소식: the latest items, five a page, with 이전/다음, a category filter and link buttons."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import Speaker, StorageAction
from actions.survey_views import payload, short
from storage import engagement_rules as er
from storage.models import Resident
from storage.services import news
from storage.timeutil import kst_date

SUMMARY_PREVIEW = 120
LINK, PREVIOUS, NEXT, ALL = "🔗 {n}번 원문", "◀ 이전", "다음 ▶", "전체"


def _entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return None if value is None else str(value)


def _page_payload(page: int, category: str | None) -> str:
    if category is None:
        return payload("news_more", page=page)
    return payload("news_more", page=page, news_cat=category)


class ActionNewsLatest(StorageAction):
    """A page of the latest news (optionally one category); anyone may read, consent or not."""

    needs_resident = False

    def name(self) -> str:
        return "action_news_latest"

    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker, session: Session,
               who: Speaker, resident: Resident | None) -> list[dict[str, Any]]:
        raw_page = _entity(tracker, "page")
        page = int(raw_page) if raw_page and raw_page.isdigit() else 1
        raw_category = _entity(tracker, "news_cat")
        category = news.parse_category(raw_category) if raw_category else None
        result = news.latest(session, page=page, category=category)
        key = category.value if category else None
        filters = [{"title": label, "payload": payload("news_more", news_cat=cat)}
                   for cat, label in er.NEWS_CATEGORY_LABELS.items() if cat != key]
        if key is not None:
            filters.append({"title": ALL, "payload": payload("news_more", page=1)})
        label = news.category_label(category) if category else None
        if not result.items:
            if label:
                dispatcher.utter_message(response="utter_news_empty_category", category=label, buttons=filters)
            else:
                dispatcher.utter_message(response="utter_news_empty", buttons=filters)
            return [SlotSet("page", None)]
        first = (result.page - 1) * er.NEWS_PAGE_SIZE
        lines, buttons = [], []
        for n, item in enumerate(result.items, start=first + 1):
            lines.append(f"{n}. [{news.category_label(item.category)}] {item.title} · {kst_date(item.posted_at)}\n"
                         f"   {short(item.summary, SUMMARY_PREVIEW)}")
            if item.link:
                buttons.append({"title": LINK.format(n=n), "payload": item.link})
        if result.has_previous:
            buttons.append({"title": PREVIOUS, "payload": _page_payload(result.page - 1, key)})
        if result.has_next:
            buttons.append({"title": NEXT, "payload": _page_payload(result.page + 1, key)})
        params = {"page": result.page, "pages": result.pages, "total": result.total, "lines": "\n\n".join(lines)}
        if label:
            dispatcher.utter_message(response="utter_news_page_category", category=label,
                                     buttons=buttons + filters, **params)
        else:
            dispatcher.utter_message(response="utter_news_page", buttons=buttons + filters, **params)
        return [SlotSet("page", None)]
