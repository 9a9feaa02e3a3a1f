"""District news (구정소식 · 언론에 비친 중구 · 행사): staff post, residents page through, recipients are told."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import engagement_rules as er
from storage.errors import DomainError
from storage.models import Resident
from storage.models.news import NewsCategory, NewsItem
from storage.notify_rules import PushKind
from storage.services import push
from storage.services.engagement_common import require_staff_id
from storage.timeutil import utcnow


@dataclass(frozen=True)
class NewsPage:
    items: tuple[NewsItem, ...]
    page: int
    pages: int
    total: int
    category: NewsCategory | None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass(frozen=True)
class PostResult:
    item: NewsItem
    notified: int


def parse_category(value: NewsCategory | str) -> NewsCategory:
    """A category by id ("press") or by its Korean name ("언론에 비친 중구"), else ``invalid_category``."""
    if isinstance(value, NewsCategory):
        return value
    text = str(value).strip()
    for key, label in er.NEWS_CATEGORY_LABELS.items():
        if text in (key, label):
            return NewsCategory(key)
    raise DomainError("invalid_category", category=text)


def category_label(category: NewsCategory) -> str:
    return er.NEWS_CATEGORY_LABELS[category.value]


def news_recipients(session: Session, category: NewsCategory) -> list[Resident]:
    """Residents told about a new item of ``category``: the one opt-in rule (news topic switched on)."""
    return list(session.scalars(push.audience(PushKind.news).order_by(Resident.id)))


def _text(value: str | None, limit: int, code: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(code)
    if len(text) > limit:
        raise DomainError("text_too_long", max=limit, length=len(text))
    return text


def post_news(session: Session, *, category: NewsCategory | str, title: str, summary: str,
              link: str | None = None, photo_file_id: str | None = None, staff_id: int | None,
              now: datetime | None = None) -> PostResult:
    """Post an item and queue one "news_posted" notice per recipient (held until 08:00 in quiet hours)."""
    now = now or utcnow()
    require_staff_id(session, staff_id)
    cat = parse_category(category)
    title = _text(title, er.NEWS_TITLE_MAX, "title_required")
    summary = _text(summary, er.NEWS_SUMMARY_MAX, "summary_required")
    link = (link or "").strip() or None
    if link is not None and not er.is_http_url(link):
        raise DomainError("invalid_url", link=link[:80])
    item = NewsItem(category=cat, title=title, summary=summary, link=link,
                    photo_file_id=photo_file_id or None, posted_by=staff_id, posted_at=now)
    session.add(item)
    session.flush()
    params = dict(category=category_label(cat), title=title, summary=summary, link=link or "")
    notified = 0
    for resident in news_recipients(session, cat):
        notified += push.push(session, resident, PushKind.news, dedup_key=f"news:{item.id}:r:{resident.id}",
                              template="news_posted", params=params, now=now)
    return PostResult(item=item, notified=notified)


def latest(session: Session, page: int = 1, category: NewsCategory | str | None = None, *,
           page_size: int = er.NEWS_PAGE_SIZE) -> NewsPage:
    """Newest first, ``page_size`` per page; a page past the end gives the last page."""
    cat = parse_category(category) if category is not None else None
    where = [NewsItem.category == cat] if cat is not None else []
    total = session.scalar(select(func.count()).select_from(NewsItem).where(*where)) or 0
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    items = session.scalars(
        select(NewsItem).where(*where).order_by(NewsItem.posted_at.desc(), NewsItem.id.desc())
        .offset((page - 1) * page_size).limit(page_size)
    ).all()
    return NewsPage(items=tuple(items), page=page, pages=pages, total=total, category=cat)


def get_news(session: Session, news_id: int) -> NewsItem:
    item = session.get(NewsItem, news_id)
    if item is None:
        raise DomainError("news_not_found", news_id=news_id)
    return item
