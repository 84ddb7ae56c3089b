"""API keys: the access matrix per endpoint group, in demo and production mode."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.config import ApiConfigError, ApiSettings
from api.deps import role_of
from api.main import create_app
from matcher.config import Settings
from tests.api.conftest import (
    KEYS,
    READ,
    READ_KEY,
    WRITE_KEY,
    ClientFactory,
    partner_json,
    school_json,
)

Call = tuple[str, str, Any]

READS: list[Call] = [
    ("GET", "/schools", None),
    ("GET", "/schools/S1", None),
    ("GET", "/partners?type=company", None),
    ("GET", "/partners/P-EXACT", None),
    ("GET", "/schools/S1/suggestions?k=2", None),
    ("GET", "/partners/P-EXACT/suggestions", None),
    ("POST", "/rankings", {"regency": "Kota Surabaya", "k": 1}),
]
WRITES: list[Call] = [
    ("PUT", "/schools/S-NEW", school_json()),
    ("PUT", "/partners/P-NEW", partner_json()),
    (
        "POST",
        "/outcomes",
        {
            "school_id": "S1",
            "partner_id": "P-EXACT",
            "status": "proposed",
            "recorded_at": "2024-01-02",
        },
    ),
    ("DELETE", "/schools/S5", None),
    ("DELETE", "/partners/P-FAR", None),
]
KEY_VALUES = {"none": None, "read": READ_KEY, "write": WRITE_KEY, "unknown": "not-a-key"}

# (production, key) -> (status for reads, status for writes); None means "allowed".
MATRIX: dict[tuple[bool, str], tuple[int | None, int | None]] = {
    (False, "none"): (None, 401),
    (False, "read"): (None, 403),
    (False, "write"): (None, None),
    (False, "unknown"): (401, 401),
    (True, "none"): (401, 401),
    (True, "read"): (None, 403),
    (True, "write"): (None, None),
    (True, "unknown"): (401, 401),
}


def run(client: TestClient, calls: list[Call], key: str | None) -> list[tuple[str, int]]:
    headers = {"X-API-Key": key} if key else {}
    out = []
    for method, url, body in calls:
        r = client.request(method, url, json=body, headers=headers)
        out.append((f"{method} {url}", r.status_code))
    return out


@pytest.mark.parametrize(("production", "key"), list(MATRIX))
@pytest.mark.parametrize("group", ["reads", "writes"])
def test_access_matrix(
    make_client: ClientFactory,
    world_settings: Settings,
    production: bool,
    key: str,
    group: str,
) -> None:
    c = make_client(world_settings, ApiSettings(api_keys=KEYS, production=production))
    reads_expected, writes_expected = MATRIX[production, key]
    calls, expected = (READS, reads_expected) if group == "reads" else (WRITES, writes_expected)
    for call, got in run(c, calls, KEY_VALUES[key]):
        if expected is None:
            assert 200 <= got < 300, call
        else:
            assert got == expected, call


def test_401_says_which_header(prod_client: TestClient) -> None:
    r = prod_client.get("/schools")
    assert r.status_code == 401
    assert "X-API-Key" in r.json()["detail"]
    assert r.headers["www-authenticate"] == "X-API-Key"


def test_403_says_why(client: TestClient) -> None:
    r = client.delete("/schools/S1", headers={"X-API-Key": READ_KEY})
    assert r.status_code == 403
    assert r.json() == {"detail": "this API key may only read"}
    assert client.get("/schools/S1").status_code == 200  # not deleted


def test_refused_write_changes_nothing(client: TestClient) -> None:
    client.put("/schools/S-NEW", json=school_json())
    assert client.get("/schools/S-NEW").status_code == 404


def test_demo_without_keys_is_read_only(
    make_client: ClientFactory, world_settings: Settings
) -> None:
    c = make_client(world_settings, ApiSettings())
    assert c.get("/schools/S1").status_code == 200
    assert c.delete("/schools/S1").status_code == 401


def test_production_refuses_to_start_without_keys(world_settings: Settings) -> None:
    app = create_app(world_settings, ApiSettings(production=True))
    with pytest.raises(ApiConfigError, match="production mode needs API keys"), TestClient(app):
        pass


def test_production_from_environment_refuses_too(
    world_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATCHER_PRODUCTION", "1")
    monkeypatch.delenv("MATCHER_API_KEYS", raising=False)
    monkeypatch.delenv("MATCHER_SETTINGS", raising=False)
    app = create_app(world_settings)
    with pytest.raises(ApiConfigError, match="MATCHER_API_KEYS"), TestClient(app):
        pass


def test_keys_from_environment(world_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "MATCHER_API_KEYS", "write:env-w-0123456789abcdefghij, read:env-r-0123456789abcdefghij"
    )
    monkeypatch.setenv("MATCHER_PRODUCTION", "true")
    with TestClient(create_app(world_settings)) as c:
        assert c.get("/schools").status_code == 401
        assert (
            c.get("/schools", headers={"X-API-Key": "env-r-0123456789abcdefghij"}).status_code
            == 200
        )
        assert (
            c.delete("/schools/S5", headers={"X-API-Key": "env-r-0123456789abcdefghij"}).status_code
            == 403
        )
        assert (
            c.delete("/schools/S5", headers={"X-API-Key": "env-w-0123456789abcdefghij"}).status_code
            == 204
        )


@pytest.mark.parametrize(
    ("key", "role"),
    [(WRITE_KEY, "write"), (READ_KEY, "read"), ("", None), (WRITE_KEY[:-1], None), ("ü", None)],
)
def test_role_of(key: str, role: str | None) -> None:
    assert role_of(ApiSettings(api_keys=KEYS), key) == role


def test_openapi_declares_the_key(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert any(s.get("in") == "header" and s.get("name") == "X-API-Key" for s in schemes.values())


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_docs_follow_the_read_rule_in_production(prod_client: TestClient, path: str) -> None:
    assert prod_client.get(path).status_code == 401
    assert prod_client.get(path, headers=READ).status_code == 200


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_public_docs_setting_opens_them(
    make_client: ClientFactory, world_settings: Settings, path: str
) -> None:
    c = make_client(world_settings, ApiSettings(api_keys=KEYS, production=True, public_docs=True))
    assert c.get(path).status_code == 200
    assert c.get("/schools").status_code == 401  # only the docs


def test_docs_open_in_the_demo(client: TestClient) -> None:
    assert client.get("/openapi.json").json()["info"]["title"] == "matcher"
    assert "swagger" in client.get("/docs").text.lower()


def test_errors_name_no_absolute_path(client: TestClient, tmp_path, monkeypatch) -> None:
    from matcher.errors import ModelError

    secret = tmp_path / "keys" / "model.key"
    secret.parent.mkdir()

    def broken(*a, **kw):
        raise ModelError(f"cannot read the model signing key {secret}; set MATCHER_MODEL_KEY")

    monkeypatch.setattr(client.app.state.engine, "suggest", broken)
    monkeypatch.setattr(client.app.state.engine, "cached_suggestions", lambda *a, **kw: None)
    r = client.get("/schools/S1/suggestions")
    assert r.status_code == 503
    assert str(tmp_path) not in r.text and "model.key" in r.json()["detail"]
    assert client.get("/schools/NOPE").json()["detail"] == "no school with id 'NOPE'"


def test_serve_refuses_bad_production_config_in_one_line(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "MATCHER_PRODUCTION": "1", "MATCHER_API_KEYS": ""}
    env.pop("MATCHER_SETTINGS", None)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    cmd = [sys.executable, "-m", "matcher.cli", "serve", "--db", db, "--no-sample", "--port", "1"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 78
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: refusing to start: production mode")
