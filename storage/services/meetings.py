"""Video meetings (영상회의, issue 16): staff run them, residents register, get reminded and attend.

Capacity holds under concurrency: every registration change locks the meeting
row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers
with BEGIN IMMEDIATE), then counts and writes. One registration row per
(meeting, resident) and one attendance row per pair are unique in the
database; the points go through the ledger's idempotency key, so attending
pays once however often it is tried.

Notices to registrants go through the outbox with one dedup key per meeting,
kind, schedule version and resident: a move or a cancellation tells everyone
once, and a moved meeting gets fresh reminders for its new time.
"""
from __future__ import annotations

import csv
import hmac
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import meeting_rules as rules
from storage.errors import DomainError
from storage.models import Resident
from storage.models.meetings import (
    Meeting,
    MeetingAttendance,
    MeetingRegistration,
    MeetingStatus,
    RegistrationStatus,
)
from storage.notify_rules import DONG_CODES
from storage.point_policy import load_policy
from storage.rules import csv_cell
from storage.services.engagement_common import insert_ignore
from storage.services.outbox import enqueue
from storage.services.points import available_points, award, award_key, require_staff_resident
from storage.timeutil import kst_datetime, to_kst, utcnow

ACTIVITY = "meeting_attendance"
CODE_TRIES = 20


@dataclass(frozen=True)
class RegistrationResult:
    meeting_id: int
    title: str
    status: str                 # registered | waiting
    position: int | None        # 1-based place in the waiting list
    created: bool               # False: the resident already had this place


@dataclass(frozen=True)
class AttendResult:
    meeting_id: int
    title: str
    points: int
    created: bool
    balance_available: int
    capped: bool = False


@dataclass(frozen=True)
class MeetingStats:
    meeting: Meeting
    registered: int
    waiting: int
    attended: int


# --- validation (also used field by field by the staff form) --------------------------
def clean_text(value: str | None, code: str, maximum: int, *, required: bool = True) -> str:
    text = " ".join((value or "").split())
    if (required and not text) or len(text) > maximum:
        raise DomainError(code, max=maximum)
    return text


def check_url(url: str | None) -> str:
    """An https link (never fetched) or ``invalid_meeting_url``."""
    url = (url or "").strip()
    if rules.url_problem(url) is not None:
        raise DomainError("invalid_meeting_url", max=rules.URL_MAX)
    return url


def check_capacity(capacity: int | None) -> int | None:
    if capacity is not None and (isinstance(capacity, bool) or not 1 <= capacity <= rules.CAPACITY_MAX):
        raise DomainError("invalid_meeting_capacity", max=rules.CAPACITY_MAX)
    return capacity


def check_points(points: int | None) -> int:
    """The policy's amount when None, else staff's number within the policy's ceiling."""
    rule = load_policy().activity(ACTIVITY)
    if points is None:
        return rule.points
    if isinstance(points, bool) or not 0 <= points <= rule.max_points:
        raise DomainError("invalid_meeting_points", max=rule.max_points)
    return points


def check_dong(dong: str | None) -> str | None:
    """A 동 by code or name → its code; None for every 동."""
    if dong is None or not dong.strip():
        return None
    value = dong.strip()
    if value in DONG_CODES:
        return value
    for code, name in DONG_CODES.items():
        if value in (name, name.removesuffix("동")):
            return code
    raise DomainError("invalid_meeting_dong")


