"""``POST /read``: the needs and offers a description names."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_read_answers_like_the_cli(client: TestClient) -> None:
    r = client.post(
        "/read", json={"text": "Kami butuh laptop untuk lab komputer", "side": "school"}
    )
    assert r.status_code == 200
    body = r.json()
    assert body["needs"][0] == {
        "code": "digital_devices",
        "label": "perangkat TIK",
        "evidence": "laptop, lab komputer",
    }
    assert body["offers"] == []


def test_read_in_english_and_for_partners(client: TestClient) -> None:
    body = client.post(
        "/read", json={"text": "We offer scholarships", "side": "partner", "lang": "en"}
    ).json()
    assert body["offers"][0]["code"] == "scholarships"
    assert body["offers"][0]["label"] == "student scholarships"


def test_read_refuses_a_bad_side_with_422(client: TestClient) -> None:
    r = client.post("/read", json={"text": "laptop", "side": "teacher"})
    assert r.status_code == 422


def test_records_carry_what_was_read(client: TestClient) -> None:
    body = client.get("/schools/S2").json()
    assert [n["code"] for n in body["needs_read"]] == ["digital_devices"]
    assert body["offers_read"] == []
