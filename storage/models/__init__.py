"""All models, imported here so metadata (and Alembic) sees every table."""
from storage.models.base import Base
from storage.models.outbox import OutboxMessage, OutboxStatus
from storage.models.resident import Resident, Role
from storage.models import attendance, contests, news, surveys  # noqa: F401,E402  (issue 7)
from storage.models.announcements import Announcement, AnnouncementStatus, AnnouncementTarget, SchedulerJob, Subscription  # noqa: F401
from storage.models.points import BatchStatus, EntryKind, ExchangeRequest, ExchangeStatus, PayoutBatch, PointEntry  # noqa: F401
from storage.models.events import Event, EventCheckin  # noqa: F401
from storage.models.budget import Ballot, BallotPick, BallotStatus, BudgetCycle, BudgetProject, PhaseChange, PhaseChangeSource, ProjectStatus  # noqa: F401
from storage.models.privacy import OnceMark  # noqa: F401
from storage.models.proposals import AnswerKind, AuditAction, Endorsement, Proposal, ProposalAnswer, ProposalAudit  # noqa: F401

__all__ = ["Base", "OutboxMessage", "OutboxStatus", "Resident", "Role"]
# --- meetings (issue 16) ---
from storage.models.meetings import Meeting, MeetingAttendance, MeetingRegistration, MeetingStatus, RegistrationStatus  # noqa: F401,E402
