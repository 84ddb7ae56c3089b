"""POST /rankings: batch ranking as JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.config import ApiSettings
from api.routes.rankings import wants_csv
from matcher.config import Settings
from tests.api.conftest import KEYS, ClientFactory


def check_rows(rows: list[dict[str, Any]], k: int) -> None:
    """Invariants: per school, ranks 1..n with n <= k and scores not increasing."""
    by_school: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_school.setdefault(r["school_id"], []).append(r)
    for ranked in by_school.values():
        assert [r["rank"] for r in ranked] == list(range(1, len(ranked) + 1))
        assert len(ranked) <= k
        scores = [float(r["score"]) for r in ranked]
        assert scores == sorted(scores, reverse=True)


def test_rank_a_regency(client: TestClient) -> None:
    r = client.post("/rankings", json={"regency": "Kota Surabaya", "k": 2})
    assert r.status_code == 200
    body = r.json()
    rows = body["rows"]
    check_rows(rows, 2)
    # every selected school is counted; one whose needs no partner meets gets no filler
    assert body["schools"] >= 4
    assert 3 <= len({row["school_id"] for row in rows}) <= body["schools"]
    assert {"school_id", "rank", "partner_id", "score"} <= set(rows[0])
    s1 = [row["partner_id"] for row in rows if row["school_id"] == "S1"]
    assert s1[0] == "P-EXACT"


def test_rank_a_district_ignoring_case(client: TestClient) -> None:
    body = client.post("/rankings", json={"district": "semampir"}).json()
    check_rows(body["rows"], 10)
    assert body["schools"] >= 4


def test_rank_listed_schools(client: TestClient) -> None:
    body = client.post("/rankings", json={"school_ids": ["S3", "S1"], "k": 1}).json()
    assert {r["school_id"] for r in body["rows"]} == {"S1", "S3"}
    assert body["schools"] == 2
    top = {r["school_id"]: r["partner_id"] for r in body["rows"]}
    assert top == {"S1": "P-EXACT", "S3": "P-SPORT"}


def test_csv_when_accepted(client: TestClient) -> None:
    r = client.post(
        "/rankings", json={"regency": "Kota Surabaya", "k": 3}, headers={"Accept": "text/csv"}
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0])[:4] == ["school_id", "rank", "partner_id", "score"]
    check_rows([{**row, "rank": int(row["rank"])} for row in rows], 3)
    json_rows = client.post("/rankings", json={"regency": "Kota Surabaya", "k": 3}).json()
    assert len(rows) == len(json_rows["rows"])


@pytest.mark.parametrize(
    ("accept", "csv_wanted"),
    [
        (None, False),
        ("", False),
        ("application/json", False),
        ("*/*", False),
        ("text/csv", True),
        ("text/csv; charset=utf-8", True),
        ("text/csv, */*", True),
        ("application/json, text/csv", False),
        ("application/json;q=0.5, text/csv", True),
        ("text/csv;q=0", False),
        ("text/csv;q=oops", False),
    ],
)
def test_wants_csv(accept: str | None, csv_wanted: bool) -> None:
    assert wants_csv(accept) is csv_wanted


@pytest.mark.parametrize(
    "body",
    [
        {"k": 3},
        {"regency": "Kota Surabaya", "district": "Semampir"},
        {"regency": "Kota Surabaya", "school_ids": ["S1"]},
        {"regency": ""},
        {"school_ids": []},
        {"school_ids": "S1"},
        {"regency": "Kota Surabaya", "k": 0},
        {"regency": "Kota Surabaya", "k": 101},
        {"regency": "Kota Surabaya", "k": "many"},
        {"regency": "Kota Surabaya", "allocate": "sometimes"},
        {"regency": "Kota Surabaya", "unknown_field": 1},
    ],
)
def test_bad_request_is_422(client: TestClient, body: dict[str, Any]) -> None:
    r = client.post("/rankings", json=body)
    assert r.status_code == 422
    assert "detail" in r.json()


def test_exactly_one_selector_message(client: TestClient) -> None:
    r = client.post("/rankings", json={"k": 3})
    assert "exactly one of regency, district, school_ids" in r.text


def test_unknown_regency_is_404(client: TestClient) -> None:
    r = client.post("/rankings", json={"regency": "Kabupaten Nowhere"})
    assert r.status_code == 404
    assert "Kabupaten Nowhere" in r.json()["detail"]


def test_unknown_school_is_404(client: TestClient) -> None:
    r = client.post("/rankings", json={"school_ids": ["S1", "S-NOPE"]})
    assert r.status_code == 404
    assert "S-NOPE" in r.json()["detail"]


def test_too_many_school_ids_is_413(make_client: ClientFactory, world_settings: Settings) -> None:
    c = make_client(world_settings, ApiSettings(api_keys=KEYS, max_school_ids=3))
    assert c.post("/rankings", json={"school_ids": ["S1", "S2", "S3"]}).status_code == 200
    r = c.post("/rankings", json={"school_ids": ["S1", "S2", "S3", "S4"]})
    assert r.status_code == 413
    assert "at most 3 school_ids" in r.json()["detail"]


def test_default_cap_is_5000(client: TestClient) -> None:
    r = client.post("/rankings", json={"school_ids": [f"S{i}" for i in range(5001)]})
    assert r.status_code == 413


def test_no_model_is_503(untrained_client: TestClient) -> None:
    r = untrained_client.post("/rankings", json={"regency": "Kota Surabaya"})
    assert r.status_code == 503


def test_allocate_respects_capacity_and_summarises(client: TestClient) -> None:
    r = client.post("/rankings", json={"regency": "Kota Surabaya", "k": 3, "allocate": True})
    assert r.status_code == 200
    body = r.json()
    summary = body["summary"]
    assert summary["partners_over_capacity"] == 0
    assert summary["schools"] == body["schools"] == 5
    assigned = [row for row in body["rows"] if row["assigned"] is True]
    assert assigned and all(row["explanation"] for row in assigned)
    s1 = {row["partner_id"] for row in assigned if row["school_id"] == "S1"}
    assert "P-EXACT" in s1


def test_allocate_candidates(client: TestClient) -> None:
    body = {"regency": "Kota Surabaya", "k": 2, "allocate": True, "candidates": 4}
    r = client.post("/rankings", json=body)
    assert r.status_code == 200 and r.json()["summary"]["candidates"] == 4
    for bad in (0, 201, 2.5, "many"):
        assert client.post("/rankings", json=body | {"candidates": bad}).status_code == 422
    r = client.post("/rankings", json={"regency": "Kota Surabaya", "candidates": 4})
    assert r.status_code == 400 and "candidates need allocate" in r.text


def test_allocate_equity_weight_validated(client: TestClient) -> None:
    r = client.post("/rankings", json={"regency": "Kota Surabaya", "allocate": True,
                                       "equity_weight": -1})  # fmt: skip
    assert r.status_code == 422


def test_allocate_stable_with_pin_and_forbid(client: TestClient) -> None:
    body = {"regency": "Kota Surabaya", "allocate": True, "mode": "stable",
            "pinned": [{"school_id": "S1", "partner_id": "P-ONESIDED"}],
            "forbidden": [{"school_id": "S1", "partner_id": "P-EXACT"}]}  # fmt: skip
    r = client.post("/rankings", json=body)
    assert r.status_code == 200
    out = r.json()
    got = {(x["school_id"], x["partner_id"]) for x in out["rows"] if x["assigned"] is True}
    assert ("S1", "P-ONESIDED") in got and ("S1", "P-EXACT") not in got
    assert out["summary"]["mode"] == "stable" and out["summary"]["pinned"] == 1
    comp = out["summary"]["comparison"]
    assert set(comp) == {"optimal", "stable", "greedy", "top_k"}
    assert isinstance(out["why_not_schools"], list) and isinstance(out["why_not_partners"], list)


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"allocate": True, "pinned": [{"school_id": "S1", "partner_id": "P-SMK"}]}, 400,
         "does not reach"),
        ({"allocate": True, "pinned": [{"school_id": "S1", "partner_id": "P-NOPE"}]}, 404,
         "P-NOPE"),
        ({"allocate": True, "mode": "fair"}, 422, ""),
        ({"mode": "stable"}, 400, "need allocate"),
    ],
)  # fmt: skip
def test_allocate_bad_pins_are_4xx(client: TestClient, body, status: int, words: str) -> None:
    r = client.post("/rankings", json={"regency": "Kota Surabaya", **body})
    assert r.status_code == status, r.text
    assert words in r.json()["detail"] if words else True


def test_allocation_workbook_download(client: TestClient, tmp_path) -> None:
    from openpyxl import load_workbook

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = client.post("/rankings", json={"regency": "Kota Surabaya", "allocate": True, "lang": "en"},
                    headers={"Accept": xlsx})  # fmt: skip
    assert r.status_code == 200 and r.headers["content-type"].startswith(xlsx)
    (tmp_path / "a.xlsx").write_bytes(r.content)
    wb = load_workbook(tmp_path / "a.xlsx")
    assert wb.sheetnames[:3] == ["Assignments", "Alternatives", "Summary"]
    assert wb["Assignments"]["A1"].value == "District (kecamatan)"
