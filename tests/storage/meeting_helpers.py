"""Shared setup of the meeting tests: a staff member, residents and a meeting at a fixed time."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from storage.models import Role
from storage.services import meetings, residents
from storage.timeutil import parse_kst

NOW = parse_kst("2026-12-01 09:00")          # Tuesday, KST
STARTS = parse_kst("2026-12-03 14:00")       # Thursday 14:00 KST
ENDS = STARTS + timedelta(hours=1)
URL = "https://zoom.us/j/123456789"


def person(session: Session, telegram_id: int, *, staff: bool = False) -> int:
    r, _ = residents.register(session, telegram_id, f"주민{telegram_id}", now=NOW - timedelta(days=30))
    if staff:
        r.role = Role.staff
    session.flush()
    return r.id


def make_meeting(session: Session, staff_id: int | None = None, *, now: datetime = NOW, **extra: object):
    values: dict[str, object] = dict(title="도시재생 주민설명회", category="도시재생", department="도시재생과",
                                     starts_at=STARTS, ends_at=ENDS, url=URL, description="신당동 일대 계획 설명")
    values.update(extra)
    return meetings.create_meeting(session, staff_resident_id=staff_id, now=now, **values)  # type: ignore[arg-type]
