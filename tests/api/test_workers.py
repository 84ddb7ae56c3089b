"""`matcher serve --workers N`: several server processes on one database and model
folder; a model trained through any of them reaches all, and training jobs are shared."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from matcher.config import Settings
from matcher.engine import Engine
from matcher.errors import ConflictError
from tests.api.conftest import WRITE_KEY
from tests.api.test_server import START_TIMEOUT, call, free_port, server_env, stop

WRITE = {"X-API-Key": WRITE_KEY}


def test_two_workers_serve_and_follow_a_new_model(world_settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    env = server_env(world_settings, MATCHER_API_KEYS=f"write:{WRITE_KEY}",
                     MATCHER_REFRESH_SECONDS="0.3")  # fmt: skip
    exe = str(Path(sys.executable).with_name("matcher"))
    cmd = [exe, "serve", "--workers", "2", "--no-sample", "--port", str(port), "-q"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 2 * START_TIMEOUT
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if call(base, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        time.sleep(1.0)  # both workers up (the first answers while the second loads)
        assert log.read_text().count("Started server process") == 2, log.read_text()
        first = json.loads(call(base, "GET", "/health")[2])["model_version"]
        status, _, body = call(base, "POST", "/models/train", {"force": True}, WRITE)
        assert status == 202, body
        job = json.loads(body)
        while job["status"] in ("queued", "running"):  # a poll may reach either worker
            time.sleep(0.3)
            status, _, body = call(base, "GET", f"/models/jobs/{job['job_id']}")
            assert status == 200, body
            job = json.loads(body)
        assert job["status"] == "succeeded", job
        new = job["result"]["version"]
        assert new != first

        def versions() -> set[str]:
            answers = [call(base, "GET", "/schools/S1/suggestions")[2] for _ in range(12)]
            return {json.loads(a)["model_version"] for a in answers}

        end = time.monotonic() + 20
        while versions() != {new}:
            assert time.monotonic() < end, "a worker kept serving the old model"
            time.sleep(0.3)
    finally:
        stop(proc)


def test_jobs_are_shared_by_processes_on_one_model_folder(
    world_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = Engine(world_settings), Engine(world_settings)
    started, release = [], []

    def slow_train(*args, **kwargs):  # holds the job open until the test lets it finish
        started.append(True)
        deadline = time.monotonic() + 60  # never outlive a failed test
        while not release and time.monotonic() < deadline:
            time.sleep(0.02)
        return {"version": "v-test", "active": False}

    monkeypatch.setattr(a, "train", slow_train)
    job = a.jobs.start()
    try:
        deadline = time.monotonic() + 60
        while not started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert started, "the training job never started (60 s)"
        assert b.jobs.get(job.job_id).status == "running"  # the other process sees it
        with pytest.raises(ConflictError, match=job.job_id):
            b.jobs.start()
    finally:
        release.append(True)
    end = time.monotonic() + 10
    while b.jobs.get(job.job_id).status == "running" and time.monotonic() < end:
        time.sleep(0.05)
    assert b.jobs.get(job.job_id).status == "succeeded"
    a.close()
    b.close()
