"""`matcher --help` answers at once: the command-line module imports no heavy library at
start-up (the engine is imported inside the command handlers)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("sklearn", "scipy", "pandas", "numba", "matplotlib", "ortools", "sqlalchemy")


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return {m.split(".")[0] for m in json.loads(out.splitlines()[-1])}


def test_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import matcher.cli")
    assert not loaded & set(HEAVY), f"import matcher.cli loads {sorted(loaded & set(HEAVY))}"


def test_help_builds_every_subcommand_without_heavy_libraries() -> None:
    code = (
        "import contextlib, io\n"
        "from matcher.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    main(['--help'])\n"
    )
    loaded = _loaded_after(code)
    assert not loaded & set(HEAVY), f"matcher --help loads {sorted(loaded & set(HEAVY))}"
    help_text = subprocess.run(
        [sys.executable, "-m", "matcher.cli", "--help"], capture_output=True, text=True, timeout=120
    ).stdout
    assert "load" in help_text and "serve" in help_text
