"""SQLite's "database is locked" that its busy timeout does not wait out.

``PRAGMA busy_timeout`` makes a connection wait for a lock, except where waiting could
deadlock: a connection that already reads and then needs the write lock gets
``SQLITE_BUSY`` at once. Switching a brand-new file to WAL is such a case (the pragma
reads the file header, then writes it), so a process opening a new database while
another one switches or migrates it failed at once. Retrying the whole step after the
holder finishes is safe: the step's transaction was rolled back.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# how long an opener keeps retrying: switching to WAL and migrating a new file take well
# under a second; a lock held longer than this is someone else's long write, so the
# caller's clear "database is locked" error is the better answer
RETRY_SECONDS = 5.0
_PAUSE_SECONDS = 0.05


def is_locked(exc: BaseException) -> bool:
    """Whether ``exc`` (the driver's error, or SQLAlchemy's wrapping it) is SQLite's
    "database is locked" or "database table is locked"."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig)


def retry_locked(step: Callable[[], T], seconds: float | None = None) -> T:
    """Run ``step``, again after a short pause while it fails because the database is
    locked, for at most ``seconds`` (default ``RETRY_SECONDS``) since the first try;
    then its last error is raised. Any other error is raised at once."""
    deadline = time.monotonic() + (RETRY_SECONDS if seconds is None else seconds)
    while True:
        try:
            return step()
        except Exception as exc:
            if not is_locked(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(_PAUSE_SECONDS)
