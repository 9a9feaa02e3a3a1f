"""Shared setup of the survey tests: the sample survey, residents, and a controllable clock."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from storage.services import residents, surveys
from storage.services.survey_loader import load_survey_file
from storage.settings import PROJECT_ROOT
from storage.timeutil import parse_kst

SAMPLE = PROJECT_ROOT / "storage" / "surveys" / "satisfaction_2026.yml"
PUBLISHED = parse_kst("2026-11-30 10:00")
OPENS = parse_kst("2026-12-01 09:00")
CLOSES = parse_kst("2026-12-21 18:00")
NOW = parse_kst("2026-12-02 10:00")
SECOND = timedelta(seconds=1)

# A full walk through the sample that makes both conditional questions appear.
FULL_WALK: list[tuple[str, object]] = [
    ("age", "30s"), ("relation", "live"), ("frequency", "weekly"), ("features", ["survey", "news"]),
    ("overall", 2), ("unhappy_why", ["complex"]), ("ease", 3), ("info", 4), ("reflected", 2),
    ("points_known", "received"), ("points_exchange", "easy"), ("channel", ["sns", "friend"]),
    ("recommend", 7), ("wish", "주차 안내가 있으면 좋겠어요"), ("comment", None),
]


def resident(session: Session, telegram_id: int, name: str = "주민") -> int:
    r, _ = residents.register(session, telegram_id, name, now=PUBLISHED)
    session.flush()
    return r.id


def publish_sample(session: Session) -> int:
    survey = surveys.publish_survey(session, load_survey_file(SAMPLE), staff_id=None, now=PUBLISHED)
    session.flush()
    return survey.id


def publish_text(session: Session, text: str) -> int:
    survey = surveys.publish_survey(session, load_survey_file(text), staff_id=None, now=PUBLISHED)
    session.flush()
    return survey.id


def walk(session: Session, survey_id: int, resident_id: int, steps=FULL_WALK, now=NOW):  # type: ignore[no-untyped-def]
    """Answer ``steps`` in order (None = skip); returns the views seen before each answer and the last one."""
    seen = [surveys.start_or_resume(session, survey_id=survey_id, resident_id=resident_id, now=now)]
    for qid, value in steps:
        if value is None:
            step = surveys.skip(session, survey_id=survey_id, resident_id=resident_id, question_id=qid, now=now)
        else:
            step = surveys.answer(session, survey_id=survey_id, resident_id=resident_id, question_id=qid,
                                  value=value, now=now)
        seen.append(step)
    return seen
