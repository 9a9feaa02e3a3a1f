"""At most one process of a kind (the sender, the scheduler) per database.

PostgreSQL: a session-level advisory lock held on a dedicated connection; the
server drops it when that connection ends, so a killed process frees it.
SQLite: an exclusive ``flock`` on ``<database file>.<name>.lock``; the kernel
drops it when the process dies. Both are non-blocking: ``try_acquire`` says
whether this process is now the one.
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
