"""The engine knows nothing of HTTP: ``matcher`` never imports fastapi, pydantic or api."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import matcher

FORBIDDEN = ("fastapi", "pydantic", "starlette", "uvicorn", "api")
MODULES = sorted(Path(matcher.__file__).parent.rglob("*.py"))


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_engine_does_not_import_the_web_layer(path: Path) -> None:
    bad = imported(path) & set(FORBIDDEN)
    # `matcher serve` may start uvicorn, but only inside the function that serves
    if path.name == "cli.py":
        bad -= {"uvicorn"}
    assert "jinja2" not in imported(path), f"{path.name} imports jinja2"
    assert not bad, f"{path.name} imports {sorted(bad)}"
