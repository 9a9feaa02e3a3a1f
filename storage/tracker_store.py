"""Rasa's conversation store, seen from the app: delete a sender's events.

Rasa's SQL tracker store keeps every message (text, metadata with Telegram ids
and names) in one table, ``events``, keyed by ``sender_id`` (our Telegram user
id as text). Rasa lives in its own environment, so the app reaches the same
database with its own SQLAlchemy engine for ``TRACKER_STORE_URL``.

Rasa saves a turn's events before it answers the REST call, so whoever calls
:func:`forget_sender` after the reply arrived deletes that turn too.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache

from sqlalchemy import Engine, MetaData, Table, create_engine, delete, inspect, select

from storage.settings import PROJECT_ROOT

DEFAULT_TRACKER_STORE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'rasa_tracker.db'}"
EVENTS_TABLE = "events"


def tracker_store_url(raw: str | None = None) -> str:
    """TRACKER_STORE_URL for the app's drivers (Rasa's ``postgresql://`` → psycopg 3)."""
    url = raw or os.environ.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_STORE_URL
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@lru_cache(maxsize=4)
def _engine(url: str) -> Engine:
    return create_engine(url, pool_pre_ping=True)


def _events(engine: Engine) -> Table | None:
    if not inspect(engine).has_table(EVENTS_TABLE):
        return None  # Rasa has not written anything yet
    return Table(EVENTS_TABLE, MetaData(), autoload_with=engine)


def forget_senders(sender_ids: Iterable[str], url: str | None = None) -> int:
    """Delete every tracker event of these senders; returns the rows deleted."""
    ids = [str(s) for s in sender_ids]
    if not ids:
        return 0
    engine = _engine(tracker_store_url(url))
    table = _events(engine)
    if table is None:
        return 0
    deleted = 0
    with engine.begin() as conn:
        for start in range(0, len(ids), 500):
            result = conn.execute(delete(table).where(table.c.sender_id.in_(ids[start:start + 500])))
            deleted += result.rowcount or 0
    return deleted


def forget_sender(sender_id: str | int, url: str | None = None) -> int:
    """Delete one sender's conversation (after 탈퇴, a declined consent, or the retention purge)."""
    return forget_senders([str(sender_id)], url)


def count_events(sender_id: str | int, url: str | None = None) -> int:
    """How many events the tracker store holds for a sender (tests, staff reports)."""
    engine = _engine(tracker_store_url(url))
    table = _events(engine)
    if table is None:
        return 0
    with engine.connect() as conn:
        return len(conn.execute(select(table.c.id).where(table.c.sender_id == str(sender_id))).all())
