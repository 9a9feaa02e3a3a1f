"""Retention: residents inactive for the retention period are purged, tracker included (issue 13)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import create_engine, text

from storage import cli as storage_cli
from storage.cli_privacy import run_purge
from storage.db import session_scope
from storage.models import Role
from storage.rules import RETENTION_YEARS
from storage.services import privacy, residents
from storage.timeutil import parse_kst

NOW = parse_kst("2028-12-02 10:00")
CUTOFF = parse_kst(f"{2028 - RETENTION_YEARS}-12-02 10:00")
SECOND = timedelta(seconds=1)


def _resident(session, tg: int, last_active, *, role: Role = Role.resident):  # type: ignore[no-untyped-def]
    r, _ = residents.register(session, tg, f"주민{tg}", now=last_active - timedelta(days=10))
    r.last_active_at = last_active
    r.role = role
    session.flush()
    return r.id


def test_the_cutoff_is_the_retention_period_from_config():
    assert privacy.retention_cutoff(NOW) == CUTOFF
    assert privacy.retention_cutoff(parse_kst("2028-02-29 12:00")).day == 28


def test_candidates_at_the_boundary(engine):
    with session_scope(engine) as s:
        old = _resident(s, 1, CUTOFF - SECOND)
        _resident(s, 2, CUTOFF)                      # exactly the period: kept
        _resident(s, 3, NOW - timedelta(days=1))
        _resident(s, 4, CUTOFF - timedelta(days=400), role=Role.staff)  # staff are not purged
        privacy.withdrawn_row(s)                     # the system row is never purged
    with session_scope(engine) as s:
        assert [c.resident_id for c in privacy.purge_candidates(s, NOW)] == [old]


def test_activity_resets_the_clock(engine):
    with session_scope(engine) as s:
        rid = _resident(s, 1, CUTOFF - timedelta(days=30))
        resident = s.get(privacy.Resident, rid)
        assert privacy.touch(s, resident, NOW - timedelta(days=1))
        assert not privacy.touch(s, resident, NOW - timedelta(hours=23))  # at most once a day
    with session_scope(engine) as s:
        assert privacy.purge_candidates(s, NOW) == []


def test_dry_run_deletes_nothing_and_the_purge_deletes_with_the_tracker(engine, tmp_path, monkeypatch, capsys):
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_STORE_URL", tracker_url)
    tracker = create_engine(tracker_url)
    with tracker.begin() as conn:
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)"))
        conn.execute(text("INSERT INTO events (sender_id, data) VALUES ('1', '주소는…'), ('3', '안녕')"))
    with session_scope(engine) as s:
        _resident(s, 1, CUTOFF - timedelta(days=1))
        _resident(s, 3, NOW)

    assert storage_cli.main(["privacy", "purge", "--dry-run"]) == 0
    assert "미리보기" in capsys.readouterr().out
    with session_scope(engine) as s:
        assert residents.find(s, 1) is not None

    report = run_purge(dry_run=True, now=NOW)
    assert [c.telegram_user_id for c in report.candidates] == [1] and report.deleted == 0
    with session_scope(engine) as s:
        assert residents.find(s, 1) is not None

    report = run_purge(dry_run=False, now=NOW)
    assert report.deleted == 1
    with session_scope(engine) as s:
        assert residents.find(s, 1) is None and residents.find(s, 3) is not None
    with tracker.connect() as conn:
        senders = [row[0] for row in conn.execute(text("SELECT sender_id FROM events"))]
    assert senders == ["3"]
