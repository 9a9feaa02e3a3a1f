"""Once-only marks that outlive the resident row (issue 13)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.timeutil import utcnow


class OnceMark(Base):
    """"This Telegram account already did <kind> in <scope>": no resident link, no personal data.

    kind: ``budget_ballot`` (scope: cycle id), ``survey`` (survey id), ``award:<activity>``
    (scope: the award's ref, e.g. the year of a volunteer award).
    """

    __tablename__ = "once_marks"
    __table_args__ = (UniqueConstraint("kind", "scope", "tombstone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(48))
    scope: Mapped[str] = mapped_column(String(64))
    tombstone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
