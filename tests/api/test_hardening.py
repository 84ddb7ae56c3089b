"""Issue 11 regressions over HTTP: odd ids, unbounded numbers, NaN, duplicates and
broken model versions answer 4xx naming the field (never 500)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matcher.config import Settings
from matcher.model_store import MANIFEST
from tests.api.conftest import WRITE, school_json


@pytest.mark.parametrize(
    ("sid", "why"),
    [
        ("FX-S3%20", "leading or trailing whitespace"),
        ("%20FX-S3", "leading or trailing whitespace"),
        ("FX%09S3", "U+0009"),
        ("FX-%E2%80%8BS3", "U+200B"),  # zero-width space
        ("Cafe%CC%81", "NFC"),  # e + combining acute: not composed
    ],
)
def test_odd_ids_are_refused_naming_the_field(client: TestClient, sid: str, why: str) -> None:
    before = client.get("/schools").json()["total"]
    r = client.put(f"/schools/{sid}", json=school_json(), headers=WRITE)
    assert r.status_code == 422
    (err,) = r.json()["errors"]
    assert err["column"] == "school_id" and why in err["reason"]
    assert client.get("/schools").json()["total"] == before


def test_trailing_space_does_not_overwrite_the_stored_id(client: TestClient) -> None:
    name = client.get("/schools/S3").json()["name"]
    assert client.put("/schools/S3%20", json=school_json(), headers=WRITE).status_code == 422
    assert client.get("/schools/S3").json()["name"] == name


def test_lookalike_id_is_stored_with_a_warning(client: TestClient) -> None:
    r = client.put("/schools/s1", json=school_json(), headers=WRITE)
    assert r.status_code == 200 and "looks like the stored 'S1'" in r.headers["warning"]
    r = client.put("/schools/S-OTHER", json=school_json(), headers=WRITE)
    assert "warning" not in r.headers


@pytest.mark.parametrize(
    ("field", "value"),
    [("students", 1e20), ("students", 100_001), ("teachers", 2**64), ("capacity", 2**64),
     ("capacity", 2**62), ("capacity", 10_001)],
)  # fmt: skip
def test_unbounded_integers_are_422(client: TestClient, field: str, value: Any) -> None:
    r = client.put("/schools/S-BIG", json=school_json(**{field: value}), headers=WRITE)
    assert r.status_code == 422
    assert [e["column"] for e in r.json()["errors"]] == [field]


def test_partner_capacity_and_radius_bounded(client: TestClient) -> None:
    from tests.api.conftest import partner_json

    for field, value in (("capacity", 2**63), ("service_radius_km", 1e300)):
        r = client.put("/partners/P-BIG", json=partner_json(**{field: value}), headers=WRITE)
        assert r.status_code == 422 and r.json()["errors"][0]["column"] == field


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e400"])
@pytest.mark.parametrize("field", ["equity_weight", "k"])
def test_non_finite_numbers_in_json_are_422(client: TestClient, token: str, field: str) -> None:
    body = '{"district": "Semampir", "allocate": true, "%s": %s}' % (field, token)  # noqa: UP031
    r = client.post("/rankings", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and field in json.dumps(r.json()["detail"])


def test_non_finite_outcome_weight_is_422(client: TestClient) -> None:
    r = client.post(
        "/models/train",
        content='{"outcome_weight": NaN}',
        headers={**WRITE, "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["column"] == "outcome_weight"


def test_duplicate_school_ids_with_allocate(client: TestClient) -> None:
    body = {"school_ids": ["S1", "S1", "S2", "S1"], "allocate": True, "k": 2}
    r = client.post("/rankings", json=body)
    assert r.status_code == 200
    assert r.json()["summary"]["schools"] == 2
    assert {row["school_id"] for row in r.json()["rows"]} <= {"S1", "S2"}


def test_models_lists_broken_versions_with_their_state(
    client: TestClient, world_settings: Settings
) -> None:
    root = world_settings.models_dir
    (vdir,) = [d for d in root.iterdir() if d.is_dir()]
    man = json.loads((vdir / MANIFEST).read_text())
    man["metrics"] = {"schools": {"ndcg": 0.99}}
    (vdir / MANIFEST).write_text(json.dumps(man))
    (root / ".tmp-killed").mkdir()
    listed = {m["version"]: m for m in client.get("/models").json()}
    assert listed[vdir.name]["state"] == "refused" and listed[vdir.name]["metrics"] == {}
    assert "signature" in listed[vdir.name]["reason"]
    assert listed[".tmp-killed"]["state"] == "incomplete"
    r = client.post(f"/models/{vdir.name}/activate", headers=WRITE)
    assert r.status_code == 503 and "signature" in r.json()["detail"]


def test_unknown_district_suggests_the_closest(client: TestClient) -> None:
    r = client.post("/rankings", json={"district": "Semampr"})
    assert r.status_code == 404 and "did you mean 'Semampir'?" in r.json()["detail"]


def test_unicode_filter_over_http(client: TestClient) -> None:
    body = school_json(regency="Kabupaten Ñgawi")
    assert client.put("/schools/N1", json=body, headers=WRITE).status_code == 200
    page = client.get("/schools", params={"regency": "kabupaten ñgawi"}).json()
    assert [s["school_id"] for s in page["items"]] == ["N1"]
    r = client.post("/rankings", json={"regency": "KABUPATEN ÑGAWI", "k": 1})
    assert r.status_code == 200 and r.json()["schools"] == 1


def test_openapi_describes_records_from_matcher_schema() -> None:
    from api.main import create_app
    from matcher import schema

    spec = create_app().openapi()["paths"]
    body = spec["/schools/{school_id}"]["put"]["requestBody"]["content"]["application/json"]
    props = body["schema"]["properties"]
    assert props == schema.json_schema("schools", without="school_id")["properties"]
    assert props["students"] == {"type": "integer", "minimum": 0, "maximum": 100_000}
    assert "needs" in body["schema"]["required"] and "school_id" not in props
    sample = {r["school_id"] for r in [schema.example("schools")]}
    assert body["example"]["name"] == "SMP PGRI 6 Surabaya" and sample == {"20532541"}
    events = spec["/outcomes"]["post"]["requestBody"]["content"]["application/json"]
    ex = events["example"]
    with (Path(__file__).resolve().parents[2] / "data" / "sample" / "outcomes.csv").open() as fh:
        first = next(csv.DictReader(fh))  # the example is the sample's first event
    assert (ex["school_id"], ex["partner_id"]) == (first["school_id"], first["partner_id"])
    assert events["schema"]["anyOf"][0]["properties"]["status"]["enum"][0] == "proposed"
