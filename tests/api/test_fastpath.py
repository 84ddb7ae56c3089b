"""Current suggestion answers served at the app's edge (api.fastpath): the route's own
bytes, and every check the route makes still made."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.config import ApiSettings
from api.fastpath import CachedSuggestions
from matcher.config import Settings
from tests.api.conftest import KEYS, READ, WRITE, ClientFactory, school_json


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each request was answered by the fast path (True) or went on (False)."""
    seen: list[bool] = []
    original = CachedSuggestions.hit

    def hit(self: CachedSuggestions, scope: Any) -> bytes | None:
        body = original(self, scope)
        if "suggestions" in scope.get("path", ""):
            seen.append(body is not None)
        return body

    monkeypatch.setattr(CachedSuggestions, "hit", hit)
    return seen


@pytest.mark.parametrize("path", ["/schools/S1/suggestions", "/partners/P-EXACT/suggestions"])
def test_second_request_served_at_the_edge_with_the_routes_bytes(
    client: TestClient, served: list[bool], path: str
) -> None:
    first = client.get(path, params={"k": 3, "lang": "en"})
    second = client.get(path, params={"k": 3, "lang": "en"})
    assert served == [False, True]
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert second.headers["content-type"] == "application/json"
    assert second.headers["x-request-id"]  # still inside the request-id middleware


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"k": "0"}, 422),
        ({"k": "101"}, 422),
        ({"k": "abc"}, 422),
        ({"k": "03"}, 200),  # lax forms go to the route, which accepts them
        ({"lang": "fr"}, 422),
        ({"explain": "yes"}, 200),
        ({"k": ["3", "4"]}, 200),
        ({"lang": "id\x00"}, 400),
    ],
)
def test_unusual_queries_go_to_the_route(
    client: TestClient, served: list[bool], params: dict[str, Any], status: int
) -> None:
    for k in ("3", "4", "10"):
        assert client.get("/schools/S1/suggestions", params={"k": k}).status_code == 200
    served.clear()
    r = client.get("/schools/S1/suggestions", params=params)
    assert r.status_code == status, r.text
    assert served == [False]


def test_access_rule_kept(make_client: ClientFactory, world_settings: Settings) -> None:
    prod = make_client(world_settings, ApiSettings(api_keys=KEYS, production=True))
    assert prod.get("/schools/S1/suggestions", headers=READ).status_code == 200
    # the answer is current now: without a key, or with a wrong one, it is still refused
    assert prod.get("/schools/S1/suggestions").status_code == 401
    assert prod.get("/schools/S1/suggestions", headers={"X-API-Key": "nope"}).status_code == 401
    assert prod.get("/schools/S1/suggestions", headers=READ).status_code == 200


def test_a_write_is_answered_anew(client: TestClient, served: list[bool]) -> None:
    before = client.get("/schools/S1/suggestions").json()
    assert before["suggestions"][0]["partner_id"] == "P-EXACT"
    body = school_json("S1", needs=["sports", "arts_culture"], offers=["venue_facilities"])
    assert client.put("/schools/S1", json=body, headers=WRITE).status_code == 200
    after = client.get("/schools/S1/suggestions").json()
    assert after["suggestions"][0]["partner_id"] == "P-SPORT"
    assert served[-1] is False  # computed for the new data, not the stored answer
