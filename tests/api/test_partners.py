"""/partners: list, look up, create or replace, delete."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import WRITE, partner_json


def test_list_all(client: TestClient) -> None:
    body = client.get("/partners").json()
    assert body["total"] == 7
    ids = [p["partner_id"] for p in body["items"]]
    assert ids == sorted(ids)
    assert (body["limit"], body["offset"]) == (50, 0)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "university"}, ["P-EXACT"]),
        ({"type": "UNIVERSITY"}, ["P-EXACT"]),
        ({"type": "media"}, []),
        ({"regency": "Kota Surabaya", "type": "university"}, ["P-EXACT"]),
    ],
)
def test_list_filters(client: TestClient, params: dict[str, str], expected: list[str]) -> None:
    body = client.get("/partners", params=params).json()
    assert [p["partner_id"] for p in body["items"]] == expected


def test_list_limit(client: TestClient) -> None:
    body = client.get("/partners", params={"limit": 3, "offset": 5}).json()
    assert body["total"] == 7
    assert len(body["items"]) == 2


def test_get_one(client: TestClient) -> None:
    body = client.get("/partners/P-ONLINE").json()
    assert body["partner_id"] == "P-ONLINE"
    assert body["online"] is True
    assert body["offers"] == ["teacher_training", "digital_devices"]


def test_get_unknown_is_404(client: TestClient) -> None:
    r = client.get("/partners/P-NOPE")
    assert r.status_code == 404
    assert "P-NOPE" in r.json()["detail"]


def test_put_online_partner_needs_no_coordinates(client: TestClient) -> None:
    body = partner_json(online=True, offers="language_learning", latitude=None, longitude=None)
    r = client.put("/partners/P-NEW", json=body, headers=WRITE)
    assert r.status_code == 200
    stored = client.get("/partners/P-NEW").json()
    assert stored["online"] is True
    assert stored["latitude"] is None and stored["longitude"] is None
    assert (stored["capacity"], stored["service_radius_km"]) == (5, 50.0)


def test_put_accepts_csv_style_lists_and_text_booleans(client: TestClient) -> None:
    body = {**partner_json(), "offers": "funding;scholarships", "online": "ya"}
    stored = client.put("/partners/P-NEW", json=body, headers=WRITE).json()
    assert stored["offers"] == ["funding", "scholarships"]
    assert stored["online"] is True


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"latitude": None, "longitude": None}, "latitude"),
        ({"type": "club"}, "type"),
        ({"offers": ["other"]}, "offers"),
        ({"levels": ["SD", "TK"]}, "levels"),
        ({"service_radius_km": 0}, "service_radius_km"),
        ({"online": "maybe"}, "online"),
        ({"capacity": 2.5}, "capacity"),
        ({"name": {"en": "x"}}, "name"),
    ],
)
def test_put_validation_names_the_field(
    client: TestClient, change: dict[str, Any], column: str
) -> None:
    r = client.put("/partners/P-NEW", json={**partner_json(), **change}, headers=WRITE)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert column in [e["column"] for e in errors]
    assert all(e["line"] == 1 for e in errors)
    assert client.get("/partners/P-NEW").status_code == 404


def test_put_id_mismatch(client: TestClient) -> None:
    body = {**partner_json(), "partner_id": "P-ELSE"}
    r = client.put("/partners/P-NEW", json=body, headers=WRITE)
    assert r.status_code == 422
    assert r.json()["errors"][0]["column"] == "partner_id"


def test_delete(client: TestClient) -> None:
    assert client.delete("/partners/P-FAR", headers=WRITE).status_code == 204
    assert client.get("/partners/P-FAR").status_code == 404
    assert client.get("/partners").json()["total"] == 6
    assert client.delete("/partners/P-FAR", headers=WRITE).status_code == 404
