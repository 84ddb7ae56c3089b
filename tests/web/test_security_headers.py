"""Security headers on every answer (web/headers.py): a strict Content-Security-Policy
that runs only the app's own script files, no framing, no sniffing, no referrer leaks to
other sites, HSTS behind HTTPS; and pages that need no inline script at all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import ApiSettings
from api.main import create_app
from matcher.engine import Engine
from tests.web.conftest import Login
from web.config import WebSettings

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def policy_of(response) -> dict[str, str]:
    csp = response.headers["content-security-policy"]
    return {d.split(" ", 1)[0]: d for d in (x.strip() for x in csp.split(";"))}


def assert_strict(response) -> None:
    p = policy_of(response)
    assert p["script-src"] == "script-src 'self'", p["script-src"]
    assert p["frame-ancestors"] == "frame-ancestors 'none'"
    assert p["object-src"] == "object-src 'none'"
    assert "unsafe-inline" not in p["style-src"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "path",
    [
        "/",  # a redirect to the login page
        "/login",
        "/sekolah/S1/saran",
        "/static/app.css",
        "/static/no-such-file.js",
        "/health",
        "/schools/S1/suggestions?k=2",
        "/schools/NOPE",  # a JSON 404
    ],
)
def test_every_answer_carries_the_headers(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert_strict(r)
    assert "strict-transport-security" not in r.headers  # plain HTTP: no HSTS


@pytest.mark.parametrize(
    "page", ["/", "/sekolah/S1/profil", "/sekolah/S1/saran", "/sekolah/S1/kotak-masuk"]
)
def test_signed_in_pages_carry_the_headers(login: Login, page: str) -> None:
    c = login("s1")
    r = c.get(page)
    assert r.status_code == 200, (page, r.status_code)
    assert_strict(r)


def test_hsts_behind_https(web_engine: Engine) -> None:
    secure = WebSettings(secret="t" * 48, tile_url="", secure_cookies=True)
    with TestClient(create_app(web_engine.settings, ApiSettings(), secure)) as c:
        assert c.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_tile_host_is_the_one_outside_image_source(web_engine: Engine) -> None:
    tiles = WebSettings(secret="t" * 48, tile_url="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    with TestClient(create_app(web_engine.settings, ApiSettings(), tiles)) as c:
        img = policy_of(c.get("/login"))["img-src"]
    assert img == "img-src 'self' data: https://*.tile.example.org"


def test_api_docs_admit_only_their_own_inline_script_by_hash(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    script = policy_of(r)["script-src"]
    assert "'unsafe-inline'" not in script and "'sha256-" in script
    assert policy_of(client.get("/redoc"))["frame-ancestors"] == "frame-ancestors 'none'"


def test_templates_hold_no_inline_script() -> None:
    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
    inline = re.compile(r'<script(?![^>]*(\bsrc=|type="application/json"))[^>]*>', re.I)
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m.group(0)[:60]}" for m in handler.finditer(text)]
        found += [f"{path.name}: {m.group(0)[:60]}" for m in inline.finditer(text)]
    assert found == []
