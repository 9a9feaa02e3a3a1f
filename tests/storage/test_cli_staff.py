"""The operator CLI grants and revokes the staff role (run as a real subprocess)."""
from __future__ import annotations

import os
import subprocess
import sys

from storage.db import session_scope
from storage.models import Role
from storage.services import residents
from storage.settings import PROJECT_ROOT


def _cli(engine, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=engine.url.render_as_string(hide_password=False),
               PYTHONPATH=str(PROJECT_ROOT))
    return subprocess.run([sys.executable, "-m", "storage.cli", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=60)


def test_grant_and_revoke_staff(engine):
    with session_scope(engine) as s:
        residents.register(s, 555, "직원")
    granted = _cli(engine, "staff", "grant", "555")
    assert granted.returncode == 0 and "staff" in granted.stdout
    with session_scope(engine) as s:
        assert residents.find(s, 555).role == Role.staff
    assert _cli(engine, "staff", "revoke", "555").returncode == 0
    with session_scope(engine) as s:
        assert residents.find(s, 555).role == Role.resident


def test_grant_to_unknown_person_is_refused(engine):
    result = _cli(engine, "staff", "grant", "999")
    assert result.returncode == 2 and "not_registered" in result.stderr
