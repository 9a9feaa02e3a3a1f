"""The one scheduler process: ``python -m bot.scheduler``.

APScheduler 3 with its jobs persisted in the project database (table
``apscheduler_jobs``, created by migration 0006), timezone Asia/Seoul. Jobs are
module-level functions that take ids only and open their own transactions;
they queue outbox rows and the bot's sender delivers them.

- Exactly one process schedules: it holds the database's "scheduler" lock
  (PostgreSQL advisory lock / SQLite lock file, see bot.instance_lock). A
  second process waits as a standby and takes over when the first dies.
- Restarts never duplicate jobs: recurring jobs have stable ids and are only
  replaced when their trigger changed, so a run missed while the process was
  down stays due and runs once on restart (coalesce=True, misfire grace of a
  week).
- Announcements scheduled from the bot or the CLI are written to the database
  only; ``sync_announcements`` (every 15 s) turns them into date jobs
  ``announcement:<id>`` and drops jobs of cancelled ones.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from apscheduler.util import obj_to_ref
from sqlalchemy import Engine

from bot.broadcast import LOCK_HEARTBEAT_SECONDS, fan_out
from bot.instance_lock import InstanceLock
from bot.logging_setup import setup_logging
from storage.db import default_engine, session_scope
from storage.models import AnnouncementStatus
from storage.notify_rules import (
    FANOUT_STALE_AFTER,
    SCHEDULER_MISFIRE_GRACE,
    SCHEDULER_SYNC_SECONDS,
    too_late_to_send,
)
from storage.services import announcements, reminders
from storage.timeutil import KST, utcnow

log = logging.getLogger(__name__)
JOBSTORE_TABLE = "apscheduler_jobs"
SCHEDULER_LOCK = "scheduler"
ANNOUNCEMENT_JOB = "announcement:"
# The running scheduler, for jobs that manage other jobs (sync_announcements).
_current: BaseScheduler | None = None


# --- jobs (module level, ids only) ---------------------------------------------------
def send_announcement(announcement_id: int) -> None:
    """Start a scheduled announcement: fan it out to the outbox (idempotent)."""
    db = default_engine()
    now = utcnow()
    with session_scope(db) as session:
        announcement = announcements.get(session, announcement_id)
        if announcement.status != AnnouncementStatus.scheduled:
            return
        if announcement.scheduled_for and too_late_to_send(announcement.scheduled_for, now):
            announcements.mark_missed(session, announcement_id, now=now)
            log.warning("announcement %s found too late; staff told", announcement_id)
            return
    created = fan_out(db, announcement_id, now=now)
    log.info("announcement %s fanned out: %d rows", announcement_id, created)


def sync_announcements() -> None:
    """Scheduled announcements → date jobs; drop jobs of cancelled ones; resume interrupted fan-outs."""
    db = default_engine()
    now = utcnow()
    with session_scope(db) as session:
        scheduled = {a.id: a.scheduled_for for a in announcements.list_scheduled(session)}
        interrupted = announcements.unfinished_fanouts(session, started_before=now - FANOUT_STALE_AFTER)
    scheduler = _current
    if scheduler is not None:
        for job in scheduler.get_jobs():
            if job.id.startswith(ANNOUNCEMENT_JOB) and int(job.id.removeprefix(ANNOUNCEMENT_JOB)) not in scheduled:
                job.remove()
    for announcement_id, when in scheduled.items():
        if when is None or when <= now or scheduler is None:
            if when is not None and when <= now:
                send_announcement(announcement_id)
            continue
        ensure_job(scheduler, f"{ANNOUNCEMENT_JOB}{announcement_id}", send_announcement,
                   DateTrigger(run_date=when, timezone=KST), args=[announcement_id])
    for announcement_id in interrupted:
        log.warning("resuming the interrupted fan-out of announcement %s", announcement_id)
        fan_out(db, announcement_id, now=now)


def remind_point_claims() -> None:
    """Quarterly point-claim reminders (points feature)."""
    with session_scope(default_engine()) as session:
        log.info("claim reminders queued: %d", reminders.claim_reminders(session, utcnow()))


def remind_closing() -> None:
    """Closing reminders for surveys, contests and budget votes."""
    with session_scope(default_engine()) as session:
        log.info("closing reminders queued: %d", reminders.closing_reminders(session, utcnow()))


def expire_proposals() -> None:
    """Proposals past their endorsement window → expired (proposals feature)."""
    from storage.services import proposals

    with session_scope(default_engine()) as session:
        expired = proposals.expire_due(session, now=utcnow())
    if expired:
        log.info("proposals expired: %s", expired)


def advance_budget() -> None:
    """Budget cycles' phase changes and draft-ballot reminders (budget feature)."""
    from storage.services import budget

    with session_scope(default_engine()) as session:
        report = budget.run_schedule(session, utcnow())
    if report.phase_changes:
        log.info("budget phases: %s", report.phase_changes)


def purge_inactive() -> None:
    """Retention purge: residents inactive for the retention period, with their conversations."""
    from storage.cli_privacy import run_purge

    report = run_purge(dry_run=False)
    if report.deleted:
        log.info("retention purge deleted %d residents", report.deleted)


# --- meetings (issue 16) ---
def remind_meetings() -> None:
    """Video meetings: the day-before (10:00 KST) and 10-minutes-before reminders that are due."""
    from storage.services import meetings

    with session_scope(default_engine()) as session:
        queued = meetings.queue_reminders(session, utcnow())
    if queued:
        log.info("meeting reminders queued: %d", queued)


# --- installation ----------------------------------------------------------------------
@dataclass(frozen=True)
class Recurring:
    job_id: str
    func: Callable[[], None]
    trigger: BaseTrigger
    needs: str | None = None          # "module:attribute" that must exist


