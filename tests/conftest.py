"""Shared fixtures: a tiny world whose right answers are known, and engines on temporary
databases and model folders."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from matcher import schema
from matcher.config import Settings, default_data_dir
from matcher.engine import Engine
from matcher.index import MatchIndex
from matcher.model import MatchModel

# Models are signed (matcher.model_store): tests sign with a key of their own, never
# with the developer's key file.
os.environ["MATCHER_MODEL_KEY"] = "test-model-key-0123456789abcdef"

SURABAYA = (-7.2575, 112.7521)

SCHOOL_COLS = [
    "school_id", "name", "level", "ownership", "province", "regency", "district",
    "latitude", "longitude", "students", "teachers", "accreditation", "needs", "offers",
    "description", "languages", "capacity",
]  # fmt: skip
PARTNER_COLS = [
    "partner_id", "name", "type", "sector", "province", "regency", "latitude", "longitude",
    "service_radius_km", "online", "offers", "needs", "levels", "description", "languages",
    "capacity",
]  # fmt: skip
OUTCOME_COLS = [
    "outcome_id", "school_id", "partner_id", "status", "school_rating", "partner_rating",
    "recorded_at",
]  # fmt: skip


def school(sid: str, **kw: Any) -> dict[str, Any]:
    rec = {
        "school_id": sid,
        "name": f"SMP Negeri {sid}",
        "level": "SMP",
        "ownership": "negeri",
        "province": "Jawa Timur",
        "regency": "Kota Surabaya",
        "district": "Semampir",
        "latitude": SURABAYA[0],
        "longitude": SURABAYA[1],
        "students": 300,
        "teachers": 20,
        "accreditation": "B",
        "needs": "funding",
        "offers": "",
        "description": "",
        "languages": "id",
        "capacity": 3,
    }
    rec.update(kw)
    return rec


def partner(pid: str, **kw: Any) -> dict[str, Any]:
    rec = {
        "partner_id": pid,
        "name": f"Partner {pid}",
        "type": "company",
        "sector": "ICT",
        "province": "Jawa Timur",
        "regency": "Kota Surabaya",
        "latitude": SURABAYA[0] + 0.01,
        "longitude": SURABAYA[1] + 0.01,
        "service_radius_km": 50,
        "online": "false",
        "offers": "funding",
        "needs": "",
        "levels": "",
        "description": "",
        "languages": "id",
        "capacity": 5,
    }
    rec.update(kw)
    return rec


def write_csv(path: Path, cols: list[str], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})
    return path


def known_world() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """S1 needs teacher training and devices and offers a research site; P-EXACT gives
    exactly that and needs exactly that; P-ONESIDED gives it but needs what S1 cannot
    give; P-FAR is out of its radius; P-ONLINE is as far but works online; P-SMK serves
    only SMK schools."""
    schools = [
        school(
            "S1",
            needs="teacher_training;digital_devices",
            offers="research_site",
            description="Sekolah kecil di Semampir",
        ),
        school("S2", needs="funding", description="Kami butuh laptop untuk lab komputer"),
        school("S3", needs="sports;arts_culture", offers="venue_facilities"),
        school("S4", needs="internships;digital_devices", level="SMK", offers="talent_pipeline"),
        school("S5", needs="inclusive_education", level="SLB"),
    ]
    exact = {"offers": "teacher_training;digital_devices", "needs": "research_site"}
    partners = [
        partner("P-EXACT", type="university", **exact),
        partner(
            "P-ONESIDED",
            offers="teacher_training;digital_devices",
            needs="talent_pipeline;program_reach",
        ),
        partner("P-FAR", latitude=-8.6, longitude=115.2, **exact),
        partner("P-ONLINE", latitude=-8.6, longitude=115.2, online="true", **exact),
        partner("P-SMK", levels="SMK", **exact),
        partner("P-SPORT", offers="sports;arts_culture", needs="venue_facilities"),
        partner("P-DEVICES", offers="digital_devices", needs="csr_impact"),
    ]
    return schools, partners


@dataclass(frozen=True)
class World:
    """A model fitted on frames and its index of them, without a database or engine:
    what the scoring modules take. Shared by a whole test session, so read-only."""

    schools: pd.DataFrame
    partners: pd.DataFrame
    outcomes: pd.DataFrame | None
    model: MatchModel
    index: MatchIndex

    @property
    def snapshot(self) -> tuple[str, MatchModel, MatchIndex]:
        """As :meth:`Engine.snapshot` gives it (the version is the world's name)."""
        return "fitted-world", self.model, self.index


def fit_world(
    schools: pd.DataFrame, partners: pd.DataFrame, outcomes: pd.DataFrame | None = None
) -> World:
    """The world an engine serves after ``train`` on these frames: the same default
    model, with records in id order as the store returns them."""
    frames = [
        None if f is None else f.sort_values(key).reset_index(drop=True)
        for f, key in ((schools, "school_id"), (partners, "partner_id"), (outcomes, "outcome_id"))
    ]
    s, p, o = frames
    assert s is not None and p is not None
    model = MatchModel().fit(s, p, o)
    return World(s, p, o, model, model.index(s, p, o))


def frames_of(kind: str, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Records validated as a loaded file's rows are."""
    return schema.validate_records(kind, list(enumerate(records, start=1)), kind)[0]


@pytest.fixture(scope="session")
def fitted_world() -> World:
    """The known world (:func:`known_world`) fitted with the default model."""
    schools, partners = known_world()
    return fit_world(frames_of("schools", schools), frames_of("partners", partners))


@pytest.fixture(scope="session")
def sample_world() -> World:
    """The bundled sample (1,200 schools, 260 partners, their outcomes) fitted with the
    default model."""
    d = default_data_dir() / "sample"
    frames = [schema.read_file(kind, d / f"{kind}.csv")[0] for kind in schema.ID_COLUMN]
    return fit_world(*frames)


@pytest.fixture
def world_files(tmp_path: Path) -> dict[str, Path]:
    schools, partners = known_world()
    return {
        "schools": write_csv(tmp_path / "schools.csv", SCHOOL_COLS, schools),
        "partners": write_csv(tmp_path / "partners.csv", PARTNER_COLS, partners),
    }


PG_URL = os.environ.get("MATCHER_TEST_PG", "")
# Modules whose tests run against every database backend (SQLite always, PostgreSQL when
# MATCHER_TEST_PG names a server, as .ci/run arranges).
BACKEND_MODULES = (
    "test_storage",
    "test_migrations",
    "test_partnership_races",
    "test_login_races",
    "tests.api.",
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    mod = metafunc.module.__name__
    if "db_backend" in metafunc.fixturenames and any(m in mod for m in BACKEND_MODULES):
        metafunc.parametrize("db_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


def reset_database(url: str) -> None:
    """Drop every table of matcher's schema and the migration stamp: an empty database."""
    import sqlalchemy as sa

    from matcher.storage import metadata

    eng = sa.create_engine(url)
    # table by table with IF EXISTS: drop_all's look-then-drop fails if a table vanished
    # between the two (a store of an earlier test closing)
    with eng.begin() as conn:
        for table in [*reversed(metadata.sorted_tables)]:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    eng.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_backend: str) -> Settings:
    url = f"sqlite:///{tmp_path / 'test.db'}"
    if db_backend == "postgresql":
        if not PG_URL:
            pytest.skip("no PostgreSQL server (set MATCHER_TEST_PG)")
        reset_database(PG_URL)
        url = PG_URL
    return Settings(db_url=url, models_dir=tmp_path / "models")


@pytest.fixture
def engine(settings: Settings) -> Engine:
    return Engine(settings)


@pytest.fixture
def world_engine(engine: Engine, world_files: dict[str, Path]) -> Engine:
    engine.load_files(world_files["schools"], world_files["partners"])
    engine.train(evaluate=False)
    return engine
