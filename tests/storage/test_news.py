"""News: categories, URL validation, paging, one notice per recipient held through quiet hours."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storage import engagement_rules as er
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import OutboxMessage, Role
from storage.models.news import NewsCategory, NewsItem
from storage.services import news, residents, subscriptions
from storage.timeutil import parse_kst

DAY = parse_kst("2026-11-25 10:00")


def _resident(s, tg: int) -> int:  # type: ignore[no-untyped-def]
    r, _ = residents.register(s, tg, "주민", now=DAY)
    s.flush()
    return r.id


def code_of(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    return err.value.code


@pytest.mark.parametrize("url, ok", [
    ("https://www.junggu.seoul.kr/news/1", True),
    ("http://news.example.co.kr/a?b=c#d", True),
    ("https://example.com:8443/x", True),
    ("www.junggu.seoul.kr", False),
    ("ftp://example.com/file", False),
    ("javascript:alert(1)", False),
    ("https://localhost/x", False),
    ("https://exa mple.com", False),
    ("https://example.com:99999/", False),
    ("https://" + "a" * er.NEWS_LINK_MAX + ".com", False),
    ("", False),
])
def test_url_rule(url, ok):
    assert er.is_http_url(url) is ok


def test_post_queues_one_notice_per_reachable_subscriber(engine):
    with session_scope(engine) as s:
        staff = _resident(s, 1)
        residents.set_role(s, 1, Role.staff)
        reader = _resident(s, 2)
        gone = _resident(s, 3)
        opted_out = _resident(s, 4)
        for rid in (staff, reader, gone):
            subscriptions.set_defaults(s, rid)
        subscriptions.set_defaults(s, opted_out, ["surveys"])  # 중구소식 off
        residents.mark_unreachable(s, gone)
    with session_scope(engine) as s:
        posted = news.post_news(s, category="언론에 비친 중구", title="중구, 겨울 축제 개최",
                                summary="을지로 일대에서 축제가 열립니다.", link="https://news.example.kr/1",
                                staff_id=staff, now=DAY)
        assert posted.item.category is NewsCategory.press and posted.notified == 2
    with session_scope(engine) as s:
        notices = s.scalars(select(OutboxMessage).order_by(OutboxMessage.resident_id)).all()
        assert [n.resident_id for n in notices] == [staff, reader]
        assert notices[0].template == "news_posted"
        assert notices[0].params == {"category": "언론에 비친 중구", "title": "중구, 겨울 축제 개최",
                                     "summary": "을지로 일대에서 축제가 열립니다.", "link": "https://news.example.kr/1"}
        assert notices[0].send_after == DAY


def test_posted_at_night_waits_for_the_morning(session):
    subscriptions.set_defaults(session, _resident(session, 1))
    night = parse_kst("2026-11-25 21:00")
    news.post_news(session, category="gov_news", title="t", summary="s", staff_id=None, now=night)
    notice = session.scalar(select(OutboxMessage))
    assert notice.send_after == parse_kst("2026-11-26 08:00")
    assert notice.params["link"] == ""


@pytest.mark.parametrize("kwargs, code", [
    (dict(link="not a url"), "invalid_url"),
    (dict(link="www.junggu.seoul.kr"), "invalid_url"),
    (dict(category="sports"), "invalid_category"),
    (dict(title="  "), "title_required"),
    (dict(summary=""), "summary_required"),
    (dict(title="가" * (er.NEWS_TITLE_MAX + 1)), "text_too_long"),
])
def test_bad_posts_change_nothing(engine, kwargs, code):
    with session_scope(engine) as s:
        _resident(s, 1)
    args = dict(category="events", title="행사", summary="요약", staff_id=None, now=DAY) | kwargs
    with session_scope(engine) as s:
        assert code_of(news.post_news, s, **args) == code
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(NewsItem)) == 0
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_non_staff_cannot_post(session):
    rid = _resident(session, 1)
    assert code_of(news.post_news, session, category="events", title="t", summary="s", staff_id=rid,
                   now=DAY) == "not_allowed"


def test_latest_pages_newest_first_and_filters_by_category(session):
    for i in range(12):
        cat = "press" if i % 3 == 0 else "gov_news"
        news.post_news(session, category=cat, title=f"소식 {i}", summary="요약", staff_id=None,
                       photo_file_id="photo" if i == 11 else None, now=DAY + timedelta(minutes=i))
    first = news.latest(session)
    assert first.total == 12 and first.pages == 3 and first.has_next and not first.has_previous
    assert [n.title for n in first.items] == [f"소식 {i}" for i in (11, 10, 9, 8, 7)]
    assert first.items[0].photo_file_id == "photo"
    last = news.latest(session, page=3)
    assert [n.title for n in last.items] == ["소식 1", "소식 0"] and not last.has_next
    assert news.latest(session, page=99).page == 3 and news.latest(session, page=0).page == 1
    press = news.latest(session, category="press")
    assert press.total == 4 and [n.title for n in press.items] == ["소식 9", "소식 6", "소식 3", "소식 0"]
    assert news.latest(session, category=NewsCategory.events).total == 0
    assert news.latest(session, category="events").pages == 1
