"""Background training jobs: one at a time, tracked by id, never disturbing serving.

A job runs a training callable in a worker thread (the engine's: train, promote if
not worse, build the new index); the active model changes only when the new version is
complete and passes the champion/challenger check, and the served index is swapped in
whole, so requests in flight are never served by a half-loaded model. A failed job
records its error and leaves the active model as it was.

Jobs are shared by every process serving the same model folder (``matcher serve
--workers N``): each job is also written to ``<models>/.jobs/<id>.json`` as its status
changes, so any worker answers a poll, and a lock file there lets one job run at a time
across processes.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from matcher.errors import ConflictError, NotFoundError

Train = Callable[[dict[str, Any], bool], dict[str, Any]]  # (params, force) -> manifest


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
    """Runs ``train`` in the background, one job at a time.

    Parameters
    ----------
    train : callable
        ``train(params, force)`` trains a version and returns its manifest (with
        ``version``, ``active``, ``decision`` and ``metrics``).
    folder : Path
        Where jobs are recorded for every process on the same model folder.
    keep : int
        How many finished jobs to remember.
    """

    def __init__(self, train: Train, folder: Path, keep: int = 50) -> None:
        self.train = train
        self.folder = Path(folder)
        self.keep = keep
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._running: str | None = None
        self._held: IO[str] | None = None

    def start(self, params: dict[str, Any] | None = None, force: bool = False) -> Job:
        """Start a training job; ConflictError if one is already running (here or in
        another process on the same model folder)."""
        with self._lock:
            if self._running is not None:
                raise ConflictError(f"training job {self._running} is still running; wait for it")
            job = Job(job_id=uuid.uuid4().hex[:12], params={**(params or {}), "force": force})
            self._hold(job.job_id)
            self._jobs[job.job_id] = job
            self._running = job.job_id
            self._save(job)
            self._forget_old()
        thread = threading.Thread(
            target=self._run, args=(job, params or {}, force), name=f"train-{job.job_id}",
            daemon=True,
        )  # fmt: skip
        thread.start()
        return job

    def _hold(self, job_id: str) -> None:
        """Take the folder's training lock for ``job_id``; ConflictError naming the job
        another process runs."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fh = (self.folder / "train.lock").open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            other = fh.read().strip() or "of another process"
            fh.close()
            raise ConflictError(f"training job {other} is still running; wait for it") from None
        fh.seek(0)
        fh.truncate()
        fh.write(job_id)
        fh.flush()
        self._held = fh

    def _release(self) -> None:
        if self._held is not None:
            self._held.truncate(0)
            self._held.close()  # closing drops the lock
            self._held = None

    def _save(self, job: Job) -> None:
        """Write the job's record where every process on the model folder reads it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".job-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(job.as_dict(), fh, default=str)
        os.replace(tmp, self.folder / f"{job.job_id}.json")

    def _run(self, job: Job, params: dict[str, Any], force: bool) -> None:
        job.status = "running"
        self._save(job)
        try:
            manifest = self.train(params, force)
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
            self._save(job)
            with self._lock:
                self._running = None
                self._release()

    def get(self, job_id: str) -> Job:
        """A job started by this process or by another on the same model folder."""
        job = self._jobs.get(job_id)
        if job is not None:
            return job
        path = self.folder / f"{job_id}.json"
        if not _JOB_ID.fullmatch(job_id) or not path.is_file():
            raise NotFoundError(f"no training job {job_id!r}")
        try:
            return Job(**json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            raise NotFoundError(f"no training job {job_id!r}") from None

    def _forget_old(self) -> None:
        done = [j for j in self._jobs.values() if j.status in ("succeeded", "failed")]
        for j in done[: max(len(done) - self.keep, 0)]:
            del self._jobs[j.job_id]
        files = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for f in files[: max(len(files) - self.keep, 0)]:
            f.unlink(missing_ok=True)


_JOB_ID = re.compile(r"[0-9a-f]{12}")
