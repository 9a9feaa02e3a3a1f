"""Pure rules of the push side: topics, quiet hours, pacing and retry constants.

No database imports: services, the sending engine, the scheduler and the bot
all read these names, so each number is written once.
"""
from __future__ import annotations

import enum
from datetime import datetime, time, timedelta

from storage.rules import DONGS as _RULES_DONGS
from storage.timeutil import KST, as_utc


class Topic(str, enum.Enum):
    """What a resident can subscribe to (the platform's menus)."""

    surveys = "surveys"
    proposals = "proposals"
    budget = "budget"
    news = "news"
    events = "events"


ALL_TOPICS: tuple[Topic, ...] = tuple(Topic)
# "all" is not a stored topic: it switches every topic at once in settings and
# means "anyone subscribed to at least one topic" as an announcement target.
ALL = "all"
# The topics' names as residents know them from the platform; storage, bot and
# actions show the same words, so they live with the topics.
TOPIC_LABELS: dict[str, str] = {
    Topic.surveys.value: "설문·공모",
    Topic.proposals.value: "정책제안",
    Topic.budget.value: "참여예산",
    Topic.news.value: "중구소식",
    Topic.events.value: "행사·포인트",
    ALL: "전체",
}

# The 15 administrative dongs of Jung-gu by name (announcement target "a 동"),
# from the one list in storage.rules (code → name).
DONGS: tuple[str, ...] = tuple(_RULES_DONGS.values())
DONG_CODES: dict[str, str] = dict(_RULES_DONGS)


def dong_code(value: str) -> str:
    """A 동 by code ('myeong') or name ('명동') → its code; ValueError otherwise."""
    value = value.strip()
    if value in DONG_CODES:
        return value
    for code, name in DONG_CODES.items():
        if value == name:
            return code
    raise ValueError(f"unknown dong: {value!r}")


def parse_topic(value: str) -> Topic:
    """A stored topic by its id or its Korean label; ValueError otherwise."""
    value = value.strip()
    for topic in ALL_TOPICS:
        if value in (topic.value, TOPIC_LABELS[topic.value]):
            return topic
    raise ValueError(f"unknown topic: {value!r}")


# --- Quiet hours (정보통신망법: no advertising 21:00–08:00 without separate consent)
QUIET_START = time(21, 0)
QUIET_END = time(8, 0)


# Advertising messages must say how to opt out for free (정보통신망법); urgent
# public notices are not advertising and go out as written.
OPT_OUT_FOOTER = "※ 알림을 그만 받으려면 \"알림 꺼줘\", 주제를 고르려면 \"알림 설정\"이라고 보내 주세요."
_FOOTER_SEPARATOR = "\n\n"


def resident_text(text: str, urgent: bool) -> str:
    """What a resident receives for staff's text: promotional ones carry the opt-out line."""
    return text if urgent else f"{text}{_FOOTER_SEPARATOR}{OPT_OUT_FOOTER}"


def body_limit(has_photo: bool) -> int:
    """Most characters staff may write: Telegram's limit minus room for the opt-out line."""
    limit = CAPTION_MAX_CHARS if has_photo else TEXT_MAX_CHARS
    return limit - len(_FOOTER_SEPARATOR) - len(OPT_OUT_FOOTER)


def is_quiet_hours(now: datetime) -> bool:
    """True from 21:00:00 up to (not including) 08:00:00 KST."""
    local = as_utc(now).astimezone(KST).time()
    return local >= QUIET_START or local < QUIET_END


def next_allowed_send(now: datetime, urgent: bool) -> datetime:
    """When a message may go out: now, or for promotional ones in quiet hours 08:00 KST next."""
    now = as_utc(now)
    if urgent or not is_quiet_hours(now):
        return now
    local = now.astimezone(KST)
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_END, tzinfo=KST).astimezone(now.tzinfo)


# --- Telegram's limits and how the engine paces itself --------------------------
GLOBAL_RATE_PER_SECOND = 30.0      # about 30 messages per second per bot
PER_CHAT_INTERVAL_SECONDS = 1.0    # about 1 message per second per chat
TEXT_MAX_CHARS = 4096
CAPTION_MAX_CHARS = 1024
BUTTON_TEXT_MAX_CHARS = 64
# Rows are claimed just before their slots, this much sending at a time, so a
# hard crash leaves at most one tick's worth of claimed rows undecided (plus
# the sends whose outcome was being written).
CLAIM_TICK_SECONDS = 0.05

# --- Retries ---------------------------------------------------------------------
MAX_ATTEMPTS = 5
BACKOFF_BASE_SECONDS = 5
BACKOFF_MAX_SECONDS = 600


