"""One settings object for the engine: where the data, database and models live.

Values come from keyword arguments (CLI flags), else environment variables, else
defaults, so every entry point configures the engine the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# the repository's data/ ships inside the wheel as matcher/data/ (see setup.py)
PACKAGE_DATA = Path(__file__).resolve().parent / "data"


def default_data_dir() -> Path:
    """The bundled vocabulary and sample: ``MATCHER_DATA``, else the installed package's
    ``matcher/data/``, else the repository's ``data/`` (a checkout or editable install)."""
    env = os.environ.get("MATCHER_DATA")
    if env:
        return Path(env)
    return PACKAGE_DATA if (PACKAGE_DATA / "vocabulary.json").is_file() else REPO_ROOT / "data"


def default_db_url() -> str:
    """The embedded SQLite file ``var/matcher.db`` in the working directory."""
    return os.environ.get("MATCHER_DB") or f"sqlite:///{Path('var') / 'matcher.db'}"


def default_models_dir() -> Path:
    return Path(os.environ.get("MATCHER_MODELS") or "models")


@dataclass
class Settings:
    """Engine configuration; see the README for every variable."""

    db_url: str = field(default_factory=default_db_url)
    models_dir: Path = field(default_factory=default_models_dir)
    data_dir: Path = field(default_factory=default_data_dir)
    refresh_seconds: float = field(
        default_factory=lambda: float(os.environ.get("MATCHER_REFRESH_SECONDS", "2"))
    )
    result_cache: int = field(
        default_factory=lambda: int(os.environ.get("MATCHER_RESULT_CACHE", "20000"))
    )
    base_url: str = field(
        default_factory=lambda: os.environ.get("MATCHER_BASE_URL", "http://127.0.0.1:8000")
    )
    keep_versions: int = field(
        default_factory=lambda: int(os.environ.get("MATCHER_KEEP_VERSIONS", "10"))
    )

    @classmethod
    def from_args(cls, db: str | None = None, models: str | Path | None = None) -> Settings:
        s = cls()
        if db:
            s.db_url = db
        if models:
            s.models_dir = Path(models)
        return s
