"""Fixtures for the HTTP API: the known world of ``tests/conftest.py`` served by started
TestClients with chosen service settings.

The world is trained once per session in SQLite; each test gets a copy of its database
and model, or on PostgreSQL (``db_backend``, see ``tests/conftest.py``) its records loaded
afresh beside a copy of the model.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.config import ApiSettings
from api.main import create_app
from matcher.config import Settings
from matcher.engine import Engine
from tests.conftest import PARTNER_COLS, SCHOOL_COLS, known_world, partner, school, write_csv

WRITE_KEY = "w-0123456789-abcdefghijkl"
READ_KEY = "r-0123456789-abcdefghijkl"
KEYS = {WRITE_KEY: "write", READ_KEY: "read"}
WRITE = {"X-API-Key": WRITE_KEY}
READ = {"X-API-Key": READ_KEY}

ClientFactory = Callable[..., TestClient]

_LISTS = ("needs", "offers", "levels", "languages")


def as_json(rec: dict[str, Any], id_column: str) -> dict[str, Any]:
    """A CSV-style test record as a JSON body: lists as arrays, no id (the path has it)."""
    out = {k: v for k, v in rec.items() if k != id_column}
    for col in _LISTS:
        if isinstance(out.get(col), str):
            out[col] = [x for x in out[col].split(";") if x]
    if isinstance(out.get("online"), str):
        out["online"] = out["online"] == "true"
    return out


def school_json(sid: str = "S-NEW", **kw: Any) -> dict[str, Any]:
    """A valid school body (see ``tests.conftest.school``)."""
    return as_json(school(sid, **kw), "school_id")


def partner_json(pid: str = "P-NEW", **kw: Any) -> dict[str, Any]:
    """A valid partner body (see ``tests.conftest.partner``)."""
    return as_json(partner(pid, **kw), "partner_id")


def sqlite_settings(root: Path) -> Settings:
    """Engine settings for a world stored in SQLite under ``root``."""
    return Settings(db_url=f"sqlite:///{root / 'db' / 'world.db'}", models_dir=root / "models")


def load_world(settings: Settings, files_dir: Path) -> Engine:
    """Load the known world into ``settings``' database (no model yet)."""
    schools, partners = known_world()
    eng = Engine(settings)
    eng.load_files(
        write_csv(files_dir / "schools.csv", SCHOOL_COLS, schools),
        write_csv(files_dir / "partners.csv", PARTNER_COLS, partners),
    )
    return eng


def copy_world(template: Path, root: Path) -> Settings:
    """A private copy of the trained SQLite world ``template`` under ``root``."""
    for part in ("db", "models"):
        shutil.copytree(template / part, root / part)
    return sqlite_settings(root)


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The known world loaded and trained once in SQLite; tests get copies of it."""
    root = tmp_path_factory.mktemp("world")
    eng = load_world(sqlite_settings(root), root)
    eng.train(evaluate=False)
    eng.store.engine.dispose()  # close SQLite so the copied files are complete
    return root


@pytest.fixture
def world_settings(
    db_backend: str, settings: Settings, tmp_path: Path, world_template: Path
) -> Settings:
    """Engine settings for a private trained known world on the backend under test."""
    if db_backend == "sqlite":
        # beside, not on, the paths of the `settings` fixture
        return copy_world(world_template, tmp_path / "world")
    # the same records in the backend under test, served by the model trained on them
    load_world(settings, tmp_path)
    shutil.copytree(world_template / "models", settings.models_dir)
    return settings


@pytest.fixture
def make_client() -> Iterator[ClientFactory]:
    """Build started TestClients: ``make_client(settings, api_settings=None, **kw)``;
    ``api_settings`` defaults to the demo mode with :data:`KEYS`."""
    with ExitStack() as stack:

        def make(
            settings: Settings, api_settings: ApiSettings | None = None, **kwargs: Any
        ) -> TestClient:
            app = create_app(settings, api_settings or ApiSettings(api_keys=KEYS))
            return stack.enter_context(TestClient(app, **kwargs))

        yield make


@pytest.fixture
def client(make_client: ClientFactory, world_settings: Settings) -> TestClient:
    """A demo-mode client on the trained known world (reads open, writes with a key)."""
    return make_client(world_settings)


@pytest.fixture
def prod_client(make_client: ClientFactory, world_settings: Settings) -> TestClient:
    """A production-mode client: every endpoint but /health needs a key."""
    return make_client(world_settings, ApiSettings(api_keys=KEYS, production=True))


@pytest.fixture
def untrained_client(
    make_client: ClientFactory, engine: Engine, world_files: dict[str, Path]
) -> TestClient:
    """The known world stored, but no model trained yet."""
    engine.load_files(world_files["schools"], world_files["partners"])
    return make_client(engine.settings)
