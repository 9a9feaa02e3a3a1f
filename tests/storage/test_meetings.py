"""Meeting services on SQLite and PostgreSQL: create, register with a waiting list, attend once, move, cancel, export."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storage import meeting_rules as rules
from storage.errors import DomainError
from storage.models import OutboxMessage, PointEntry
from storage.point_policy import load_policy
from storage.services import meetings
from tests.storage.meeting_helpers import ENDS, NOW, STARTS, make_meeting, person


def _code(call):
    with pytest.raises(DomainError) as err:
        call()
    return err.value.code


def test_create_takes_policy_points_and_a_code(session):
    staff = person(session, 1, staff=True)
    m = make_meeting(session, staff, capacity=30, dong="신당동")
    assert m.points == load_policy().activity("meeting_attendance").points
    assert len(m.code) == rules.CODE_LENGTH and m.dong == "sindang"
    assert m.registration_deadline == STARTS
    assert make_meeting(session, staff, points=0).points == 0


@pytest.mark.parametrize(("change", "code"), [
    (dict(title=" "), "invalid_meeting_title"),
    (dict(url="http://zoom.us/j/1"), "invalid_meeting_url"),
    (dict(capacity=0), "invalid_meeting_capacity"),
    (dict(points=10**6), "invalid_meeting_points"),
    (dict(dong="강남동"), "invalid_meeting_dong"),
    (dict(ends_at=STARTS), "invalid_meeting_time"),
    (dict(starts_at=NOW - timedelta(hours=1), ends_at=NOW), "meeting_in_past"),
    (dict(registration_deadline=STARTS + timedelta(minutes=1)), "invalid_meeting_deadline"),
])
def test_create_refuses_bad_fields(session, change, code):
    staff = person(session, 1, staff=True)
    assert _code(lambda: make_meeting(session, staff, **change)) == code


def test_only_staff_create(session):
    resident = person(session, 2)
    assert _code(lambda: make_meeting(session, resident)) == "not_allowed"


def test_register_fills_places_then_the_waiting_list_in_order(session):
    m = make_meeting(session, capacity=2)
    ids = [person(session, 10 + i) for i in range(5)]
    results = [meetings.register(session, meeting_id=m.id, resident_id=r, now=NOW) for r in ids]
    assert [(x.status, x.position) for x in results] == [
        ("registered", None), ("registered", None), ("waiting", 1), ("waiting", 2), ("waiting", 3)]
    again = meetings.register(session, meeting_id=m.id, resident_id=ids[3], now=NOW)
    assert not again.created and again.position == 2
    # A waiting resident who leaves moves the others up.
    assert meetings.unregister(session, meeting_id=m.id, resident_id=ids[2], now=NOW)
    assert meetings.waiting_list(session, m.id) == [ids[3], ids[4]]
    # A freed place goes to the first in line, who is told once.
    assert meetings.unregister(session, meeting_id=m.id, resident_id=ids[0], now=NOW)
    assert meetings.registration_of(session, m.id, ids[3]).status.value == "registered"
    assert meetings.waiting_list(session, m.id) == [ids[4]]
    promoted = session.scalars(select(OutboxMessage).where(OutboxMessage.template == "meeting_promoted")).all()
    assert [p.resident_id for p in promoted] == [ids[3]]
    assert not meetings.unregister(session, meeting_id=m.id, resident_id=ids[0], now=NOW)
    # Coming back after cancelling joins the end of the line.
    back = meetings.register(session, meeting_id=m.id, resident_id=ids[0], now=NOW)
    assert back.created and back.status == "waiting" and back.position == 2


def test_larger_capacity_promotes(session):
    staff = person(session, 1, staff=True)
    m = make_meeting(session, staff, capacity=1)
    a, b, c = (person(session, 20 + i) for i in range(3))
    for r in (a, b, c):
        meetings.register(session, meeting_id=m.id, resident_id=r, now=NOW)
    meetings.update_meeting(session, meeting_id=m.id, staff_resident_id=staff, capacity=2, now=NOW)
    assert meetings.registered_count(session, m.id) == 2 and meetings.waiting_list(session, m.id) == [c]


def test_registration_deadline_and_cancelled(session):
    staff = person(session, 1, staff=True)
    m = make_meeting(session, staff, registration_deadline=STARTS - timedelta(days=1))
    r = person(session, 30)
    assert _code(lambda: meetings.register(session, meeting_id=m.id, resident_id=r,
                                           now=STARTS - timedelta(days=1))) == "meeting_registration_closed"
    other = make_meeting(session, staff)
    meetings.cancel_meeting(session, meeting_id=other.id, staff_resident_id=staff, now=NOW)
    assert _code(lambda: meetings.register(session, meeting_id=other.id, resident_id=r, now=NOW)) == "meeting_cancelled"
    assert _code(lambda: meetings.register(session, meeting_id=999_999, resident_id=r, now=NOW)) == "meeting_not_found"


def test_attend_edges_and_once(session):
    m = make_meeting(session, points=700)
    r = person(session, 40)
    opens = STARTS - rules.ATTEND_OPENS_BEFORE
    closes = ENDS + rules.ATTEND_CLOSES_AFTER
    second = timedelta(seconds=1)
    assert _code(lambda: meetings.attend(session, resident_id=r, code=m.code, now=opens - second)) == "meeting_not_open"
    assert _code(lambda: meetings.attend(session, resident_id=r, code=m.code, now=closes + second)) == "meeting_closed"
    wrong = "000000" if m.code != "000000" else "111111"
    assert _code(lambda: meetings.attend(session, resident_id=r, code=wrong, now=STARTS)) == "meeting_code_wrong"
    assert _code(lambda: meetings.attend(session, resident_id=r, code="12", now=STARTS)) == "meeting_code_format"
    assert _code(lambda: meetings.attend(session, resident_id=r, code=wrong, meeting_id=m.id,
                                         now=STARTS)) == "meeting_code_wrong"
    first = meetings.attend(session, resident_id=r, code=m.code, now=closes)
    assert first.created and first.points == 700 and first.balance_available == 700
    again = meetings.attend(session, resident_id=r, code=m.code, meeting_id=m.id, now=closes + timedelta(days=1))
    assert not again.created and again.points == 700 and again.balance_available == 700
    assert session.scalar(select(func.count()).select_from(PointEntry)) == 1


def test_rotated_code_replaces_the_old_one(session):
    staff = person(session, 1, staff=True)
    m = make_meeting(session, staff)
    old = m.code
    meetings.rotate_code(session, meeting_id=m.id, staff_resident_id=staff, now=NOW)
    assert m.code != old
    r = person(session, 41)
    assert _code(lambda: meetings.attend(session, resident_id=r, code=old, now=STARTS)) == "meeting_code_wrong"
    assert meetings.attend(session, resident_id=r, code=m.code, now=STARTS).created


def _notices(session, template):
    return session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                           .order_by(OutboxMessage.id)).all()


def test_move_and_cancel_tell_every_registrant_once(session):
    staff = person(session, 1, staff=True)
    m = make_meeting(session, staff, capacity=1)
    a, b = person(session, 50), person(session, 51)
    outsider = person(session, 52)
    for r in (a, b):
        meetings.register(session, meeting_id=m.id, resident_id=r, now=NOW)
    assert meetings.move_meeting(session, meeting_id=m.id, staff_resident_id=staff, starts_at=STARTS + timedelta(days=1),
                                 ends_at=ENDS + timedelta(days=1), now=NOW) == 2
    moved = _notices(session, "meeting_moved")
    assert {n.resident_id for n in moved} == {a, b} and outsider not in {n.resident_id for n in moved}
    assert moved[0].params["old"] and m.schedule_version == 2
    assert meetings.cancel_meeting(session, meeting_id=m.id, staff_resident_id=staff, now=NOW) == 2
    assert _code(lambda: meetings.cancel_meeting(session, meeting_id=m.id, staff_resident_id=staff,
                                                 now=NOW)) == "meeting_cancelled"
    assert len(_notices(session, "meeting_cancelled")) == 2


def test_my_registrations_and_upcoming(session):
    m1 = make_meeting(session)
    m2 = make_meeting(session, title="청년 온라인 설명회", starts_at=STARTS + timedelta(days=1),
                      ends_at=ENDS + timedelta(days=1), dong="myeong")
    r = person(session, 60)
    meetings.register(session, meeting_id=m2.id, resident_id=r, now=NOW)
    assert [m.id for m, _ in meetings.my_registrations(session, r, NOW)] == [m2.id]
    assert [m.id for m in meetings.list_upcoming(session, NOW)] == [m1.id, m2.id]
    assert [m.id for m in meetings.list_upcoming(session, NOW, dong="sindang")] == [m1.id]
    assert meetings.list_upcoming(session, ENDS + timedelta(days=2)) == []


def test_export_neutralises_formulas(session):
    m = make_meeting(session, capacity=1)
    r1 = person(session, 70)
    r2 = person(session, 71)
    from storage.models import Resident
    session.get(Resident, r2).display_name = "=HYPERLINK(\"x\")"
    meetings.register(session, meeting_id=m.id, resident_id=r1, now=NOW)
    meetings.register(session, meeting_id=m.id, resident_id=r2, now=NOW)
    meetings.attend(session, resident_id=r1, code=m.code, now=STARTS)
    rows = list(csv.reader(io.StringIO(meetings.export_csv(session, m.id))))
    assert rows[0] == meetings.EXPORT_HEADER
    assert rows[1][3] == "신청" and rows[1][7] == str(m.points)
    assert rows[2][2].startswith("'=") and rows[2][3] == "대기" and rows[2][4] == "1"


def test_reminders_are_queued_once_per_schedule(session):
    staff = person(session, 1, staff=True)
    m = make_meeting(session, staff, capacity=1)
    a, waiting = person(session, 80), person(session, 81)
    meetings.register(session, meeting_id=m.id, resident_id=a, now=NOW)
    meetings.register(session, meeting_id=m.id, resident_id=waiting, now=NOW)
    day_before = rules.day_before_reminder_at(STARTS)
    assert meetings.queue_reminders(session, day_before - timedelta(seconds=1)) == 0
    assert meetings.queue_reminders(session, day_before) == 1
    assert meetings.queue_reminders(session, day_before + timedelta(hours=1)) == 0
    soon = rules.soon_reminder_at(STARTS)
    assert meetings.queue_reminders(session, soon) == 1
    row = _notices(session, "meeting_soon")[0]
    assert row.resident_id == a and not row.promotional and row.send_after == soon
    assert row.buttons == [[{"text": rules.JOIN_BUTTON, "url": m.url}]]
    assert meetings.queue_reminders(session, soon + timedelta(minutes=1)) == 0
    # Moved: fresh reminders for the new time.
    meetings.move_meeting(session, meeting_id=m.id, staff_resident_id=staff, starts_at=STARTS + timedelta(days=7),
                          ends_at=ENDS + timedelta(days=7), now=soon + timedelta(minutes=2))
    assert meetings.queue_reminders(session, rules.day_before_reminder_at(STARTS + timedelta(days=7))) == 1


def test_demo_meetings_are_one_upcoming_and_one_past_once(session):
    upcoming, past = meetings.seed_demo_meetings(session, NOW)
    assert meetings.seed_demo_meetings(session, NOW) == (upcoming, past)
    assert [m.id for m in meetings.list_upcoming(session, NOW)] == [upcoming]
    assert meetings.get_meeting(session, past).ends_at < NOW
