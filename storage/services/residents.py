"""Registration with privacy consent, withdrawal, and staff roles."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.errors import DomainError
from storage.models import Resident, Role
from storage.rules import CONSENT_VERSION, WITHDRAWN_TELEGRAM_USER_ID, clean_display_name
from storage.tombstone import tombstone_of
from storage.timeutil import utcnow


def find(session: Session, telegram_user_id: int) -> Resident | None:
    return session.scalar(select(Resident).where(Resident.telegram_user_id == telegram_user_id))


def require(session: Session, telegram_user_id: int) -> Resident:
    """The registered resident, or ``not_registered``."""
    resident = find(session, telegram_user_id)
    if resident is None:
        raise DomainError("not_registered")
    return resident


def register(
    session: Session,
    telegram_user_id: int,
    first_name: str | None,
    last_name: str | None = None,
    *,
    now: datetime | None = None,
) -> tuple[Resident, bool]:
    """Record consent; returns (resident, created). Re-consent refreshes the version."""
    now = now or utcnow()
    if telegram_user_id == WITHDRAWN_TELEGRAM_USER_ID:
        raise DomainError("not_allowed")
    resident = find(session, telegram_user_id)
    if resident is not None:
        resident.consent_version = CONSENT_VERSION
        resident.consented_at = now
        resident.reachable = True
        resident.last_active_at = now
        return resident, False
    resident = Resident(
        telegram_user_id=telegram_user_id,
        tombstone=tombstone_of(telegram_user_id),
        last_active_at=now,
        display_name=clean_display_name(first_name, last_name),
        consent_version=CONSENT_VERSION,
        consented_at=now,
        role=Role.resident,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(resident)
    except IntegrityError:
        # The same person pressed 동의 twice at once; the other press won.
        existing = find(session, telegram_user_id)
        assert existing is not None
        return existing, False
    return resident, True


def withdraw(session: Session, telegram_user_id: int) -> bool:
    """Withdraw consent: the resident's row and everything hanging off it go, except the
    records the district must keep (storage.services.privacy.delete_resident)."""
    from storage.services import privacy

    resident = find(session, telegram_user_id)
    if resident is None or privacy.is_withdrawn_row(resident):
        return False
    privacy.delete_resident(session, resident)
    return True


def set_role(session: Session, telegram_user_id: int, role: Role) -> Resident:
    resident = require(session, telegram_user_id)
    resident.role = role
    return resident


def is_staff(session: Session, telegram_user_id: int) -> bool:
    resident = find(session, telegram_user_id)
    return resident is not None and resident.is_staff


def require_staff(session: Session, telegram_user_id: int) -> Resident:
    """Staff only; others get ``not_allowed`` and learn nothing else."""
    resident = find(session, telegram_user_id)
    if resident is None or not resident.is_staff:
        raise DomainError("not_allowed")
    return resident


def mark_unreachable(session: Session, resident_id: int) -> None:
    resident = session.get(Resident, resident_id)
    if resident is not None:
        resident.reachable = False


def staff_chat_ids(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(Resident.telegram_user_id).where(Resident.role.in_([Role.staff, Role.admin]))
        )
    )
