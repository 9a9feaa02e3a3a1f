"""At most one process of a kind (the sender, the scheduler) per database.

PostgreSQL: a session-level advisory lock held on a dedicated connection; the
server drops it when that connection ends, so a killed process frees it.
SQLite: an exclusive ``flock`` on ``<database file>.<name>.lock``; the kernel
drops it when the process dies. Both are non-blocking: ``try_acquire`` says
whether this process is now the one.

The lock is heartbeat-checked (``check``): a PostgreSQL session can be
terminated while the process lives on, and with it the lock; a holder whose
check fails must stop, because another process may take the lock at once.

``HolderMark`` is a process's proof of life under its own id (the ``claimed_by``
of the outbox rows it claims), held apart from the instance lock; others ask
``holder_alive`` before treating that holder's rows as orphans.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock."""
    return int.from_bytes(hashlib.sha256(f"ontong:{name}".encode()).digest()[:8], "big", signed=True)


def lock_file_path(engine: Engine, name: str) -> Path | None:
    """The SQLite lock file next to the database (None for in-memory databases)."""
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(f"{database}.{name}.lock")


class InstanceLock:
    """Held from ``try_acquire() → True`` until ``release()`` or the process ends."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._conn: Connection | None = None
        self._file: IO[bytes] | None = None
        self.held = False

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True if this process holds it now."""
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                    {"k": _advisory_key(self.name)}).scalar())
            conn.commit()
            if got:
                self._conn = conn
            else:
                conn.close()
            self.held = got
            return got
        path = lock_file_path(self.engine, self.name)
        if path is None:
            self.held = True
            return True
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+b")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()).encode())
        handle.flush()
        self._file = handle
        self.held = True
        return True

    def check(self) -> bool:
        """Heartbeat: whether the lock is still held (False once its session is gone)."""
        if not self.held:
            return False
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT 1")).scalar()
                self._conn.commit()
            except Exception:
                log.error("advisory lock %s: its database session is gone; the lock is lost", self.name)
                self._drop_connection()
                self.held = False
                return False
        return True

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _advisory_key(self.name)})
                self._conn.commit()
            except Exception:  # the connection is gone, and with it the lock
                log.warning("advisory lock %s: connection lost before unlock", self.name)
            finally:
                self._conn.close()
                self._conn = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        self.held = False

    def __enter__(self) -> "InstanceLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _holder_key(holder_id: str) -> int:
    return _advisory_key(f"holder:{holder_id}")


def _holder_file(engine: Engine, holder_id: str) -> Path | None:
    base = lock_file_path(engine, "holder")
    if base is None:
        return None
    return Path(f"{base}-{hashlib.sha256(holder_id.encode()).hexdigest()[:16]}")


class HolderMark:
    """Held while a process works under ``holder_id``; released (or dropped by the OS) when it ends."""

    def __init__(self, engine: Engine, holder_id: str) -> None:
        self.engine = engine
        self.holder_id = holder_id
        self._conn: Connection | None = None
        self._file: IO[bytes] | None = None

    def hold(self) -> None:
        if self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _holder_key(self.holder_id)})
            conn.commit()
            self._conn = conn
            return
        path = _holder_file(self.engine, self.holder_id)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(path, "a+b")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            self._file = handle

    def release(self) -> None:
        if self._conn is not None:
            try:
                # Pooled connections outlive close(): unlock explicitly.
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _holder_key(self.holder_id)})
                self._conn.commit()
            except Exception:
                self._conn.invalidate()
            finally:
                self._conn.close()
                self._conn = None
        if self._file is not None:
            path = Path(self._file.name)
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
            path.unlink(missing_ok=True)


def holder_alive(engine: Engine, holder_id: str | None) -> bool:
    """Whether a process still holds its HolderMark under this id (None: an unknown, dead holder)."""
    if not holder_id:
        return False
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            key = _holder_key(holder_id)
            free = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
            if free:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()
            return not free
    path = _holder_file(engine, holder_id)
    if path is None or not path.exists():
        return False
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    path.unlink(missing_ok=True)
    return False
