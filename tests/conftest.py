"""Shared fixtures: real databases (SQLite file and PostgreSQL), migrated by Alembic.

PostgreSQL is selected by TEST_POSTGRES_URL (the test command sets it to the
local server). Each pytest session gets a throwaway database of its own, so
parallel runs never see each other's rows. Where the server is missing the
PostgreSQL cases skip with a reason, except under CI=true or
REQUIRE_POSTGRES=1, where they fail: the PostgreSQL run is not optional there.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from storage.db import make_engine, migrate, session_scope
from storage.models import Base

BACKENDS = ["sqlite", "postgresql"]


def _postgres_required() -> bool:
    return os.environ.get("CI") == "true" or os.environ.get("REQUIRE_POSTGRES") == "1"


def _create_pg_database(base_url: str) -> str:
    url = make_url(base_url)
    name = f"ontong_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(base_url: str, test_url: str) -> None:
    name = make_url(test_url).database
    admin = create_engine(make_url(base_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _migrated_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str | Exception]]:
    urls: dict[str, str | Exception] = {}
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    migrate(sqlite_url)
    urls["sqlite"] = sqlite_url
    pg_base = os.environ.get("TEST_POSTGRES_URL")
    pg_url = None
    if pg_base:
        try:
            pg_url = _create_pg_database(pg_base)
            migrate(pg_url)
            urls["postgresql"] = pg_url
        except Exception as exc:  # reported by the fixture that needs it
            urls["postgresql"] = exc
    yield urls
    if pg_base and pg_url:
        _drop_pg_database(pg_base, pg_url)


def _url_for(backend: str, urls: dict[str, str | Exception]) -> str:
    value = urls.get(backend)
    if isinstance(value, str):
        return value
    reason = f"PostgreSQL unavailable: {value!r}" if value else "TEST_POSTGRES_URL not set"
    if _postgres_required():
        pytest.fail(reason)
    pytest.skip(reason)


def _truncate(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, _migrated_urls: dict) -> Iterator[Engine]:
    """A migrated, empty database on each backend."""
    eng = make_engine(_url_for(request.param, _migrated_urls))
    _truncate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def pg_engine(_migrated_urls: dict) -> Iterator[Engine]:
    """PostgreSQL only: for tests of concurrency that SQLite serialises anyway."""
    eng = make_engine(_url_for("postgresql", _migrated_urls))
    _truncate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """One committed transaction around the test body, like an edge would open."""
    with session_scope(engine) as s:
        yield s
