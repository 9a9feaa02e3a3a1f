"""Small database helpers shared by the survey, contest, news and attendance use cases."""
from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.errors import DomainError
from storage.models import Resident
from storage.point_policy import load_policy


def insert_ignore(session: Session, model: type, values: dict[str, Any], index_elements: list[str]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on the given unique columns; True if a row was written.

    On PostgreSQL a concurrent insert of the same key waits for the other
    transaction and then does nothing, which is what makes "once" hold under load.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # RETURNING rather than rowcount: an ORM-enabled insert reports rowcount -1 on psycopg.
    stmt = (insert(model).values(**values).on_conflict_do_nothing(index_elements=index_elements)
            .returning(*model.__table__.primary_key.columns))
    return session.execute(stmt).first() is not None


def require_resident(session: Session, resident_id: int) -> Resident:
    """The resident row, or ``not_registered``."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise DomainError("not_registered")
    return resident


def require_staff_id(session: Session, staff_id: int | None) -> int | None:
    """Staff acting in the chat pass their resident id; the operator CLI passes None.

    The CLI runs on the server with database access, so there is no one to
    check there; in the chat only staff get through (``not_allowed``).
    """
    if staff_id is None:
        return None
    resident = session.get(Resident, staff_id)
    if resident is None or not resident.is_staff:
        raise DomainError("not_allowed")
    return staff_id


def policy_points(activity: str, requested: int | None) -> int:
    """The amount to award for ``activity``: the point policy's, or ``requested`` within its ceiling."""
    rule = load_policy().activity(activity)
    if requested is None:
        return rule.points
    if isinstance(requested, bool) or not 0 <= requested <= rule.max_points:
        raise DomainError("points_out_of_range", activity=activity, max=rule.max_points)
    return requested


def lock_table(session: Session, table_name: str) -> None:
    """Serialise writers of a table on PostgreSQL (SQLite's BEGIN IMMEDIATE already does).

    For rules about rows that do not exist yet (no overlapping periods), where
    there is no row to lock and no unique key to lean on.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    if not table_name.replace("_", "").isalnum():
        raise ValueError(table_name)
    session.execute(text(f'LOCK TABLE "{table_name}" IN SHARE ROW EXCLUSIVE MODE'))
