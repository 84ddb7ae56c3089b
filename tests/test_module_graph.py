"""The learning modules form a chain, not a knot: history → index → outcomes → model."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "matcher"
CORE = ("history", "index", "outcomes", "model")


def imports(module: str) -> set[str]:
    """Every matcher module ``module`` imports, also under ``if TYPE_CHECKING``."""
    tree = ast.parse((PKG / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("matcher"):
            found.add(node.module.split(".")[1] if "." in node.module else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("matcher.")}
    return found


@pytest.mark.parametrize("i", range(len(CORE)))
def test_no_module_imports_one_later_in_the_chain(i: int) -> None:
    later = set(CORE[i + 1 :])
    assert not imports(CORE[i]) & later, f"{CORE[i]} imports {imports(CORE[i]) & later}"
