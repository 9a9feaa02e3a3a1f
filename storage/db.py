"""Engine and the one-transaction-per-edge boundary.

Nothing connects at import time: the edges (an action run, a bot update, a CLI
command) call :func:`session_scope`, which commits on success and rolls back on
any error. Services only ever receive the session.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from storage.settings import PROJECT_ROOT, StorageSettings


def make_engine(url: str) -> Engine:
    """Create an engine with the per-dialect settings the invariants rely on."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            # pysqlite's own transaction handling defers BEGIN; we issue
            # BEGIN IMMEDIATE ourselves so that concurrent writers serialise
            # instead of failing on lock upgrade.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@lru_cache(maxsize=None)
def engine_for(url: str) -> Engine:
    return make_engine(url)


def default_engine() -> Engine:
    return engine_for(StorageSettings.from_env().database_url)


@lru_cache(maxsize=None)
def _sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit if the block succeeds, roll back otherwise."""
    session = _sessionmaker(engine or default_engine())()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def migrate(url: str | None = None, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` through Alembic (never create_all).

    Features branch off 0001 in their own revisions, hence "heads".
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "storage" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url or StorageSettings.from_env().database_url)
    command.upgrade(cfg, revision)
