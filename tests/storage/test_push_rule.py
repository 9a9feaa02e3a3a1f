"""The one opt-in rule: every push kind goes through storage.services.push (issue 13)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import OutboxMessage
from storage.notify_rules import OPT_OUT_FOOTER, PushKind, Topic, is_promotional, with_opt_out
from storage.services import news, push, residents, subscriptions
from storage.timeutil import parse_kst

DAY = parse_kst("2026-11-25 10:00")
NIGHT = parse_kst("2026-11-25 22:00")
MORNING = parse_kst("2026-11-26 08:00")
PROMOTIONAL = [k for k in PushKind if is_promotional(k)]


def _resident(session, tg: int, topics=None, *, choose: bool = True):  # type: ignore[no-untyped-def]
    r, _ = residents.register(session, tg, "주민", now=DAY)
    session.flush()
    if choose:
        subscriptions.set_defaults(session, r.id, topics, now=DAY)
    return r


def _push(session, resident, kind: PushKind, now=DAY) -> bool:  # type: ignore[no-untyped-def]
    topic = Topic.surveys if kind in (PushKind.closing_reminder, PushKind.announcement) else None
    return push.push(session, resident, kind, dedup_key=f"t:{kind.value}:{resident.id}:{now.isoformat()}",
                     template="news_posted", params={}, topic=topic, now=now)


def test_only_urgent_notices_and_service_replies_are_exempt():
    assert {k for k in PushKind if not is_promotional(k)} == {PushKind.urgent, PushKind.service}


@pytest.mark.parametrize("kind", PROMOTIONAL, ids=lambda k: k.value)
def test_promotional_kinds_need_the_topic_and_wait_out_the_night(session, kind):
    everything = _resident(session, 1)
    nothing = _resident(session, 2)
    subscriptions.unsubscribe_all(session, nothing.id)          # "받지 않기"
    never_chose = _resident(session, 3, choose=False)           # nothing before the choice (prior opt-in)
    gone = _resident(session, 4)
    subscriptions.mark_unreachable(session, gone.id)
    assert _push(session, everything, kind) is True
    assert not any(_push(session, r, kind) for r in (nothing, never_chose, gone))
    assert _push(session, everything, kind, now=NIGHT) is True
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [r.resident_id for r in rows] == [everything.id, everything.id]
    assert all(r.promotional for r in rows)
    assert rows[1].send_after == MORNING


@pytest.mark.parametrize("kind", [PushKind.urgent, PushKind.service], ids=lambda k: k.value)
def test_urgent_and_service_skip_topics_and_quiet_hours(session, kind):
    nothing = _resident(session, 2)
    subscriptions.unsubscribe_all(session, nothing.id)
    assert _push(session, nothing, kind, now=NIGHT) is True
    row = session.scalar(select(OutboxMessage))
    assert not row.promotional and row.send_after == NIGHT


def test_news_goes_through_the_rule(session, monkeypatch):
    calls: list[PushKind] = []
    real = push.push

    def spy(session, resident, kind, **kw):  # type: ignore[no-untyped-def]
        calls.append(kind)
        return real(session, resident, kind, **kw)

    monkeypatch.setattr(push, "push", spy)
    _resident(session, 1)
    _resident(session, 2, ["surveys"])
    posted = news.post_news(session, category="gov_news", title="t", summary="s", staff_id=None, now=DAY)
    assert calls == [PushKind.news] and posted.notified == 1


def test_the_opt_out_line_is_added_once_to_promotional_text():
    assert with_opt_out("소식", True).endswith(OPT_OUT_FOOTER)
    assert with_opt_out(with_opt_out("소식", True), True).count(OPT_OUT_FOOTER) == 1
    assert with_opt_out("긴급", False) == "긴급"


def test_template_rows_render_with_the_opt_out_line():
    from bot.broadcast import render_text
    from storage.services.delivery import Claimed

    row = dict(id=1, chat_id=1, resident_id=1, announcement_id=None, template="closing_survey",
               params={"title": "만족도 조사", "closes": "12. 1."}, text=None, buttons=None, photo_path=None,
               photo_file_id=None, attempts=0)
    assert render_text(Claimed(**row, promotional=True)).endswith(OPT_OUT_FOOTER)
    assert OPT_OUT_FOOTER not in render_text(Claimed(**row, promotional=False))
