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


FACES = {"web", "api", "tools", "fastapi", "starlette", "jinja2", "pydantic", "pydantic_settings"}


def top_imports(path: Path) -> set[str]:
    """The top-level names of every module ``path`` imports (also inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
    return found


def test_the_engine_imports_no_face_and_no_web_library() -> None:
    files = sorted(PKG.rglob("*.py"))
    assert PKG / "engine.py" in files and len(files) > 40
    reached = {str(f.relative_to(PKG)): top_imports(f) & FACES for f in files}
    assert not {f: names for f, names in reached.items() if names}, (
        "matcher/ knows nothing of HTTP, pages or tools"
    )


def test_top_imports_sees_imports_inside_functions(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("def g():\n    from fastapi import APIRouter\n    import web.app\n")
    assert top_imports(f) == {"fastapi", "web"}
