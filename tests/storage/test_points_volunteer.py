"""Volunteer hours import: threshold, once per (resident, year), bad lines reported, good lines kept."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from points_helpers import NOW, resident, sums
from storage.db import session_scope
from storage.errors import DomainError
from storage.models import PointEntry
from storage.point_policy import load_policy
from storage.services.volunteer import import_volunteer_csv

POINTS = load_policy().activity("volunteer_100h").points


def test_import_awards_at_the_threshold_once(engine):
    with session_scope(engine) as s:
        staff = resident(s, 9, staff=True)
        a, b, c = resident(s, 101), resident(s, 102), resident(s, 103)
    text = "\ufefftelegram_user_id,hours,year\n101,100,2026\n102,99.5,2026\n103,250,2025\n103,120,2026\n404,300,2026\n"
    with session_scope(engine) as s:
        report = import_volunteer_csv(s, text, staff_resident_id=staff, now=NOW)
        assert (report.awarded, report.already, report.below_threshold, report.unknown_residents, report.errors) == \
            (3, 0, 1, 1, [])
    with session_scope(engine) as s:
        again = import_volunteer_csv(s, text, staff_resident_id=staff, now=NOW)
        assert (again.awarded, again.already) == (0, 3)
        assert sums(s, a) == (POINTS, 0) and sums(s, b) == (0, 0)
        keys = set(s.scalars(select(PointEntry.idempotency_key).where(PointEntry.resident_id == c)))
        assert keys == {f"volunteer_100h:2025:resident:{c}", f"volunteer_100h:2026:resident:{c}"}


def test_bad_lines_are_reported_and_good_lines_applied(engine):
    with session_scope(engine) as s:
        staff, a = resident(s, 9, staff=True), resident(s, 101)
    text = "\n".join([
        "101,abc,2026",          # 1: hours not a number
        "101,120",               # 2: missing column
        "x1,120,2026",           # 3: id not a number
        "101,-5,2026",           # 4: negative hours
        "101,120,2031",          # 5: future year
        "",                      # 6: blank, skipped
        "101,120,2026",          # 7: good
    ])
    with session_scope(engine) as s:
        report = import_volunteer_csv(s, text, staff_resident_id=staff, now=NOW)
    assert report.awarded == 1
    assert [line for line, _ in report.errors] == [1, 2, 3, 4, 5]
    assert all(isinstance(msg, str) and msg for _, msg in report.errors)
    assert "2023~2026" in report.errors[4][1]


def test_resident_id_header_and_unknown_header(engine):
    with session_scope(engine) as s:
        staff, a = resident(s, 9, staff=True), resident(s, 101)
    with session_scope(engine) as s:
        report = import_volunteer_csv(s, f"회원번호,봉사시간,연도\n{a},100,2026\n", staff_resident_id=staff, now=NOW)
        assert report.awarded == 1
        bad = import_volunteer_csv(s, "name,hours,year\n101,100,2026\n", staff_resident_id=staff, now=NOW)
        assert bad.awarded == 0 and bad.errors[0][0] == 1
        with pytest.raises(DomainError) as err:
            import_volunteer_csv(s, "", staff_resident_id=a, now=NOW)
        assert err.value.code == "not_allowed"
        assert s.scalar(select(func.count()).select_from(PointEntry)) == 1


def test_hostile_numbers_are_refused_per_line_at_once(engine):
    """Exponents that Decimal would expand for minutes, and non-ASCII digits, are bad lines, not hangs."""
    import time

    with session_scope(engine) as s:
        staff, a = resident(s, 9, staff=True), resident(s, 101)
    hostile = ["1e999999", "1E+100000000", "²", "1²0", "١٢٠", "NaN", "Infinity", "sNaN", "0x10",
               "1_000", "10000", "8785", "1.234", " 1 2", "+120"]
    lines = [f"101,{h},2026" for h in hostile] + ["²,120,2026", "101,120,²⁰²⁶", "101,120,2026"]
    started = time.perf_counter()
    with session_scope(engine) as s:
        report = import_volunteer_csv(s, "\n".join(lines), staff_resident_id=staff, now=NOW)
    assert time.perf_counter() - started < 5
    assert report.awarded == 1
    assert [line for line, _ in report.errors] == list(range(1, len(lines)))
    assert all("숫자" in msg or "연도" in msg for _, msg in report.errors)
    assert "8,784" in report.errors[0][1]
