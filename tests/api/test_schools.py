"""/schools: list, look up, create or replace, delete."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import WRITE, school_json


def test_list_pages_in_id_order(client: TestClient) -> None:
    first = client.get("/schools", params={"limit": 2}).json()
    second = client.get("/schools", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] == 5
    assert (first["limit"], first["offset"], second["offset"]) == (2, 0, 2)
    ids = [s["school_id"] for s in first["items"] + second["items"]]
    assert ids == ["S1", "S2", "S3", "S4"]


def test_list_past_the_end_is_empty(client: TestClient) -> None:
    body = client.get("/schools", params={"offset": 50}).json()
    assert body["total"] == 5 and body["items"] == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "SMK"}, ["S4"]),
        ({"level": "smk"}, ["S4"]),  # whole value, any case
        ({"regency": "kota surabaya", "level": "SLB"}, ["S5"]),
        ({"district": "Semampir", "ownership": "negeri"}, ["S1", "S2", "S3", "S4", "S5"]),
        ({"regency": "Kota"}, []),
        ({"level": "XYZ"}, []),
    ],
)
def test_list_filters(client: TestClient, params: dict[str, str], expected: list[str]) -> None:
    body = client.get("/schools", params=params).json()
    assert [s["school_id"] for s in body["items"]] == expected
    assert body["total"] == len(expected)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "ten"}])
def test_list_bad_paging_is_422(client: TestClient, params: dict[str, Any]) -> None:
    assert client.get("/schools", params=params).status_code == 422


def test_get_one(client: TestClient) -> None:
    r = client.get("/schools/S1")
    assert r.status_code == 200
    body = r.json()
    assert body["school_id"] == "S1"
    assert body["needs"] == ["teacher_training", "digital_devices"]
    assert body["languages"] == ["id"]


def test_get_unknown_is_404(client: TestClient) -> None:
    r = client.get("/schools/NOPE")
    assert r.status_code == 404
    assert "NOPE" in r.json()["detail"]


def test_put_creates_then_replaces(client: TestClient) -> None:
    r = client.put("/schools/S-NEW", json=school_json(needs=["funding"]), headers=WRITE)
    assert r.status_code == 200
    assert r.json()["school_id"] == "S-NEW"
    assert r.json()["capacity"] == 3
    r = client.put(
        "/schools/S-NEW", json=school_json(needs="sports;funding", capacity=7), headers=WRITE
    )
    assert r.status_code == 200
    stored = client.get("/schools/S-NEW").json()
    assert stored["needs"] == ["sports", "funding"] and stored["capacity"] == 7
    assert client.get("/schools").json()["total"] == 6


def test_put_fills_defaults(client: TestClient) -> None:
    body = {k: v for k, v in school_json().items() if k not in ("accreditation", "capacity")}
    body["offers"] = []
    stored = client.put("/schools/S-NEW", json=body, headers=WRITE).json()
    assert (stored["accreditation"], stored["capacity"], stored["offers"]) == ("none", 3, [])


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        ({"needs": ["teacher_training", "other"]}, "needs", "unknown code"),
        ({"needs": []}, "needs", "required"),
        ({"level": "TK"}, "level", "not a level"),
        ({"latitude": 123}, "latitude", "outside"),
        ({"students": -4}, "students", "below"),
        ({"students": "many"}, "students", "whole number"),
        ({"capacity": 0}, "capacity", "below"),
        ({"name": ""}, "name", "required"),
        ({"languages": ["Bahasa Indonesia"]}, "languages", "ISO 639"),
        ({"school_id": "S-OTHER"}, "school_id", "differs"),
    ],
)
def test_put_validation_names_the_field(
    client: TestClient, change: dict[str, Any], column: str, reason: str
) -> None:
    r = client.put("/schools/S-NEW", json={**school_json(), **change}, headers=WRITE)
    assert r.status_code == 422
    body = r.json()
    assert column in body["detail"]
    assert [e["column"] for e in body["errors"]] == [column]
    assert reason in body["errors"][0]["reason"]
    assert client.get("/schools/S-NEW").status_code == 404  # nothing written


def test_put_same_id_in_body_is_fine(client: TestClient) -> None:
    body = {**school_json(), "school_id": "S-NEW"}
    assert client.put("/schools/S-NEW", json=body, headers=WRITE).status_code == 200


@pytest.mark.parametrize("payload", [[], ["S1"], "school", 3])
def test_put_body_must_be_an_object(client: TestClient, payload: Any) -> None:
    r = client.put("/schools/S-NEW", json=payload, headers=WRITE)
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], list)  # FastAPI's own validation shape


def test_put_replaces_existing_record(client: TestClient) -> None:
    body = school_json(name="SMP Baru", needs="funding")
    assert client.put("/schools/S1", json=body, headers=WRITE).status_code == 200
    assert client.get("/schools/S1").json()["name"] == "SMP Baru"
    assert client.get("/schools").json()["total"] == 5


def test_delete(client: TestClient) -> None:
    r = client.delete("/schools/S5", headers=WRITE)
    assert r.status_code == 204
    assert r.content == b""
    assert client.get("/schools/S5").status_code == 404
    assert client.delete("/schools/S5", headers=WRITE).status_code == 404
