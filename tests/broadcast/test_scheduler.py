"""The scheduler: jobs persist across restarts without duplicates, a missed job runs once, one process only."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import func, select, text, update

from bot import scheduler as sched_mod
from bot.instance_lock import InstanceLock
from storage.db import session_scope
from storage.models import Announcement, AnnouncementStatus, OutboxMessage
from storage.services import announcements, residents, subscriptions
from storage.settings import PROJECT_ROOT
from storage.timeutil import utcnow


@pytest.fixture
def db(engine, monkeypatch):  # type: ignore[no-untyped-def]
    """The test database as DATABASE_URL (jobs open their own sessions), job table emptied."""
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM apscheduler_jobs"))
    yield engine
    sched_mod._current = None


def _stored_jobs(db) -> int:  # type: ignore[no-untyped-def]
    with db.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM apscheduler_jobs")).scalar()


def _wait_for(predicate, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_restart_keeps_one_copy_of_each_job_and_their_next_runs(db) -> None:  # type: ignore[no-untyped-def]
    first = sched_mod.start(db)
    jobs = {j.id: j.next_run_time for j in first.get_jobs()}
    sched_mod.stop(first)
    assert set(jobs) == {"sync_announcements", "claim_reminders", "closing_reminders",
                         "expire_proposals", "advance_budget", "purge_inactive",
                         "meeting_reminders"}
    second = sched_mod.start(db)
    try:
        again = {j.id: j.next_run_time for j in second.get_jobs()}
    finally:
        sched_mod.stop(second)
    assert _stored_jobs(db) == len(jobs)
    # Unchanged jobs were kept, not rewritten, so their next runs stand.
    assert {k: v for k, v in again.items() if k != "sync_announcements"} == \
        {k: v for k, v in jobs.items() if k != "sync_announcements"}


def test_a_job_missed_while_down_runs_once_on_restart(db) -> None:  # type: ignore[no-untyped-def]
    sched_mod.stop(sched_mod.start(db))
    # While no scheduler runs, three days pass: three daily claim-reminder runs are missed.
    store = SQLAlchemyJobStore(engine=db, tablename=sched_mod.JOBSTORE_TABLE)
    store.start(sched_mod.build_scheduler(db), "default")
    job = store.lookup_job("claim_reminders")
    job._modify(next_run_time=utcnow() - timedelta(days=3))
    store.update_job(job)

    runs: list[str] = []
    second = sched_mod.build_scheduler(db)
    second.add_listener(lambda e: runs.append(e.job_id) if e.code == EVENT_JOB_EXECUTED else None,
                        EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)
    second.start(paused=True)
    sched_mod.install_jobs(second)
    second.resume()
    try:
        assert _wait_for(lambda: "claim_reminders" in runs)
        time.sleep(0.5)
        assert runs.count("claim_reminders") == 1
        assert second.get_job("claim_reminders").next_run_time > utcnow()
    finally:
        second.shutdown(wait=True)


def _staff(session) -> int:  # type: ignore[no-untyped-def]
    r, _ = residents.register(session, 900, "담당자")
    session.flush()
    return r.id


def _subscribers(session, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        r, _ = residents.register(session, 1000 + i, f"주민{i}")
        session.flush()
        subscriptions.set_defaults(session, r.id)


def test_scheduled_announcements_become_jobs_and_cancelled_ones_go(db) -> None:  # type: ignore[no-untyped-def]
    s = sched_mod.build_scheduler(db)
    s.start(paused=True)
    sched_mod._current = s
    try:
        with session_scope(db) as session:
            a_id = announcements.create(session, text="예약 공지").id
            when = utcnow() + timedelta(hours=3)
            announcements.schedule(session, a_id, when)
        sched_mod.sync_announcements()
        sched_mod.sync_announcements()
        job = s.get_job(f"announcement:{a_id}")
        assert job is not None and job.next_run_time == when and job.args == (a_id,)
        assert [j.id for j in s.get_jobs()].count(f"announcement:{a_id}") == 1
        with session_scope(db) as session:
            announcements.cancel(session, a_id, by_resident_id=None)
        sched_mod.sync_announcements()
        assert s.get_job(f"announcement:{a_id}") is None
        sched_mod.send_announcement(a_id)           # a stale run of a cancelled one does nothing
        with session_scope(db) as session:
            assert announcements.get(session, a_id).status == AnnouncementStatus.cancelled
    finally:
        s.shutdown(wait=False)


def test_due_announcement_is_sent_and_a_too_late_one_waits_for_staff(db) -> None:  # type: ignore[no-untyped-def]
    with session_scope(db) as session:
        staff = _staff(session)
        _subscribers(session, 3)
        due = announcements.create(session, text="조금 늦은 공지", created_by_resident_id=staff).id
        stale = announcements.create(session, text="오래된 공지", created_by_resident_id=staff).id
        session.execute(update(Announcement).where(Announcement.id == due).values(
            status=AnnouncementStatus.scheduled, scheduled_for=utcnow() - timedelta(minutes=30)))
        session.execute(update(Announcement).where(Announcement.id == stale).values(
            status=AnnouncementStatus.scheduled, scheduled_for=utcnow() - timedelta(hours=7)))
    sched_mod.sync_announcements()
    with session_scope(db) as session:
        assert announcements.get(session, due).status == AnnouncementStatus.sending
        assert announcements.progress(session, due).total == 3
        assert announcements.get(session, stale).status == AnnouncementStatus.draft
        notice = session.scalar(select(OutboxMessage).where(OutboxMessage.template == "announcement_missed"))
        assert notice.resident_id == staff and notice.params["id"] == stale


def test_interrupted_fan_out_is_resumed(db) -> None:  # type: ignore[no-untyped-def]
    with session_scope(db) as session:
        _subscribers(session, 5)
        a_id = announcements.create(session, text="안내").id
        announcements.start_sending(session, a_id, now=utcnow() - timedelta(minutes=2))
        announcements.fan_out_batch(session, a_id, batch=2)          # then the process died
    sched_mod.sync_announcements()
    with session_scope(db) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 5
        assert announcements.get(session, a_id).fanout_done


def test_second_scheduler_refuses_while_the_first_holds_the_lock(db) -> None:  # type: ignore[no-untyped-def]
    holder = InstanceLock(db, sched_mod.SCHEDULER_LOCK)
    assert holder.try_acquire()
    try:
        assert sched_mod.run(db, threading.Event(), standby=False) == 3
    finally:
        holder.release()


def test_scheduler_processes_one_at_a_time(db) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    argv = [sys.executable, "-m", "bot.scheduler", "--no-standby"]
    first = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert _wait_for(lambda: _stored_jobs(db) >= len(sched_mod.RECURRING), timeout=60), first.stderr.read().decode()
        second = subprocess.run(argv, cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=60)
        assert second.returncode == 3
    finally:
        first.terminate()
        assert first.wait(timeout=30) == 0
    assert _stored_jobs(db) == len(sched_mod.RECURRING)
