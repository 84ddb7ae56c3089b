"""GET /health."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import WRITE


def test_health_reports_model_and_counts(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["model_version"].startswith("v")
    assert (body["schools"], body["partners"], body["outcomes"]) == (5, 7, 0)


def test_health_is_open_in_production(prod_client: TestClient) -> None:
    assert prod_client.get("/health").status_code == 200
    # even a wrong key does not lock out probes
    assert prod_client.get("/health", headers={"X-API-Key": "nope"}).status_code == 200


def test_health_without_model(untrained_client: TestClient) -> None:
    r = untrained_client.get("/health")
    assert r.status_code == 200
    assert r.json()["model_version"] is None


def test_health_counts_follow_writes(client: TestClient) -> None:
    client.delete("/schools/S5", headers=WRITE)
    assert client.get("/health").json()["schools"] == 4


def test_livez_open_even_in_production(prod_client) -> None:
    r = prod_client.get("/livez")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