def retry_delay(attempt: int) -> timedelta:
    """Exponential backoff after the ``attempt``-th failure (1-based): 5 s, 10 s, 20 s … ≤ 10 min."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_MAX_SECONDS))


def gives_up(attempts: int) -> bool:
    """After this many failed attempts a message is reported as failed."""
    return attempts >= MAX_ATTEMPTS


# --- Fan-out and progress ----------------------------------------------------------
FANOUT_BATCH = 1000
PROGRESS_EDIT_SECONDS = 2.0


def announcement_dedup_key(announcement_id: int, resident_id: int) -> str:
    """One outbox row per recipient and announcement."""
    return f"ann:{announcement_id}:r:{resident_id}"


def announcement_dedup_prefix(announcement_id: int) -> str:
    return f"ann:{announcement_id}:r:"


# --- Scheduler -------------------------------------------------------------------
# A job missed while the scheduler was down runs once on restart if it is at
# most this late (coalesced: once, however many runs were missed).
SCHEDULER_MISFIRE_GRACE = timedelta(days=7)
# Announcements scheduled by the bot or the CLI are picked up this often.
SCHEDULER_SYNC_SECONDS = 15
# A scheduled announcement found this late (the scheduler was down) is not
# sent on its own: staff are told and decide, since its news may be stale.
ANNOUNCEMENT_MAX_LATENESS = timedelta(hours=6)
# A fan-out started this long ago and not finished was interrupted by a crash.
FANOUT_STALE_AFTER = timedelta(minutes=1)


def too_late_to_send(scheduled_for: datetime, now: datetime) -> bool:
    """A scheduled announcement found more than ANNOUNCEMENT_MAX_LATENESS late waits for staff."""
    return as_utc(now) - as_utc(scheduled_for) > ANNOUNCEMENT_MAX_LATENESS


# --- Reminders -------------------------------------------------------------------
# Quarterly point-claim reminders go out this many days before the quarter's
# payout cut-off, once per quarter and resident.
CLAIM_REMINDER_DAYS_BEFORE_CUTOFF = 7
# Closing reminders for surveys, contests and budget votes that close within
# this window, once per item and resident.
CLOSING_REMINDER_WINDOW = timedelta(hours=24)


def in_claim_reminder_window(now: datetime, cutoff: datetime) -> bool:
    """True in the last CLAIM_REMINDER_DAYS_BEFORE_CUTOFF days before a payout cut-off."""
    return cutoff - timedelta(days=CLAIM_REMINDER_DAYS_BEFORE_CUTOFF) <= as_utc(now) < cutoff


def claim_reminder_dedup_key(quarter: str, resident_id: int) -> str:
    return f"claim_reminder:{quarter}:r:{resident_id}"


def closing_reminder_dedup_key(kind: str, item_id: int, resident_id: int) -> str:
    return f"closing:{kind}:{item_id}:r:{resident_id}"


# --- The one opt-in rule for pushes (issue 13) -----------------------------------------
class PushKind(str, enum.Enum):
    """Every kind of message the bot sends without being asked in that moment."""

    news = "news"                        # a 중구소식 item was posted
    claim_reminder = "claim_reminder"    # points can be exchanged before the quarter's cut-off
    closing_reminder = "closing_reminder"  # a survey, contest or budget vote closes soon
    ballot_reminder = "ballot_reminder"  # an unsubmitted draft ballot
    budget_results = "budget_results"    # the budget vote's results
    announcement = "announcement"        # staff's /announce, not urgent
    urgent = "urgent"                    # an urgent public notice (who and when recorded)
    service = "service"                  # about something the resident did (payout paid, answer to my proposal…)


# The topic a promotional kind belongs to; None means the caller names it
# (closing reminders: the item's topic; announcements: staff's target).
PUSH_TOPICS: dict[PushKind, Topic | None] = {
    PushKind.news: Topic.news,
    PushKind.claim_reminder: Topic.events,
    PushKind.closing_reminder: None,
    PushKind.ballot_reminder: Topic.budget,
    PushKind.budget_results: Topic.budget,
    PushKind.announcement: None,
}


def is_promotional(kind: PushKind) -> bool:
    """Promotional pushes need the topic's opt-in, wait out quiet hours and carry the opt-out line.

    Only urgent public notices and service messages about the resident's own
    doing are exempt.
    """
    return kind not in (PushKind.urgent, PushKind.service)


def push_topic(kind: PushKind, topic: Topic | str | None = None) -> Topic | None:
    """The topic whose opt-in a push needs (None: not promotional, or any topic for announcements)."""
    if not is_promotional(kind):
        return None
    fixed = PUSH_TOPICS.get(kind)
    if fixed is not None:
        return fixed
    if topic is None:
        if kind == PushKind.announcement:
            return None
        raise ValueError(f"{kind.value} needs a topic")
    return topic if isinstance(topic, Topic) else parse_topic(topic)


def with_opt_out(text: str, promotional: bool) -> str:
    """The text a resident receives: promotional ones end with the opt-out line (once)."""
    if not promotional or text.endswith(OPT_OUT_FOOTER):
        return text
    return f"{text}{_FOOTER_SEPARATOR}{OPT_OUT_FOOTER}"
