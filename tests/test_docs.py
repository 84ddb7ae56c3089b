"""docs/ is the user's reference: it names every vocabulary code, input column, command,
option and endpoint the code has (so a new one without documentation fails here)."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from matcher import schema
from matcher.cli import build_parser
from matcher.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FLOW = {"to_school": "to school", "to_partner": "to partner", "both": "both"}


def page(name: str) -> str:
    return (DOCS / name).read_text("utf-8")


def section(text: str, heading: str) -> str:
    """The text under a ``## heading`` up to the next heading of that level."""
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"no section '## {heading}'"
    return m.group(1)


def test_vocabulary_page_has_every_code_with_its_labels_and_flow() -> None:
    vocab = load_vocabulary()
    text = page("vocabulary.md")
    for code in vocab.codes:
        row = f"| `{code}` | {vocab.label(code, 'en')} | {vocab.label(code, 'id')} | "
        assert row + FLOW[vocab.flows[code]] + " |" in text, f"{code} missing or out of date"
    codes_in_page = set(re.findall(r"^\| `([a-z_]+)` \| .* \| (?:to school|to partner|both) \|$",
                                   text, re.M))  # fmt: skip
    assert codes_in_page == set(vocab.codes), "the page lists codes the vocabulary lacks"
    for values in (vocab.levels, vocab.ownership, vocab.accreditation, vocab.partner_types,
                   vocab.statuses):  # fmt: skip
        for v in values:
            assert f"| `{v}` |" in text, f"value {v!r} missing from vocabulary.md"


@pytest.mark.parametrize("kind", ["schools", "partners", "outcomes"])
def test_files_page_has_every_input_column(kind: str) -> None:
    text = section(page("files.md"), kind)
    for col in schema.columns(kind):
        assert f"`{col.name}`" in text, f"{kind} column {col.name!r} missing from files.md"


def commands() -> dict[str, argparse.ArgumentParser]:
    """Every subcommand (``models list`` included) and its parser."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(p: argparse.ArgumentParser, prefix: str) -> None:
        for action in p._actions:  # argparse offers no public walk of its subparsers
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found[prefix + name] = sub
                    walk(sub, prefix + name + " ")

    walk(build_parser(), "")
    return found


def test_cli_page_has_every_command_and_option() -> None:
    text = page("cli.md")
    cmds = commands()
    assert {"load", "train", "suggest", "rank", "serve", "db upgrade"} <= set(cmds)
    for name, sub in cmds.items():
        top = name.split()[0]
        assert f"matcher {name}" in text, f"`matcher {name}` missing from cli.md"
        body = section(text, f"matcher {top}")
        for action in sub._actions:
            for opt in action.option_strings:
                if opt in ("-h", "--help", "--db", "--models", "-q", "--quiet"):
                    continue  # common options: documented once at the top
                assert opt in body, f"`matcher {name} {opt}` missing from cli.md"


def test_api_page_has_every_endpoint() -> None:
    from api.main import create_app

    text = page("api.md")
    spec = create_app().openapi()
    hidden = {"/docs", "/redoc", "/openapi.json"}
    for path, ops in spec["paths"].items():
        if path in hidden:
            continue
        for method in ops:
            assert f"`{method.upper()} {path}`" in text, f"{method.upper()} {path} not in api.md"


def page_routes() -> list[tuple[str, str]]:
    """Every (method, path) the web app's page routers serve."""
    from fastapi.routing import APIRoute

    from web.routes import ROUTERS

    found = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            found += [(m, route.path) for m in sorted(route.methods) if m != "HEAD"]
    return found


def as_written(path: str) -> list[str]:
    """A route's path as web.md writes it: ``{segment}`` as each of the pages' URL words
    (``sekolah``, ``mitra``), any other ``{name}`` as a placeholder in capitals."""
    from web.deps import SEGMENTS

    ids = {"record_id": "ID", "partnership_id": "PID", "regency": "REGENCY"}
    text = re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), m.group(1).upper()), path)
    if "{segment}" not in path:
        return [text]
    return [text.replace("SEGMENT", word) for word in SEGMENTS]


def test_web_page_names_every_page_and_form_the_web_app_serves() -> None:
    text = page("web.md")
    routes = page_routes()
    assert ("GET", "/dinas/{regency}/alokasi") in routes  # the walk sees the officer's pages
    for method, path in routes:
        for written in as_written(path):
            # a page as `/path` (a query may follow), a form as `POST /path`
            prefix = "" if method == "GET" else f"{method} "
            pattern = rf"`{re.escape(prefix + written)}(\?[^`]*)?`"
            assert re.search(pattern, text), f"{method} {written} missing from web.md"


def test_readme_is_a_guide_that_points_to_docs() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) < 300, "README.md is a user's guide: figures go to docs/"
    assert "CONTRACT.md" not in readme
    commands = re.search(r"```bash\n(.*?)```", readme, re.S)
    assert commands, "README.md starts with the two commands"
    first, second = commands.group(1).strip().splitlines()
    assert first.endswith("matcher serve") and second.endswith("pytest -q")
    names = ["vocabulary.md", "files.md", "cli.md", "api.md", "web.md", "matching.md"]
    for name in [*names, "benchmarks.md", "development.md"]:
        assert (DOCS / name).is_file() and f"docs/{name}" in readme, f"README: link docs/{name}"
        assert f"({name})" in page("README.md"), f"docs/README.md: link {name}"
    assert "Measur" not in readme, "measured runs belong in docs/benchmarks.md"


def test_benchmarks_page_has_the_sections_runs_are_added_to() -> None:
    text = page("benchmarks.md")
    for heading in ("Ranking quality", "Speed", "Service", "Reliability"):
        section(text, heading)
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        assert f"benchmarks/{script.name}" in text, f"{script.name} missing from benchmarks.md"


def test_code_and_docs_cite_docs_not_a_contract_users_lack() -> None:
    cited = []
    for folder in ("matcher", "api", "web", "tools", "tests", "docs", "benchmarks"):
        for f in (ROOT / folder).rglob("*"):
            if (
                f.suffix in (".py", ".md", ".json", ".html")
                and f.name != "test_docs.py"
                and "CONTRACT" in f.read_text("utf-8", errors="replace")
            ):
                cited.append(str(f.relative_to(ROOT)))
    assert not cited, f"cite the docs/ page instead of CONTRACT in {cited}"
