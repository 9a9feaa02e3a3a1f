"""Revision 0003 upgrades and downgrades on SQLite and PostgreSQL, independent of other branches."""
from __future__ import annotations

import os
import uuid

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from storage.db import make_engine
from storage.settings import PROJECT_ROOT

TABLES = {"proposals", "endorsements", "proposal_answers", "proposal_audit"}


def _config(url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "storage" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _round_trip(url: str) -> None:
    cfg = _config(url)
    command.upgrade(cfg, "0003")
    assert TABLES <= _tables(url)
    command.downgrade(cfg, "0001")
    assert not TABLES & _tables(url) and "residents" in _tables(url)
    command.upgrade(cfg, "0003")
    assert TABLES <= _tables(url)


def test_round_trip_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'm.db'}")


def test_round_trip_postgresql():
    base = os.environ.get("TEST_POSTGRES_URL")
    if not base:
        pytest.skip("TEST_POSTGRES_URL not set")
    name = f"ontong_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _round_trip(make_url(base).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
