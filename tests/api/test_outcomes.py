"""POST /outcomes: idempotent event recording."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.config import ApiSettings
from matcher.config import Settings
from tests.api.conftest import KEYS, WRITE, ClientFactory


def event(oid: str | None = "ev-1", **kw: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "school_id": "S1",
        "partner_id": "P-EXACT",
        "status": "completed",
        "school_rating": 5,
        "partner_rating": 4,
        "recorded_at": "2024-06-30",
    }
    if oid is not None:
        rec["outcome_id"] = oid
    rec.update(kw)
    return rec


def post(client: TestClient, body: Any) -> Any:
    return client.post("/outcomes", json=body, headers=WRITE)


def test_one_event(client: TestClient) -> None:
    r = post(client, event())
    assert r.status_code == 200
    assert r.json() == {"received": 1, "added": 1, "duplicates": 0}
    assert client.get("/health").json()["outcomes"] == 1


def test_same_outcome_id_is_not_a_second_event(client: TestClient) -> None:
    post(client, event())
    r = post(client, [event(), event("ev-2", status="active")])
    assert r.json() == {"received": 2, "added": 1, "duplicates": 1}
    assert client.get("/health").json()["outcomes"] == 2


def test_events_without_id_are_idempotent_too(client: TestClient) -> None:
    batch = [event(None), event(None, recorded_at="2024-07-01T10:00:00+07:00")]
    assert post(client, batch).json() == {"received": 2, "added": 2, "duplicates": 0}
    assert post(client, batch).json() == {"received": 2, "added": 0, "duplicates": 2}


def test_unknown_ids_reject_the_batch_naming_them(client: TestClient) -> None:
    batch = [event("ev-ok"), event("ev-bad", school_id="S-NOPE", partner_id="P-NOPE")]
    r = post(client, batch)
    assert r.status_code == 422
    body = r.json()
    assert "S-NOPE" in body["detail"] and "P-NOPE" in body["detail"]
    assert {(e["column"], e["line"], e["record_id"]) for e in body["errors"]} == {
        ("school_id", 2, "ev-bad"),
        ("partner_id", 2, "ev-bad"),
    }
    assert client.get("/health").json()["outcomes"] == 0  # nothing written


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"status": "finished"}, "status"),
        ({"school_rating": 6}, "school_rating"),
        ({"partner_rating": "good"}, "partner_rating"),
        ({"recorded_at": "30/06/2024"}, "recorded_at"),
        ({"recorded_at": None}, "recorded_at"),
        ({"school_id": ""}, "school_id"),
    ],
)
def test_bad_event_names_the_field(client: TestClient, change: dict[str, Any], column: str) -> None:
    r = post(client, [event("ev-0"), event(**change)])
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [(e["line"], e["column"]) for e in errors] == [(2, column)]


def test_duplicate_ids_within_a_batch(client: TestClient) -> None:
    r = post(client, [event(), event()])
    assert r.status_code == 422
    assert r.json()["errors"][0]["column"] == "outcome_id"


@pytest.mark.parametrize("body", [[], {}])
def test_empty_is_422(client: TestClient, body: Any) -> None:
    r = post(client, body)
    assert r.status_code == 422
    assert r.json()["errors"]


@pytest.mark.parametrize("body", ["event", 7, [1, 2], [event(), "x"], None])
def test_not_objects_is_422(client: TestClient, body: Any) -> None:
    assert post(client, body).status_code == 422


def test_batch_cap_is_413(make_client: ClientFactory, world_settings: Settings) -> None:
    c = make_client(world_settings, ApiSettings(api_keys=KEYS, max_outcomes=2))
    ok = c.post("/outcomes", json=[event("a"), event("b")], headers=WRITE)
    assert ok.status_code == 200
    r = c.post("/outcomes", json=[event("c"), event("d"), event("e")], headers=WRITE)
    assert r.status_code == 413
    assert "at most 2 events" in r.json()["detail"]


def test_outcomes_shape_later_suggestions(client: TestClient) -> None:
    """An active partnership is not suggested again."""
    assert post(client, event("ev-act", status="active", school_rating=None)).status_code == 200
    ranked = client.get("/schools/S1/suggestions").json()["suggestions"]
    assert "P-EXACT" not in [s["partner_id"] for s in ranked]
