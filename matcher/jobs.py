"""Background training jobs: one at a time, tracked by id, never disturbing serving.

A job trains in a worker thread through :meth:`Engine.train`; the active model changes
only when the new version is complete and passes the champion/challenger check, and the
engine then swaps its index in whole, so requests in flight are never served by a
half-loaded model. A failed job records its error and leaves the active model as it was.
"""

from __future__ import annotations

import threading
import traceback
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from matcher.errors import ConflictError, NotFoundError

if TYPE_CHECKING:
    from matcher.engine import Engine


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    """What a client polls: status is queued, running, succeeded or failed."""

    job_id: str
    status: str = "queued"
    created_at: str = field(default_factory=_now)
    finished_at: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class TrainingJobs:
    """Runs :meth:`Engine.train` in the background, one job at a time.

    Parameters
    ----------
    engine : Engine
        The engine whose data is trained on and whose index is refreshed afterwards.
    keep : int
        How many finished jobs to remember.
    """

    def __init__(self, engine: Engine, keep: int = 50) -> None:
        self.engine = engine
        self.keep = keep
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._running: str | None = None

    def start(self, params: dict[str, Any] | None = None, force: bool = False) -> Job:
        """Start a training job; ConflictError if one is already running."""
        with self._lock:
            if self._running is not None:
                raise ConflictError(f"training job {self._running} is still running; wait for it")
            job = Job(job_id=uuid.uuid4().hex[:12], params={**(params or {}), "force": force})
            self._jobs[job.job_id] = job
            self._running = job.job_id
            self._forget_old()
        thread = threading.Thread(
            target=self._run, args=(job, params or {}, force), name=f"train-{job.job_id}",
            daemon=True,
        )  # fmt: skip
        thread.start()
        return job

    def _run(self, job: Job, params: dict[str, Any], force: bool) -> None:
        job.status = "running"
        try:
            manifest = self.engine.train(params, force=force)
            # build the new index now, so the first request after the switch is fast
            self.engine.refresh()
            job.result = {
                "version": manifest["version"],
                "active": manifest.get("active", False),
                "decision": manifest.get("decision"),
                "metrics": manifest.get("metrics"),
            }
            job.status = "succeeded"
        except Exception as exc:  # a failed job is reported, never raised into serving
            job.error = f"{type(exc).__name__}: {exc}"
            job.status = "failed"
            job.result = {"trace": traceback.format_exc(limit=3)}
        finally:
            job.finished_at = _now()
            with self._lock:
                self._running = None

    def get(self, job_id: str) -> Job:
        try:
            return self._jobs[job_id]
        except KeyError:
            raise NotFoundError(f"no training job {job_id!r}") from None

    def _forget_old(self) -> None:
        done = [j for j in self._jobs.values() if j.status in ("succeeded", "failed")]
        for j in done[: max(len(done) - self.keep, 0)]:
            del self._jobs[j.job_id]
