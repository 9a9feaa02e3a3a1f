"""Contests: entry forms, photo size, one entry each, withdraw before the deadline, winners once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from storage import engagement_rules as er
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import OutboxMessage, Role
from storage.services import contests, points, residents
from storage.timeutil import parse_kst

OPENED = parse_kst("2026-11-20 10:00")
NOW = parse_kst("2026-11-25 10:00")
DEADLINE = parse_kst("2026-12-20 18:00")
SECOND = timedelta(seconds=1)


def _resident(s, tg: int, name: str = "주민") -> int:  # type: ignore[no-untyped-def]
    r, _ = residents.register(s, tg, name, now=OPENED)
    s.flush()
    return r.id


def _open(s, form: str = "photo", **kw) -> int:  # type: ignore[no-untyped-def]
    c = contests.open_contest(s, title="중구 사진 공모", rules="중구의 겨울 풍경을 찍어 주세요.",
                              deadline=DEADLINE, entry_form=form, staff_id=None, now=OPENED, **kw)
    return c.id


def code_of(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        call(*args, **kwargs)
    return err.value.code


def test_photo_entry_awards_points_once_and_is_one_per_resident(engine):
    with session_scope(engine) as s:
        cid, rid = _open(s), _resident(s, 1)
        result = contests.submit_entry(s, contest_id=cid, resident_id=rid, photo_file_id="AgAD-photo",
                                       photo_size=er.CONTEST_PHOTO_MAX_BYTES, text="  남산 야경 ", now=NOW)
        assert result.points_awarded == 1000 and result.entry.text == "남산 야경"
    with session_scope(engine) as s:
        assert code_of(contests.submit_entry, s, contest_id=cid, resident_id=rid, photo_file_id="AgAD-other-photo",
                       photo_size=10, now=NOW) == "already_entered"
    with session_scope(engine) as s:
        [mine] = contests.my_entries(s, resident_id=rid, now=NOW)
        assert mine.contest_title == "중구 사진 공모" and mine.can_withdraw and mine.photo_file_id == "AgAD-photo"
        contests.withdraw_entry(s, contest_id=cid, resident_id=rid, now=NOW)
    with session_scope(engine) as s:
        assert contests.my_entries(s, resident_id=rid, now=NOW) == []
        again = contests.submit_entry(s, contest_id=cid, resident_id=rid, photo_file_id="AgAD-new-photo", now=NOW)
        # Entering again after withdrawing earns nothing more: the ledger ref is the contest.
        assert again.points_awarded == 0
        assert points.balance(s, rid, now=NOW).available == 1000


@pytest.mark.parametrize("form, kwargs, code", [
    ("photo", dict(photo_file_id="AgAD-photo-p", photo_size=er.CONTEST_PHOTO_MAX_BYTES + 1), "photo_too_large"),
    ("photo", dict(text="글만 보냄"), "entry_photo_required"),
    ("text", dict(photo_file_id="AgAD-photo-p", text="글"), "photo_not_accepted"),
    ("text", dict(text="   "), "entry_text_required"),
    ("both", dict(photo_file_id="AgAD-photo-p"), "entry_text_required"),
    ("both", dict(text="글"), "entry_photo_required"),
    ("text", dict(text="가" * (er.CONTEST_TEXT_MAX + 1)), "text_too_long"),
])
def test_bad_entries_change_nothing(session, form, kwargs, code):
    cid, rid = _open(session, form), _resident(session, 1)
    assert code_of(contests.submit_entry, session, contest_id=cid, resident_id=rid, now=NOW, **kwargs) == code
    assert contests.my_entries(session, resident_id=rid, now=NOW) == []


def test_text_entry_at_the_limit(session):
    cid, rid = _open(session, "text"), _resident(session, 1)
    entry = contests.submit_entry(session, contest_id=cid, resident_id=rid, text="가" * er.CONTEST_TEXT_MAX, now=NOW)
    assert entry.entry.photo_file_id is None


def test_deadline_boundary(session):
    cid, rid, other = _open(session), _resident(session, 1), _resident(session, 2)
    contests.submit_entry(session, contest_id=cid, resident_id=rid, photo_file_id="AgAD-photo-p", now=DEADLINE - SECOND)
    assert code_of(contests.submit_entry, session, contest_id=cid, resident_id=other, photo_file_id="AgAD-photo-p",
                   now=DEADLINE) == "contest_closed"
    assert code_of(contests.withdraw_entry, session, contest_id=cid, resident_id=rid, now=DEADLINE) == "contest_closed"
    assert contests.my_entries(session, resident_id=rid, now=DEADLINE)[0].can_withdraw is False
    assert code_of(contests.withdraw_entry, session, contest_id=cid, resident_id=other,
                   now=DEADLINE - SECOND) == "contest_entry_not_found"
    assert [c.id for c in contests.open_contests(session, DEADLINE - SECOND)] == [cid]
    assert contests.open_contests(session, DEADLINE) == []


def test_winners_are_picked_once_and_everyone_is_told_once(engine):
    with session_scope(engine) as s:
        cid = _open(s, win_points=7000)
        ids = [_resident(s, 10 + i, f"주민{i}") for i in range(3)]
        staff = _resident(s, 99, "직원")
        residents.set_role(s, 99, Role.staff)
        entries = [contests.submit_entry(s, contest_id=cid, resident_id=r, photo_file_id=f"AgAD-photo-{r}", now=NOW).entry.id
                   for r in ids]
    with session_scope(engine) as s:
        assert code_of(contests.pick_winners, s, contest_id=cid, entry_ids=[entries[0]], staff_id=staff,
                       now=DEADLINE - SECOND) == "contest_still_open"
        assert code_of(contests.pick_winners, s, contest_id=cid, entry_ids=[entries[0]], staff_id=ids[1],
                       now=DEADLINE) == "not_allowed"
        assert code_of(contests.pick_winners, s, contest_id=cid, entry_ids=[404], staff_id=staff,
                       now=DEADLINE) == "contest_entry_not_found"
        assert code_of(contests.pick_winners, s, contest_id=cid, entry_ids=[], staff_id=staff,
                       now=DEADLINE) == "no_winners"
    with session_scope(engine) as s:
        listed = contests.list_entries(s, cid, staff_id=staff)
        assert [e.id for e in listed] == entries
        result = contests.pick_winners(s, contest_id=cid, entry_ids=[entries[0]], staff_id=staff, now=DEADLINE)
        assert (result.winners, result.others_notified) == (1, 2)
    with session_scope(engine) as s:
        assert code_of(contests.pick_winners, s, contest_id=cid, entry_ids=[entries[1]], staff_id=staff,
                       now=DEADLINE) == "winners_already_picked"
    with session_scope(engine) as s:
        notices = s.scalars(select(OutboxMessage).order_by(OutboxMessage.resident_id)).all()
        assert [(n.resident_id, n.template) for n in notices] == [
            (ids[0], "contest_won"), (ids[1], "contest_result"), (ids[2], "contest_result")]
        assert notices[0].params == {"title": "중구 사진 공모", "points": 7000}
        assert points.balance(s, ids[0], now=DEADLINE).available == 1000 + 7000
        assert contests.my_entries(s, resident_id=ids[0], now=DEADLINE)[0].won


def test_open_contest_rules(session):
    assert code_of(contests.open_contest, session, title="t", rules="r", deadline=OPENED, entry_form="photo",
                   staff_id=None, now=OPENED) == "deadline_in_past"
    assert code_of(contests.open_contest, session, title="t", rules="r", deadline=DEADLINE, entry_form="video",
                   staff_id=None, now=OPENED) == "invalid_entry_form"
    assert code_of(contests.open_contest, session, title="t", rules="r", deadline=DEADLINE, entry_form="text",
                   win_points=10_001, staff_id=None, now=OPENED) == "points_out_of_range"
    assert code_of(contests.open_contest, session, title=" ", rules="r", deadline=DEADLINE, entry_form="text",
                   staff_id=None, now=OPENED) == "title_required"
    c = contests.open_contest(session, title="t", rules="r", deadline=DEADLINE, entry_form="text",
                              win_points=10_000, entry_points=0, staff_id=None, now=OPENED)
    assert (c.entry_points, c.win_points) == (0, 10_000)
    rid = _resident(session, 1)
    assert contests.submit_entry(session, contest_id=c.id, resident_id=rid, text="글", now=NOW).points_awarded == 0


def test_simultaneous_entries_by_one_resident_keep_one(pg_engine):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from storage.models.contests import ContestEntry

    with session_scope(pg_engine) as s:
        cid, rid = _open(s), _resident(s, 1)
    barrier = threading.Barrier(6)

    def send(i: int) -> str:
        barrier.wait()
        try:
            with session_scope(pg_engine) as s:
                contests.submit_entry(s, contest_id=cid, resident_id=rid, photo_file_id=f"AgAD-photo-{i}", now=NOW)
            return "ok"
        except DomainError as err:
            return err.code

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(send, range(6)))
    assert outcomes.count("ok") == 1 and set(outcomes) - {"ok"} == {"already_entered"}
    with session_scope(pg_engine) as s:
        assert len(s.scalars(select(ContestEntry)).all()) == 1
        assert points.balance(s, rid, now=NOW).available == 1000


def test_forged_photo_file_id_is_refused(engine):
    with session_scope(engine) as s:
        cid, rid = _open(s), _resident(s, 1)
        assert code_of(contests.submit_entry, s, contest_id=cid, resident_id=rid, photo_file_id="x",
                       text="야경", now=NOW) == "photo_invalid"
