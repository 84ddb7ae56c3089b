"""The pages call the engine only: ``web`` never imports ``api``."""

from __future__ import annotations

from pathlib import Path

import pytest

import web
from tests.api.test_layering import imported

MODULES = sorted(Path(web.__file__).parent.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_pages_do_not_import_the_json_api(path: Path) -> None:
    assert "api" not in imported(path), f"{path.name} imports api"
