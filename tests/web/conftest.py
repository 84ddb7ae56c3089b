"""Fixtures for the web pages: the known world (``tests/conftest.py``) served by a
TestClient, with accounts for two schools, two partners, an officer and an admin."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.config import ApiSettings
from api.main import create_app
from matcher.config import Settings
from matcher.engine import Engine
from tests.api.conftest import copy_world, world_template  # noqa: F401 - shared fixture
from web.config import WebSettings

PASSWORD = "rahasia-123"
USERS = {
    "s1": {"email": "s1@sekolah.test", "school_id": "S1"},
    "s2": {"email": "s2@sekolah.test", "school_id": "S2"},
    "exact": {"email": "exact@mitra.test", "partner_id": "P-EXACT"},
    "sport": {"email": "sport@mitra.test", "partner_id": "P-SPORT"},
    "officer": {"email": "dinas@kota.test", "regency": "Kota Surabaya"},
    "admin": {"email": "admin@matcher.test", "admin": True},
}
WEB = WebSettings(secret="t" * 48, tile_url="")

Login = Callable[[str], TestClient]


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "the page has no CSRF field"
    return m.group(1)


@pytest.fixture(scope="session")
def users_template(tmp_path_factory: pytest.TempPathFactory, world_template: Path) -> Path:  # noqa: F811
    """The trained known world with the accounts of :data:`USERS` (hashed once)."""
    root = tmp_path_factory.mktemp("web-world")
    eng = Engine(copy_world(world_template, root))
    for spec in USERS.values():
        eng.add_user(**spec, password=PASSWORD)  # type: ignore[arg-type]
    eng.store.engine.dispose()
    return root


@pytest.fixture
def web_engine(tmp_path: Path, users_template: Path) -> Engine:
    """A private copy of the trained known world with the accounts of :data:`USERS`."""
    settings: Settings = copy_world(users_template, tmp_path / "world")
    return Engine(settings)


@pytest.fixture
def client(web_engine: Engine) -> Iterator[TestClient]:
    """A started client of the app (redirects not followed, so tests see them)."""
    app = create_app(web_engine.settings, ApiSettings(), WEB)
    with TestClient(app, follow_redirects=False) as c:
        yield c


def log_in(client: TestClient, email: str, password: str = PASSWORD) -> TestClient:
    """Sign ``client`` in afresh (its old cookies dropped)."""
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert r.status_code == 303, r.text
    return client


@pytest.fixture
def login(client: TestClient) -> Login:
    """``login("s1")``: the client signed in as that user of :data:`USERS`."""

    def make(name: str) -> TestClient:
        return log_in(client, USERS[name]["email"])  # type: ignore[arg-type]

    return make


def post_form(client: TestClient, page: str, url: str, data: dict[str, str]) -> Any:
    """POST ``data`` to ``url`` with the CSRF token of ``page`` (as a browser would)."""
    token = csrf_of(client.get(page).text)
    return client.post(url, data={**data, "csrf_token": token})
