"""The right to see and take away one's data (개인정보 보호법 §35): a summary and a full export."""
from __future__ import annotations

import base64
import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Base, Ballot, BallotStatus, Proposal, Resident
from storage.models.surveys import SurveyParticipation
from storage.notify_rules import TOPIC_LABELS
from storage.rules import DONGS
from storage.services import points, subscriptions


@dataclass(frozen=True)
class MyDataSummary:
    name: str
    dong: str | None              # Korean name
    consented_at: datetime
    consent_version: str
    last_active_at: datetime | None
    topics: list[str]             # Korean labels of the topics switched on
    points_available: int
    points_held: int
    proposals: int
    ballots: int
    surveys: int


def summary(session: Session, resident: Resident) -> MyDataSummary:
    balance = points.balance(session, resident.id)
    enabled = subscriptions.enabled_topics(session, resident.id)
    return MyDataSummary(
        name=resident.display_name,
        dong=DONGS.get(resident.dong or ""),
        consented_at=resident.consented_at,
        consent_version=resident.consent_version,
        last_active_at=resident.last_active_at,
        topics=[TOPIC_LABELS[t.value] for t in sorted(enabled, key=lambda t: t.value)],
        points_available=balance.available,
        points_held=balance.held,
        proposals=_count(session, Proposal.author_id == resident.id),
        ballots=_count(session, Ballot.resident_id == resident.id, Ballot.status == BallotStatus.submitted),
        surveys=_count(session, SurveyParticipation.resident_id == resident.id),
    )


def _count(session: Session, *where: Any) -> int:
    column = where[0].left
    return int(session.scalar(select(func.count()).select_from(column.table).where(*where)) or 0)


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def resident_linked_columns() -> list[tuple[str, str]]:
    """(table, column) of every column that references residents.id."""
    found = []
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "residents" for fk in column.foreign_keys):
                found.append((table.name, column.name))
    return found


def export(session: Session, resident: Resident) -> dict[str, Any]:
    """Every row that refers to the resident, table by table, as plain JSON values."""
    residents_table = Resident.__table__
    me = session.execute(select(residents_table).where(residents_table.c.id == resident.id)).mappings().one()
    document: dict[str, Any] = {"residents": [{k: _plain(v) for k, v in me.items()}]}
    for table_name, column_name in resident_linked_columns():
        table = Base.metadata.tables[table_name]
        rows = session.execute(select(table).where(table.c[column_name] == resident.id)).mappings().all()
        if rows:
            key = table_name if column_name == "resident_id" else f"{table_name}.{column_name}"
            document.setdefault(key, []).extend({k: _plain(v) for k, v in row.items()} for row in rows)
    return document
