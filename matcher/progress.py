"""Progress reports for long work, on stderr, so piped output stays clean."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts units of work and reports the share done: in place on a terminal, at most
    every few seconds otherwise (logs). Silent when ``enabled`` is false."""

    def __init__(
        self, total: int, label: str, enabled: bool = True, stream: TextIO | None = None
    ) -> None:
        self.total = max(total, 1)
        self.label = label
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.start = time.perf_counter()
        self._last = 0.0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if not self.enabled:
            return
        if now - self._last < (0.2 if self._tty else 5.0) and self.done < self.total:
            return
        self._last = now
        pct = 100.0 * self.done / self.total
        rate = self.done / max(now - self.start, 1e-9)
        msg = f"{self.label}: {self.done:,}/{self.total:,} ({pct:.0f}%, {rate:,.0f}/s)"
        end = "\r" if self._tty and self.done < self.total else "\n"
        self.stream.write(msg + end)
        self.stream.flush()
