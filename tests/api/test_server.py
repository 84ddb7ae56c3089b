"""End to end: the real server process (uvicorn serving ``api.main:app``) over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from matcher.config import Settings
from tests.api.conftest import READ_KEY, WRITE_KEY, school_json

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MATCHER_API_KEYS", "MATCHER_PRODUCTION", "MATCHER_SETTINGS")
    }
    env.update(MATCHER_DB=settings.db_url, MATCHER_MODELS=str(settings.models_dir), **extra)
    return env


def start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1"]
    with log.open("wb") as out:
        return subprocess.Popen(
            [*cmd, "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def call(
    base: str, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture
def server(world_settings: Settings, tmp_path: Path) -> Iterator[str]:
    """A running server on a free port; yields its base URL."""
    port = free_port()
    log = tmp_path / "server.log"
    env = server_env(world_settings, MATCHER_API_KEYS=f"write:{WRITE_KEY},read:{READ_KEY}")
    proc = start(env, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited early:\n{log.read_text()}")
            try:
                if call(base, "GET", "/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not start in {START_TIMEOUT}s:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        stop(proc)


def test_served_over_http(server: str) -> None:
    status, _, body = call(server, "GET", "/health")
    health = json.loads(body)
    assert status == 200 and health["schools"] == 5 and health["model_version"]

    status, headers, body = call(
        server, "GET", "/schools/S1/suggestions?k=3&lang=en", headers={"X-Request-ID": "e2e-1"}
    )
    assert status == 200
    assert headers["x-request-id"] == "e2e-1"
    sugg = json.loads(body)
    assert sugg["model_version"] == health["model_version"]
    assert sugg["suggestions"][0]["partner_id"] == "P-EXACT"

    status, _, _ = call(server, "PUT", "/schools/S-E2E", school_json("S-E2E"))
    assert status == 401
    status, _, body = call(
        server, "PUT", "/schools/S-E2E", school_json("S-E2E"), {"X-API-Key": WRITE_KEY}
    )
    assert status == 200 and json.loads(body)["school_id"] == "S-E2E"

    status, headers, body = call(
        server, "POST", "/rankings", {"school_ids": ["S1", "S-E2E"], "k": 2}, {"Accept": "text/csv"}
    )
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert body.decode().startswith("school_id,rank,partner_id,score")

    status, _, body = call(server, "GET", "/docs")
    assert status == 200 and b"swagger" in body.lower()
    status, _, body = call(server, "GET", "/openapi.json")
    assert "/schools/{school_id}/suggestions" in json.loads(body)["paths"]


def test_production_without_keys_does_not_start(world_settings: Settings, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    proc = start(server_env(world_settings, MATCHER_PRODUCTION="1"), free_port(), log)
    try:
        code = proc.wait(timeout=START_TIMEOUT)
    finally:
        stop(proc)
    assert code != 0
    assert "production mode needs API keys" in log.read_text()
