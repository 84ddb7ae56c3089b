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


def test_readme_points_to_docs_not_to_a_missing_contract() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "CONTRACT.md" not in readme
    for name in ("vocabulary.md", "files.md", "cli.md", "api.md", "development.md"):
        assert (DOCS / name).is_file() and f"docs/{name}" in readme, f"README: link docs/{name}"
