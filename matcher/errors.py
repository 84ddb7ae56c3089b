"""Errors a user can cause, each with a message that says what to fix.

The command line turns these into one line on stderr and a non-zero exit; the API turns
them into a 4xx answer. Anything else escaping is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


class MatcherError(Exception):
    """Base class for every error caused by input, configuration or state."""


class NotFoundError(MatcherError):
    """A school, partner, model version or job that does not exist."""


class ConflictError(MatcherError):
    """The request clashes with the current state (e.g. a training already running)."""


class ModelError(MatcherError):
    """No usable model: none trained, or an artifact that fails its checks."""


@dataclass(frozen=True)
class RowError:
    """One problem in one input record."""

    line: int
    column: str
    reason: str
    record_id: str | None = None

    def __str__(self) -> str:
        rid = f" ({self.record_id})" if self.record_id else ""
        return f"line {self.line}{rid}, column {self.column}: {self.reason}"


SHOWN = 50


class ValidationError(MatcherError):
    """An input file or request with bad records; nothing of it was written."""

    def __init__(self, source: str, errors: list[RowError]) -> None:
        self.source = source
        self.errors = errors
        lines = sorted({e.line for e in errors})
        n = len(lines)
        # the message names the first SHOWN bad records and counts the rest (a file with
        # 100,000 bad rows is one readable line, not megabytes); ``errors`` has them all
        shown_lines = set(lines[:SHOWN])
        shown = "; ".join(str(e) for e in errors if e.line in shown_lines)
        more = f"; and {n - SHOWN} more bad records" if n > SHOWN else ""
        super().__init__(
            f"{source} rejected, nothing written: {n} bad record{'s' if n != 1 else ''}: "
            f"{shown}{more}"
        )


class AuthError(MatcherError):
    """Wrong e-mail or password, or a used or expired password link."""


class ThrottledError(AuthError):
    """Too many wrong passwords in a row: the account refuses logins for a while."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