def check_times(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("meeting times must be aware datetimes")
    if ends_at <= starts_at:
        raise DomainError("invalid_meeting_time", starts_at=kst_datetime(starts_at), ends_at=kst_datetime(ends_at))
    if starts_at <= now:
        raise DomainError("meeting_in_past", starts_at=kst_datetime(starts_at))


def check_deadline(deadline: datetime | None, starts_at: datetime, now: datetime) -> datetime:
    if deadline is None:
        return rules.default_deadline(starts_at)
    if deadline.tzinfo is None:
        raise ValueError("deadline must be aware")
    if not now < deadline <= starts_at:
        raise DomainError("invalid_meeting_deadline", starts_at=kst_datetime(starts_at))
    return deadline


# --- staff: create, update, move, cancel, code ----------------------------------------
def create_meeting(
    session: Session,
    *,
    staff_resident_id: int | None,
    title: str,
    category: str,
    department: str,
    starts_at: datetime,
    ends_at: datetime,
    url: str,
    description: str = "",
    capacity: int | None = None,
    registration_deadline: datetime | None = None,
    points: int | None = None,
    dong: str | None = None,
    now: datetime | None = None,
) -> Meeting:
    """A new meeting (flushed, so it has an id and a code). ``staff_resident_id=None``: the operator CLI/demo.

    Codes: not_allowed, invalid_meeting_title/description/category/department,
    invalid_meeting_time, meeting_in_past, invalid_meeting_url,
    invalid_meeting_capacity, invalid_meeting_deadline, invalid_meeting_points, invalid_meeting_dong.
    """
    now = now or utcnow()
    if staff_resident_id is not None:
        require_staff_resident(session, staff_resident_id)
    meeting = Meeting(
        title=clean_text(title, "invalid_meeting_title", rules.TITLE_MAX),
        description=(description or "").strip()[: rules.DESCRIPTION_MAX + 1],
        category=clean_text(category, "invalid_meeting_category", rules.CATEGORY_MAX),
        department=clean_text(department, "invalid_meeting_department", rules.DEPARTMENT_MAX),
        starts_at=starts_at, ends_at=ends_at, url=check_url(url), capacity=check_capacity(capacity),
        points=check_points(points), dong=check_dong(dong), status=MeetingStatus.scheduled,
        schedule_version=1, created_by=staff_resident_id, created_at=now,
    )
    if len(meeting.description) > rules.DESCRIPTION_MAX:
        raise DomainError("invalid_meeting_description", max=rules.DESCRIPTION_MAX)
    check_times(starts_at, ends_at, now)
    meeting.registration_deadline = check_deadline(registration_deadline, starts_at, now)
    meeting.code = _free_code(session)
    session.add(meeting)
    session.flush()
    return meeting


def update_meeting(session: Session, *, meeting_id: int, staff_resident_id: int | None,
                   now: datetime | None = None, **changes: object) -> Meeting:
    """Change title, description, url, capacity or points; a larger capacity promotes waiting residents."""
    now = now or utcnow()
    _require_staff(session, staff_resident_id)
    meeting = lock_meeting(session, meeting_id)
    for key, value in changes.items():
        if key == "title":
            meeting.title = clean_text(value, "invalid_meeting_title", rules.TITLE_MAX)  # type: ignore[arg-type]
        elif key == "description":
            meeting.description = clean_text(value, "invalid_meeting_description", rules.DESCRIPTION_MAX,
                                             required=False)  # type: ignore[arg-type]
        elif key == "url":
            meeting.url = check_url(value)  # type: ignore[arg-type]
        elif key == "capacity":
            meeting.capacity = check_capacity(value)  # type: ignore[arg-type]
        elif key == "points":
            meeting.points = check_points(value)  # type: ignore[arg-type]
        else:
            raise ValueError(f"cannot change {key!r}")
    session.flush()
    _promote(session, meeting, now)
    return meeting


def move_meeting(session: Session, *, meeting_id: int, staff_resident_id: int | None,
                 starts_at: datetime, ends_at: datetime, registration_deadline: datetime | None = None,
                 now: datetime | None = None) -> int:
    """New times; every registrant (and waiting resident) is told once. Returns notices queued."""
    now = now or utcnow()
    _require_staff(session, staff_resident_id)
    meeting = lock_meeting(session, meeting_id)
    _require_scheduled(meeting)
    check_times(starts_at, ends_at, now)
    old = meeting.starts_at
    meeting.registration_deadline = check_deadline(registration_deadline, starts_at, now)
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.schedule_version += 1
    session.flush()
    return _tell_all(session, meeting, "moved", now, old=kst_datetime(old))


def cancel_meeting(session: Session, *, meeting_id: int, staff_resident_id: int | None,
                   now: datetime | None = None) -> int:
    """Cancel; every registrant (and waiting resident) is told once. Returns notices queued."""
    now = now or utcnow()
    _require_staff(session, staff_resident_id)
    meeting = lock_meeting(session, meeting_id)
    _require_scheduled(meeting)
    meeting.status = MeetingStatus.cancelled
    meeting.cancelled_at = now
    session.flush()
    return _tell_all(session, meeting, "cancelled", now)


def rotate_code(session: Session, *, meeting_id: int, staff_resident_id: int | None,
                now: datetime | None = None) -> Meeting:
    """A new attendance code; the old one stops working."""
    _require_staff(session, staff_resident_id)
    meeting = lock_meeting(session, meeting_id)
    meeting.code = _free_code(session)
    meeting.code_rotated_at = now or utcnow()
    session.flush()
    return meeting


def _free_code(session: Session) -> str:
    """A code no meeting uses (the unique column backs it)."""
    for _ in range(CODE_TRIES):
        code = rules.new_code()
        if session.scalar(select(Meeting.id).where(Meeting.code == code)) is None:
            return code
    raise DomainError("internal")


# --- reading --------------------------------------------------------------------------
def get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise DomainError("meeting_not_found", meeting_id=meeting_id)
    return meeting


def lock_meeting(session: Session, meeting_id: int) -> Meeting:
    """The meeting row, locked for update on PostgreSQL; ``meeting_not_found`` if absent."""
    stmt = select(Meeting).where(Meeting.id == meeting_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    meeting = session.scalars(stmt.execution_options(populate_existing=True)).first()
    if meeting is None:
        raise DomainError("meeting_not_found", meeting_id=meeting_id)
    return meeting


def list_upcoming(session: Session, now: datetime | None = None, dong: str | None = None,
                  limit: int = 10) -> list[Meeting]:
    """Scheduled meetings not yet over, soonest first; with ``dong``, those for every 동 or that one."""
    now = now or utcnow()
    stmt = select(Meeting).where(Meeting.status == MeetingStatus.scheduled, Meeting.ends_at > now)
    if dong is not None:
        stmt = stmt.where((Meeting.dong.is_(None)) | (Meeting.dong == dong))
    return list(session.scalars(stmt.order_by(Meeting.starts_at, Meeting.id).limit(limit)))


def list_with_stats(session: Session, limit: int = 30) -> list[MeetingStats]:
    """For staff: the latest meetings with registration, waiting and attendance counts."""
    meetings = list(session.scalars(select(Meeting).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
                                    .limit(limit)))
    return [stats(session, m) for m in meetings]


def stats(session: Session, meeting: Meeting) -> MeetingStats:
    return MeetingStats(meeting, registered_count(session, meeting.id),
                        _count(session, meeting.id, RegistrationStatus.waiting),
                        int(session.scalar(select(func.count()).select_from(MeetingAttendance)
                                           .where(MeetingAttendance.meeting_id == meeting.id))))


def registered_count(session: Session, meeting_id: int) -> int:
    return _count(session, meeting_id, RegistrationStatus.registered)


def _count(session: Session, meeting_id: int, status: RegistrationStatus) -> int:
    return int(session.scalar(select(func.count()).select_from(MeetingRegistration).where(
        MeetingRegistration.meeting_id == meeting_id, MeetingRegistration.status == status)))


def registration_of(session: Session, meeting_id: int, resident_id: int) -> MeetingRegistration | None:
    return session.scalar(select(MeetingRegistration).where(
        MeetingRegistration.meeting_id == meeting_id, MeetingRegistration.resident_id == resident_id))


def waiting_place(session: Session, registration: MeetingRegistration) -> int | None:
    """1-based place in the waiting list (positions only grow, so the place is the rank)."""
    if registration.status != RegistrationStatus.waiting or registration.position is None:
        return None
    return 1 + int(session.scalar(select(func.count()).select_from(MeetingRegistration).where(
        MeetingRegistration.meeting_id == registration.meeting_id,
        MeetingRegistration.status == RegistrationStatus.waiting,
        MeetingRegistration.position < registration.position)))


def waiting_list(session: Session, meeting_id: int) -> list[int]:
    """Resident ids on the waiting list, in order."""
    return list(session.scalars(select(MeetingRegistration.resident_id).where(
        MeetingRegistration.meeting_id == meeting_id, MeetingRegistration.status == RegistrationStatus.waiting)
        .order_by(MeetingRegistration.position)))


def my_registrations(session: Session, resident_id: int, now: datetime | None = None
                     ) -> list[tuple[Meeting, MeetingRegistration]]:
    """The resident's registrations and waiting places for meetings not yet over, soonest first."""
    now = now or utcnow()
    rows = session.execute(
        select(Meeting, MeetingRegistration).join(MeetingRegistration, MeetingRegistration.meeting_id == Meeting.id)
        .where(MeetingRegistration.resident_id == resident_id,
               MeetingRegistration.status != RegistrationStatus.cancelled,
               Meeting.status == MeetingStatus.scheduled, Meeting.ends_at > now)
        .order_by(Meeting.starts_at, Meeting.id))
    return [(m, r) for m, r in rows]


def has_attended(session: Session, meeting_id: int, resident_id: int) -> bool:
    return session.scalar(select(MeetingAttendance.id).where(
        MeetingAttendance.meeting_id == meeting_id, MeetingAttendance.resident_id == resident_id)) is not None


# --- residents: register, unregister --------------------------------------------------
def register(session: Session, *, meeting_id: int, resident_id: int,
             now: datetime | None = None) -> RegistrationResult:
    """A place if one is free, else the end of the waiting list; a repeat answers created=False.

    Codes: meeting_not_found, meeting_cancelled, meeting_registration_closed, not_registered.
    """
    now = now or utcnow()
    meeting = lock_meeting(session, meeting_id)
    if session.get(Resident, resident_id) is None:
        raise DomainError("not_registered")
    existing = registration_of(session, meeting_id, resident_id)
    if existing is not None and existing.status != RegistrationStatus.cancelled:
        return _result(session, meeting, existing, created=False)
    _require_scheduled(meeting)
    if not rules.registration_open(now, meeting.registration_deadline):
        raise DomainError("meeting_registration_closed", title=meeting.title,
                          deadline=kst_datetime(meeting.registration_deadline))
    if rules.has_room(meeting.capacity, registered_count(session, meeting.id)):
        status, position = RegistrationStatus.registered, None
    else:
        last = session.scalar(select(func.max(MeetingRegistration.position))
                              .where(MeetingRegistration.meeting_id == meeting.id))
        status, position = RegistrationStatus.waiting, rules.next_position(last)
    if existing is None:
        existing = MeetingRegistration(meeting_id=meeting.id, resident_id=resident_id, status=status,
                                       position=position, created_at=now, updated_at=now)
        session.add(existing)
    else:
        existing.status, existing.position, existing.updated_at = status, position, now
    session.flush()
    return _result(session, meeting, existing, created=True)


def unregister(session: Session, *, meeting_id: int, resident_id: int, now: datetime | None = None) -> bool:
    """Give up a place or a waiting position; the first waiting resident takes a freed place.

    Returns False if there was nothing to cancel. Codes: meeting_not_found.
    """
    now = now or utcnow()
    meeting = lock_meeting(session, meeting_id)
    registration = registration_of(session, meeting_id, resident_id)
    if registration is None or registration.status == RegistrationStatus.cancelled:
        return False
    registration.status, registration.position, registration.updated_at = RegistrationStatus.cancelled, None, now
    session.flush()
    if meeting.status == MeetingStatus.scheduled:
        _promote(session, meeting, now)
    return True


def _promote(session: Session, meeting: Meeting, now: datetime) -> list[int]:
    """Move waiting residents into free places, in order, and tell each once. The meeting row is locked."""
    promoted = []
    while rules.has_room(meeting.capacity, registered_count(session, meeting.id)):
        first = session.scalar(select(MeetingRegistration).where(
            MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.status == RegistrationStatus.waiting)
            .order_by(MeetingRegistration.position).limit(1))
        if first is None:
            break
        first.status, first.position, first.promoted_at, first.updated_at = (
            RegistrationStatus.registered, None, now, now)
        session.flush()
        promoted.append(first.resident_id)
        resident = session.get(Resident, first.resident_id)
        if resident is not None and resident.reachable:
            _notice(session, meeting, resident, "promoted", now)
    return promoted


def _result(session: Session, meeting: Meeting, registration: MeetingRegistration, created: bool
            ) -> RegistrationResult:
    return RegistrationResult(meeting.id, meeting.title, registration.status.value,
                              waiting_place(session, registration), created)


# --- attendance ---------------------------------------------------------------------------
def owns_code(session: Session, code: str) -> bool:
    """Whether a typed code is a meeting's attendance code (event rotating codes look the same)."""
    normal = rules.normalize_code(code)
    return normal is not None and session.scalar(select(Meeting.id).where(Meeting.code == normal)) is not None


def attend(session: Session, *, resident_id: int, code: str | None, meeting_id: int | None = None,
           now: datetime | None = None) -> AttendResult:
    """Credit attendance once per (meeting, resident) for the right code inside the window.

    ``meeting_id`` comes with a scanned QR; a typed code names its meeting itself.
    A repeat answers created=False with the points credited the first time.
    Codes: meeting_code_format, meeting_code_wrong, meeting_cancelled,
    meeting_not_open (opens_at), meeting_closed, not_registered.
    """
    now = now or utcnow()
    code = rules.normalize_code(code)
    if code is None:
        raise DomainError("meeting_code_format", length=rules.CODE_LENGTH)
    if meeting_id is not None:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None or not hmac.compare_digest(meeting.code, code):
            raise DomainError("meeting_code_wrong")
    else:
        meeting = session.scalar(select(Meeting).where(Meeting.code == code))
        if meeting is None:
            raise DomainError("meeting_code_wrong")
    if session.get(Resident, resident_id) is None:
        raise DomainError("not_registered")
    if has_attended(session, meeting.id, resident_id):
        return _attend_repeat(session, meeting, resident_id)
    if meeting.status == MeetingStatus.cancelled:
        raise DomainError("meeting_cancelled", title=meeting.title)
    state = rules.attendance_state(now, meeting.starts_at, meeting.ends_at)
    if state == "not_open":
        raise DomainError("meeting_not_open", title=meeting.title,
                          opens_at=kst_datetime(rules.attendance_opens(meeting.starts_at)))
    if state == "closed":
        raise DomainError("meeting_closed", title=meeting.title)
    if not insert_ignore(session, MeetingAttendance,
                         dict(meeting_id=meeting.id, resident_id=resident_id, points=meeting.points, created_at=now),
                         ["meeting_id", "resident_id"]):
        return _attend_repeat(session, meeting, resident_id)
    result = award(session, resident_id=resident_id, activity=ACTIVITY, ref=str(meeting.id),
                   points=meeting.points, description=meeting.title, now=now)
    return AttendResult(meeting.id, meeting.title, result.points, True,
                        available_points(session, resident_id), result.capped)


def _attend_repeat(session: Session, meeting: Meeting, resident_id: int) -> AttendResult:
    from storage.models import PointEntry

    entry = session.scalar(select(PointEntry).where(
        PointEntry.idempotency_key == award_key(ACTIVITY, str(meeting.id), resident_id)))
    return AttendResult(meeting.id, meeting.title, entry.points if entry else 0, False,
                        available_points(session, resident_id),
                        bool(entry and "requested" in (entry.params or {})))


# --- export -----------------------------------------------------------------------------
EXPORT_HEADER = ["신청번호", "주민번호(내부)", "이름", "상태", "대기순번", "신청일시", "출석일시", "적립포인트"]
STATUS_LABELS = {"registered": "신청", "waiting": "대기", "cancelled": "취소", "walk_in": "미신청 참석"}


def export_csv(session: Session, meeting_id: int) -> str:
    """Registrations and attendance of one meeting as CSV (cells that could be formulas neutralised)."""
    meeting = get_meeting(session, meeting_id)
    attended = {a.resident_id: a for a in session.scalars(
        select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id))}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    rows = session.execute(select(MeetingRegistration, Resident.display_name)
                           .join(Resident, Resident.id == MeetingRegistration.resident_id)
                           .where(MeetingRegistration.meeting_id == meeting.id)
                           .order_by(MeetingRegistration.id))
    seen = set()
    for reg, name in rows:
        seen.add(reg.resident_id)
        a = attended.get(reg.resident_id)
        writer.writerow([reg.id, reg.resident_id, csv_cell(name), STATUS_LABELS[reg.status.value],
                         waiting_place(session, reg) or "", _kst(reg.created_at),
                         _kst(a.created_at) if a else "", a.points if a else ""])
    for resident_id, a in attended.items():
        if resident_id in seen:
            continue
        name = session.scalar(select(Resident.display_name).where(Resident.id == resident_id))
        writer.writerow(["", resident_id, csv_cell(name or ""), STATUS_LABELS["walk_in"], "", "",
                         _kst(a.created_at), a.points])
    return out.getvalue()


def _kst(value: datetime) -> str:
    return to_kst(value).strftime("%Y-%m-%d %H:%M")


# --- notices ------------------------------------------------------------------------------
def notice_params(meeting: Meeting) -> dict[str, object]:
    return dict(meeting_id=meeting.id, title=meeting.title, starts=kst_datetime(meeting.starts_at),
                ends=to_kst(meeting.ends_at).strftime("%H:%M"), points=meeting.points,
                soon_minutes=int(rules.SOON_REMINDER_BEFORE.total_seconds() // 60))


def _notice(session: Session, meeting: Meeting, resident: Resident, kind: str, now: datetime,
            buttons: list | None = None, template: str | None = None, **extra: object) -> bool:
    return enqueue(session, dedup_key=rules.reminder_key(kind, meeting.id, resident.id, meeting.schedule_version),
                   chat_id=resident.telegram_user_id, resident_id=resident.id,
                   template=template or f"meeting_{kind}",
                   params={**notice_params(meeting), **extra}, buttons=buttons, send_after=now)


def _registrants(session: Session, meeting_id: int, *statuses: RegistrationStatus) -> list[Resident]:
    statuses = statuses or (RegistrationStatus.registered, RegistrationStatus.waiting)
    return list(session.scalars(select(Resident).join(MeetingRegistration, MeetingRegistration.resident_id == Resident.id)
                                .where(MeetingRegistration.meeting_id == meeting_id,
                                       MeetingRegistration.status.in_(statuses), Resident.reachable.is_(True))
                                .order_by(MeetingRegistration.id)))


def _tell_all(session: Session, meeting: Meeting, kind: str, now: datetime, **extra: object) -> int:
    return sum(_notice(session, meeting, r, kind, now, **extra) for r in _registrants(session, meeting.id))


def join_button(meeting: Meeting) -> list:
    return [[{"text": rules.JOIN_BUTTON, "url": meeting.url}]]


def queue_reminders(session: Session, now: datetime | None = None) -> int:
    """The day-before and 10-minutes-before reminders that are due; each once per resident and schedule.

    Both are service messages the resident asked for by registering: not
    promotional, so the 10-minute one goes out in quiet hours too.
    """
    now = now or utcnow()
    horizon = now + timedelta(days=2)
    queued = 0
    for meeting in session.scalars(select(Meeting).where(
            Meeting.status == MeetingStatus.scheduled, Meeting.ends_at > now, Meeting.starts_at <= horizon)):
        for kind in rules.due_reminders(now, meeting.starts_at, meeting.ends_at):
            buttons = join_button(meeting) if kind == "soon" else None
            for resident in _registrants(session, meeting.id, RegistrationStatus.registered):
                queued += _notice(session, meeting, resident, kind, now, buttons=buttons)
    return queued


def send_after_notes(session: Session, *, meeting_id: int, staff_resident_id: int | None, recording_url: str,
                     survey_id: int | None = None, now: datetime | None = None) -> int:
    """The recording/summary link (and the satisfaction survey) to every registrant and attendee, once each."""
    now = now or utcnow()
    _require_staff(session, staff_resident_id)
    meeting = lock_meeting(session, meeting_id)
    meeting.recording_url = check_url(recording_url)
    if survey_id is not None:
        meeting.survey_id = survey_id
    meeting.after_sent_at = now
    session.flush()
    residents = {r.id: r for r in _registrants(session, meeting.id, RegistrationStatus.registered)}
    for r in session.scalars(select(Resident).join(MeetingAttendance, MeetingAttendance.resident_id == Resident.id)
                             .where(MeetingAttendance.meeting_id == meeting.id, Resident.reachable.is_(True))):
        residents.setdefault(r.id, r)
    buttons = [[{"text": rules.RECORDING_BUTTON, "url": meeting.recording_url}]]
    template = "meeting_after"
    if meeting.survey_id is not None:
        # The bot's packed form of the Rasa payload /survey_start{"s":"<id>"} (bot.keyboards.pack).
        buttons.append([{"text": rules.SURVEY_BUTTON, "callback_data": f"r|survey_start|s={meeting.survey_id}"}])
        template = "meeting_after_survey"
    return sum(_notice(session, meeting, r, "after", now, buttons=buttons, template=template)
               for r in residents.values())


# --- helpers ----------------------------------------------------------------------------------
def _require_staff(session: Session, staff_resident_id: int | None) -> None:
    if staff_resident_id is not None:
        require_staff_resident(session, staff_resident_id)


def _require_scheduled(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.cancelled:
        raise DomainError("meeting_cancelled", title=meeting.title)


# --- after the meeting: the satisfaction poll through the survey engine -------------------
SURVEY_TEMPLATE = "meeting_satisfaction.yml.tmpl"


def satisfaction_survey(session: Session, *, meeting_id: int, staff_resident_id: int | None,
                        now: datetime | None = None) -> int:
    """The meeting's 3-question satisfaction survey (published once from the template); its id."""
    import json

    from storage.services import surveys
    from storage.services.survey_loader import load_survey_file
    from storage.settings import PROJECT_ROOT

    now = now or utcnow()
    meeting = lock_meeting(session, meeting_id)
    if meeting.survey_id is not None:
        return meeting.survey_id
    template = (PROJECT_ROOT / "storage" / "surveys" / SURVEY_TEMPLATE).read_text(encoding="utf-8")
    fmt = "%Y-%m-%d %H:%M"
    text = (template.replace("__TITLE__", json.dumps(rules.survey_title(meeting.title), ensure_ascii=False))
            .replace("__OPENS__", json.dumps(to_kst(now).strftime(fmt)))
            .replace("__CLOSES__", json.dumps(to_kst(now + rules.SURVEY_OPEN_FOR).strftime(fmt))))
    survey = surveys.publish_survey(session, load_survey_file(text), staff_id=staff_resident_id, now=now)
    session.flush()
    meeting.survey_id = survey.id
    return survey.id


# --- demo data (the lead's storage/demo.py calls this) ------------------------------------------
def seed_demo_meetings(session: Session, now: datetime | None = None) -> tuple[int, int]:
    """One upcoming and one past meeting for the demo; idempotent by title. Returns (upcoming id, past id)."""
    now = now or utcnow()
    made = []
    for title, offset, extra in (
        ("(예시) 신당동 도시재생 온라인 주민설명회", timedelta(days=3),
         dict(category="도시재생", department="도시재생과", capacity=30, dong="sindang",
              description="신당동 일대 도시재생 활성화 계획을 설명하고 주민 의견을 듣습니다.")),
        ("(예시) 2026 주민참여예산 온라인 설명회", -timedelta(days=7),
         dict(category="주민참여예산", department="기획예산과",
              description="주민참여예산 제안 방법과 일정을 안내했습니다.")),
    ):
        existing = session.scalar(select(Meeting.id).where(Meeting.title == title))
        if existing is not None:
            made.append(existing)
            continue
        starts = (now + offset).replace(minute=0, second=0, microsecond=0)
        meeting = create_meeting(session, staff_resident_id=None, title=title, starts_at=starts,
                                 ends_at=starts + timedelta(hours=1, minutes=30), url="https://meet.jit.si/ontong-junggu-demo",
                                 now=min(now, starts - timedelta(days=1)), **extra)  # type: ignore[arg-type]
        made.append(meeting.id)
    return made[0], made[1]