RECURRING: tuple[Recurring, ...] = (
    Recurring("sync_announcements", sync_announcements,
              IntervalTrigger(seconds=SCHEDULER_SYNC_SECONDS, timezone=KST)),
    Recurring("claim_reminders", remind_point_claims, CronTrigger(hour=10, minute=0, timezone=KST),
              "storage.services.payout:residents_due_for_claim_reminder"),
    Recurring("closing_reminders", remind_closing, CronTrigger(hour=10, minute=30, timezone=KST)),
    Recurring("expire_proposals", expire_proposals, CronTrigger(minute=5, timezone=KST),
              "storage.services.proposals:expire_due"),
    Recurring("advance_budget", advance_budget, IntervalTrigger(minutes=5, timezone=KST),
              "storage.services.budget:run_schedule"),
    Recurring("purge_inactive", purge_inactive, CronTrigger(hour=4, minute=0, timezone=KST),
              "storage.services.privacy:purge"),
    # meetings (issue 16): every minute, so the 10-minute reminder is on time
    Recurring("meeting_reminders", remind_meetings, IntervalTrigger(minutes=1, timezone=KST),
              "storage.services.meetings:queue_reminders"),
)


def feature_present(needs: str | None) -> bool:
    """Whether a feature's service function exists (the scheduler runs without absent ones)."""
    if needs is None:
        return True
    module, _, attribute = needs.partition(":")
    try:
        return hasattr(importlib.import_module(module), attribute)
    except ImportError:
        return False


def ensure_job(scheduler: BaseScheduler, job_id: str, func: Callable[..., None], trigger: BaseTrigger,
               args: list | None = None) -> bool:
    """Add the job unless an identical one is stored; returns True if (re)written.

    Keeping an unchanged job keeps its stored next run time, so a run missed
    while the scheduler was down still happens (once) after the restart.
    """
    existing = scheduler.get_job(job_id)
    if (existing is not None and repr(existing.trigger) == repr(trigger)
            and existing.func_ref == obj_to_ref(func) and list(existing.args) == list(args or [])):
        return False
    scheduler.add_job(func, trigger, args=args or [], id=job_id, name=job_id, replace_existing=True)
    return True


def install_jobs(scheduler: BaseScheduler) -> list[str]:
    """Install the recurring jobs of the features present; remove those of absent ones."""
    installed = []
    for job in RECURRING:
        if feature_present(job.needs):
            ensure_job(scheduler, job.job_id, job.func, job.trigger)
            installed.append(job.job_id)
        elif scheduler.get_job(job.job_id) is not None:
            scheduler.remove_job(job.job_id)
    return installed


def build_scheduler(db: Engine) -> BackgroundScheduler:
    """A scheduler whose jobs live in the project database, in KST."""
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=db, tablename=JOBSTORE_TABLE)},
        executors={"default": ThreadPoolExecutor(4)},
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": int(SCHEDULER_MISFIRE_GRACE.total_seconds())},
        timezone=KST,
    )


def start(db: Engine) -> BackgroundScheduler:
    """Start paused, install the jobs, then resume (stored due jobs run once now)."""
    global _current
    scheduler = build_scheduler(db)
    scheduler.start(paused=True)
    installed = install_jobs(scheduler)
    _current = scheduler
    scheduler.resume()
    log.info("scheduler running with jobs: %s", ", ".join(installed))
    return scheduler


def stop(scheduler: BaseScheduler) -> None:
    """Let running jobs finish, then stop."""
    global _current
    scheduler.shutdown(wait=True)
    if _current is scheduler:
        _current = None


def run(db: Engine, stop_event: threading.Event, *, standby: bool = True) -> int:
    """Hold the scheduler lock (waiting as a standby if another process has it) and schedule until stopped."""
    lock = InstanceLock(db, SCHEDULER_LOCK)
    while not lock.try_acquire():
        if not standby:
            log.error("another scheduler holds the lock")
            return 3
        log.info("another scheduler is running; standing by")
        if stop_event.wait(5):
            return 0
    try:
        scheduler = start(db)
        # Heartbeat: a scheduler whose lock session is gone stops, since another may take over now.
        while not stop_event.wait(LOCK_HEARTBEAT_SECONDS):
            if not lock.check():
                log.error("the scheduler lock was lost: stopping")
                stop(scheduler)
                return 4
        stop(scheduler)
        return 0
    finally:
        lock.release()


def main(argv: list[str] | None = None) -> int:
    """python -m bot.scheduler [--no-standby] [--list]"""
    parser = argparse.ArgumentParser(prog="python -m bot.scheduler", description="온통중구 scheduler")
    parser.add_argument("--no-standby", action="store_true", help="exit (code 3) if another scheduler runs")
    parser.add_argument("--list", action="store_true", help="print the stored jobs and exit")
    args = parser.parse_args(argv)
    setup_logging()
    db = default_engine()
    if args.list:
        scheduler = build_scheduler(db)
        scheduler.start(paused=True)
        for job in scheduler.get_jobs():
            when: datetime | None = job.next_run_time
            print(f"{job.id:28} {job.trigger!s:36} next: {when.astimezone(KST):%Y-%m-%d %H:%M} KST"
                  if when else f"{job.id:28} {job.trigger!s:36} paused")
        scheduler.shutdown(wait=False)
        return 0
    stop_event = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop_event.set())
    return run(db, stop_event, standby=not args.no_standby)


if __name__ == "__main__":
    # Run the functions of the importable module, not of __main__: the job store
    # keeps references like "bot.scheduler:sync_announcements".
    from bot.scheduler import main as _main

    raise SystemExit(_main())
