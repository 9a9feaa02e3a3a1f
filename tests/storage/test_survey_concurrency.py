"""One response per resident under concurrency on PostgreSQL (threads, each its own transaction)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from storage.db import session_scope
from storage.errors import DomainError
from storage.models.points import PointEntry
from storage.models.surveys import SurveyParticipation, SurveyProgress, SurveyResponse
from storage.services import surveys
from survey_helpers import FULL_WALK, NOW, publish_sample, resident, walk

THREADS = 8


def _race(fn, n: int = THREADS) -> list[str]:  # type: ignore[no-untyped-def]
    """Run fn(i) in n threads released at the same moment; returns "ok" or the error code of each."""
    barrier = threading.Barrier(n)

    def run(i: int) -> str:
        barrier.wait()
        try:
            fn(i)
            return "ok"
        except DomainError as err:
            return err.code

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def _count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_simultaneous_submits_record_one_response(pg_engine):
    with session_scope(pg_engine) as s:
        sid, rid = publish_sample(s), resident(s, 1)
        walk(s, sid, rid)

    def submit(_: int) -> None:
        with session_scope(pg_engine) as s:
            surveys.submit(s, survey_id=sid, resident_id=rid, now=NOW)

    outcomes = _race(submit)
    assert outcomes.count("ok") == 1
    assert set(outcomes) - {"ok"} == {"already_responded"}
    assert _count(pg_engine, SurveyParticipation) == 1
    assert _count(pg_engine, SurveyResponse) == 1
    assert _count(pg_engine, SurveyProgress) == 0
    with session_scope(pg_engine) as s:
        assert s.scalar(select(func.count()).select_from(PointEntry).where(PointEntry.resident_id == rid)) == 1


def test_same_button_pressed_twice_at_once_moves_once(pg_engine):
    with session_scope(pg_engine) as s:
        sid, rid = publish_sample(s), resident(s, 1)
        surveys.start_or_resume(s, survey_id=sid, resident_id=rid, now=NOW)

    def press(_: int) -> None:
        with session_scope(pg_engine) as s:
            surveys.answer(s, survey_id=sid, resident_id=rid, question_id="age", value="30s", now=NOW)

    outcomes = _race(press)
    # The row lock serialises the presses: the first answers, the rest see a stale question.
    assert outcomes.count("ok") == 1 and set(outcomes) - {"ok"} == {"stale_question"}
    with session_scope(pg_engine) as s:
        view = surveys.start_or_resume(s, survey_id=sid, resident_id=rid, now=NOW)
        assert view.question.id == "relation" and view.progress == "2/15"


def test_first_contact_from_many_devices_creates_one_progress(pg_engine):
    with session_scope(pg_engine) as s:
        sid, rid = publish_sample(s), resident(s, 1)

    def start(_: int) -> None:
        with session_scope(pg_engine) as s:
            surveys.start_or_resume(s, survey_id=sid, resident_id=rid, now=NOW)

    assert _race(start) == ["ok"] * THREADS
    assert _count(pg_engine, SurveyProgress) == 1


def test_many_residents_submit_at_once(pg_engine):
    with session_scope(pg_engine) as s:
        sid = publish_sample(s)
        ids = [resident(s, 100 + i) for i in range(THREADS)]
        for rid in ids:
            walk(s, sid, rid, FULL_WALK)

    def submit(i: int) -> None:
        with session_scope(pg_engine) as s:
            surveys.submit(s, survey_id=sid, resident_id=ids[i], now=NOW)

    assert _race(submit) == ["ok"] * THREADS
    assert _count(pg_engine, SurveyResponse) == THREADS
