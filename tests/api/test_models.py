"""``/models``: versions, background training, activation, and serving throughout."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import READ, WRITE


def wait(client: TestClient, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/models/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def test_list_versions(client: TestClient) -> None:
    versions = client.get("/models").json()
    assert len(versions) == 1 and versions[0]["active"] is True
    assert len(versions[0]["sha256"]) == 64


def test_train_in_background_then_activate_rollback(client: TestClient) -> None:
    first = client.get("/health").json()["model_version"]
    r = client.post("/models/train", json={"force": True}, headers=WRITE)
    assert r.status_code == 202
    job = wait(client, r.json()["job_id"])
    assert job["status"] == "succeeded" and job["result"]["active"] is True
    second = job["result"]["version"]
    assert client.get("/health").json()["model_version"] == second != first
    got = client.get("/schools/S1/suggestions").json()
    assert got["model_version"] == second
    r = client.post(f"/models/{first}/activate", headers=WRITE)
    assert r.status_code == 200 and r.json()["active"] is True
    assert client.get("/schools/S1/suggestions").json()["model_version"] == first


@pytest.mark.parametrize(
    ("method", "url"), [("post", "/models/train"), ("post", "/models/v1/activate")]
)
def test_model_writes_need_write_key(client: TestClient, method: str, url: str) -> None:
    assert getattr(client, method)(url).status_code == 401
    assert getattr(client, method)(url, headers=READ).status_code == 403


def test_unknown_job_and_version(client: TestClient) -> None:
    assert client.get("/models/jobs/nope").status_code == 404
    assert client.post("/models/v-nope/activate", headers=WRITE).status_code == 404


def test_second_training_while_running_is_409(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    engine = client.app.state.engine
    real = engine.train

    def slow(*a, **k):
        gate.wait(10)
        return real(*a, **k)

    monkeypatch.setattr(engine, "train", slow)
    first = client.post("/models/train", headers=WRITE)
    assert first.status_code == 202
    second = client.post("/models/train", headers=WRITE)
    assert second.status_code == 409 and "still running" in second.json()["detail"]
    gate.set()
    assert wait(client, first.json()["job_id"])["status"] == "succeeded"


def test_failed_training_keeps_serving(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    before = client.get("/health").json()["model_version"]

    def boom(*a, **k):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(client.app.state.engine, "train", boom)
    job = wait(client, client.post("/models/train", headers=WRITE).json()["job_id"])
    assert job["status"] == "failed" and "out of memory" in job["error"]
    assert client.get("/health").json()["model_version"] == before
    assert client.get("/schools/S1/suggestions").status_code == 200


def test_retraining_under_load_fails_no_request(client: TestClient) -> None:
    codes: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            codes.append(client.get("/schools/S1/suggestions?k=3").status_code)

    workers = [threading.Thread(target=hammer) for _ in range(3)]
    for w in workers:
        w.start()
    try:
        for _ in range(2):
            job_id = client.post("/models/train", json={"force": True}, headers=WRITE).json()[
                "job_id"
            ]
            assert wait(client, job_id)["status"] == "succeeded"
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert len(codes) > 10 and set(codes) == {200}
