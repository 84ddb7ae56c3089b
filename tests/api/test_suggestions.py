"""GET /schools/{id}/suggestions and GET /partners/{id}/suggestions."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import WRITE


def test_school_suggestions_known_answer(client: TestClient) -> None:
    r = client.get("/schools/S1/suggestions")
    assert r.status_code == 200
    body = r.json()
    assert body["school_id"] == "S1"
    assert body["model_version"].startswith("v")
    assert body["lang"] == "id"
    ranked = [s["partner_id"] for s in body["suggestions"]]
    assert ranked[0] == "P-EXACT"
    assert "P-FAR" not in ranked  # out of its service radius
    assert "P-SMK" not in ranked  # serves SMK schools only
    assert "P-ONLINE" in ranked  # as far, but works online


def test_suggestions_contract_shape(client: TestClient) -> None:
    body = client.get("/schools/S1/suggestions", params={"k": 3}).json()
    sugg = body["suggestions"]
    assert 1 <= len(sugg) <= 3
    assert [s["rank"] for s in sugg] == list(range(1, len(sugg) + 1))
    scores = [s["score"] for s in sugg]
    assert scores == sorted(scores, reverse=True)
    for s in sugg:
        assert {"rank", "partner_id", "score", "explanation"} <= set(s)
        assert isinstance(s["explanation"], str) and s["explanation"]
        assert 0 <= s["school_benefit"] <= 1 and 0 <= s["partner_benefit"] <= 1
    top = sugg[0]
    assert [g["code"] for g in top["school_gains"]] == ["teacher_training", "digital_devices"]
    assert [g["code"] for g in top["partner_gains"]] == ["research_site"]


def test_explain_false_leaves_explanation_null(client: TestClient) -> None:
    body = client.get("/schools/S1/suggestions", params={"explain": "false"}).json()
    assert body["suggestions"]
    assert all(s["explanation"] is None for s in body["suggestions"])
    assert all("school_gains" not in s for s in body["suggestions"])


def test_lang_changes_the_explanation(client: TestClient) -> None:
    en = client.get("/schools/S1/suggestions", params={"lang": "en", "k": 1}).json()
    id_ = client.get("/schools/S1/suggestions", params={"lang": "id", "k": 1}).json()
    assert en["lang"] == "en"
    assert "teacher training" in en["suggestions"][0]["explanation"]
    assert "pelatihan guru" in id_["suggestions"][0]["explanation"]


def test_k_limits_the_answer(client: TestClient) -> None:
    body = client.get("/schools/S1/suggestions", params={"k": 1}).json()
    assert len(body["suggestions"]) == 1


@pytest.mark.parametrize(
    "params", [{"k": 0}, {"k": 101}, {"k": -3}, {"k": "ten"}, {"lang": "fr"}, {"explain": "maybe"}]
)
@pytest.mark.parametrize("path", ["/schools/S1/suggestions", "/partners/P-EXACT/suggestions"])
def test_bad_parameters_are_422(client: TestClient, path: str, params: dict[str, object]) -> None:
    r = client.get(path, params=params)
    assert r.status_code == 422
    assert "detail" in r.json()


@pytest.mark.parametrize("path", ["/schools/NOPE/suggestions", "/partners/NOPE/suggestions"])
def test_unknown_id_is_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert "NOPE" in r.json()["detail"]


def test_partner_suggestions_known_answer(client: TestClient) -> None:
    body = client.get("/partners/P-EXACT/suggestions", params={"lang": "en"}).json()
    assert body["partner_id"] == "P-EXACT"
    assert body["partner_name"] == "Partner P-EXACT"
    ranked = body["suggestions"]
    assert ranked[0]["school_id"] == "S1"
    assert {"rank", "school_id", "level", "score", "explanation"} <= set(ranked[0])
    scores = [s["score"] for s in ranked]
    assert scores == sorted(scores, reverse=True)


def test_sport_partner_finds_the_sport_school(client: TestClient) -> None:
    body = client.get("/partners/P-SPORT/suggestions", params={"k": 1}).json()
    assert body["suggestions"][0]["school_id"] == "S3"


def test_suggestions_follow_a_new_record(client: TestClient) -> None:
    """A school put over HTTP is suggested for without retraining."""
    rec = client.get("/schools/S3").json()
    rec.update(school_id="S-NEW", needs=["sports"])
    assert client.put("/schools/S-NEW", json=rec, headers=WRITE).status_code == 200
    body = client.get("/partners/P-SPORT/suggestions").json()
    assert "S-NEW" in [s["school_id"] for s in body["suggestions"]]


@pytest.mark.parametrize("path", ["/schools/S1/suggestions", "/partners/P-EXACT/suggestions"])
def test_no_model_is_503(untrained_client: TestClient, path: str) -> None:
    r = untrained_client.get(path)
    assert r.status_code == 503
    assert "matcher train" in r.json()["detail"]
