"""Error mapping: engine errors to 4xx/503 with {"detail": ...}; never a 500 for bad input."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from api.errors import status_for
from api.main import create_app
from matcher.config import Settings
from matcher.errors import (
    ConflictError,
    MatcherError,
    ModelError,
    NotFoundError,
    RowError,
    ValidationError,
)
from tests.api.conftest import WRITE, school_json

RAISED: dict[str, Exception] = {
    "not-found": NotFoundError("no school with id 'X'"),
    "invalid": ValidationError("schools", [RowError(3, "needs", "unknown code 'x'", "S9")]),
    "conflict": ConflictError("a training is already running"),
    "model": ModelError("no trained model"),
    "other": MatcherError("choose exactly one"),
    "bug": RuntimeError("secret internals"),
}


def raiser(exc: Exception) -> Callable[[], None]:
    def endpoint() -> None:
        raise exc

    return endpoint


@pytest.fixture
def raising_client(world_settings: Settings) -> Iterator[TestClient]:
    """The real app plus one route per error kind, raising it."""
    app = create_app(world_settings)
    router = APIRouter(prefix="/boom")
    for name, exc in RAISED.items():
        router.add_api_route(f"/{name}", raiser(exc), methods=["GET"])
    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (NotFoundError("x"), 404),
        (ValidationError("s", []), 422),
        (ConflictError("x"), 409),
        (ModelError("x"), 503),
        (MatcherError("x"), 400),
    ],
)
def test_status_for(exc: MatcherError, status: int) -> None:
    assert status_for(exc) == status


@pytest.mark.parametrize(
    ("name", "status"),
    [("not-found", 404), ("invalid", 422), ("conflict", 409), ("model", 503), ("other", 400)],
)
def test_engine_errors_answer_detail(raising_client: TestClient, name: str, status: int) -> None:
    r = raising_client.get(f"/boom/{name}")
    assert r.status_code == status
    assert r.json()["detail"] == str(RAISED[name])


def test_validation_error_lists_records(raising_client: TestClient) -> None:
    body = raising_client.get("/boom/invalid").json()
    assert body["errors"] == [
        {"line": 3, "column": "needs", "reason": "unknown code 'x'", "record_id": "S9"}
    ]


def test_unexpected_error_is_500_without_internals(raising_client: TestClient) -> None:
    r = raising_client.get("/boom/bug", headers={"X-Request-ID": "rid-42"})
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error (request id rid-42)"}
    assert "secret" not in r.text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"regency": "Kota Surabaya",}', "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"regency=Kota", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
    ],
)
def test_malformed_body_is_4xx(client: TestClient, body: bytes, content_type: str) -> None:
    r = client.post("/rankings", content=body, headers={"content-type": content_type})
    assert 400 <= r.status_code < 500
    assert "detail" in r.json()


def test_malformed_json_on_write(client: TestClient) -> None:
    r = client.put(
        "/schools/S-NEW", content=b"[1,", headers={**WRITE, "content-type": "application/json"}
    )
    assert r.status_code == 422


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/schools/S1/suggestions?k=1000000000000000000000", 422),
        ("GET", "/schools?limit=1e3", 422),
        ("GET", "/schools?offset=99999999999999999999", 422),
        ("GET", "/partners/%00/suggestions", 400),
        ("GET", "/schools/S%001", 400),
        ("DELETE", "/schools/%00", 400),
        ("GET", "/schools/%F0%9F%8F%AB", 404),
        ("GET", "/schools?regency=%00", 400),
        ("GET", "/partners?type=univ%00", 400),
        ("GET", "/schools?%00=1", 400),
        ("GET", "/nowhere", 404),
        ("PATCH", "/schools/S1", 405),
    ],
)
def test_odd_requests_are_answered(client: TestClient, method: str, url: str, status: int) -> None:
    r = client.request(method, url)
    assert r.status_code == status
    if status >= 400:
        assert "detail" in r.json()


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("PUT", "/schools/S1", {"name": "SMP\u0000"}),
        ("PUT", "/partners/P1", {"offers": ["funding\u0000"]}),
        ("POST", "/outcomes", [{"school_id": "S1\u0000"}]),
        ("POST", "/rankings", {"regency": "\u0000"}),
    ],
)
def test_nul_in_body_is_400(client: TestClient, method: str, url: str, body: object) -> None:
    """No backend stores NUL characters; PostgreSQL fails even to compare them."""
    r = client.request(method, url, json=body, headers=WRITE)
    assert r.status_code == 400
    assert "NUL" in r.json()["detail"]


@pytest.mark.parametrize(
    "value",
    [float("nan"), 1e400, "", " ", "x" * 6000, {"a": 1}, [["nested"]], True],
)
def test_odd_field_values_are_422(client: TestClient, value: object) -> None:
    rec = client.get("/schools/S1").json()
    rec["latitude"] = value
    rec["name"] = value
    # JSON has no NaN or infinity; send them the way a lenient client would
    r = client.put(
        "/schools/S1",
        content=json.dumps(rec, allow_nan=True),
        headers={**WRITE, "content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert {e["column"] for e in r.json()["errors"]} >= {"latitude"}


@pytest.mark.parametrize(
    ("url", "change"),
    [
        ("/schools/" + "S" * 70, {}),
        ("/schools/S-NEW", {"name": "n" * 400}),
        ("/schools/S-NEW", {"regency": "r" * 200}),
    ],
)
def test_overlong_values_are_named_4xx(
    client: TestClient, db_backend: str, url: str, change: dict[str, str]
) -> None:
    r = client.put(url, json={**school_json(), **change}, headers=WRITE)
    assert r.status_code == 422
    assert "longer than" in r.json()["detail"]
