"""Volunteer points from the volunteer centre's yearly hours (CSV import by staff)."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Resident
from storage.point_policy import load_policy
from storage.services.points import award, require_staff_resident
from storage.timeutil import to_kst, utcnow

ACTIVITY = "volunteer_100h"
FIRST_YEAR = 2023  # the point ordinance took effect in 2023.3
# Header names accepted for each column (the file may also come without a header).
TELEGRAM_COLUMNS = {"telegram_user_id", "telegram_id", "텔레그램번호", "텔레그램 사용자 번호"}
RESIDENT_COLUMNS = {"resident_id", "회원번호"}
HOURS_COLUMNS = {"hours", "시간", "봉사시간"}
YEAR_COLUMNS = {"year", "연도", "년도"}
# Strict ASCII shapes, checked before any number is built: "1e999999", "1E+100000000"
# (which Decimal would happily expand for minutes) and digits such as "²" or "٣"
# (which str.isdigit() accepts and int() refuses) never reach a conversion.
_ID = re.compile(r"^[0-9]{1,18}$")
_HOURS = re.compile(r"^[0-9]{1,4}(?:\.[0-9]{1,2})?$")
_YEAR = re.compile(r"^[0-9]{4}$")
HOURS_MAX = Decimal(24 * 366)  # hours in a (leap) year


@dataclass
class ImportReport:
    awarded: int = 0
    already: int = 0
    below_threshold: int = 0
    unknown_residents: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def import_volunteer_csv(session: Session, csv_text: str, *, staff_resident_id: int,
                         now: datetime | None = None) -> ImportReport:
    """Award volunteer points to residents at or over the policy's yearly hours, once per (resident, year).

    Columns: telegram_user_id (or resident_id), hours, year — with or without a
    header row. Each line stands alone (hours are not summed across lines).
    Bad lines are reported with their line numbers and Korean reasons while the
    good lines are still applied; re-importing the same file changes nothing
    (the ledger key is ``volunteer_100h:<year>:resident:<id>``). Code: not_allowed.
    """
    now = now or utcnow()
    require_staff_resident(session, staff_resident_id)
    min_hours = load_policy().volunteer_min_hours
    report = ImportReport()
    reader = csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))
    id_column = "telegram"
    for row in reader:
        line_no = reader.line_num
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if line_no == 1 and not _ID.match(cells[0].lstrip("-")):
            header = _header(cells)
            if header is None:
                report.errors.append((line_no, "첫 줄의 열 이름을 알 수 없어요. telegram_user_id(또는 resident_id), hours, year 순서로 적어 주세요."))
                return report
            id_column = header
            continue
        parsed = _parse(cells, now)
        if isinstance(parsed, str):
            report.errors.append((line_no, parsed))
            continue
        person_id, hours, year = parsed
        column = Resident.telegram_user_id if id_column == "telegram" else Resident.id
        resident_id = session.scalar(select(Resident.id).where(column == person_id))
        if resident_id is None:
            report.unknown_residents += 1
            continue
        if hours < min_hours:
            report.below_threshold += 1
            continue
        result = award(session, resident_id=resident_id, activity=ACTIVITY, ref=str(year),
                       description=f"{year}년 {_hours_text(hours)}시간", now=now)
        if result.created:
            report.awarded += 1
        else:
            report.already += 1
    return report


def _header(cells: list[str]) -> str | None:
    names = [cell.lower() for cell in cells]
    if len(names) < 3 or names[1] not in HOURS_COLUMNS or names[2] not in YEAR_COLUMNS:
        return None
    if names[0] in TELEGRAM_COLUMNS:
        return "telegram"
    return "resident" if names[0] in RESIDENT_COLUMNS else None


def _parse(cells: list[str], now: datetime) -> tuple[int, Decimal, int] | str:
    """(person id, hours, year) or the Korean reason the line is refused."""
    if len(cells) != 3:
        return f"열이 3개여야 해요(번호, 시간, 연도). 이 줄에는 {len(cells)}개가 있어요."
    raw_id, raw_hours, raw_year = cells
    if not _ID.match(raw_id):
        return f"번호 '{raw_id[:20]}'가 숫자가 아니에요."
    hours_text = raw_hours.replace(",", "")
    if not _HOURS.match(hours_text) or Decimal(hours_text) > HOURS_MAX:
        return (f"시간 '{raw_hours[:20]}'은(는) 0~{HOURS_MAX:,} 사이의 숫자로 적어 주세요"
                f"(소수점 아래 두 자리까지, 예: 120 또는 99.5).")
    hours = Decimal(hours_text)
    this_year = to_kst(now).year
    if not _YEAR.match(raw_year) or not FIRST_YEAR <= int(raw_year) <= this_year:
        return f"연도 '{raw_year[:20]}'는 {FIRST_YEAR}~{this_year} 사이여야 해요."
    return int(raw_id), hours, int(raw_year)


def _hours_text(hours: Decimal) -> str:
    return f"{hours.normalize():f}" if hours != hours.to_integral_value() else str(int(hours))
