"""Shared setup of the points tests: residents, a fixed clock, funding and ledger sums."""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import PointEntry, Role
from storage.services import points, residents
from storage.settings import PROJECT_ROOT
from storage.timeutil import parse_kst

NOW = parse_kst("2026-11-24 12:00")  # a Tuesday in Q4, noon KST
SECOND = timedelta(seconds=1)
POLICY_FILE = PROJECT_ROOT / "storage" / "point_policy.yml"
_refs = count(1)


def resident(session: Session, telegram_id: int, name: str = "주민", *, staff: bool = False) -> int:
    r, _ = residents.register(session, telegram_id, name, now=NOW - timedelta(days=30))
    if staff:
        r.role = Role.staff
    session.flush()
    return r.id


def fund(session: Session, resident_id: int, amount: int, now: datetime = NOW) -> None:
    """Credit exactly ``amount`` points through the ledger (contest prizes have no daily cap)."""
    while amount > 0:
        part = min(amount, 10_000)
        result = points.award(session, resident_id=resident_id, activity="contest_win",
                              ref=f"fund-{next(_refs)}", points=part, now=now)
        assert result.points == part, "funding hit the annual cap"
        amount -= part


def sums(session: Session, resident_id: int) -> tuple[int, int]:
    """(Σ points, Σ held) straight from the entries."""
    a, h = session.execute(
        select(func.coalesce(func.sum(PointEntry.points), 0), func.coalesce(func.sum(PointEntry.held), 0))
        .where(PointEntry.resident_id == resident_id)
    ).one()
    return int(a), int(h)


def policy_variant(tmp_path: Path, changes: dict[str, object]) -> Path:
    """A copy of the shipped policy with dotted keys changed, e.g. {"exchange.unit": 1000}."""
    data = yaml.safe_load(POLICY_FILE.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split(".")
        for key in parents:
            node = node[key]
        node[last] = value
    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path
